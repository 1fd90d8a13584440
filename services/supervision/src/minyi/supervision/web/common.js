// Shared by supervision's pages. Everything from the server is shown with textContent
// (never innerHTML), so a case's text can never become markup. Signing in and the bearer
// header are the platform kit's (/static/kit/session.js).
import { authorizedFetch } from "/static/kit/session.js";

export const $ = (id) => document.getElementById(id);
export function show(node, visible) { node.hidden = !visible; }

// el("p", {class: "muted"}, "text", child, ...): attributes false/null are left out.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === "class") node.className = v; else node.setAttribute(k, v === true ? "" : v);
  });
  children.flat(Infinity).forEach((c) => {
    if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
  });
  return node;
}

export const KIND = {
  citizen_appeal: "群众诉求",
  representative_suggestion: "代表建议",
  commitment: "承诺事项",
  visit_question: "进站问题",
  delivery: "兑现事项",
};
export const STATUS = {
  assigned: "待签收", accepted: "办理中", in_progress: "办理中", replied: "已答复",
  reopened: "重新办理", returned: "已退回", closed: "已办结",
};
export const OPEN = ["assigned", "accepted", "in_progress", "reopened"];
export const OUTCOME = {
  A: "A 已解决或基本解决",
  B: "B 正在解决或列入计划解决",
  C: "C 因条件限制暂时不能解决",
  D: "D 留作参考",
};
export const MODE = { meeting: "座谈会面", visit: "上门走访", phone: "电话", video: "视频", letter: "书面函件", other: "其他" };
export const RATING = { satisfied: "满意", basically_satisfied: "基本满意", unsatisfied: "不满意" };

// Field names of the API's bodies as a person reads them (a 422 names the field).
const FIELD = {
  reply: "答复内容", outcome: "答复类别", measures: "采取的措施", reason: "理由",
  delivery_by: "承诺兑现日期", suggested_unit: "建议承办单位", note: "说明", until: "申请延至",
  views: "协办意见", contacted_on: "沟通日期", mode: "沟通方式", verdict: "审核结论",
  approve: "审批结论", title: "专题名称", year: "年度", lead_id: "牵头督导组编码",
  lead_name: "牵头督导组名称", suggestion_id: "建议编号",
  name: "项目名称", focus_area: "重点领域", division_codes: "涉及区划", unit_ids: "责任单位",
  budget_yuan: "预算", starts_on: "开始日期", ends_on: "结束日期", milestones: "里程碑",
  summary: "简介", acceptance_by: "验收方式", links: "关联事项", cluster_ids: "高频诉求",
  suggestion_ids: "建议编号", commitment_ids: "承诺事项编号", percent: "完成进度",
  files: "佐证材料", held_on: "视察日期", inspector_kind: "视察方式", deputy_ids: "视察代表",
  group_id: "督导组", findings: "视察发现", rating: "评价", cluster_id: "高频诉求",
  public: "是否公开",
};
// Inside a list of rows (loc ["body", "milestones", 0, "due_on"]): the row, then its field.
const ROW = {
  milestones: ["里程碑", { title: "名称", due_on: "完成期限", deliverable: "交付成果" }],
  findings: ["视察发现", { text: "内容", unit_id: "承诺单位", due_on: "承诺完成期限" }],
};

// FastAPI's own validation messages are English: the common ones, in Chinese.
function fieldLabel(loc) {
  if (!Array.isArray(loc) || !loc.length) return null;
  const at = loc.findIndex((x, i) => ROW[x] && Number.isInteger(loc[i + 1]));
  if (at >= 0) {
    const [row, fields] = ROW[loc[at]];
    const rest = loc.slice(at + 2).filter((x) => typeof x === "string");
    const last = rest[rest.length - 1];
    return "第" + (loc[at + 1] + 1) + "个" + row + (last ? "的" + (fields[last] || FIELD[last] || last) : "");
  }
  return FIELD[loc[loc.length - 1]] || null;
}

function problemText(p) {
  const field = fieldLabel(p.loc);
  const msg = String(p.msg || "");
  let text = msg;
  const n = (msg.match(/\d+/) || [""])[0];
  if (p.type === "missing") text = "必须填写";
  else if (p.type === "string_too_short") text = n === "1" ? "不能为空" : "至少" + n + "个字";
  else if (p.type === "string_too_long") text = "不能超过" + n + "个字";
  else if (p.type === "literal_error" || p.type === "enum") text = "请从给出的选项中选择";
  else if (/date|datetime/.test(p.type || "")) text = "日期格式不正确";
  return field && !msg.startsWith(field) ? field + "：" + text : text;
}

/** The API's refusal: the server's words, and whether the endpoint is absent (404 of a
 * route this server does not have, not of a case). */
export class ApiError extends Error {
  constructor(status, body) {
    const problems = body && Array.isArray(body.detail) ? body.detail : [];
    super(problems.length ? problems.map(problemText).join("；") : "请求失败（" + status + "），请稍后重试");
    this.status = status;
    this.problems = problems;
    this.missing = status === 404 && problems.length === 1 && problems[0].msg === "Not Found";
    this.fields = problems.map((p) => (Array.isArray(p.loc) ? p.loc[p.loc.length - 1] : null)).filter(Boolean);
  }
}

