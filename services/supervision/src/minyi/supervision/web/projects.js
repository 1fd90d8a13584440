// Improvement projects (民生项目) as every supervision page shows them: the schedule's
// colour, the progress bar, and a project's whole record (milestones, progress with its
// evidence files, inspections, ratings, acceptance, status timeline). Shown with
// textContent only; evidence files are fetched with the bearer token and saved as
// downloads, never opened in the page.
import { authorizedFetch } from "/static/kit/session.js";
import { RATING, clearErrors, dayLabel, el, fail, show, timeLabel, unitName } from "/static/common.js";

// The 2025 programme's seven focus areas (minyi.contracts.projects.FOCUS_AREAS).
export const FOCUS_AREAS = ["城市能级", "科技赋能", "现代服务业", "交通物流枢纽功能", "城乡统筹发展", "生态环境质量", "文旅产业"];
export const PROJECT_STATUS = {
  on_plan: "按计划推进", late: "滞后", very_late: "严重滞后", completed: "已完成待验收", accepted: "已验收",
};
export const MILESTONE_STATE = { pending: "未交付", delivered: "已交付", overdue: "已逾期" };
export const INSPECTOR = { deputies: "人大代表视察", supervision_group: "督导组视察" };
export const ACCEPTANCE_BY = { inspectors: "由视察的代表评价", public: "由群众投票评价" };
export const EVIDENCE_LIMITS = "最多5个文件，每个不超过5MB；限PDF、图片（JPG/PNG/WebP）、Word（docx）、Excel（xlsx）";
const EVIDENCE_MAX_FILES = 5;
const EVIDENCE_MAX_BYTES = 5 * 1024 * 1024;
const EVIDENCE_TYPES = /\.(pdf|jpe?g|png|webp|docx|xlsx)$/i;

export const projectPath = (id, what) => "/v1/projects/" + encodeURIComponent(id) + (what ? "/" + what : "");

// The city's divisions (code → name), served beside the pages from the shared reference.
let divisions = [];
export async function loadDivisions() {
  try {
    const r = await fetch("/static/divisions.json");
    divisions = r.ok ? await r.json() : [];
  } catch { divisions = []; }
  return divisions;
}
export const divisionList = () => divisions;
export function divisionName(code) {
  const d = divisions.find((x) => x.code === code);
  return d ? d.name : code;
}

export const yuanText = (yuan) => (yuan === null || yuan === undefined ? null : (yuan / 10000).toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " 万元");

export function statusChip(p) {
  return el("span", { class: "chip " + p.status, "data-status": p.status }, PROJECT_STATUS[p.status] || p.status_label || p.status);
}

export function percentBar(percent) {
  const n = Math.max(0, Math.min(100, Number(percent) || 0));
  return el("div", { class: "meter" },
    el("progress", { max: "100", value: String(n), "aria-label": "完成进度" }),
    el("span", {}, n + "%"));
}

/** A project in a list: a link to ``href`` with its colour, progress and next milestone. */
export function projectCard(p, href) {
  const next = (p.milestones || []).find((m) => m.state !== "delivered");
  return el("a", { class: "card project " + p.status, href: href, "data-project": p.project_id },
    el("div", {}, statusChip(p), el("span", { class: "tag plain" }, p.focus_area)),
    el("h3", {}, p.name),
    percentBar(p.percent),
    p.status_reason ? el("p", { class: "muted" }, p.status_reason) : null,
    next ? el("p", { class: "due" }, "下一里程碑：" + next.title + "　" + dayLabel(next.due_on)) : null,
    el("p", { class: "muted" }, "责任单位 " + names(p).join("、")));
}

const names = (p) => (p.unit_ids || []).map((id, i) => (p.unit_names && p.unit_names[i]) || unitName(id));
/** A unit's name: the project's own list first (a deputy's token may not read the directory). */
export function unitOf(p, id) {
  const i = (p.unit_ids || []).indexOf(id);
  return (i >= 0 && p.unit_names && p.unit_names[i]) || unitName(id);
}

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function milestoneLine(m) {
  const late = m.late_working_days ? "逾期" + m.late_working_days + "个工作日" : null;
  const tag = m.state === "delivered"
    ? el("span", { class: "tag " + (m.on_time === false ? "late" : "done") }, m.on_time === false ? "逾期交付" : "按期交付")
    : el("span", { class: "tag " + (m.state === "overdue" ? "late" : "plain") }, MILESTONE_STATE[m.state] || m.state);
  return el("li", { "data-milestone": m.milestone_id },
    el("div", { class: "when" }, "完成期限 " + dayLabel(m.due_on)),
    el("div", { class: "what" }, tag, m.title),
    el("div", { class: "detail" }, [
      m.deliverable ? "交付成果：" + m.deliverable : null,
      m.delivered_at ? "交付于 " + timeLabel(m.delivered_at) : null,
      late,
    ].filter(Boolean).join("\n")));
}

