// An official's visit, public: who comes and when, the questions published with their
// answers, and each commitment with how it stands. Re-read every 30 seconds, so a promise
// kept shows without reloading.
import { bearerHeaders, claims } from "/static/kit/session.js";

const REFRESH_MS = 30000;
const visitId = lastPathPart();

// "2026-12-08", "周二" → "12月8日 周二".
function dayLabel(iso, weekday) {
  const [, m, d] = iso.split("-").map(Number);
  return m + "月" + d + "日 " + (weekday || "");
}

// The colour of a follow-up's tag: kept on time, kept late, overdue, open.
function stateClass(state) {
  return { kept_on_time: "tag ok", answered: "tag ok", kept_late: "tag late", overdue: "tag bad" }[state] || "tag";
}

function answerBlock(title, a) {
  return el("div", { class: "answer" },
    el("p", { class: "muted" }, title + "（" + dayLabel(a.replied_date, a.replied_weekday) + "）"),
    el("p", {}, a.reply));
}

function renderCommitments(v) {
  const box = $("commitments");
  if (!v.commitments.length) {
    box.replaceChildren(el("p", { class: "muted" }, v.status === "held"
      ? "本次进站没有登记承诺事项。"
      : "进站后，这里将列出负责同志作出的承诺事项和兑现情况。"));
    return;
  }
  box.replaceChildren(...v.commitments.map((c) => el("div", { class: "card", "data-commitment": c.id },
    el("p", {}, el("span", { class: stateClass(c.state) }, c.state_label), c.text),
    el("p", { class: "muted" }, "责任单位：" + c.unit_name + "　承诺完成：" + dayLabel(c.due_on, c.due_weekday)),
    c.answer ? answerBlock("办理答复", c.answer) : null)));
}

function renderQuestions(v) {
  const box = $("questions");
  if (!v.questions.length) {
    box.replaceChildren(el("p", { class: "muted" }, v.can_ask
      ? "还没有公开的问题。您可以在下方提交想问的问题，联络站审核后在这里公开。"
      : "本次进站没有公开的问题。"));
    return;
  }
  box.replaceChildren(...v.questions.map((q) => el("div", { class: "card", "data-question": q.id },
    el("p", {}, el("span", { class: stateClass(q.state) }, q.state_label),
      el("span", { class: "muted" }, (q.deputy_name ? "代表 " + q.deputy_name : q.asked_by_label) + "提问")),
    el("p", {}, q.text),
    q.answer ? el("div", { class: "answer" }, el("p", { class: "muted" }, "当场答复"), el("p", {}, q.answer)) : null,
    q.written_answer ? answerBlock("书面答复", q.written_answer) : null)));
}

function render(v) {
  document.title = "局长进站：" + v.unit_name + " · 民意直通车";
  $("title").textContent = "局长进站 · " + v.station_name;
  $("status").textContent = v.status_label;
  $("official").textContent = v.official_name + "（" + v.official_post + "）";
  $("unit").textContent = v.unit_name;
  $("when").textContent = dayLabel(v.date, v.weekday) + " " + v.start + "–" + v.end;
  $("where").textContent = v.place || (v.station_name + (v.station_address ? "（" + v.station_address + "）" : ""));
  $("theme").textContent = v.theme;
  show($("attendance-row"), v.status === "held");
  if (v.status === "held") {
    const names = v.deputies_present.map((d) => d.name).join("、");
    $("attendance").textContent = "代表 " + v.deputies_present.length + " 人" + (names ? "（" + names + "）" : "") + "，群众 " + v.citizens + " 人";
  }
  show($("cancelled"), v.status === "cancelled");
  if (v.status === "cancelled") $("cancelled").textContent = "本次进站已取消：" + (v.cancel_reason || "");
  $("rule").textContent = v.written_answer_rule + "。";
  $("rule").title = v.written_answer_source;
  $("station-link").href = "/stations/" + encodeURIComponent(v.station_id);
  $("station-link").textContent = "← " + v.station_name;
  renderCommitments(v);
  renderQuestions(v);
  show($("ask"), v.can_ask);
  const now = new Date();
  $("updated").textContent = "本页每 30 秒自动更新，最近更新 " + now.toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit" });
  show($("visit"), true);
}

async function load() {
  try {
    render(await api("/v1/visits/" + encodeURIComponent(visitId)));
    show($("error"), false);
  } catch (err) { fail($("error"), err); }
}

async function ask(event) {
  event.preventDefault();
  show($("ask-error"), false);
  // A deputy signed in on this browser asks as a deputy; everyone else anonymously.
  const headers = claims().role === "representative" ? bearerHeaders() : {};
  try {
    const r = await postJson("/v1/visits/" + encodeURIComponent(visitId) + "/questions",
      { text: $("question-text").value.trim() }, headers);
    event.target.reset();
    $("ask-result").textContent = r.message;
    show($("ask-result"), true);
  } catch (err) { fail($("ask-error"), err); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask-form").addEventListener("submit", ask);
  load();
  setInterval(load, REFRESH_MS);
});
