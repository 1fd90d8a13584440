// /group's two project tabs. 民生项目: the office (admin) registers improvement projects and
// edits their links; the office and supervision groups see every project with its colour
// and record. 公开高频诉求 (office only): recurring-appeal clusters published under a title the
// office writes, edited or withdrawn. Opened tab and project live in the address's hash
// (#tab=projects, #project=P-…), so a link or the back button finds them again.
import { $, clearErrors, el, fail, get, send, show, timeLabel } from "/static/common.js";
import {
  FOCUS_AREAS, PROJECT_STATUS, checkboxes, checkedValues, divisionList, divisionName, field, idList,
  loadDivisions, need, projectCard, projectDetail, projectPath, setClusterTitles, submitForm,
} from "/static/projects.js";

const TABS = ["cases", "projects", "appeals"];
const state = { admin: false, units: {}, candidates: [], published: [], ready: false };
const clusterCandidates = () => state.candidates.filter((c) => c.source === "cluster");
const option = (value, label) => el("option", { value: value }, label);

// -- tabs ---------------------------------------------------------------------------------
function currentRoute() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (h.get("project")) return { tab: "projects", project: h.get("project") };
  const tab = h.get("tab");
  return { tab: TABS.includes(tab) && (tab !== "appeals" || state.admin) ? tab : "cases", project: null };
}

function selectTab(tab) {
  TABS.forEach((t) => {
    $("tab-" + t).setAttribute("aria-selected", String(t === tab));
    show($("panel-" + t), t === tab);
  });
}

async function route() {
  if (!state.ready) return;
  show($("error"), false);
  const r = currentRoute();
  selectTab(r.tab);
  try {
    if (r.tab === "projects") {
      show($("projects-list-view"), !r.project);
      show($("project-view"), Boolean(r.project));
      if (r.project) await openProject(r.project); else await loadProjects();
    } else if (r.tab === "appeals") {
      await loadAppeals();
    }
  } catch (err) { fail($("error"), err); }
}

// -- the list -----------------------------------------------------------------------------
async function loadProjects() {
  const f = $("project-filters").elements;
  const q = new URLSearchParams();
  ["focus_area", "division_code", "status"].forEach((k) => { if (f[k].value) q.set(k, f[k].value); });
  const found = (await get("/v1/projects" + (q.toString() ? "?" + q : ""))).projects || [];
  $("project-count").textContent = "共 " + found.length + " 个项目";
  $("projects").replaceChildren(...(found.length
    ? found.map((p) => projectCard(p, "#project=" + encodeURIComponent(p.project_id)))
    : [el("p", { class: "muted" }, state.admin ? "还没有符合条件的民生项目。可在下方“登记民生项目”中登记。" : "还没有符合条件的民生项目。")]));
  show($("project-create"), state.admin);
  if (state.admin) await fillClusterPicks($("project-clusters"), []);
}

// -- registering --------------------------------------------------------------------------
function milestoneRow() {
  const row = el("div", { class: "row milestone-row" });
  const remove = el("button", { type: "button", class: "remove-milestone" }, "删除");
  remove.addEventListener("click", () => { row.remove(); numberRows(); });
  row.append(
    el("div", { class: "row-head" }, el("strong", { class: "row-title" }, "里程碑"), remove),
    field("名称", el("input", { name: "ms_title", maxlength: "200", required: true, placeholder: "如：完成施工招标" })),
    field("完成期限", el("input", { name: "ms_due", type: "date", required: true })),
    field("交付成果", el("input", { name: "ms_deliverable", maxlength: "500", placeholder: "如：中标通知书" }), "选填"));
  return row;
}

function numberRows() {
  const rows = Array.from($("milestone-rows").children);
  rows.forEach((row, i) => {
    row.querySelector(".row-title").textContent = "里程碑 " + (i + 1);
    row.querySelector(".remove-milestone").hidden = rows.length === 1;
  });
}

function addMilestone() {
  if ($("milestone-rows").children.length >= 20) return;
  $("milestone-rows").append(milestoneRow());
  numberRows();
}

function milestonesOf() {
  return Array.from($("milestone-rows").children).map((row, i) => ({
    title: need(row.querySelector("[name=ms_title]"), "第" + (i + 1) + "个里程碑的名称"),
    due_on: need(row.querySelector("[name=ms_due]"), "第" + (i + 1) + "个里程碑的完成期限"),
    deliverable: row.querySelector("[name=ms_deliverable]").value.trim(),
  }));
}

