// The office's page: disputes to decide, a deputy's file and score, the published
// quarterly snapshots. Signing in is the platform's sign-in kit's (/static/kit/session.js).
import { getJson, sendJson, startSession } from "/static/kit/session.js";

const get = getJson;
const post = sendJson;

async function load() {
  show($("error"), false);
  try {
    const [open, snapshots] = await Promise.all([
      get("/v1/disputes?status=open"),
      get("/v1/performance/snapshots"),
    ]);
    renderDisputes(open);
    renderSnapshots(snapshots);
  } catch (err) { fail($("error"), err); }
}

function decisionForm(d) {
  const id = "decision-" + d.id;
  const form = el("form", { class: "decision" },
    el("label", { for: id }, "处理理由"),
    el("textarea", { id: id, name: "reason", rows: "2", maxlength: "500", required: "" }),
    el("div", { class: "row" },
      el("button", { type: "submit", value: "accept", class: "accept" }, "采纳（该条不再计分）"),
      el("button", { type: "submit", value: "reject", class: "reject" }, "不采纳")),
    el("p", { class: "error", role: "alert", hidden: "" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const accepted = event.submitter && event.submitter.value === "accept";
    try {
      await post("/v1/disputes/" + encodeURIComponent(d.id) + "/decision",
        { accepted: Boolean(accepted), reason: form.elements.reason.value.trim() });
      await load();
    } catch (err) { fail(form.querySelector(".error"), err); }
  });
  return form;
}

function renderDisputes(list) {
  $("disputes").replaceChildren(...(list.length ? list.map((d) => el("div", { class: "card", "data-dispute": d.id },
    el("p", {}, el("strong", {}, (d.deputy_name || "") + "（" + d.deputy_id + "）"), "　" + instantLabel(d.opened_at) + " 提出"),
    el("p", {}, "理由：" + d.reason),
    d.entry ? entryCard(d.entry) : el("p", { class: "muted" }, "（条目已不存在）"),
    decisionForm(d)))
    : [el("p", { class: "muted" }, "没有待处理的异议。代表在“我的履职”页对条目提出异议后，会出现在这里。")]));
}

function renderSnapshots(list) {
  $("snapshots").replaceChildren(list.length
    ? el("div", { class: "scroll" }, el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "季度"), el("th", {}, "代表"), el("th", {}, "得分"),
          el("th", {}, "档次"), el("th", {}, "公布时间"))),
        el("tbody", {}, list.map((s) => el("tr", {}, el("td", {}, s.quarter), el("td", {}, s.deputy_id),
          el("td", {}, s.score), el("td", {}, s.band_label), el("td", {}, instantLabel(s.published_at)))))))
    : el("p", { class: "muted" }, "还没有公布的季度评价。每个季度结束后，系统会自动公布当季的评价。"));
}

async function lookup(event) {
  if (event) event.preventDefault();
  const f = $("lookup-form").elements;
  show($("lookup-error"), false);
  const base = "/v1/deputies/" + encodeURIComponent(f.deputy_id.value.trim());
  try {
    const [score, file] = await Promise.all([
      get(base + "/score?year=" + f.year.value),
      get(base + "/file?year=" + f.year.value),
    ]);
    $("deputy-name").textContent = file.name + " 代表（" + file.deputy_id + "）" + file.year + "年";
    renderScore($("score"), score);
    $("entries").replaceChildren(...(file.entries.length ? file.entries.map((e) => entryCard(e))
      : [el("p", { class: "muted" }, "该代表本年度的履职档案还是空的。")]));
    show($("deputy"), true);
  } catch (err) { fail($("lookup-error"), err); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("lookup-form").elements.year.value = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric" }).format(new Date());
  $("lookup-form").addEventListener("submit", lookup);
  startSession({
    title: "人大办公室登录",
    hint: "处理代表的异议，查看代表的履职档案、评分和已公布的季度评价。",
    roles: ["admin"],
    onSignedIn: load,
    onSignedOut: () => {
      ["disputes", "snapshots", "score", "entries"].forEach((id) => $(id).replaceChildren());
      show($("deputy"), false);
    },
  });
});
