// 承办单位工作台: a unit's cases by urgency (overdue first, then the earliest deadline), one
// item's facts, history and the actions its state allows; the unit's improvement projects
// are unit_projects.js. Unit staff act; the admin may look
// at a unit (?unit=…) without acting. Signing in is the platform kit's.
import { claims, startSession } from "/static/kit/session.js";
import {
  $, KIND, MODE, OPEN, OUTCOME, RATING, STATUS, beijingToday, byUrgency, clearErrors, dayLabel,
  el, fail, get, itemName, loadUnitNames, send, show, timeLabel, unitName, urgency,
} from "/static/common.js";
import { loadUnitProjects, openUnitProject } from "/static/unit_projects.js";

const MIN_REPLY = 20; // the reply's minimum length (the server says so too)

// What each history entry says, in the unit's words.
const ACTION = {
  CaseOpened: "交办", CaseAccepted: "签收", ProgressReported: "办理进展", Resolved: "答复",
  AssignmentReturned: "退回", ExtensionGranted: "延期获批", ExtensionRequested: "申请延期",
  ExtensionRefused: "延期未获批准", ReminderIssued: "催办提醒", MarkedOverdue: "逾期",
  Escalated: "督办升级", KeyCaseMarked: "列为重点督办", CaseReopened: "重新办理",
  CaseClosed: "办结", PreviousReply: "上一轮答复", CoViewsSubmitted: "协办意见",
  DeputiesContacted: "与代表沟通", AnswerReviewed: "C类答复审核", DeliveryPromised: "承诺兑现日期",
  SignerRated: "代表评价",
};
const DETAIL = [
  ["outcome", "答复类别"], ["reply", "答复"], ["note", "说明"], ["reason", "理由"],
  ["measures", "措施"], ["views", "协办意见"], ["mode", "方式"], ["contacted_on", "沟通日期"],
  ["verdict", "结论"], ["suggested_unit", "建议承办单位"], ["level", "督办级别"],
  ["target_name", "督办单位"], ["round", "轮次"], ["reply_by", "答复期限"],
  ["requested_reply_by", "申请延至"], ["delivery_by", "承诺兑现日期"], ["promised_by", "承诺兑现日期"],
  ["co_unit_id", "协办单位"], ["delivery_id", "兑现事项"], ["deputy_id", "代表"],
  ["contact", "沟通"], ["attitude", "态度"], ["result", "结果"],
  ["on_time", "是否按期"],
];
const VALUE = {
  on_time: { True: "按期", False: "逾期", true: "按期", false: "逾期" },
  result: Object.assign({ no_response: "未评价" }, RATING),
  contact: RATING,
  attitude: RATING,
  verdict: { upheld: "维持答复", rehandle: "重新办理" },
  mode: MODE,
};
const ISO = /^\d{4}-\d{2}-\d{2}T/;

const state = { me: {}, unit: null, acts: false, items: [], current: null };

function role() { return state.me.role; }

// -- the list ---------------------------------------------------------------------------
async function fetchCases(status) {
  const q = new URLSearchParams({ limit: "200" });
  if (status) q.set("status", status);
  if (role() !== "unit_staff") q.set("unit", state.unit);
  const page = await get("/v1/cases?" + q.toString());
  return page.items;
}

async function loadList() {
  show($("error"), false);
  if (!state.unit) { $("cases").replaceChildren(); $("count").textContent = ""; return; }
  const f = $("filters").elements;
  try {
    // "待办": every open status (the API takes one at a time), so no closed case crowds them out.
    const statuses = f.status.value === "open" ? OPEN : [f.status.value];
    const pages = await Promise.all(statuses.map(fetchCases));
    const seen = new Set();
    state.items = pages.flat().filter((i) => !seen.has(i.case_id) && seen.add(i.case_id));
    renderList();
  } catch (err) { fail($("error"), err); }
}

function renderList() {
  const f = $("filters").elements;
  const items = state.items.filter((i) =>
    (!f.kind.value || i.kind === f.kind.value) && (!f.role.value || (i.role || "lead") === f.role.value));
  $("count").textContent = "共 " + items.length + " 项";
  $("cases").replaceChildren(...(items.length
    ? byUrgency(items).map(({ item, u }) => caseCard(item, u))
    : [el("p", { class: "muted" }, "没有符合条件的事项。")]));
}

