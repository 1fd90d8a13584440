// 督导组: overdue and escalated cases with 催办 and 重点督办, C answers to review, the
// extension requests the office decides, and the key topics (重点督办专题); the projects'
// tabs (民生项目, 公开高频诉求) are office_projects.js. A supervisor
// sees its group's districts, the admin (the congress office) all of them plus the office's
// actions. A panel whose endpoint this server lacks (404 of the route) is hidden.
import { claims, startSession } from "/static/kit/session.js";
import {
  $, KIND, OUTCOME, STATUS, byUrgency, clearErrors, dayLabel, el, fail, get, itemName,
  loadUnitNames, send, show, timeLabel, unitName,
} from "/static/common.js";
import { setupProjects, startProjects } from "/static/office_projects.js";

const state = { admin: false, topics: [] };
const list = (x) => (Array.isArray(x) ? x : (x && (x.items || x.suggestions || x.links)) || []);
const casePath = (sid, what) => "/v1/cases/" + encodeURIComponent(sid) + "/" + what;

/** ``loader`` fills a panel; the panel is hidden if the server has no such endpoint. */
async function panel(section, target, loader) {
  try {
    await loader();
    show($(section), true);
  } catch (err) {
    if (err && err.missing) { show($(section), false); return; }
    show($(section), true);
    const p = el("p", { class: "error", role: "alert" });
    fail(p, err);
    $(target).replaceChildren(p);
  }
}

function smallForm(id, children, submitLabel, handler) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const done = el("p", { class: "result", role: "status", hidden: true });
  const submit = submitLabel ? el("button", { type: "submit" }, submitLabel) : null;
  const form = el("form", { class: "inline-form", id: id, novalidate: true }, ...children, error, submit, done);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, error);
    show(done, false);
    const buttons = Array.from(form.querySelectorAll("button[type=submit]"));
    buttons.forEach((b) => { b.disabled = true; });
    try {
      done.textContent = await handler(form.elements, event.submitter);
      show(done, true);
    } catch (err) { fail(error, err, form); } finally { buttons.forEach((b) => { b.disabled = false; }); }
  });
  return form;
}

// -- overdue and escalated cases ---------------------------------------------------------
function caseCard(item, u) {
  const sid = item.suggestion_id;
  const urge = smallForm("urge-" + sid, [
    el("label", {}, "催办意见", el("textarea", { name: "note", rows: "2", maxlength: "2000", placeholder: "如：请于本周内答复并报送办理情况" })),
  ], "催办", async (f) => {
    await send(casePath(sid, "urge"), { note: f.note.value.trim() });
    f.note.value = "";
    return "已向承办单位 " + unitName(item.unit_id) + " 发出催办。";
  });
  const parts = [
    el("div", {},
      el("span", { class: "tag" }, KIND[item.kind] || item.kind),
      el("span", { class: "tag plain" }, STATUS[item.status] || item.status),
      item.escalation_level ? el("span", { class: "tag warn" }, "督办" + item.escalation_level + "级") : null,
      item.key_case ? el("span", { class: "tag warn" }, "重点督办") : null),
    el("h3", {}, itemName(item)),
    el("p", { class: "due" }, "答复期限 " + dayLabel(item.reply_by) + "　" + u.text),
    el("p", { class: "muted" }, "承办单位 " + unitName(item.unit_id) + "　区划 " + item.district + "　编号 " + sid),
    el("details", { class: "action" }, el("summary", {}, "催办"), urge),
  ];
  if (!item.key_case) {
    const error = el("p", { class: "error", role: "alert", hidden: true });
    const key = el("button", { type: "button", class: "key-case" }, "列为重点督办");
    key.addEventListener("click", async () => {
      key.disabled = true;
      try { await send(casePath(sid, "key-case")); key.textContent = "已列为重点督办"; } catch (err) { fail(error, err); key.disabled = false; }
    });
    parts.push(el("div", { class: "actions-row" }, key), error);
  }
  return el("div", { class: "card case " + u.colour, "data-sid": sid }, ...parts);
}

async function loadCases(target, url, empty) {
  const items = list(await get(url));
  $(target).replaceChildren(...(items.length
    ? byUrgency(items).map(({ item, u }) => caseCard(item, u))
    : [el("p", { class: "muted" }, empty)]));
}

