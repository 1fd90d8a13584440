// The workbench's 民生项目: the unit's improvement projects, and in one project the unit's
// actions — progress with evidence files (multipart, fetch + FormData), a milestone's
// delivery, and (the lead unit) the report that the project is done. The admin looks at a
// unit's projects read-only.
import { $, call, el, fail, get, send, show } from "/static/common.js";
import {
  EVIDENCE_LIMITS, checkEvidence, field, filePicker, loadDivisions, need, projectCard, projectDetail,
  projectPath, submitForm,
} from "/static/projects.js";

const state = { unit: null, acts: false, divisions: null };
const divisionsLoaded = () => state.divisions || (state.divisions = loadDivisions());

/** The unit's projects into #unit-projects; the section hides on a server without them. */
export async function loadUnitProjects(unit, acts) {
  state.unit = unit;
  state.acts = acts;
  if (!unit) { $("unit-projects").replaceChildren(); return; }
  try {
    const q = acts ? "" : "?unit_id=" + encodeURIComponent(unit);
    const [page] = await Promise.all([get("/v1/projects" + q), divisionsLoaded()]);
    const found = page.projects || [];
    show($("unit-projects-section"), true);
    $("unit-projects").replaceChildren(...(found.length
      ? found.map((p) => projectCard(p, "#project=" + encodeURIComponent(p.project_id)))
      : [el("p", { class: "muted" }, "本单位目前没有负责的民生项目。项目由人大常委会办公室登记后显示在这里。")]));
  } catch (err) {
    if (err.missing) { show($("unit-projects-section"), false); return; }
    fail($("error"), err);
  }
}

/** One project: its record, then what the unit may do now. */
export async function openUnitProject(id, unit, acts, message) {
  state.unit = unit;
  state.acts = acts;
  show($("project-result"), Boolean(message));
  $("project-result").textContent = message || "";
  try {
    const [p] = await Promise.all([get(projectPath(id)), divisionsLoaded()]);
    $("project").replaceChildren(...projectDetail(p, actions(p)));
    window.scrollTo(0, 0);
  } catch (err) {
    $("project").replaceChildren();
    fail($("error"), err);
  }
}

function actions(p) {
  if (!state.acts) return [el("p", { class: "muted" }, "管理员查看模式：只读，进展由责任单位报告。")];
  if (p.status === "completed" || p.status === "accepted") {
    return [el("p", { class: "muted" }, p.status === "completed" ? "已报告完成，等待视察代表评价验收。" : "项目已验收。")];
  }
  const out = [el("h3", {}, "办理")];
  out.push(progressForm(p));
  (p.milestones || []).filter((m) => m.state !== "delivered").forEach((m) => out.push(deliverForm(p, m)));
  if ((p.unit_ids || [])[0] === state.unit) out.push(completeForm(p));
  return out;
}

const reopen = (p, message) => openUnitProject(p.project_id, state.unit, state.acts, message);

function progressForm(p) {
  const percent = el("input", { name: "percent", type: "number", min: "0", max: "100", step: "1", inputmode: "numeric", required: true, value: String(p.percent || 0) });
  const files = el("input", {
    name: "files", type: "file", multiple: true,
    accept: ".pdf,.jpg,.jpeg,.png,.webp,.docx,.xlsx,application/pdf,image/jpeg,image/png,image/webp",
  });
  const form = submitForm("progress-form", [
    field("完成进度（%）", percent, "0至100"),
    field("进展说明", el("textarea", { name: "note", rows: "3", maxlength: "2000", required: true, placeholder: "如：已完成施工招标，进场施工" })),
    filePicker("佐证材料", EVIDENCE_LIMITS, files),
  ], "报告进展", async (form) => {
    const f = form.elements;
    const n = need(f.percent, "完成进度");
    if (!/^\d+$/.test(n) || Number(n) > 100) need(null, "完成进度", "请填写0至100的整数");
    const body = new FormData();
    body.append("percent", n);
    body.append("note", need(f.note, "进展说明"));
    checkEvidence(f.files).forEach((file) => body.append("files", file, file.name));
    await call(projectPath(p.project_id, "progress"), { method: "POST", body: body });
    await reopen(p, "已报告进展：完成 " + n + "%。");
    return "";
  });
  return el("details", { class: "action", open: true }, el("summary", {}, "报告进展"), form);
}

function deliverForm(p, m) {
  const form = submitForm("deliver-" + m.milestone_id, [
    el("p", { class: "muted" }, m.deliverable ? "交付成果：" + m.deliverable : "确认该里程碑已按要求完成。"),
    field("交付说明", el("textarea", { name: "note", rows: "2", maxlength: "2000" }), "选填"),
  ], "确认交付", async (form) => {
    const note = form.elements.note.value.trim();
    await send(projectPath(p.project_id, "milestones/" + encodeURIComponent(m.milestone_id) + "/deliver"), note ? { note: note } : {});
    await reopen(p, "里程碑“" + m.title + "”已交付。");
    return "";
  });
  return el("details", { class: "action deliver" }, el("summary", {}, "交付里程碑：" + m.title), form);
}

function completeForm(p) {
  const form = submitForm("complete-form", [
    el("p", { class: "muted" }, "本单位为牵头单位。项目全部完成后在此报告，随后由" + (p.acceptance_by === "public" ? "群众投票" : "视察的代表") + "评价验收。"),
    field("完成情况说明", el("textarea", { name: "note", rows: "3", maxlength: "2000" }), "选填"),
  ], "报告项目完成", async (form) => {
    const note = form.elements.note.value.trim();
    await send(projectPath(p.project_id, "complete"), note ? { note: note } : {});
    await reopen(p, "已报告项目完成，等待评价验收。");
    return "";
  });
  return el("details", { class: "action" }, el("summary", {}, "报告项目完成"), form);
}