function caseCard(item, u) {
  const co = item.role === "co";
  const due = co && item.views_by
    ? "协办意见期限 " + dayLabel(item.views_by)
    : "答复期限 " + dayLabel(item.reply_by);
  return el("a", { class: "card case " + u.colour, href: "#case=" + encodeURIComponent(item.suggestion_id), "data-sid": item.suggestion_id },
    el("div", {},
      el("span", { class: "tag" }, KIND[item.kind] || item.kind),
      item.role ? el("span", { class: "tag plain" }, co ? "协办" : "主办") : null,
      el("span", { class: "tag plain" }, STATUS[item.status] || item.status),
      item.key_case ? el("span", { class: "tag warn" }, "重点督办") : null,
      item.escalation_level ? el("span", { class: "tag warn" }, "督办" + item.escalation_level + "级") : null),
    el("h3", {}, itemName(item)),
    el("p", { class: "due" }, due + "　" + u.text));
}

// -- one item ---------------------------------------------------------------------------
async function openItem(sid, message) {
  show($("list-view"), false);
  show($("item-view"), true);
  show($("error"), false);
  show($("action-result"), Boolean(message));
  $("action-result").textContent = message || "";
  try {
    const c = await get("/v1/cases/" + encodeURIComponent(sid));
    state.current = c;
    renderItem(c);
    renderActions(c);
    renderTimeline(c.history || []);
    window.scrollTo(0, 0);
  } catch (err) {
    $("item").replaceChildren();
    $("actions").replaceChildren();
    $("timeline").replaceChildren();
    fail($("error"), err);
  }
}

// The caller's entry among the co-units when it co-handles the case (null when it leads).
function myCoUnit(c) {
  const cos = (c.formal && c.formal.co_units) || [];
  const co = c.role ? c.role === "co" : c.unit_id !== state.unit;
  return co ? cos.find((u) => u.unit_id === state.unit) || null : null;
}

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function renderItem(c) {
  const co = myCoUnit(c);
  // A co-unit's clock is its views' deadline, not the lead's reply.
  const u = co ? urgency(Object.assign({}, c, { role: "co", views_by: co.views_by, overdue: false })) : urgency(c);
  const f = c.formal;
  const parts = [
    el("div", { class: "card " + u.colour },
      el("span", { class: "tag" }, KIND[c.kind] || c.kind),
      el("span", { class: "tag plain" }, co ? "协办" : "主办"),
      el("span", { class: "tag plain" }, STATUS[c.status] || c.status),
      c.key_case ? el("span", { class: "tag warn" }, "重点督办") : null,
      el("h2", { id: "item-title" }, itemName(Object.assign({}, c, { number: f ? f.number : c.number }))),
      el("p", { class: "due" }, (co ? "协办意见期限 " + timeLabel(co.views_by) : "答复期限 " + timeLabel(c.reply_by)) +
        "　" + (co && co.views ? "已提交协办意见" : u.text)),
      facts([
        ["事项编号", c.suggestion_id],
        ["主办单位", unitName(c.unit_id)],
        ["交办时间", timeLabel(c.assigned_at)],
        ["签收期限", timeLabel(c.accept_by)],
        ["答复期限", timeLabel(c.reply_by)],
        ["退回期限", c.return_until ? timeLabel(c.return_until) : "不可退回"],
        ["办理轮次", c.round > 1 ? "第" + c.round + "轮（重新办理）" : null],
        ["延期", c.extension_count ? "已延期：" + (c.extension_reason || "") : null],
        ["兑现的建议", c.delivery_of || null],
        ["评价期限", c.feedback_by ? timeLabel(c.feedback_by) : null],
      ])),
  ];
  if (c.content) parts.push(el("h3", {}, "内容"), el("p", { class: "content" }, c.content));
  if (c.outcome) {
    parts.push(el("h3", {}, "本单位答复"), facts([
      ["答复类别", OUTCOME[c.outcome] || c.outcome], ["答复时间", timeLabel(c.replied_at)],
      ["答复内容", c.reply_text], ["采取的措施", c.measures], ["不能解决的原因", c.reason],
    ]));
  }
  if (f) parts.push(...formalPanel(c, f));
  $("item").replaceChildren(...parts);
}

