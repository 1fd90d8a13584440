// A deputy's own page: the deputy is the one the token names. Signing in is the platform's
// sign-in kit's (/static/kit/session.js).
import { claims, getJson, sendJson, startSession } from "/static/kit/session.js";

let deputyId = null;

const get = getJson;
const post = sendJson;
function year() { return $("year").value; }
function base() { return "/v1/deputies/" + encodeURIComponent(deputyId); }

function beijingToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

async function load() {
  show($("error"), false);
  deputyId = claims().representative;
  if (!deputyId) {
    fail($("error"), new Error("该令牌不是代表令牌，请使用人大办公室为您签发的代表令牌"));
    return;
  }
  try {
    const [score, file, activities] = await Promise.all([
      get(base() + "/score?year=" + year()),
      get(base() + "/file?year=" + year()),
      get(base() + "/activities?year=" + year()),
    ]);
    $("deputy-name").textContent = file.name + " 代表（" + deputyId + "）";
    renderScore($("score"), score);
    renderActivities(activities);
    renderFile(file);
  } catch (err) { fail($("error"), err); }
}

function renderActivities(list) {
  $("activities").replaceChildren(...(list.length ? list.map((a) => el("div", { class: "card" },
    el("span", { class: "tag" }, a.kind_label), el("strong", {}, a.title),
    el("p", { class: "muted" }, dayLabel(a.on) + (a.hours ? "　" + a.hours + "学时" : "") +
      (a.participants ? "　群众" + a.participants + "人" : ""))))
    : [el("p", { class: "muted" }, "本年度还没有登记履职。在上面的“登记履职”中登记第一条。")]));
}

function disputeForm(entry) {
  const open = entry.disputes.some((d) => d.status === "open");
  if (entry.struck || open) return null;
  const id = "reason-" + entry.id;
  const form = el("form", { class: "dispute", hidden: "" },
    el("label", { for: id }, "异议理由"),
    el("textarea", { id: id, name: "reason", rows: "2", maxlength: "500", required: "" }),
    el("button", { type: "submit" }, "提交异议"),
    el("p", { class: "error", role: "alert", hidden: "" }));
  const toggle = el("button", { type: "button", class: "dispute-open" }, "提出异议");
  toggle.addEventListener("click", () => { show(form, true); show(toggle, false); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(base() + "/file/entries/" + encodeURIComponent(entry.id) + "/disputes",
        { reason: form.elements.reason.value.trim() });
      await load();
    } catch (err) { fail(form.querySelector(".error"), err); }
  });
  return el("div", {}, toggle, form);
}

function renderFile(file) {
  $("kinds").replaceChildren(file.kinds.length
    ? el("p", {}, file.kinds.map((k) => k.label + " " + k.entries + "条").join("，") +
        (file.training_hours ? "；学习培训共" + file.training_hours + "学时" : ""))
    : el("p", { class: "muted" }, "履职档案还是空的：登记履职、参加接待日或提出代表建议后，条目会自动出现在这里。"));
  $("entries").replaceChildren(...file.entries.map((e) => entryCard(e, disputeForm(e))));
}

async function record(event) {
  event.preventDefault();
  const f = event.target.elements;
  show($("activity-error"), false);
  show($("activity-result"), false);
  try {
    const made = await post(base() + "/activities", {
      kind: f.kind.value, title: f.title.value.trim(), on: f.on.value,
      hours: f.hours.value ? Number(f.hours.value) : undefined,
      participants: Number(f.participants.value || 0),
    });
    event.target.reset();
    f.on.value = beijingToday();
    $("activity-result").textContent = "已登记：" + made.kind_label + "“" + made.title + "”，已计入履职档案。";
    show($("activity-result"), true);
    await load();
  } catch (err) { fail($("activity-error"), err); }
}

document.addEventListener("DOMContentLoaded", () => {
  const thisYear = Number(beijingToday().slice(0, 4));
  $("year").replaceChildren(...[thisYear, thisYear - 1, thisYear - 2].map((y) => new Option(y + "年", y)));
  $("activity-form").elements.on.value = beijingToday();
  $("year").addEventListener("change", load);
  $("activity-form").addEventListener("submit", record);
  startSession({
    title: "代表登录",
    hint: "登记履职、查看履职档案和评分，对有误的条目提出异议。",
    roles: ["representative"],
    onSignedIn: load,
    onSignedOut: () => ["deputy-name", "score", "activities", "kinds", "entries"].forEach((id) => $(id).replaceChildren()),
  });
});