/** An evidence file's button: fetched with the bearer token, saved under its name. */
function evidenceButton(p, file, errorTarget) {
  const kb = Math.max(1, Math.round(file.size_bytes / 1024));
  const b = el("button", { type: "button", class: "evidence-file" }, "下载 " + file.name + "（" + kb + "KB）");
  b.addEventListener("click", async () => {
    try {
      const r = await authorizedFetch(projectPath(p.project_id, "evidence/" + encodeURIComponent(file.file_id)));
      if (!r.ok) throw new Error("下载失败（" + r.status + "），请稍后重试");
      const url = URL.createObjectURL(await r.blob());
      const a = el("a", { href: url, download: file.name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) { fail(errorTarget, err); }
  });
  return b;
}

function progressList(p) {
  const entries = (p.progress || []).slice().reverse();
  if (!entries.length) return el("p", { class: "muted" }, "责任单位尚未报告进展。");
  const error = el("p", { class: "error", role: "alert", hidden: true });
  return el("div", {}, el("ol", { class: "timeline", id: "progress-list" }, entries.map((e) => el("li", {},
    el("div", { class: "when" }, timeLabel(e.reported_at) + "　" + unitOf(p, e.unit_id)),
    el("div", { class: "what" }, "完成 " + e.percent + "%"),
    el("div", { class: "detail" }, e.note),
    (e.evidence || []).length ? el("div", { class: "evidence" }, e.evidence.map((f) => evidenceButton(p, f, error))) : null))), error);
}

function inspectionList(p) {
  const items = p.inspections || [];
  if (!items.length) return el("p", { class: "muted" }, "尚无视察记录。");
  return el("ol", { class: "timeline", id: "inspection-list" }, items.map((i) => el("li", {},
    el("div", { class: "when" }, dayLabel(i.held_on)),
    el("div", { class: "what" }, (INSPECTOR[i.inspector_kind] || i.inspector_kind) +
      ((i.deputy_ids || []).length ? "：" + i.deputy_ids.join("、") : "") + (i.group_id ? "（" + i.group_id + "）" : "")),
    el("ul", { class: "detail" }, (i.findings || []).map((f) => el("li", {}, f.text,
      f.commitment_id ? el("span", { class: "muted" }, "　→ 承诺事项 " + f.commitment_id + "（" + unitOf(p, f.unit_id) + "，" + dayLabel(f.due_on) + "前）") : null))))));
}

function acceptancePart(p) {
  const r = p.ratings || {};
  const out = [];
  const count = (r.satisfied || 0) + (r.basically_satisfied || 0) + (r.unsatisfied || 0);
  if (p.status === "completed" || p.acceptance || count) {
    out.push(el("p", {}, "评价方式：" + (ACCEPTANCE_BY[p.acceptance_by] || p.acceptance_by) +
      (p.acceptance_by === "inspectors" && (p.rater_ids || []).length ? "（" + p.rater_ids.join("、") + "）" : "")));
    out.push(el("p", { id: "rating-counts" }, "满意 " + (r.satisfied || 0) + "　基本满意 " + (r.basically_satisfied || 0) + "　不满意 " + (r.unsatisfied || 0)));
  }
  if (p.acceptance) {
    out.push(el("p", { id: "acceptance-result" }, el("strong", {}, "验收结果：" + (RATING[p.acceptance.result] || p.acceptance.result)),
      p.acceptance.accepted_at ? "（" + timeLabel(p.acceptance.accepted_at) + "）" : ""));
    if (p.acceptance.rule) out.push(el("p", { class: "muted" }, "规则：" + p.acceptance.rule));
  }
  return out.length ? out : [el("p", { class: "muted" }, "项目完成后由" + (p.acceptance_by === "public" ? "群众投票" : "视察的代表") + "评价验收。")];
}

function statusTimeline(p) {
  const items = (p.timeline || []).slice().reverse();
  if (!items.length) return el("p", { class: "muted" }, "尚无状态变化。");
  return el("ol", { class: "timeline", id: "status-timeline" }, items.map((t) => el("li", {},
    el("div", { class: "when" }, timeLabel(t.at)),
    el("div", { class: "what" }, (t.previous ? (PROJECT_STATUS[t.previous] || t.previous) + " → " : "") + (PROJECT_STATUS[t.status] || t.status)),
    t.reason ? el("div", { class: "detail" }, t.reason) : null)));
}

function linksPart(p) {
  const l = p.links || {};
  return facts([
    ["高频诉求", (l.cluster_ids || []).map((id) => clusterTitles[id] ? clusterTitles[id] + "（" + id + "）" : id).join("、") || null],
    ["群众建议/代表建议", (l.suggestion_ids || []).join("、") || null],
    ["承诺事项", (l.commitment_ids || []).join("、") || null],
  ]);
}

/** A project's whole record; ``extra`` (nodes) goes after the header card. */
export function projectDetail(p, extra) {
  return [
    el("div", { class: "card " + p.status, id: "project-head", "data-project": p.project_id },
      statusChip(p), el("span", { class: "tag plain" }, p.focus_area),
      el("h2", { id: "project-title" }, p.name),
      percentBar(p.percent),
      p.status_reason ? el("p", { class: "due" }, p.status_reason) : null,
      facts([
        ["项目编号", p.project_id],
        ["涉及区划", (p.division_codes || []).map(divisionName).join("、")],
        ["责任单位", names(p).join("、") + (names(p).length > 1 ? "（" + names(p)[0] + "牵头）" : "")],
        ["预算", yuanText(p.budget_yuan)],
        ["实施期限", dayLabel(p.starts_on) + " 至 " + dayLabel(p.ends_on)],
        ["验收方式", ACCEPTANCE_BY[p.acceptance_by] || p.acceptance_by],
      ]),
      p.summary ? el("p", { class: "content" }, p.summary) : null),
    ...(extra || []),
    el("h3", {}, "里程碑"),
    el("ol", { class: "timeline", id: "milestone-list" }, (p.milestones || []).map(milestoneLine)),
    el("h3", {}, "办理进展"), progressList(p),
    el("h3", {}, "视察"), inspectionList(p),
    el("h3", {}, "评价验收"), el("div", { id: "acceptance" }, ...acceptancePart(p)),
    el("h3", {}, "关联事项"), linksPart(p),
    el("h3", {}, "状态变化"), statusTimeline(p),
  ];
}

/** The files chosen in ``input``, checked against the limits before upload (the server
 * checks again, by content). Throws an error naming the field. */
export function checkEvidence(input) {
  const files = Array.from(input.files || []);
  const problem = (text) => Object.assign(new Error("佐证材料：" + text), { fields: [input.name] });
  if (files.length > EVIDENCE_MAX_FILES) throw problem("最多" + EVIDENCE_MAX_FILES + "个文件，已选" + files.length + "个");
  const big = files.find((f) => f.size > EVIDENCE_MAX_BYTES);
  if (big) throw problem("“" + big.name + "”超过5MB");
  const odd = files.find((f) => !EVIDENCE_TYPES.test(f.name));
  if (odd) throw problem("“" + odd.name + "”的类型不支持，限PDF、图片、Word、Excel");
  return files;
}

/** Checkbox rows (a fieldset) of ``options`` ([value, label]) named ``name``. */
export function checkboxes(legend, name, options, checked, short) {
  const on = new Set(checked || []);
  return el("fieldset", {}, el("legend", {}, legend),
    el("div", { class: "checks" + (short ? " short" : "") }, options.map(([value, label]) => el("label", { class: "choice" },
      el("input", { type: "checkbox", name: name, value: value, checked: on.has(value) }), label))));
}

export const checkedValues = (form, name) => Array.from(form.querySelectorAll("input[name='" + name + "']:checked")).map((i) => i.value);

/** "a, b；c d" → ["a", "b", "c", "d"]. */
export const idList = (text) => String(text || "").split(/[\s,，;；、]+/).map((s) => s.trim()).filter(Boolean);

/** A form whose ``handler(form, submitter)`` returns the message to show (or ""); its
 * error, the fields it names marked, shows above the button. */
export function submitForm(id, children, submitLabel, handler) {
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
      const message = await handler(form, event.submitter);
      done.textContent = message || "";
      show(done, Boolean(message));
    } catch (err) { fail(error, err, form); } finally { buttons.forEach((b) => { b.disabled = false; }); }
  });
  return form;
}

