// 我的代表建议: a deputy files a formal suggestion with co-signers (联名), confirms the ones
// they were asked to join, follows every answer round and rates it (征询意见表). The deputy
// is the one the token names; signing in is the platform's kit's (/static/kit/session.js).
// Everything from the server is shown with textContent, never markup.
import { claims, getJson, sendJson, api, startSession } from "/static/kit/session.js";

const BASE = "/v1/formal-suggestions";
const RATINGS = [["satisfied", "满意"], ["basically_satisfied", "基本满意"], ["unsatisfied", "不满意"]];
const ASPECTS = [["contact", "联系沟通"], ["attitude", "办理态度"], ["result", "办理结果"]];
let me = null;
let deputies = [];
const chosen = new Map(); // co-signer id → name

const $ = (id) => document.getElementById(id);
function show(node, visible) { node.hidden = !visible; }
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === "class") node.className = v; else node.setAttribute(k, v === true ? "" : v);
  });
  children.flat().forEach((c) => { if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c)); });
  return node;
}
function fail(target, err) {
  if (err && err.signedOut) return;
  target.textContent = err.message;
  show(target, true);
}
function day(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "long", day: "numeric" }).format(new Date(iso));
}
function button(text, onClick, primary) {
  const b = el("button", { type: "button", class: primary ? "primary" : null }, text);
  b.addEventListener("click", onClick);
  return b;
}

async function load() {
  show($("error"), false);
  me = claims().representative;
  if (!me) {
    fail($("error"), new Error("该令牌不是代表令牌，请使用人大办公室为您签发的代表令牌"));
    return;
  }
  try {
    const [list, listed] = await Promise.all([getJson(BASE), deputies.length ? deputies : getJson("/v1/reference/representatives")]);
    deputies = listed;
    const self = deputies.find((d) => d.id === me);
    $("deputy-name").textContent = (self ? self.name + " 代表" : "代表") + "（" + me + "）";
    render(list);
  } catch (err) { fail($("error"), err); }
}

function render(list) {
  const invitations = list.filter((s) => s.awaiting_me);
  const mine = list.filter((s) => !s.awaiting_me && s.my_state !== "declined");
  $("invitations").replaceChildren(...(invitations.length ? invitations.map(invitationCard)
    : [el("p", { class: "muted" }, "暂无需要您确认的联名邀请。")]));
  $("mine").replaceChildren(...(mine.length ? mine.map(suggestionCard)
    : [el("p", { class: "muted" }, "还没有代表建议。在下面的“提出代表建议”中填写第一件。")]));
}

function signerTags(s) {
  return el("div", { class: "signers" }, s.signers.map((g) =>
    el("span", { class: "signer " + g.state }, g.role_label + " " + g.name + (g.role === "co" ? "·" + g.state_label : ""))));
}

async function act(path, method, target) {
  try {
    await api(BASE + "/" + path, { method: method || "POST" });
    await load();
  } catch (err) { fail(target, err); }
}

function invitationCard(s) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const lead = s.signers.find((g) => g.role === "lead");
  return el("div", { class: "card invitation" },
    el("h3", {}, s.title),
    el("p", { class: "muted" }, "领衔代表：" + (lead ? lead.name : s.lead_deputy_id) + "　" + s.session_label),
    el("p", {}, s.content),
    signerTags(s),
    el("div", { class: "row" },
      button("确认联名", () => act(s.id + "/confirm", "POST", error), true),
      button("谢绝", () => act(s.id + "/decline", "POST", error))),
    error);
}

function answerBlock(a) {
  return el("div", { class: "answer" },
    el("p", {}, el("strong", {}, "第" + a.round + "轮答复　" + a.outcome_label)),
    el("p", { class: "muted" }, "答复日期：" + day(a.replied_at)),
    el("p", {}, a.reply),
    a.measures ? el("p", {}, "措施：" + a.measures) : null,
    a.reason ? el("p", {}, "原因：" + a.reason) : null,
    a.delivery_by ? el("p", {}, "承诺兑现日期：" + day(a.delivery_by)) : null);
}

function ratingForm(s, round) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const form = el("form", { class: "rating-form" },
    el("p", {}, el("strong", {}, "征询意见表（第" + round + "轮答复）")),
    ASPECTS.map(([name, text]) => el("label", {}, text,
      el("select", { name: name, required: true }, RATINGS.map(([v, t]) => el("option", { value: v }, t))))),
    el("label", {}, "意见（选填）", el("textarea", { name: "comment", rows: "2", maxlength: "1000" })),
    el("button", { type: "submit" }, "提交评价"),
    error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = form.elements;
    try {
      await sendJson(BASE + "/" + s.id + "/ratings", {
        round: round, contact: f.contact.value, attitude: f.attitude.value, result: f.result.value,
        comment: f.comment.value.trim() || undefined,
      });
      await load();
    } catch (err) { fail(error, err); }
  });
  return form;
}

