// 代表建议交办: the congress office's queue of deputies' formal suggestions. Each shows
// routing's proposal (lead and co-units, with why) and earlier returns; the office keeps
// or changes the units and confirms. Signing in is the platform's kit's.
import { getJson, sendJson, startSession } from "/static/kit/session.js";

const MAX_CO = 3;
const SESSIONS = { in_session: "大会期间", between_sessions: "闭会期间" };
let units = [];

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === "class") n.className = v; else n.setAttribute(k, v === true ? "" : v);
  });
  children.flat().forEach((c) => { if (c !== undefined && c !== null && c !== "") n.append(c); });
  return n;
}

function show(node, visible) { node.hidden = !visible; }

function fail(node, err) {
  if (err && err.signedOut) return;
  node.textContent = (err && err.message) || "操作失败，请稍后重试";
  show(node, true);
}

function when(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "long", day: "numeric",
    hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

function unitName(id) {
  const u = units.find((x) => x.id === id);
  return u ? u.name : id;
}

function unitSelect(name, chosen, optional) {
  const city = units.filter((u) => u.level === "city");
  const local = units.filter((u) => u.level !== "city");
  const option = (u) => el("option", { value: u.id, selected: u.id === chosen }, u.name);
  return el("select", { name: name, required: !optional },
    el("option", { value: "", selected: !chosen }, optional ? "（不选）" : "请选择主办单位"),
    el("optgroup", { label: "市级单位" }, city.map(option)),
    el("optgroup", { label: "区县单位" }, local.map(option)));
}

function proposalBox(p) {
  const co = p.co_units || [];
  return el("div", { class: "proposal" },
    el("p", {}, el("strong", {}, "系统建议："),
      p.unit_name ? p.unit_name + " 主办" : "未找到主办单位",
      co.length ? "；" + co.map((k) => k.unit_name).join("、") + " 协办" : "；不设协办"),
    co.length ? el("ul", {}, co.map((k) => el("li", {}, k.unit_name + "：" + k.evidence))) : null,
    el("p", { class: "muted" }, "主办依据：" + (p.lead_reason || p.summary)));
}

function historyBox(history) {
  if (!history.length) return null;
  return el("div", { class: "history" }, el("h4", {}, "此前交办"),
    el("ul", {}, history.map((h) => el("li", {},
      "第 " + h.attempt + " 次：" + h.unit_name + " 主办",
      h.co_units.length ? "，" + h.co_units.map((c) => c.unit_name).join("、") + " 协办" : "",
      "（" + h.by + "，" + when(h.confirmed_at) + "）",
      h.returned ? el("div", { class: "returned" },
        "退回：" + h.returned.unit_name + "，理由：" + h.returned.reason,
        h.returned.suggested_unit ? "；建议改由 " + (h.returned.suggested_unit_name || h.returned.suggested_unit) + " 办理" : "",
        "（" + when(h.returned.at) + "）") : null))));
}

function confirmForm(item) {
  const p = item.proposal;
  const co = (p.co_units || []).map((k) => k.unit_id);
  const form = el("form", { class: "confirm" },
    el("label", {}, "主办单位", unitSelect("unit_id", p.unit_id, false)),
    Array.from({ length: MAX_CO }, (_, i) =>
      el("label", {}, "协办单位 " + (i + 1), unitSelect("co_unit", co[i] || "", true))),
    el("label", {}, "说明（可选）",
      el("textarea", { name: "note", rows: "2", maxlength: "500", placeholder: "如改变了系统建议，可写明理由" })),
    el("button", { type: "submit" }, "确认交办"),
    el("p", { class: "error", role: "alert", hidden: true }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".error");
    show(error, false);
    const chosen = Array.from(form.querySelectorAll("select[name=co_unit]"))
      .map((s) => s.value).filter((v) => v);
    const body = { unit_id: form.elements.unit_id.value, co_unit_ids: chosen,
      note: form.elements.note.value.trim() };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const done = await sendJson("/v1/formal-assignments/" + encodeURIComponent(item.suggestion_id) + "/confirm", body);
      $("notice").textContent = "已交办 " + item.number + "《" + item.title + "》：" + done.unit_name + " 主办" +
        (chosen.length ? "，" + chosen.map(unitName).join("、") + " 协办" : "") + "。";
      show($("notice"), true);
      await load();
    } catch (err) {
      fail(error, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function card(item) {
  const signers = item.signer_ids.slice(1);
  return el("article", { class: "card", "data-suggestion": item.suggestion_id },
    el("h3", {}, el("span", { class: "number" }, item.number), item.title),
    el("p", {}, item.attempt > 1 ? el("span", { class: "tag" }, "第 " + item.attempt + " 次交办") : null,
      el("span", { class: "tag" }, SESSIONS[item.session] || "代表建议")),
    el("p", { class: "muted" }, "领衔代表：" + item.lead_deputy_id +
      (signers.length ? "；联名代表：" + signers.join("、") : "；无联名代表")),
    el("p", { class: "muted" }, "提出：" + when(item.filed_at) + "；待交办自 " + when(item.waiting_since)),
    el("details", {}, el("summary", {}, "建议内容"),
      el("p", { class: "text" }, item.content),
      item.reasons ? el("p", { class: "text" }, "理由：" + item.reasons) : null,
      item.measures ? el("p", { class: "text" }, "建议措施：" + item.measures) : null),
    historyBox(item.history),
    proposalBox(item.proposal),
    confirmForm(item));
}

async function load() {
  show($("error"), false);
  try {
    const [list, directory] = await Promise.all([
      getJson("/v1/formal-assignments"),
      units.length ? Promise.resolve(units) : getJson("/v1/units"),
    ]);
    units = directory;
    $("count").textContent = "待交办 " + list.length + " 件";
    $("queue").replaceChildren(...(list.length ? list.map(card)
      : [el("p", { class: "muted" }, "没有待交办的代表建议。代表提出建议后，系统给出主办、协办建议，会出现在这里；单位退回的建议也会回到这里。")]));
  } catch (err) { fail($("error"), err); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("refresh").addEventListener("click", () => { show($("notice"), false); load(); });
  startSession({
    title: "人大代表工作机构登录",
    hint: "代表建议交办：核对并确认主办、协办单位。",
    roles: ["admin"],
    onSignedIn: load,
    onSignedOut: () => { $("queue").replaceChildren(); show($("notice"), false); },
  });
});
