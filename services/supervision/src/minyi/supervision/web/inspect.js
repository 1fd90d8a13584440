// 视察与验收: deputies (人大代表), supervision groups and the office see the improvement
// projects, record an inspection (视察) with its findings — each may become a commitment
// (承诺事项) followed like a visit's — and, once the lead unit reports the project done, the
// deputies who inspected it rate it (满意/基本满意/不满意). Signing in is the platform kit's.
import { claims, startSession } from "/static/kit/session.js";
import {
  $, RATING, beijingToday, el, fail, get, loadUnitNames, send, show,
} from "/static/common.js";
import {
  FOCUS_AREAS, divisionList, field, idList, loadDivisions, need, projectCard, projectDetail,
  projectPath, submitForm, unitOf,
} from "/static/projects.js";

const state = { me: {}, ready: false };
const deputy = () => (state.me.role === "representative" ? state.me.representative : null);
const option = (value, label) => el("option", { value: value }, label);

// -- the list -----------------------------------------------------------------------------
const mayRate = (p) => Boolean(deputy()) && p.status === "completed" && p.acceptance_by === "inspectors" &&
  (p.rater_ids || []).includes(deputy()) && !((p.ratings && p.ratings.raters) || []).includes(deputy());

async function loadList() {
  const f = $("filters").elements;
  const q = new URLSearchParams();
  ["focus_area", "division_code"].forEach((k) => { if (f[k].value) q.set(k, f[k].value); });
  const found = (await get("/v1/projects" + (q.toString() ? "?" + q : ""))).projects || [];
  const href = (p) => "#project=" + encodeURIComponent(p.project_id);
  const toRate = found.filter(mayRate);
  show($("to-rate-section"), toRate.length > 0);
  $("to-rate").replaceChildren(...toRate.map((p) => projectCard(p, href(p))));
  $("count").textContent = "共 " + found.length + " 个项目";
  $("projects").replaceChildren(...(found.length
    ? found.map((p) => projectCard(p, href(p)))
    : [el("p", { class: "muted" }, "还没有符合条件的民生项目。项目由人大常委会办公室登记后显示在这里。")]));
}

// -- one project --------------------------------------------------------------------------
async function openProject(id, message) {
  show($("result"), Boolean(message));
  $("result").textContent = message || "";
  const p = await get(projectPath(id));
  const extra = [];
  const rating = ratingPart(p);
  if (rating) extra.push(rating);
  if (p.status !== "accepted") extra.push(inspectionForm(p));
  $("project").replaceChildren(...projectDetail(p, extra));
  window.scrollTo(0, 0);
}

function ratingPart(p) {
  if (!deputy() || p.status !== "completed" || p.acceptance_by !== "inspectors") return null;
  if (((p.ratings && p.ratings.raters) || []).includes(deputy())) {
    return el("p", { class: "result", id: "rated" }, "您已评价该项目，感谢参与验收。");
  }
  if (!(p.rater_ids || []).includes(deputy())) {
    return el("p", { class: "muted" }, "该项目由视察过的代表评价验收，您不在评价代表之列。");
  }
  const form = submitForm("rating-form", [
    el("fieldset", {}, el("legend", {}, "验收评价"),
      ...Object.entries(RATING).map(([value, label]) => el("label", { class: "choice" },
        el("input", { type: "radio", name: "rating", value: value }), label))),
  ], "提交评价", async (form) => {
    const checked = Array.from(form.elements.rating).find((r) => r.checked);
    if (!checked) need(null, "验收评价", "请选择满意、基本满意或不满意");
    await send(projectPath(p.project_id, "ratings"), { rating: checked.value });
    await openProject(p.project_id, "已提交评价：" + RATING[checked.value] + "。");
    return "";
  });
  // The only problem this form can have is no choice: making one clears it.
  form.addEventListener("change", () => { show(form.querySelector(".error"), false); });
  return el("div", { class: "card completed", id: "rate" }, el("h3", {}, "评价验收"),
    el("p", { class: "muted" }, "责任单位已报告项目完成。请根据视察情况评价：多数满意为满意，满意和基本满意合计过半为基本满意，否则为不满意。"),
    form);
}

function findingRow(p) {
  const row = el("div", { class: "row finding-row" });
  const remove = el("button", { type: "button", class: "remove-finding" }, "删除");
  remove.addEventListener("click", () => { const rows = row.parentNode; row.remove(); numberFindings(rows); });
  const unit = el("select", { name: "f_unit" }, ...(p.unit_ids || []).map((id) => option(id, unitOf(p, id))));
  const commitment = el("div", { class: "commitment", hidden: true },
    field("承诺单位", unit),
    field("承诺完成期限", el("input", { name: "f_due", type: "date" })));
  const turn = el("input", { type: "checkbox", name: "f_commit" });
  turn.addEventListener("change", () => { commitment.hidden = !turn.checked; });
  row.append(
    el("div", { class: "row-head" }, el("strong", { class: "row-title" }, "发现的问题"), remove),
    field("问题和意见", el("textarea", { name: "f_text", rows: "3", maxlength: "2000", placeholder: "如：施工围挡占用人行道，群众出行不便" })),
    el("label", { class: "choice" }, turn, "转为承诺事项（由责任单位限期整改并跟踪督办）"),
    commitment);
  return row;
}

