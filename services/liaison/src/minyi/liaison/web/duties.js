// Shared by the deputy's page (/me) and the office's (/office): Beijing dates with the
// weekday and the score's breakdown. Loaded after common.js; everything from the server is
// shown with textContent.
"use strict";

const WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

// "2026-11-20" → "2026年11月20日 周五" (a calendar day: no time zone to convert).
function dayLabel(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return y + "年" + m + "月" + d + "日 " + WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
}

// An instant, in Beijing time: "12月1日 周二 10:00".
function instantLabel(iso) {
  const parts = {};
  new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", month: "numeric", day: "numeric", weekday: "short",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(iso)).forEach((p) => { parts[p.type] = p.value; });
  return parts.month + "月" + parts.day + "日 " + parts.weekday + " " + parts.hour + ":" + parts.minute;
}

function percent(rate) {
  return rate.rate === null ? "样本不足（" + rate.cases + "件，满10件才计算）"
    : Math.round(rate.rate * 1000) / 10 + "%（" + rate.hits + "/" + rate.cases + "）";
}

// The score, its band and the lines per kind, into ``target``.
function renderScore(target, s) {
  const lines = s.lines.length
    ? el("div", { class: "scroll" }, el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "类别"), el("th", {}, "条数"),
        el("th", {}, "原始分"), el("th", {}, "计入分（封顶）"))),
      el("tbody", {}, s.lines.map((x) => el("tr", {}, el("td", {}, x.label), el("td", {}, x.entries),
        el("td", {}, x.raw), el("td", {}, x.points + "（" + x.cap + "）"))))))
    : el("p", { class: "muted" }, "还没有计分的履职记录：登记一次履职后，这里显示各类得分。");
  target.replaceChildren(
    el("p", { class: "score" }, el("span", { class: "big", id: "score-value" }, s.score), " 分　",
      el("span", { class: "tag", id: "score-band" }, s.band_label)),
    el("p", { class: "muted" }, s.year + "年累计；满分100分。档次：" +
      s.bands.map((b) => b.label + " ≥" + b.min).join("，") + "。评价办法：" + s.policy_version),
    lines,
    el("h3", {}, "比例"),
    el("ul", { class: "rates" }, s.rates.map((r) => el("li", {}, r.label + "：" + percent(r)))));
}

// One entry of a file: kind, title, day, state, the event it came from, its disputes.
function entryCard(e, extra) {
  const card = el("div", { class: "card" + (e.struck ? " struck" : ""), "data-entry": e.id },
    el("span", { class: "tag" }, e.kind_label), e.struck ? el("span", { class: "tag" }, "已撤销，不计分") : null,
    el("strong", {}, e.title || e.kind_label),
    el("p", { class: "muted" }, dayLabel(e.on) + "　" + e.state_label + (e.hours ? "　" + e.hours + "学时" : "")),
    el("p", { class: "muted small" }, "来源事件：" + e.event_type + "　编号 " + e.event_id),
    e.disputes.map((d) => el("p", { class: "hint" }, "异议（" + d.status_label + "）：" + d.reason +
      (d.decision_reason ? "　办公室答复：" + d.decision_reason : ""))));
  if (extra) card.append(extra);
  return card;
}
