// The office plans officials' visits; station staff moderate the questions and record the
// visit. One page for both: the parts shown follow what the token may do (the server
// checks every call). Signing in is the platform's sign-in kit's (/static/kit/session.js).
import { getJson, sendJson, startSession } from "/static/kit/session.js";

let desk = null;     // the list answer: {admin, station_id, visits, stations, units}
let current = null;  // the visit open in the detail

const get = getJson;
const post = sendJson;

function dayLabel(iso, weekday) {
  const [, m, d] = iso.split("-").map(Number);
  return m + "月" + d + "日 " + (weekday || "");
}

function visitLine(v) {
  return dayLabel(v.date, v.weekday) + " " + v.start + "–" + v.end + "　" + v.station_name;
}

function unitOptions(select, units, chosen) {
  select.replaceChildren(new Option("（请选择单位）", ""), ...units.map((u) => new Option(u.name, u.id, false, u.id === chosen)));
}

function count(label, n, cls) { return el("span", { class: cls || "tag" }, label + " " + n); }

async function openDesk() {
  show($("error"), false);
  try {
    desk = await get("/v1/office/visits");
    $("scope").textContent = desk.admin ? "人大办（全部联络站）" : desk.station_name + "（" + desk.station_id + "）";
    show($("plan"), desk.admin);
    if (desk.admin) {
      $("plan-station").replaceChildren(new Option("（请选择联络站）", ""), ...desk.stations.map((s) => new Option(s.name + "（" + s.id + "）", s.id)));
      unitOptions($("plan-unit"), desk.units);
    }
    const list = $("visits");
    list.replaceChildren();
    if (!desk.visits.length) {
      list.append(el("p", { class: "muted" }, desk.admin
        ? "还没有进站活动。请在上方“安排进站”中填写并公布。"
        : "本站近期没有进站活动。人大办安排后会显示在这里。"));
    }
    desk.visits.forEach((v) => {
      const open = el("button", { type: "button", "data-visit": v.id }, "打开");
      open.addEventListener("click", () => openVisit(v.id));
      list.append(el("div", { class: "card" },
        el("p", {}, el("span", { class: "tag" }, v.status_label), el("strong", {}, v.unit_name + " " + v.official_name + v.official_post)),
        el("p", { class: "muted" }, visitLine(v) + "　主题：" + v.theme),
        el("div", { class: "counts" },
          count("待审核", v.questions_submitted, v.questions_submitted ? "tag late" : "tag"),
          count("已公开问题", v.questions_published),
          count("待书面答复", v.written_pending),
          count("承诺", v.commitments),
          count("已兑现", v.commitments_kept, "tag ok"),
          count("逾期", v.commitments_late, v.commitments_late ? "tag bad" : "tag")),
        open));
    });
  } catch (err) { fail($("error"), err); }
}

function questionCard(q) {
  const card = el("div", { class: "card", "data-question": q.id },
    el("p", {}, el("span", { class: q.status === "submitted" ? "tag late" : "tag" }, q.status === "published" ? q.state_label : q.status_label),
      el("span", { class: "muted" }, (q.deputy_name ? "代表 " + q.deputy_name : q.asked_by_label) + "提问")),
    el("p", {}, q.text));
  if (q.reject_reason) card.append(el("p", { class: "muted" }, "不予公开：" + q.reject_reason));
  if (q.answer) card.append(el("div", { class: "answer" }, el("p", { class: "muted" }, "当场答复"), el("p", {}, q.answer)));
  if (q.written_answer) card.append(el("div", { class: "answer" }, el("p", { class: "muted" }, "书面答复"), el("p", {}, q.written_answer.reply)));
  if (q.status === "submitted" && current.status === "planned") {
    const reasonId = "reject-" + q.id;
    const reason = el("input", { id: reasonId, maxlength: "500", placeholder: "不予公开时必填（不公开）" });
    const publish = el("button", { type: "button", class: "publish" }, "公开");
    const reject = el("button", { type: "button", class: "reject" }, "不予公开");
    publish.addEventListener("click", () => moderate(q.id, "publish"));
    reject.addEventListener("click", () => moderate(q.id, "reject", reason.value.trim()));
    card.append(el("label", { for: reasonId }, "不予公开的理由"), reason, el("div", { class: "actions" }, publish, reject));
  }
  return card;
}

function commitmentRow() {
  const n = $("commitment-rows").children.length;
  const row = el("div", { class: "card commitment-row" },
    el("label", {}, "承诺事项 " + (n + 1), el("textarea", { name: "text", rows: "2", maxlength: "1000", required: "" })),
    el("label", {}, "责任单位", el("select", { name: "unit_id", required: "" })),
    el("label", {}, "承诺完成日期", el("input", { name: "due_on", type: "date", required: "", min: current.date })));
  unitOptions(row.querySelector("select"), desk.units, current.unit_id);
  const remove = el("button", { type: "button" }, "删除这一项");
  remove.addEventListener("click", () => row.remove());
  row.append(remove);
  $("commitment-rows").append(row);
}