async function fillClusterPicks(target, linked) {
  try {
    state.candidates = (await get("/v1/topics/candidates")).items || [];
  } catch (err) {
    if (err.signedOut) return;
    state.candidates = [];
  }
  setClusterTitles(Object.fromEntries(clusterCandidates().map((c) => [c.ref, c.title || c.ref])));
  const options = clusterCandidates().map((c) => [c.ref, (c.title || c.ref) + "（" + c.size + "件）"]);
  linked.filter((id) => !options.some(([v]) => v === id)).forEach((id) => options.push([id, id]));
  target.replaceChildren(options.length
    ? checkboxes("关联高频诉求（选填）", "cluster_ids", options, linked)
    : el("p", { class: "muted" }, "暂无可关联的高频诉求聚类。"));
}

async function register(event) {
  event.preventDefault();
  const form = event.target;
  const f = form.elements;
  const error = $("project-error");
  clearErrors(form, error);
  show($("project-result"), false);
  try {
    const divisions = checkedValues(form, "division_codes");
    const body = {
      name: need(f.name, "项目名称"),
      focus_area: need(f.focus_area, "重点领域", "请选择"),
      division_codes: divisions.length ? divisions : need(null, "涉及区划", "至少选择一个"),
      unit_ids: [need(f.lead_unit, "牵头单位", "请选择")],
      starts_on: need(f.starts_on, "开始日期"),
      ends_on: need(f.ends_on, "结束日期"),
      summary: f.summary.value.trim(),
      acceptance_by: checkedValues(form, "acceptance_by")[0] || "inspectors",
      milestones: milestonesOf(),
      links: { suggestion_ids: idList(f.suggestion_ids.value), cluster_ids: checkedValues(form, "cluster_ids") },
    };
    checkedValues(form, "co_unit_ids").forEach((u) => { if (!body.unit_ids.includes(u)) body.unit_ids.push(u); });
    if (f.budget.value.trim()) body.budget_yuan = Math.round(Number(f.budget.value) * 10000);
    if (!body.milestones.length) need(null, "里程碑", "至少添加一个");
    const p = await send("/v1/projects", body);
    form.reset();
    $("milestone-rows").replaceChildren();
    addMilestone();
    $("project-result").textContent = "已登记项目“" + p.name + "”（" + p.project_id + "），状态：" + (PROJECT_STATUS[p.status] || p.status_label || p.status) + "。";
    show($("project-result"), true);
    await loadProjects();
  } catch (err) { fail(error, err, form); }
}

// -- one project --------------------------------------------------------------------------
async function openProject(id) {
  const p = await get(projectPath(id));
  const extra = [el("p", {}, el("a", { href: "/inspect#project=" + encodeURIComponent(p.project_id) }, "视察记录与验收评价 →"))];
  if (state.admin) extra.push(await linksForm(p));
  $("project").replaceChildren(...projectDetail(p, extra));
  window.scrollTo(0, 0);
}

async function linksForm(p) {
  const l = p.links || {};
  const clusters = el("div", {});
  await fillClusterPicks(clusters, l.cluster_ids || []);
  const form = submitForm("links-form", [
    clusters,
    field("关联建议", el("input", { name: "suggestion_ids", maxlength: "2000", value: (l.suggestion_ids || []).join("，") }), "建议编号，多个用逗号分隔"),
    field("关联承诺事项", el("input", { name: "commitment_ids", maxlength: "2000", value: (l.commitment_ids || []).join("，") }), "承诺事项编号，多个用逗号分隔"),
  ], "保存关联", async (form) => {
    const links = {
      cluster_ids: checkedValues(form, "cluster_ids"),
      suggestion_ids: idList(form.elements.suggestion_ids.value),
      commitment_ids: idList(form.elements.commitment_ids.value),
    };
    await send(projectPath(p.project_id), { links: links }, "PATCH");
    await openProject(p.project_id);
    return "";
  });
  return el("details", { class: "action", id: "edit-links" }, el("summary", {}, "编辑关联事项"), form);
}

// -- published recurring appeals ------------------------------------------------------------
async function loadAppeals() {
  const [published, candidates] = await Promise.all([
    get("/v1/appeals/published"),
    get("/v1/topics/candidates"),
  ]);
  state.published = published.appeals || [];
  state.candidates = candidates.items || [];
  $("published").replaceChildren(...(state.published.length
    ? state.published.map(publishedCard)
    : [el("p", { class: "muted" }, "还没有公开的高频诉求。从下方的聚类中选择，撰写标题后公开。")]));
  const open = clusterCandidates();
  $("appeal-candidates").replaceChildren(...(open.length
    ? open.map(candidateCard)
    : [el("p", { class: "muted" }, "暂无高频诉求聚类：同类诉求反复出现后会列在这里。")]));
}