function suggestionCard(s) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const lead = s.my_role === "lead";
  const draftActions = s.state === "draft" && lead ? el("div", {},
    s.signers.filter((g) => g.role === "co" && g.state !== "confirmed").map((g) =>
      el("div", { class: "row" }, button("移除联名代表 " + g.name, () =>
        act(s.id + "/co-signers/" + encodeURIComponent(g.deputy_id), "DELETE", error)))),
    el("div", { class: "row" }, Object.assign(button("提交", () => act(s.id + "/submit", "POST", error), true),
      { disabled: !s.can_submit })),
    s.can_submit ? null : el("p", { class: "muted" }, "所有联名代表确认后才能提交；已谢绝的请先移除。")) : null;
  const mine = new Set(s.ratings.filter((r) => r.deputy_id === me).map((r) => r.round));
  return el("div", { class: "card suggestion", "data-id": s.id },
    el("span", { class: "state" }, s.status_label),
    el("p", {}, s.number ? el("span", { class: "number" }, "第 " + s.number + " 号") : el("span", { class: "muted" }, "草稿")),
    el("h3", {}, s.title),
    el("p", { class: "muted" }, s.session_label + (s.publishable ? "　同意公开" : "") +
      (s.converted_from ? "　由群众意见转来" : "") + (s.unit_name ? "　承办单位：" + s.unit_name : "")),
    signerTags(s),
    draftActions,
    s.answers.map((a) => el("div", {}, answerBlock(a),
      mine.has(a.round) ? el("p", { class: "muted" }, "您已评价本轮答复。") : null,
      s.can_rate.includes(a.round) ? ratingForm(s, a.round) : null)),
    s.ratings.length ? el("p", { class: "muted" }, "评价：" + s.ratings.map((r) =>
      "第" + r.round + "轮 " + r.name + " 结果" + r.result_label).join("；")) : null,
    s.closed ? el("p", { class: "muted" }, "已办结。") : null,
    error);
}

function renderChosen() {
  $("co-chosen").replaceChildren(...[...chosen].map(([id, name]) => {
    const remove = el("button", { type: "button", "aria-label": "移除 " + name }, "×");
    remove.addEventListener("click", () => { chosen.delete(id); renderChosen(); });
    return el("span", { class: "chip" }, name, remove);
  }));
}

function search() {
  const q = $("co-search").value.trim();
  if (!q) { $("co-matches").replaceChildren(); return; }
  const found = deputies.filter((d) => d.id !== me && !chosen.has(d.id) &&
    (d.name.includes(q) || d.id.toLowerCase().includes(q.toLowerCase()))).slice(0, 8);
  $("co-matches").replaceChildren(...(found.length ? found.map((d) => {
    const pick = el("button", { type: "button" }, d.name + "（" + d.id + (d.township ? "，" + d.township : "") + "）");
    pick.addEventListener("click", () => {
      chosen.set(d.id, d.name);
      $("co-search").value = "";
      $("co-matches").replaceChildren();
      renderChosen();
    });
    return pick;
  }) : [el("p", { class: "muted" }, "没有找到在任代表。")]));
}

async function file(event) {
  event.preventDefault();
  const f = event.target.elements;
  show($("file-error"), false);
  show($("file-result"), false);
  const convertedFrom = f.converted_from.value.trim();
  if (!convertedFrom && (!f.title.value.trim() || f.content.value.trim().length < 5)) {
    fail($("file-error"), new Error("请填写标题和建议内容（内容至少 5 个字）"));
    return;
  }
  try {
    const made = await sendJson(BASE, {
      title: f.title.value.trim() || undefined,
      content: f.content.value.trim() || undefined,
      reasons: f.reasons.value.trim(),
      measures: f.measures.value.trim(),
      co_signer_ids: [...chosen.keys()],
      session: f.session.value,
      publishable: f.publishable.checked,
      converted_from: convertedFrom || undefined,
    });
    event.target.reset();
    chosen.clear();
    renderChosen();
    $("file-result").textContent = made.signers.length > 1
      ? "已保存“" + made.title + "”，已邀请联名代表确认；全部确认后即可提交。"
      : "已保存“" + made.title + "”，可以在“我的建议”中提交。";
    show($("file-result"), true);
    await load();
  } catch (err) { fail($("file-error"), err); }
}

document.addEventListener("DOMContentLoaded", () => {
  // /deputy#convert=<id>: a citizen's suggestion to turn into a formal one (转为代表建议).
  const convert = new URLSearchParams(location.hash.slice(1)).get("convert");
  if (convert) $("file-form").elements.converted_from.value = convert;
  $("file-form").addEventListener("submit", file);
  $("co-search").addEventListener("input", search);
  startSession({
    title: "代表登录",
    hint: "提出代表建议、确认联名、查看答复并评价。",
    roles: ["representative"],
    onSignedIn: load,
    onSignedOut: () => ["deputy-name", "invitations", "mine"].forEach((id) => $(id).replaceChildren()),
  });
});