function formalPanel(c, f) {
  const out = [el("h3", {}, "代表建议")];
  const signers = f.signer_ids || [];
  out.push(facts([
    ["建议编号", f.number],
    ["领衔代表", signers[0]],
    ["联名代表", signers.slice(1).join("、") || null],
    ["评价期限", f.rating_by ? timeLabel(f.rating_by) : null],
  ]));
  if ((f.co_units || []).length) {
    out.push(el("h3", {}, "协办单位"), ...f.co_units.map((u) => el("div", { class: "card " + (u.views ? "green" : "orange") },
      el("strong", {}, u.unit_name || u.unit_id),
      el("p", { class: "muted" }, u.views
        ? "已于" + timeLabel(u.submitted_at) + "提交协办意见" + (u.on_time === false ? "（逾期）" : "")
        : "协办意见期限 " + timeLabel(u.views_by) + "，尚未提交"),
      u.views ? el("p", { class: "content" }, u.views) : null)));
  }
  out.push(el("h3", {}, "与代表沟通"), (f.contacts || []).length
    ? el("ul", {}, f.contacts.map((x) => el("li", {}, dayLabel(x.contacted_on) + "　" + (MODE[x.mode] || x.mode) + (x.note ? "：" + x.note : ""))))
    : el("p", { class: "muted" }, "尚无沟通记录。答复代表建议前须先与领衔代表沟通并记录。"));
  const x = f.extension_request;
  if (x) {
    const word = { pending: "待人大常委会办公室审批", granted: "已批准", refused: "未批准" }[x.status] || x.status;
    out.push(el("h3", {}, "延期申请"), facts([
      ["申请延至", timeLabel(x.requested_reply_by)], ["理由", x.reason], ["审批", word], ["审批意见", x.note],
    ]));
  }
  if (f.review) {
    out.push(el("h3", {}, "C类答复审核"), facts([
      ["结论", { upheld: "维持答复", rehandle: "重新办理" }[f.review.verdict] || f.review.verdict],
      ["意见", f.review.note], ["审核时间", timeLabel(f.review.reviewed_at)],
    ]));
  }
  if (f.delivery) {
    const word = { pending: "待兑现", delivered_on_time: "已按期兑现", delivered_late: "逾期兑现", overdue: "已逾期未兑现" }[f.delivery.status] || f.delivery.status;
    out.push(el("h3", {}, "B类答复的兑现"), facts([
      ["承诺兑现日期", dayLabel(f.delivery.promised_by)], ["兑现情况", word], ["兑现事项", f.delivery.delivery_id],
    ]));
  }
  if ((f.ratings || []).length) {
    out.push(el("h3", {}, "代表评价"), el("ul", {}, f.ratings.map((r) => el("li", {},
      r.deputy_id + "（第" + r.round + "轮）：沟通" + RATING[r.contact] + "，态度" + RATING[r.attitude] +
      "，结果" + RATING[r.result] + (r.comment ? "。" + r.comment : "")))));
  }
  return out;
}

function detailText(key, value) {
  const mapped = VALUE[key] && VALUE[key][value];
  if (mapped) return mapped;
  if (key === "outcome") return OUTCOME[value] || value;
  if (ISO.test(value)) return timeLabel(value);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayLabel(value) : value;
}

function renderTimeline(history) {
  $("timeline").replaceChildren(...history.map((h) => {
    const d = h.detail || {};
    let what = ACTION[h.action] || h.action;
    if (h.action === "ReminderIssued" && (d.manual === "True" || d.manual === "true")) what = "督导组催办";
    const lines = DETAIL.filter(([k]) => d[k] !== undefined && d[k] !== "" && d[k] !== "None")
      .filter(([k]) => !(h.action === "ReminderIssued" && k === "reply_by"))
      .map(([k, label]) => label + "：" + detailText(k, d[k]));
    return el("li", {},
      el("div", { class: "when" }, timeLabel(h.at)),
      el("div", { class: "what" }, what),
      lines.length ? el("div", { class: "detail" }, lines.join("\n")) : null);
  }));
}

// -- actions ----------------------------------------------------------------------------
function field(label, control, hint) {
  return el("label", {}, label, hint ? el("span", { class: "muted" }, "（" + hint + "）") : null, control);
}

function actionForm(title, id, children, submitLabel, handler, open) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const form = el("form", { id: id, novalidate: true }, ...children, error, el("button", { type: "submit" }, submitLabel));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form, error);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const message = await handler(form.elements);
      await openItem(state.current.suggestion_id, message);
    } catch (err) { fail(error, err, form); } finally { button.disabled = false; }
  });
  return el("details", { class: "action", open: Boolean(open) }, el("summary", {}, title), form);
}

const path = (c, what) => "/v1/cases/" + encodeURIComponent(c.suggestion_id) + "/" + what;
const text = (v) => v.value.trim();
const endOfDay = (d) => (d ? d + "T23:59:59+08:00" : null);