function appealForm(id, prefill, submitLabel, done) {
  const focus = el("select", { name: "focus_area" }, option("", "不限"), ...FOCUS_AREAS.map((a) => option(a, a)));
  focus.value = prefill.focus_area || "";
  return submitForm(id, [
    field("公开标题", el("input", { name: "title", maxlength: "200", required: true, value: prefill.title || "", placeholder: "由办公室撰写，如：城区部分路段路灯不亮" }), "公开页显示，不要包含个人信息"),
    field("简介", el("textarea", { name: "summary", rows: "3", maxlength: "2000" }, prefill.summary || ""), "选填"),
    checkboxes("涉及区划", "division_codes", divisionList().map((d) => [d.code, d.name]), prefill.division_codes || [], true),
    field("重点领域", focus),
  ], submitLabel, async (form) => {
    const f = form.elements;
    const body = {
      cluster_id: prefill.cluster_id,
      title: need(f.title, "公开标题"),
      summary: f.summary.value.trim(),
      division_codes: checkedValues(form, "division_codes"),
      focus_area: f.focus_area.value || null,
      public: true,
    };
    await send("/v1/appeals/published", body);
    await loadAppeals();
    return done;
  });
}

function candidateCard(c) {
  const published = state.published.find((a) => a.cluster_id === c.ref);
  return el("div", { class: "card " + (published && published.public ? "green" : "orange"), "data-cluster": c.ref },
    el("strong", {}, c.title || c.ref),
    el("p", { class: "muted" }, [c.why, c.district ? "区划 " + divisionName(c.district) : null, "聚类 " + c.ref].filter(Boolean).join("　")),
    published && published.public
      ? el("p", {}, el("span", { class: "tag done" }, "已公开"), published.title)
      : el("details", { class: "action" }, el("summary", {}, "公开"),
        appealForm("publish-" + c.ref, { cluster_id: c.ref, division_codes: c.district ? [c.district] : [] }, "公开", "已公开。")));
}

function publishedCard(a) {
  const withdraw = el("button", { type: "button", class: "withdraw" }, a.public ? "撤回" : "重新公开");
  const error = el("p", { class: "error", role: "alert", hidden: true });
  withdraw.addEventListener("click", async () => {
    withdraw.disabled = true;
    try {
      await send("/v1/appeals/published", {
        cluster_id: a.cluster_id, title: a.title, summary: a.summary, division_codes: a.division_codes,
        focus_area: a.focus_area, public: !a.public,
      });
      await loadAppeals();
    } catch (err) { fail(error, err); withdraw.disabled = false; }
  });
  return el("div", { class: "card " + (a.public ? "green" : "grey"), "data-cluster": a.cluster_id },
    el("span", { class: "tag " + (a.public ? "done" : "plain") }, a.public ? "公开中" : "已撤回"),
    el("h3", {}, a.title),
    a.summary ? el("p", {}, a.summary) : null,
    el("p", { class: "muted" }, [
      (a.division_codes || []).map(divisionName).join("、") || null,
      a.focus_area || null,
      "聚类 " + a.cluster_id,
      a.published_at ? "更新于 " + timeLabel(a.published_at) : null,
    ].filter(Boolean).join("　")),
    el("details", { class: "action" }, el("summary", {}, "编辑"), appealForm("edit-" + a.cluster_id, a, "保存修改", "已保存。")),
    el("div", { class: "actions-row" }, withdraw), error);
}

// -- start ----------------------------------------------------------------------------------
function fillSelects(units) {
  const f = $("project-form").elements;
  f.focus_area.append(...FOCUS_AREAS.map((a) => option(a, a)));
  $("project-filters").elements.focus_area.append(...FOCUS_AREAS.map((a) => option(a, a)));
  $("project-filters").elements.division_code.append(...divisionList().map((d) => option(d.code, d.name)));
  const sorted = Object.entries(units).sort((a, b) => a[1].localeCompare(b[1], "zh-CN"));
  f.lead_unit.append(...sorted.map(([id, name]) => option(id, name)));
  $("project-divisions").replaceChildren(checkboxes("涉及区划", "division_codes", divisionList().map((d) => [d.code, d.name]), [], true));
  $("project-co-unit-list").replaceChildren(checkboxes("配合单位", "co_unit_ids", sorted, []));
}

/** Called once signed in (from group.js): who may do what, then the tab the hash names. */
export async function startProjects(admin) {
  state.admin = admin;
  show($("tab-appeals"), admin);
  if (!state.ready) {
    const [units] = await Promise.all([get("/v1/reference/units").catch(() => ({})), loadDivisions()]);
    state.units = units;
    fillSelects(units);
    addMilestone();
    state.ready = true;
  }
  await route();
}

export function setupProjects() {
  TABS.forEach((t) => $("tab-" + t).addEventListener("click", () => {
    location.hash = t === "cases" ? "" : "tab=" + t;
  }));
  $("add-milestone").addEventListener("click", addMilestone);
  $("project-form").addEventListener("submit", register);
  $("project-filters").addEventListener("change", () => loadProjects().catch((err) => fail($("error"), err)));
  $("project-back").addEventListener("click", () => { location.hash = "tab=projects"; });
  window.addEventListener("hashchange", route);
}