// -- C answers to review -----------------------------------------------------------------
function reviewCard(item) {
  const sid = item.suggestion_id;
  const answer = el("div", {}, el("p", { class: "muted" }, "正在读取答复…"));
  get("/v1/cases/" + encodeURIComponent(sid)).then((c) => {
    answer.replaceChildren(
      el("p", {}, el("strong", {}, OUTCOME[c.outcome] || "")),
      el("p", { class: "content" }, c.reply_text || ""),
      c.reason ? el("p", {}, "不能解决的原因：" + c.reason) : null);
  }).catch((err) => fail(answer, err));
  const form = smallForm("review-" + sid, [
    el("fieldset", {}, el("legend", {}, "审核结论"),
      el("label", { class: "choice" }, el("input", { type: "radio", name: "verdict", value: "upheld" }), "维持答复（理由成立）"),
      el("label", { class: "choice" }, el("input", { type: "radio", name: "verdict", value: "rehandle" }), "重新办理（理由不成立）")),
    el("label", {}, "审核意见", el("textarea", { name: "note", rows: "2", maxlength: "2000" })),
  ], "提交审核", async (f) => {
    const checked = Array.from(f.verdict).find((r) => r.checked);
    if (!checked) throw Object.assign(new Error("审核结论：请选择维持答复或重新办理"), { fields: ["verdict"] });
    await send(casePath(sid, "review"), { verdict: checked.value, note: f.note.value.trim() });
    return checked.value === "upheld" ? "已维持答复。" : "已退回承办单位重新办理。";
  });
  return el("div", { class: "card orange", "data-sid": sid },
    el("h3", {}, itemName(item)),
    el("p", { class: "muted" }, "承办单位 " + unitName(item.unit_id) + (item.replied_at ? "　答复于 " + timeLabel(item.replied_at) : "")),
    answer, form);
}

// -- extension requests (the office decides) ---------------------------------------------
function extensionCard(item) {
  const sid = item.suggestion_id;
  // The list gives the case; the request itself is on the case's formal part.
  const request = el("div", {}, el("p", { class: "muted" }, "正在读取延期申请…"));
  get("/v1/cases/" + encodeURIComponent(sid)).then((c) => {
    const x = (c.formal && c.formal.extension_request) || {};
    request.replaceChildren(
      el("p", { class: "muted" }, "现答复期限 " + timeLabel(c.reply_by) + "　交办于 " + timeLabel(c.assigned_at)),
      el("p", {}, el("strong", {}, "申请延至 " + timeLabel(x.requested_reply_by))),
      el("p", { class: "content" }, "理由：" + (x.reason || "")));
  }).catch((err) => fail(request, err));
  const form = smallForm("extension-" + sid, [
    el("label", {}, "审批意见", el("span", { class: "muted" }, "（不予批准时必填）"),
      el("textarea", { name: "note", rows: "2", maxlength: "2000" })),
    el("div", { class: "actions-row" },
      el("button", { type: "submit", name: "approve", value: "true" }, "批准延期"),
      el("button", { type: "submit", name: "approve", value: "false", class: "refuse" }, "不予批准")),
  ], null, async (f, submitter) => {
    const approve = Boolean(submitter && submitter.value === "true");
    await send(casePath(sid, "extension-decision"), { approve: approve, note: f.note.value.trim() });
    return approve ? "已批准延期。" : "已不予批准，答复期限不变。";
  });
  return el("div", { class: "card orange", "data-sid": sid },
    el("h3", {}, itemName(item)),
    el("p", { class: "muted" }, "承办单位 " + unitName(item.unit_id) + "　编号 " + sid),
    request, form);
}

// -- key topics --------------------------------------------------------------------------
const DELIVERY = { pending: "待兑现", delivered_on_time: "已按期兑现", delivered_late: "逾期兑现", overdue: "逾期未兑现" };

async function openTopic(topic) {
  const t = await get("/v1/topics/" + encodeURIComponent(topic.topic_id));
  const rows = list(t.suggestions || t.links || t.items);
  const parts = [
    el("h3", {}, t.title + "（" + t.year + "年，牵头：" + (t.lead_name || t.lead_id) + "）"),
    rows.length ? el("div", {}, rows.map((s) => el("div", { class: "card " + (s.overdue ? "red" : s.status === "closed" ? "grey" : "green") },
      el("strong", {}, itemName(s)),
      el("p", { class: "muted" }, [
        "承办单位 " + (s.unit_name || unitName(s.unit_id)),
        STATUS[s.status] || s.status || "",
        s.reply_by ? "答复期限 " + dayLabel(s.reply_by) : null,
        s.overdue ? "已逾期" : null,
        s.outcome ? "答复 " + s.outcome : null,
        s.delivery ? "B类兑现：" + (DELIVERY[s.delivery.status] || s.delivery.status) : null,
      ].filter(Boolean).join("　")),
      state.admin ? unlinkButton(topic, s.suggestion_id) : null)))
      : el("p", { class: "muted" }, "该专题还没有关联建议。"),
  ];
  if (state.admin) {
    parts.push(smallForm("link-" + topic.topic_id, [
      el("label", {}, "关联建议（建议编号）", el("input", { name: "suggestion_id", maxlength: "64", required: true })),
    ], "关联到本专题", async (f) => {
      await send("/v1/topics/" + encodeURIComponent(topic.topic_id) + "/links", { suggestion_id: f.suggestion_id.value.trim() });
      await Promise.all([openTopic(topic), loadTopics()]);
      return "已关联，并列为重点督办。";
    }));
  }
  $("topic-detail").replaceChildren(el("div", { class: "card" }, ...parts));
}