function renderActions(c) {
  const out = [];
  const open = OPEN.includes(c.status);
  const co = myCoUnit(c);
  if (!state.acts) {
    out.push(el("p", { class: "muted" }, "管理员查看模式：只读，办理由承办单位进行。"));
  } else if (co) {
    if (!co.views) out.push(viewsForm(c, co));
  } else {
    if (c.status === "assigned") out.push(signButton(c));
    if (open && c.kind === "delivery") out.push(deliveryForm(c));
    else if (open) out.push(replyForm(c));
    if (["accepted", "in_progress", "reopened"].includes(c.status)) out.push(progressForm(c));
    if (open && c.kind === "representative_suggestion") out.push(contactForm(c));
    if (c.status !== "assigned" && open && c.kind === "representative_suggestion" && !c.extension_count &&
        !(c.formal && c.formal.extension_request)) out.push(extensionForm(c));
    const canReturn = open && c.return_until && new Date(c.return_until) > new Date() && c.round === 1;
    if (canReturn) out.push(returnForm(c));
  }
  $("actions").replaceChildren(...(out.length ? [el("h2", {}, "办理")].concat(out) : []));
}

function signButton(c) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const button = el("button", { type: "button", class: "primary", id: "accept" }, "签收");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await send(path(c, "accept"));
      await openItem(c.suggestion_id, "已签收，请在答复期限前办理答复。");
    } catch (err) { fail(error, err); button.disabled = false; }
  });
  return el("div", {}, el("p", { class: "muted" }, "签收期限 " + timeLabel(c.accept_by) + "。签收后开始办理；不属于本单位职责的，请在退回期限内退回。"), button, error);
}

function replyForm(c) {
  const formal = c.kind === "representative_suggestion";
  const radios = el("fieldset", {}, el("legend", {}, "答复类别"),
    ...Object.entries(OUTCOME).map(([k, label]) => el("label", { class: "choice" },
      el("input", { type: "radio", name: "outcome", value: k, required: true }), label)));
  const counter = el("span", { class: "muted", id: "reply-count" }, "已输入0字");
  const reply = el("textarea", { name: "reply", rows: "5", maxlength: "10000", required: true });
  reply.addEventListener("input", () => { counter.textContent = "已输入" + reply.value.trim().length + "字，至少" + MIN_REPLY + "字"; });
  const reason = field("不能解决的原因", el("textarea", { name: "reason", rows: "3", maxlength: "5000" }), "C类必填");
  const delivery = field("承诺兑现日期", el("input", { type: "date", name: "delivery_by" }), "B类必填，须晚于今天");
  reason.hidden = true;
  delivery.hidden = true;
  radios.addEventListener("change", () => {
    const v = radios.querySelector("input:checked").value;
    reason.hidden = v !== "C";
    delivery.hidden = !(v === "B" && formal);
  });
  const children = [
    formal ? el("p", { class: "muted" }, "代表建议须先记录与代表的沟通，再答复；答复将送达每一位联名代表。") : null,
    radios,
    field("答复内容", reply, "不少于" + MIN_REPLY + "字"), counter,
    field("采取的措施", el("textarea", { name: "measures", rows: "3", maxlength: "5000" }), "选填"),
    reason, delivery,
  ];
  return actionForm("答复", "reply-form", children, "提交答复", async (f) => {
    const checked = Array.from(f.outcome).find((r) => r.checked);
    if (!checked) throw Object.assign(new Error("答复类别：请选择A、B、C或D"), { fields: ["outcome"] });
    const body = { outcome: checked.value, reply: text(f.reply) };
    if (text(f.measures)) body.measures = text(f.measures);
    if (checked.value === "C") body.reason = text(f.reason);
    if (checked.value === "B" && formal) body.delivery_by = f.delivery_by.value || null;
    await send(path(c, "reply"), body);
    return "已答复（" + OUTCOME[checked.value] + "）。";
  }, c.status !== "assigned");
}

function deliveryForm(c) {
  return actionForm("报告兑现", "delivery-form", [
    el("p", { class: "muted" }, "B类答复承诺的事项已经落实的，在此报告兑现情况。"),
    field("兑现情况", el("textarea", { name: "reply", rows: "4", maxlength: "10000", required: true }), "不少于" + MIN_REPLY + "字"),
  ], "报告兑现", async (f) => {
    await send(path(c, "reply"), { outcome: "A", reply: text(f.reply) });
    return "已报告兑现。";
  }, true);
}

function progressForm(c) {
  return actionForm("办理进展", "progress-form", [
    field("进展说明", el("textarea", { name: "note", rows: "3", maxlength: "5000", required: true })),
  ], "报告进展", async (f) => {
    await send(path(c, "progress"), { note: text(f.note) });
    return "已报告办理进展。";
  });
}

