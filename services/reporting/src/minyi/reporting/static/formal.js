// 代表建议办理情况: a year's figures of deputies' formal suggestions, per unit, deputy and
// topic (GET /v1/formal-suggestions/year/{year}), and the handling table as XLSX.
import { authorizedFetch, getJson, startSession } from "/static/kit/session.js";

const $ = (id) => document.getElementById(id);
const LABELS = { satisfied: "满意", basically_satisfied: "基本满意", unsatisfied: "不满意" };
const DIMENSIONS = [["overall", "总体"], ["contact", "沟通联系"], ["attitude", "办理态度"], ["result", "办理结果"]];
const OUTCOMES = [["A", "A类 已解决或采纳"], ["B", "B类 正在解决或列入计划"], ["C", "C类 因条件限制暂不能解决"], ["D", "D类 留作参考"]];

function cell(tr, text, numeric) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "n";
  tr.appendChild(td);
}

function fill(id, rows, columns, empty) {
  const body = $(id);
  body.replaceChildren();
  if (!rows.length) {
    const tr = body.insertRow();
    const td = document.createElement("td");
    td.colSpan = 20;
    td.className = "empty";
    td.textContent = empty;
    tr.appendChild(td);
    return;
  }
  for (const row of rows) {
    const tr = body.insertRow();
    columns.forEach((c, i) => cell(tr, String(c(row)), i > 0));
  }
}

const ratings = (r, value) => r.ratings.overall[value];

function show(report) {
  const t = report.totals;
  $("f-filed").textContent = t.filed;
  $("f-assigned").textContent = t.assigned;
  $("f-answered").textContent = t.answered;
  $("f-ontime").textContent = t.answered_on_time;
  $("f-ontime-rate").textContent = t.answered >= 10 ? `按期答复率 ${(100 * t.answered_on_time / t.answered).toFixed(1)}%` : "按期答复率 样本不足";
  $("f-overdue").textContent = t.overdue_now;
  fill("f-outcomes", OUTCOMES, [([, label]) => label, ([k]) => t.outcomes[k]], "");
  fill("f-ratings", DIMENSIONS, [([, label]) => label, ...Object.keys(LABELS).map((v) => ([k]) => t.ratings[k][v])], "");
  const d = t.delivery;
  $("f-delivery").textContent = `B类答复承诺兑现 ${d.promised} 件：已兑现 ${d.delivered} 件（按期 ${d.delivered_on_time}，逾期 ${d.delivered_late}），逾期未兑现 ${d.overdue_now} 件，尚在期限内 ${d.promised - d.delivered - d.overdue_now} 件。`;
  fill("f-units", report.by_unit, [
    (u) => u.unit_name, (u) => u.filed, (u) => u.co_handled, (u) => u.answered, (u) => u.answered_on_time,
    (u) => u.outcomes.A, (u) => u.outcomes.B, (u) => u.outcomes.C, (u) => u.outcomes.D,
    (u) => ratings(u, "satisfied"), (u) => ratings(u, "basically_satisfied"), (u) => ratings(u, "unsatisfied"),
    (u) => u.delivery.promised, (u) => u.delivery.delivered, (u) => u.delivery.overdue_now,
  ], "本年度暂无交办的代表建议");
  fill("f-deputies", report.by_deputy, [
    (p) => p.deputy_name, (p) => p.led, (p) => p.co_signed, (p) => p.answered, (p) => p.answered_on_time,
    (p) => ratings(p, "satisfied"), (p) => ratings(p, "basically_satisfied"), (p) => ratings(p, "unsatisfied"),
  ], "本年度暂无代表建议");
  fill("f-topics", report.by_topic, [
    (x) => x.topic_title, (x) => x.filed, (x) => x.answered, (x) => x.answered_on_time,
    (x) => x.delivery.promised, (x) => x.delivery.delivered,
  ], "本年度暂无重点督办专题");
}

function fail(err) {
  if (err && err.signedOut) return;
  const box = $("year-error");
  box.textContent = err && err.message ? err.message : String(err);
  box.hidden = false;
}

function year() {
  const value = Number($("year").value);
  if (!Number.isInteger(value) || value < 2000 || value > 2100) {
    throw new Error("请输入 2000 至 2100 之间的年度，例如 2026。");
  }
  return value;
}

async function load() {
  $("year-error").hidden = true;
  show(await getJson(`/v1/formal-suggestions/year/${year()}`));
  document.body.dataset.loaded = "true";
}

// The table is fetched with the token (a plain link would be refused), then saved.
async function download() {
  $("year-error").hidden = true;
  const y = year();
  const r = await authorizedFetch(`/v1/formal-suggestions/year/${y}.xlsx`);
  if (!r.ok) throw new Error(`下载失败（${r.status}），请稍后重试`);
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = `${y}年代表建议办理情况表.xlsx`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 2000);
}

document.addEventListener("DOMContentLoaded", () => {
  $("year").value = new URLSearchParams(location.search).get("year") || String(new Date().getFullYear());
  $("year-form").addEventListener("submit", (e) => {
    e.preventDefault();
    load().catch(fail);
  });
  $("download").addEventListener("click", () => download().catch(fail));
  startSession({
    title: "代表建议办理情况登录",
    hint: "仅供分析人员、督导组和人大办公室查看。",
    roles: ["analyst", "supervisor", "admin"],
    onSignedIn: () => load().catch(fail),
  });
});