export async function call(path, options) {
  const r = await authorizedFetch(path, options);
  let body = null;
  try { body = await r.json(); } catch (_) { body = null; }
  if (!r.ok) throw new ApiError(r.status, body);
  return body;
}

export const get = (path) => call(path);
export function send(path, data, method) {
  return call(path, {
    method: method || "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data === undefined ? {} : data),
  });
}

/** Shows ``err`` in ``target`` and marks the fields it names in ``form`` (if any). A 401
 * has already brought the person back to sign in: nothing more to show. */
export function fail(target, err, form) {
  if (err && err.signedOut) return;
  target.textContent = err.message;
  show(target, true);
  if (form && err.fields) {
    err.fields.forEach((name) => {
      const field = form.elements[name];
      if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
    });
  }
}

export function clearErrors(form, target) {
  if (target) show(target, false);
  Array.from(form.elements).forEach((f) => f.removeAttribute && f.removeAttribute("aria-invalid"));
}

// -- dates, on Beijing time ------------------------------------------------------------
const TZ = "Asia/Shanghai";
const WEEK = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

function parts(iso) {
  const d = new Date(iso);
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", weekday: "short" });
  const o = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  const wd = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(o.weekday);
  return { y: +o.year, m: +o.month, d: +o.day, hh: o.hour, mm: o.minute, wd: wd };
}

export function dayLabel(iso) {
  if (!iso) return "—";
  const p = parts(iso.length === 10 ? iso + "T12:00:00+08:00" : iso);
  return p.y + "年" + p.m + "月" + p.d + "日 " + WEEK[p.wd];
}

export function timeLabel(iso) {
  if (!iso) return "—";
  const p = parts(iso);
  return p.y + "年" + p.m + "月" + p.d + "日 " + p.hh + ":" + p.mm;
}

export function beijingToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date());
}

// Monday–Friday between now and ``iso`` (an estimate: the server's calendar knows the
// holidays and make-up days; the colour only needs to be roughly right, the date is exact).
const WORKING_DAYS_COUNTED = 22;
function workingDaysLeft(iso, now) {
  const end = new Date(iso);
  const t = new Date(now);
  let days = 0;
  while (days < WORKING_DAYS_COUNTED) {
    t.setTime(t.getTime() + 86400000);
    if (t > end) break;
    const wd = parts(t.toISOString()).wd;
    if (wd !== 0 && wd !== 6) days += 1;
  }
  return days;
}

/** How pressing an item is: red overdue; orange due within 2 working days or with at most
 * 20 % of its time left; green otherwise (grey when no longer open). */
export function urgency(item, now) {
  const t = now || Date.now();
  const due = item.views_by && item.role === "co" ? item.views_by : item.reply_by;
  if (!OPEN.includes(item.status)) return { colour: "grey", text: STATUS[item.status] || item.status, rank: 3 };
  const left = new Date(due).getTime() - t;
  if (item.overdue || left < 0) {
    const late = Math.max(1, Math.ceil(-left / 86400000));
    return { colour: "red", text: "已逾期" + (left < 0 ? late + "天" : ""), rank: 0 };
  }
  const start = item.window_start || item.assigned_at;
  const share = start ? left / (new Date(due).getTime() - new Date(start).getTime()) : 1;
  const days = workingDaysLeft(due, t);
  if (days <= 2 || share <= 0.2) return { colour: "orange", text: days <= 0 ? "今天到期" : "剩" + days + "个工作日", rank: 1 };
  // Beyond a month the working days are not counted (an estimate anyway): calendar days.
  const text = days >= WORKING_DAYS_COUNTED ? "剩" + Math.floor(left / 86400000) + "天" : "剩" + days + "个工作日";
  return { colour: "green", text: text, rank: 2 };
}

export function byUrgency(items, now) {
  return items
    .map((item) => ({ item, u: urgency(item, now) }))
    .sort((a, b) => a.u.rank - b.u.rank ||
      new Date(a.item.views_by && a.item.role === "co" ? a.item.views_by : a.item.reply_by) -
      new Date(b.item.views_by && b.item.role === "co" ? b.item.views_by : b.item.reply_by));
}

/** An item's name as a list shows it: number and title when known. */
export function itemName(item) {
  const name = item.title || (item.delivery_of ? "建议 " + item.delivery_of + " 的兑现事项" : null);
  return [item.number ? "第" + item.number + "号" : null, name || "事项 " + item.suggestion_id].filter(Boolean).join("　");
}

// Unit names from the shared directory (loaded once per page); an unknown id shows as is.
let unitNames = {};
export async function loadUnitNames() {
  try { unitNames = await get("/v1/reference/units"); } catch { unitNames = {}; }
}
export const unitName = (id) => (id && unitNames[id]) || id || "—";