function contactForm(c) {
  const mode = el("select", { name: "mode" }, ...Object.entries(MODE).map(([k, v]) => el("option", { value: k }, v)));
  const on = el("input", { type: "date", name: "contacted_on", required: true });
  on.value = beijingToday();
  return actionForm("沟通记录", "contact-form", [
    field("沟通日期", on), field("沟通方式", mode),
    field("沟通情况", el("textarea", { name: "note", rows: "2", maxlength: "2000" }), "选填"),
  ], "记录沟通", async (f) => {
    const body = { contacted_on: f.contacted_on.value || null, mode: f.mode.value };
    if (text(f.note)) body.note = text(f.note);
    await send(path(c, "contacts"), body);
    return "已记录与代表的沟通。";
  });
}

function extensionForm(c) {
  return actionForm("申请延期", "extension-form", [
    el("p", { class: "muted" }, "代表建议可申请延期一次，最长至交办后六个月，由人大常委会办公室审批。"),
    field("延期理由", el("textarea", { name: "reason", rows: "3", maxlength: "2000", required: true })),
    field("申请延至", el("input", { type: "date", name: "until", required: true })),
  ], "提交延期申请", async (f) => {
    const body = { reason: text(f.reason), until: f.until.value || null };
    try {
      await send(path(c, "extension-request"), body);
      return "延期申请已提交，等待人大常委会办公室审批。";
    } catch (err) {
      if (!err.missing) throw err;
      // A server without the approval step: the older direct extension.
      await send(path(c, "extend"), { reason: body.reason, until: endOfDay(body.until) });
      return "已延期。";
    }
  });
}

function returnForm(c) {
  return actionForm("退回", "return-form", [
    el("p", { class: "muted" }, "不属于本单位职责的，请在 " + timeLabel(c.return_until) + " 前退回，并说明理由和建议的承办单位。"),
    field("退回理由", el("textarea", { name: "reason", rows: "3", maxlength: "2000", required: true })),
    field("建议承办单位", el("input", { name: "suggested_unit", maxlength: "64", required: true, placeholder: "单位编码，如 dd-zjj" })),
  ], "退回", async (f) => {
    await send(path(c, "return"), { reason: text(f.reason), suggested_unit: text(f.suggested_unit) });
    return "已退回，将由交办方重新交办。";
  });
}

function viewsForm(c, co) {
  return actionForm("协办意见", "views-form", [
    el("p", { class: "muted" }, "本单位为协办单位：请在 " + timeLabel(co.views_by) + " 前向主办单位提出书面协办意见（只能提交一次）。"),
    field("协办意见", el("textarea", { name: "views", rows: "5", maxlength: "10000", required: true })),
  ], "提交协办意见", async (f) => {
    await send(path(c, "views"), { views: text(f.views) });
    return "协办意见已送主办单位。";
  }, true);
}

// -- navigation -------------------------------------------------------------------------
function route() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const sid = hash.get("case");
  const project = hash.get("project");
  show($("project-view"), Boolean(project));
  if (project) {
    show($("list-view"), false);
    show($("item-view"), false);
    show($("error"), false);
    openUnitProject(project, state.unit, state.acts);
    return;
  }
  if (sid) { openItem(sid); return; }
  show($("item-view"), false);
  show($("list-view"), true);
  loadList();
  loadUnitProjects(state.unit, state.acts);
}

async function signedIn() {
  state.me = claims();
  await loadUnitNames();
  const params = new URLSearchParams(location.search);
  state.acts = role() === "unit_staff";
  state.unit = state.acts ? state.me.unit : params.get("unit");
  show($("unit-form"), !state.acts);
  $("unit-id").value = state.unit || "";
  $("list-title").textContent = state.acts ? "我的事项" : (state.unit ? unitName(state.unit) + " 的事项" : "请输入要查看的单位");
  route();
}

document.addEventListener("DOMContentLoaded", () => {
  $("filters").addEventListener("change", (event) => {
    if (event.target.name === "status") loadList(); else renderList();
  });
  $("back").addEventListener("click", () => { location.hash = ""; });
  $("project-back").addEventListener("click", () => { location.hash = ""; });
  $("unit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const unit = $("unit-id").value.trim();
    if (unit) location.search = "?unit=" + encodeURIComponent(unit);
  });
  window.addEventListener("hashchange", () => { if (state.me.role) route(); });
  startSession({
    title: "承办单位登录",
    hint: "承办单位工作人员用本单位的访问令牌登录；管理员可查看各单位。",
    roles: ["unit_staff", "admin"],
    onSignedIn: signedIn,
    onSignedOut: () => { state.me = {}; ["cases", "item", "actions", "timeline", "unit-projects", "project"].forEach((id) => $(id).replaceChildren()); },
  });
});