function numberFindings(rows) {
  Array.from(rows.children).forEach((row, i) => {
    row.querySelector(".row-title").textContent = "发现的问题 " + (i + 1);
    row.querySelector(".remove-finding").hidden = rows.children.length === 1;
  });
}

function inspectionForm(p) {
  const me = state.me;
  const rows = el("div", { class: "rows", id: "finding-rows" });
  const add = el("button", { type: "button", id: "add-finding" }, "＋ 添加发现的问题");
  add.addEventListener("click", () => { rows.append(findingRow(p)); numberFindings(rows); });
  rows.append(findingRow(p));
  numberFindings(rows);
  const held = el("input", { name: "held_on", type: "date", required: true, value: beijingToday() });
  const kind = me.role === "admin"
    ? el("fieldset", {}, el("legend", {}, "视察方式"),
      el("label", { class: "choice" }, el("input", { type: "radio", name: "inspector_kind", value: "deputies", checked: true }), "人大代表视察"),
      el("label", { class: "choice" }, el("input", { type: "radio", name: "inspector_kind", value: "supervision_group" }), "督导组视察"),
      field("督导组编码", el("input", { name: "group_id", maxlength: "64", placeholder: "督导组视察时填写，如 g1" })))
    : el("p", { class: "muted" }, me.role === "representative"
      ? "视察方式：人大代表视察（您将记为视察代表，项目完成后参与评价验收）"
      : "视察方式：督导组视察（" + (me.group || "") + "）");
  const form = submitForm("inspection-form", [
    field("视察日期", held), kind,
    me.role !== "supervisor" ? field("同行代表", el("input", { name: "deputy_ids", maxlength: "2000", placeholder: "代表编号，多个用逗号分隔" }), "选填") : null,
    el("fieldset", {}, el("legend", {}, "视察发现"), rows, add),
  ], "提交视察记录", async (form) => {
    const f = form.elements;
    const inspectorKind = me.role === "admin"
      ? Array.from(form.querySelectorAll("input[name=inspector_kind]")).find((r) => r.checked).value
      : me.role === "representative" ? "deputies" : "supervision_group";
    const body = { held_on: need(f.held_on, "视察日期"), inspector_kind: inspectorKind, findings: [] };
    if (f.deputy_ids) body.deputy_ids = idList(f.deputy_ids.value);
    if (inspectorKind === "supervision_group") body.group_id = me.role === "supervisor" ? me.group : need(f.group_id, "督导组编码");
    Array.from(rows.children).forEach((row, i) => {
      const text = row.querySelector("[name=f_text]");
      if (!text.value.trim() && rows.children.length === 1 && !row.querySelector("[name=f_commit]").checked) return;
      const finding = { text: need(text, "第" + (i + 1) + "个发现的问题") };
      if (row.querySelector("[name=f_commit]").checked) {
        finding.commitment = {
          unit_id: need(row.querySelector("[name=f_unit]"), "第" + (i + 1) + "个承诺事项的承诺单位", "请选择"),
          due_on: need(row.querySelector("[name=f_due]"), "第" + (i + 1) + "个承诺事项的完成期限"),
        };
      }
      body.findings.push(finding);
    });
    const made = await send(projectPath(p.project_id, "inspections"), body);
    const commitments = ((made && made.findings) || []).filter((x) => x.commitment_id).length;
    await openProject(p.project_id, "已记录视察（" + body.held_on + "）" + (commitments ? "，" + commitments + "项发现已转为承诺事项。" : "。"));
    return "";
  });
  return el("details", { class: "action", id: "inspection", open: true }, el("summary", {}, "记录视察"), form);
}

// -- navigation -----------------------------------------------------------------------------
async function route() {
  if (!state.ready) return;
  show($("error"), false);
  const id = new URLSearchParams(location.hash.slice(1)).get("project");
  show($("list-view"), !id);
  show($("project-view"), Boolean(id));
  try {
    if (id) await openProject(id); else await loadList();
  } catch (err) { fail($("error"), err); }
}

async function signedIn() {
  state.me = claims();
  if (!state.ready) {
    // A deputy's token does not read the unit directory: projects carry their units' names.
    await Promise.all([state.me.role === "representative" ? null : loadUnitNames(), loadDivisions()]);
    $("filters").elements.focus_area.append(...FOCUS_AREAS.map((a) => option(a, a)));
    $("filters").elements.division_code.append(...divisionList().map((d) => option(d.code, d.name)));
    state.ready = true;
  }
  await route();
}

document.addEventListener("DOMContentLoaded", () => {
  $("filters").addEventListener("change", () => loadList().catch((err) => fail($("error"), err)));
  $("back").addEventListener("click", () => { location.hash = ""; });
  window.addEventListener("hashchange", route);
  startSession({
    title: "视察与验收登录",
    hint: "人大代表用代表的访问令牌登录；督导组和人大常委会办公室用各自的令牌登录。",
    roles: ["representative", "supervisor", "admin"],
    onSignedIn: signedIn,
    onSignedOut: () => { state.me = {}; ["projects", "to-rate", "project"].forEach((id) => $(id).replaceChildren()); },
  });
});
