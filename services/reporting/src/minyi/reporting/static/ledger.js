// 项目进展与民意公开 (/ledger) and a project's page (/ledger/projects/{id}): public, no
// sign-in. Reads /v1/public/*, and reads again when /v1/public/stream says something changed
// (server-sent "changed" ticks that carry no data). The 附议 links go to intake's page
// (links.intake from /static/kit/config.json; same origin in production).
import { clickedDivision, drawMap, renderTownships, renderZones } from "/static/citymap.js";

const WEEKDAY_NAMES = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
const STEP_TEXT = {
  registered: () => "项目登记公开",
  progress: (e) => `报告进度 ${e.percent}%${e.note ? "：" + e.note : ""}${e.evidence ? `（附佐证材料 ${e.evidence} 份）` : ""}`,
  milestone_delivered: (e) => `节点“${e.milestone_title || e.milestone_id}”完成${e.on_time ? "（按期）" : "（逾期）"}`,
  status: (e) => `状态变为“${e.status_label || e.status}”${e.reason ? "：" + e.reason : ""}`,
  inspected: (e) => `${e.inspector_kind === "deputies" ? "人大代表" : "督导组"}视察，提出意见 ${e.findings} 条${e.commitments ? `，其中 ${e.commitments} 条列为承诺事项` : ""}`,
  completed: (e) => `责任单位报告项目完成，${e.acceptance_by === "public" ? "由群众投票" : "由视察代表"}评价验收`,
  accepted: (e) => `验收结果：${RATING[e.result] || e.result}`,
  milestone_reminder: (e) => `节点“${e.milestone_title || e.milestone_id}”临近或已到期，督办提醒`,
  milestone_overdue: (e) => `节点“${e.milestone_title || e.milestone_id}”逾期未完成`,
  milestone_escalated: (e) => `节点“${e.milestone_title || e.milestone_id}”逾期，升级督办（${e.level} 级）`,
};
const RATING = { satisfied: "满意", basically_satisfied: "基本满意", unsatisfied: "不满意" };
const MILESTONE_STATE = { delivered: "已完成", overdue: "逾期", pending: "进行中" };

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};
// Days and times as people read them: Beijing, with the weekday ("10月12日 周一").
function bjDay(value) {
  if (!value) return "—";
  const d = value.length === 10 ? new Date(value + "T00:00:00Z") : new Date(new Date(value).getTime() + 8 * 3600e3);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${WEEKDAY_NAMES[d.getUTCDay()]}`;
}
async function getJSON(path) {
  // Revalidated each time: the answers may be cached by proxies for a few seconds, but a
  // page that heard "changed" must read the new state.
  const r = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-cache" });
  if (!r.ok) {
    let msg = `${path} → ${r.status}`;
    try { msg = (await r.json()).detail.map((p) => p.msg).join("；") || msg; } catch (err) { /* keep */ }
    throw new Error(msg);
  }
  return r.json();
}
let intake = "";
async function loadLinks() {
  try {
    const config = await getJSON("/static/kit/config.json");
    intake = (config.links && config.links.intake) || "";
  } catch (err) { intake = ""; }
}
const supportHref = (kind, id) => `${intake}/support?kind=${kind}&id=${encodeURIComponent(id)}`;
function chip(status, label) {
  const c = el("span", `chip chip-${status}`, label);
  c.dataset.status = status;
  return c;
}
function empty(list, text) {
  list.replaceChildren(el("li", "empty", text));
}

function appealItem(a) {
  const item = el("li", "appeal");
  item.dataset.clusterId = a.cluster_id;
  const head = el("div", "appeal-head");
  head.append(el("b", "", a.title));
  const meta = el("p", "hint",
    `${a.division_names.length ? a.division_names.join("、") + " · " : ""}${a.focus_area ? a.focus_area + " · " : ""}意见建议 ${a.suggestions} 件 · 附议 ${a.supports} 人`);
  meta.dataset.supports = String(a.supports);
  const link = el("a", "support", "附议");
  link.href = supportHref("appeal", a.cluster_id);
  link.setAttribute("aria-label", `附议：${a.title}`);
  item.append(head, meta, link);
  return item;
}

// ---- /ledger -----------------------------------------------------------------------------

const ledger = { chart: null, map: null, data: null };

function renderProjects(result) {
  const list = $("projects");
  list.replaceChildren();
  if (!result.projects.length) {
    empty(list, "暂无符合条件的项目：换一个区县或领域试试，或稍后再来看。");
    return;
  }
  for (const p of result.projects) {
    const item = el("li", "project");
    item.dataset.projectId = p.project_id;
    item.dataset.status = p.status;
    const title = el("a", "project-name", p.name);
    title.href = `/ledger/projects/${encodeURIComponent(p.project_id)}`;
    const bar = el("progress");
    bar.max = 100;
    bar.value = p.percent;
    bar.setAttribute("aria-label", `进度 ${p.percent}%`);
    const line = el("p", "hint",
      `${p.division_names.join("、") || "全市"} · ${p.focus_area || ""} · 节点 ${p.milestones_delivered}/${p.milestones_total}${p.milestones_overdue ? `（逾期 ${p.milestones_overdue}）` : ""} · 附议 ${p.supports} 人`);
    const percent = el("div", "percent");
    percent.append(bar, el("b", "", `${p.percent}%`));
    item.append(chip(p.status, p.status_label), title, percent, line);
    if (p.status_reason) item.append(el("p", "reason", p.status_reason));
    list.appendChild(item);
  }
}

function fillFilters(result) {
  const division = $("f-division");
  const focus = $("f-focus");
  if (division.options.length === 1) {
    for (const d of result.divisions) division.append(new Option(d.name, d.code));
    for (const f of result.focus_areas) focus.append(new Option(f, f));
  }
}

async function openDistrict(code) {
  const days = $("days").value;
  const data = await getJSON(`/v1/public/map/${encodeURIComponent(code)}${days ? "?days=" + days : ""}`);
  renderTownships($("townships"), data);
}

async function refreshLedger() {
  const days = $("days").value;
  const params = new URLSearchParams();
  if ($("f-division").value) params.set("division_code", $("f-division").value);
  if ($("f-focus").value) params.set("focus_area", $("f-focus").value);
  const [map, projects, appeals] = await Promise.all([
    getJSON("/v1/public/map" + (days ? "?days=" + days : "")),
    getJSON("/v1/public/projects" + (params.toString() ? "?" + params : "")),
    getJSON("/v1/public/appeals"),
  ]);
  ledger.data = map;
  drawMap(ledger.chart, map);
  const total = map.divisions.reduce((n, d) => n + d.count, 0);
  $("map-total").textContent = `共 ${total} 件`;
  renderZones($("zones"), map, (code) => openDistrict(code).catch(report));
  fillFilters(projects);
  renderProjects(projects);
  $("rank-rule").textContent = "按“意见建议件数 + 附议人数”排序。只显示人大常委会办公室公开的诉求标题。";
  const list = $("appeals");
  list.replaceChildren();
  if (!appeals.appeals.length) empty(list, "暂无公开的高频诉求：办公室公开后，这里按关注度排序显示，您可以附议。");
  for (const a of appeals.appeals) list.appendChild(appealItem(a));
  const open = $("townships");
  if (!open.hidden && open.dataset.code) await openDistrict(open.dataset.code);
  document.body.dataset.loaded = "true";
}

// ---- /ledger/projects/{id} -------------------------------------------------------------

function fact(dl, term, value) {
  dl.append(el("dt", "", term), el("dd", "", value));
}

async function refreshProject() {
  const id = decodeURIComponent(location.pathname.split("/").pop());
  let p;
  try {
    p = await getJSON(`/v1/public/projects/${encodeURIComponent(id)}`);
  } catch (err) {
    $("p-error").textContent = "没有找到这个项目，它可能尚未公开。请返回项目列表查看。";
    $("p-error").hidden = false;
    document.body.dataset.loaded = "true";
    return;
  }
  document.title = `荆门民意 · ${p.name}`;
  $("p-name").textContent = p.name;
  const status = chip(p.status, p.status_label);
  status.id = "p-status";
  $("p-status").replaceWith(status);
  $("p-percent").value = p.percent;
  $("p-percent-text").textContent = `${p.percent}%`;
  $("p-reason").textContent = p.status_reason;
  const facts = $("p-facts");
  facts.replaceChildren();
  fact(facts, "重点领域", p.focus_area || "—");
  fact(facts, "区县", p.division_names.join("、") || "全市");
  fact(facts, "责任单位", p.unit_names.join("、") || "—");
  fact(facts, "计划周期", `${bjDay(p.starts_on)} 至 ${bjDay(p.ends_on)}`);
  if (p.budget_yuan !== null && p.budget_yuan !== undefined) fact(facts, "预算", `${(p.budget_yuan / 10000).toLocaleString("zh-CN")} 万元`);
  $("p-summary").textContent = p.summary;
  $("p-support").href = supportHref("project", p.project_id);
  $("p-supports").textContent = `已有 ${p.supports} 人附议`;

  const ms = $("p-milestones");
  ms.replaceChildren();
  if (!p.milestones.length) empty(ms, "暂无节点任务。");
  for (const m of p.milestones) {
    const item = el("li", `milestone milestone-${m.state}`);
    item.dataset.state = m.state;
    item.append(el("b", "", m.title), el("span", `tag tag-${m.state}`, MILESTONE_STATE[m.state] || m.state));
    const due = `计划 ${bjDay(m.due_on)} 完成`;
    const done = m.delivered_at ? ` · ${bjDay(m.delivered_at)} 完成${m.on_time ? "（按期）" : "（逾期）"}` : "";
    const late = m.state === "overdue" && m.late_working_days ? ` · 已逾期 ${m.late_working_days} 个工作日` : "";
    item.append(el("p", "hint", due + done + late));
    if (m.deliverable) item.append(el("p", "hint", `交付成果：${m.deliverable}`));
    ms.appendChild(item);
  }

  const tl = $("p-timeline");
  tl.replaceChildren();
  if (!p.timeline.length) empty(tl, "暂无进展记录。");
  for (const e of [...p.timeline].reverse()) {
    const item = el("li", `step step-${e.kind}`);
    item.dataset.kind = e.kind;
    if (e.status) item.dataset.status = e.status;
    const text = (STEP_TEXT[e.kind] || (() => e.kind))(e);
    item.append(el("time", "", bjDay(e.at)), el("span", "", text));
    tl.appendChild(item);
  }

  const progress = $("p-progress");
  progress.replaceChildren();
  if (!p.progress.length) empty(progress, "责任单位尚未报告进度。");
  for (const r of p.progress) {
    const files = r.evidence.length ? `（佐证材料：${r.evidence.map((f) => f.name).join("、")}）` : "";
    progress.appendChild(el("li", "", `${bjDay(r.reported_at)} · ${r.unit_name || ""} · ${r.percent}%：${r.note}${files}`));
  }

  const appeals = $("p-appeals");
  appeals.replaceChildren();
  if (!p.appeals.length) empty(appeals, "本项目未关联已公开的高频诉求。");
  for (const a of p.appeals) appeals.appendChild(appealItem(a));
  const s = p.suggestions;
  $("p-suggestions").textContent = `关联群众意见建议 ${s.linked} 件，已答复 ${s.replied} 件，已解决 ${s.solved} 件。`;
  const consented = $("p-consented");
  consented.replaceChildren();
  for (const t of s.published_titles) consented.appendChild(el("li", "", `“${t}”（经提出人同意公开）`));

  const insp = $("p-inspections");
  insp.replaceChildren();
  if (!p.inspections.length) empty(insp, "暂无视察记录。");
  for (const i of p.inspections) {
    const who = i.inspector_kind === "deputies" ? `人大代表 ${i.deputies} 人` : "督导组";
    const item = el("li", "", `${bjDay(i.held_on)} · ${who}视察`);
    const findings = el("ul");
    for (const f of i.findings) findings.appendChild(el("li", "", f.text + (f.commitment_id ? "（已列为承诺事项）" : "")));
    item.appendChild(findings);
    insp.appendChild(item);
  }
  const acc = p.acceptance;
  const r = p.ratings;
  $("p-acceptance").textContent = acc
    ? `验收结果：${acc.result_label}（满意 ${acc.satisfied}，基本满意 ${acc.basically_satisfied}，不满意 ${acc.unsatisfied}）。规则：${acc.rule}`
    : p.completion
      ? `项目已完成，正在评价验收（已评价：满意 ${r.satisfied}，基本满意 ${r.basically_satisfied}，不满意 ${r.unsatisfied}）。`
      : "项目完成后，由视察代表或群众评价验收。";
  document.body.dataset.loaded = "true";
}

// ---- live --------------------------------------------------------------------------------

function report(err) { $("live").textContent = "数据加载失败：" + err.message; }
let pending = null;
let refresh = () => Promise.resolve();
function refreshSoon() {
  if (pending) return;
  pending = setTimeout(() => { pending = null; refresh().catch(report); }, 500);
}
function listen() {
  const source = new EventSource("/v1/public/stream");
  source.addEventListener("open", () => { $("live").textContent = "● 实时更新中"; });
  source.addEventListener("changed", () => refreshSoon());
  source.addEventListener("error", () => { $("live").textContent = "实时连接重连中…"; });
}

document.addEventListener("DOMContentLoaded", async () => {
  await loadLinks();
  if (document.body.dataset.page === "ledger") {
    ledger.chart = echarts.init($("map"));
    ledger.chart.on("click", (e) => {
      const code = ledger.data && clickedDivision(ledger.data, e);
      if (code) openDistrict(code).catch(report);
    });
    window.addEventListener("resize", () => ledger.chart.resize());
    for (const id of ["days", "f-division", "f-focus"]) $(id).addEventListener("change", () => refresh().catch(report));
    for (const form of ["window", "filters"]) $(form).addEventListener("submit", (e) => e.preventDefault());
    refresh = refreshLedger;
  } else {
    refresh = refreshProject;
  }
  refresh().catch(report);
  listen();
});