function unlinkButton(topic, sid) {
  const b = el("button", { type: "button" }, "取消关联");
  b.addEventListener("click", async () => {
    try {
      await send("/v1/topics/" + encodeURIComponent(topic.topic_id) + "/links/" + encodeURIComponent(sid), undefined, "DELETE");
      await Promise.all([openTopic(topic), loadTopics()]);
    } catch (err) { fail($("error"), err); }
  });
  return b;
}

async function loadTopics() {
  state.topics = list(await get("/v1/topics"));
  $("topics").replaceChildren(...(state.topics.length ? state.topics.map((t) => {
    const b = el("button", { type: "button", class: "open-topic" }, "查看");
    b.addEventListener("click", () => openTopic(t).catch((err) => fail($("error"), err)));
    return el("div", { class: "card bar" }, el("span", {}, t.title + "（" + t.year + "）" +
      (t.linked !== undefined ? "　" + t.linked + "件建议" : "")), b);
  }) : [el("p", { class: "muted" }, "还没有重点督办专题。")]));
  show($("topic-create"), state.admin);
  try {
    await loadCandidates();
    show($("candidates-block"), true);
  } catch (err) {
    show($("candidates-block"), !err.missing);
    if (!err.missing) fail($("error"), err);
  }
}

async function loadCandidates() {
  const items = list(await get("/v1/topics/candidates"));
  $("candidates").replaceChildren(...(items.length ? items.map((c) => el("div", { class: "card" },
    el("strong", {}, c.title || c.representative_title || c.ref || c.suggestion_id),
    el("p", { class: "muted" }, [c.why, c.district ? "区划 " + c.district : null].filter(Boolean).join("　"))))
    : [el("p", { class: "muted" }, "暂无候选。")]));
}

async function createTopic(event) {
  event.preventDefault();
  const form = event.target;
  const f = form.elements;
  clearErrors(form, $("topic-error"));
  try {
    await send("/v1/topics", { title: f.title.value.trim(), year: Number(f.year.value), lead_id: f.lead_id.value.trim(), lead_name: f.lead_name.value.trim() });
    form.reset();
    f.year.value = new Date().getFullYear();
    await loadTopics();
  } catch (err) { fail($("topic-error"), err, form); }
}

async function load() {
  const me = claims();
  await loadUnitNames();
  state.admin = me.role === "admin";
  $("scope").textContent = state.admin ? "人大常委会办公室：全部督导组的事项" : "本督导组（" + (me.group || "") + "）负责区域的事项";
  await Promise.all([
    panel("overdue-section", "overdue", () => loadCases("overdue", "/v1/supervision/overdue?limit=200", "没有逾期事项。")),
    panel("escalations-section", "escalations", () => loadCases("escalations", "/v1/supervision/escalations?level=1&limit=200", "没有督办升级的事项。")),
    panel("reviews-section", "reviews", async () => {
      const items = list(await get("/v1/supervision/reviews"));
      $("reviews").replaceChildren(...(items.length ? items.map(reviewCard) : [el("p", { class: "muted" }, "没有待审核的C类答复。")]));
    }),
    state.admin
      ? panel("extensions-section", "extensions", async () => {
        const items = list(await get("/v1/supervision/extension-requests"));
        $("extensions").replaceChildren(...(items.length ? items.map(extensionCard) : [el("p", { class: "muted" }, "没有待审批的延期申请。")]));
      })
      : show($("extensions-section"), false),
    panel("topics-section", "topics", loadTopics),
    startProjects(state.admin).catch((err) => fail($("error"), err)),
  ]);
}

document.addEventListener("DOMContentLoaded", () => {
  $("topic-form").elements.year.value = new Date().getFullYear();
  $("topic-form").addEventListener("submit", createTopic);
  setupProjects();
  startSession({
    title: "督导组登录",
    hint: "督导组成员用督导组的访问令牌登录；人大常委会办公室用管理员令牌登录。",
    roles: ["supervisor", "admin"],
    onSignedIn: load,
    onSignedOut: () => ["overdue", "escalations", "reviews", "extensions", "topics", "topic-detail", "candidates", "projects", "project", "published", "appeal-candidates"].forEach((id) => $(id).replaceChildren()),
  });
});