async function openVisit(id) {
  show($("detail-error"), false);
  try {
    const v = await get("/v1/office/visits/" + encodeURIComponent(id));
    current = v;
    $("detail-title").textContent = v.unit_name + " " + v.official_name + v.official_post + "（" + v.status_label + "）";
    $("detail-when").textContent = visitLine(v) + "　主题：" + v.theme;
    $("public-link").href = "/visits/" + encodeURIComponent(v.id);
    const qs = $("questions");
    qs.replaceChildren(...v.questions.map(questionCard));
    if (!v.questions.length) qs.append(el("p", { class: "muted" }, "还没有人提问。请把公开页面的链接发给群众和代表，进站前征集问题。"));

    const planned = v.status === "planned";
    show($("record"), planned);
    show($("cancel"), planned && desk.admin);
    show($("held"), v.status === "held");
    if (planned) {
      $("present").replaceChildren(...v.station_deputies.map((d) => el("label", {},
        el("input", { type: "checkbox", name: "deputy_ids", value: d.id }), " " + d.name)));
      if (!v.station_deputies.length) $("present").append(el("p", { class: "muted" }, "本站没有登记的代表。"));
      const open = v.questions.filter((q) => q.status === "published");
      $("answers").replaceChildren(...open.map((q) => el("label", {}, "答复：" + q.text,
        el("textarea", { rows: "2", maxlength: "5000", "data-answer": q.id, placeholder: "留空则转为书面答复" }))));
      if (!open.length) $("answers").append(el("p", { class: "muted" }, "没有已公开的问题。"));
      $("commitment-rows").replaceChildren();
    } else if (v.status === "held") {
      $("attendance").textContent = "代表 " + v.deputies_present.map((d) => d.name).join("、") + "；群众 " + v.citizens + " 人";
      $("commitments").replaceChildren(...v.commitments.map((c) => el("div", { class: "card" },
        el("p", {}, el("span", { class: { kept_on_time: "tag ok", kept_late: "tag late", overdue: "tag bad" }[c.state] || "tag" }, c.state_label), c.text),
        el("p", { class: "muted" }, "责任单位：" + c.unit_name + "　承诺完成：" + dayLabel(c.due_on, c.due_weekday)),
        c.answer ? el("p", {}, "答复：" + c.answer.reply) : null)));
      if (!v.commitments.length) $("commitments").append(el("p", { class: "muted" }, "本次进站没有登记承诺事项。"));
    }
    show($("detail"), true);
    $("detail").scrollIntoView();
  } catch (err) { fail($("detail-error"), err); }
}

async function moderate(questionId, action, reason) {
  show($("detail-error"), false);
  try {
    const base = "/v1/visits/" + encodeURIComponent(current.id) + "/questions/" + encodeURIComponent(questionId);
    await post(base + "/" + action, action === "reject" ? { reason: reason } : {});
    await openVisit(current.id);
  } catch (err) { fail($("detail-error"), err); }
}

async function plan(event) {
  event.preventDefault();
  const f = event.target.elements;
  show($("plan-error"), false);
  try {
    await post("/v1/visits", {
      station_id: f.station_id.value, official_name: f.official_name.value.trim(),
      official_post: f.official_post.value.trim(), unit_id: f.unit_id.value, date: f.date.value,
      start: f.start.value, end: f.end.value, theme: f.theme.value.trim(),
      place: f.place.value.trim() || undefined,
    });
    event.target.reset();
    await openDesk();
  } catch (err) { fail($("plan-error"), err); }
}

async function record(event) {
  event.preventDefault();
  show($("record-error"), false);
  const answers = [...document.querySelectorAll("textarea[data-answer]")]
    .filter((t) => t.value.trim())
    .map((t) => ({ question_id: t.dataset.answer, answer: t.value.trim() }));
  const commitments = [...document.querySelectorAll(".commitment-row")].map((row) => ({
    text: row.querySelector("[name=text]").value.trim(),
    unit_id: row.querySelector("[name=unit_id]").value,
    due_on: row.querySelector("[name=due_on]").value,
  }));
  try {
    await post("/v1/visits/" + encodeURIComponent(current.id) + "/held", {
      deputy_ids: [...document.querySelectorAll("input[name=deputy_ids]:checked")].map((x) => x.value),
      citizens: Number(event.target.elements.citizens.value),
      answers: answers,
      commitments: commitments,
    });
    await openDesk();
    await openVisit(current.id);
  } catch (err) { fail($("record-error"), err); }
}

async function cancel(event) {
  event.preventDefault();
  show($("detail-error"), false);
  try {
    await post("/v1/visits/" + encodeURIComponent(current.id) + "/cancel", { reason: event.target.elements.reason.value.trim() });
    await openDesk();
    await openVisit(current.id);
  } catch (err) { fail($("detail-error"), err); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("plan-form").addEventListener("submit", plan);
  $("record-form").addEventListener("submit", record);
  $("cancel-form").addEventListener("submit", cancel);
  $("add-commitment").addEventListener("click", commitmentRow);
  startSession({
    title: "局长进站工作台登录",
    hint: "人大办安排进站；联络站审核问题、登记到场情况、答复和承诺事项。",
    roles: ["admin", "station_staff"],
    onSignedIn: openDesk,
    onSignedOut: () => {
      ["scope", "visits"].forEach((id) => $(id).replaceChildren());
      show($("detail"), false);
      show($("plan"), false);
    },
  });
});