/** Refuses an empty ``control`` before anything is sent: "<label>：必须填写". */
export function need(control, label, text) {
  const value = control && "value" in control ? String(control.value).trim() : "";
  if (value) return value;
  if (control && control.setAttribute) control.setAttribute("aria-invalid", "true");
  throw Object.assign(new Error(label + "：" + (text || "必须填写")), { fields: [] });
}

export function field(label, control, hint) {
  return el("label", {}, label, hint ? el("span", { class: "muted" }, "（" + hint + "）") : null, control);
}

/** A file input with Chinese words (the browser's own button speaks the browser's
 * language): the input stays in the label, visually hidden but focusable. */
export function filePicker(label, hint, input) {
  const chosen = el("span", { class: "file-names" }, "未选择文件");
  input.classList.add("file-input");
  input.addEventListener("change", () => {
    const names = Array.from(input.files || []).map((f) => f.name);
    chosen.textContent = names.length ? "已选择 " + names.length + " 个文件：" + names.join("、") : "未选择文件";
  });
  return el("div", { class: "file-field" },
    el("label", {}, label, el("span", { class: "hint" }, hint),
      el("span", { class: "file-button" }, "选择文件"), input),
    chosen);
}

// Recurring-appeal clusters' titles (id → title), where the page may read them.
let clusterTitles = {};
export function setClusterTitles(map) { clusterTitles = map || {}; }
