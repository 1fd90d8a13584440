// 民情数据看板: reads the reporting API and listens to /v1/stream/resolutions. Signing in,
// the bearer header and the way back to sign-in on a 401 are the platform's kit's.
import { authorizedFetch, startSession } from "/static/kit/session.js";
import { clickedDivision, drawMap, renderTownships, renderZones } from "/static/citymap.js";

(function () {
  const charts = {};
  const pct = (v) => (v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%");
  const text = (id, v) => { document.getElementById(id).textContent = v; };
  let started = false;
  let session = 0;  // one live loop per sign-in: an older loop ends when this moves on
  // Every error answer is {"detail": [{"type", "loc", "msg"}]}: the messages are shown.
  async function problem(path, r) {
    let text = "";
    try {
      const body = await r.json();
      text = (body.detail || []).map((p) => (p.loc && p.loc.length ? p.loc.join(".") + "：" : "") + p.msg).join("；");
    } catch (err) { /* not JSON: the status says enough */ }
    return new Error(text || path + " → " + r.status);
  }
  const authed = (path, accept) => authorizedFetch(path, { headers: { Accept: accept } })
    .then(async (r) => {
      if (!r.ok) throw await problem(path, r);
      return r;
    });
  const getJSON = (path) => authed(path, "application/json").then((r) => r.json());
  const li = (parent, content) => {
    const el = document.createElement("li");
    el.textContent = content;
    parent.appendChild(el);
    return el;
  };

  // ---- Periods: 全部 / 本周 / 本月 / 本季度 / 本年 (on the service's clock, Beijing time) or
  // a custom range. The headline answers with the days it covered; lists use those days.
  const state = { period: "all", from: "", to: "", range: null, definitions: {}, minSample: 10 };
  const qs = (params) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, v);
    const s = u.toString();
    return s ? "?" + s : "";
  };
  function periodQuery() {
    if (state.period === "custom") return { from: state.from, to: state.to };
    return state.period === "all" ? {} : { period: state.period };
  }
  const rangeQuery = () => (state.range ? { from: state.range.from, to: state.range.to } : {});

  // Dates as people read them: Beijing time, with the weekday ("10月12日 周一").
  const WEEKDAY_NAMES = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
  const beijing = (iso) => new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
  function bjDay(iso) {
    if (!iso) return "—";
    const d = beijing(iso);
    return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${WEEKDAY_NAMES[d.getUTCDay()]}`;
  }
  function bjTime(iso) {
    const d = beijing(iso);
    const two = (n) => String(n).padStart(2, "0");
    return `${bjDay(iso)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  }
  function plainDay(ymd) {
    const [y, m, d] = ymd.split("-").map(Number);
    return `${y}年${m}月${d}日 ${WEEKDAY_NAMES[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]}`;
  }

  // ---- Rates: "样本不足" under the minimum sample, the definition on hover.
  function rateText(obj, name) {
    const v = obj[name];
    if (v === null || v === undefined) return obj.notes && obj.notes[name] ? "样本不足" : "–";
    return pct(v);
  }
  function describe(el, name, obj) {
    const d = state.definitions[name];
    if (!d) return;
    const sample = obj && obj.samples && obj.samples[name] !== undefined ? `（分母 ${obj.samples[name]}）` : "";
    el.title = `${d.definition}${sample}；少于 ${state.minSample} 件显示“样本不足”。`;
    el.setAttribute("aria-description", el.title);
  }
  // A number that opens the items behind it.
  function drill(value, params, label) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "cell-link";
    b.textContent = value;
    b.addEventListener("click", () => openDrill(params, label));
    return b;
  }
  function rateCell(obj, name, params, label) {
    const b = drill(rateText(obj, name), params, label);
    describe(b, name, obj);
    return b;
  }

  function renderDelta(id, change, rate) {
    const el = document.getElementById(id);
    el.className = "delta";
    if (!change) { el.textContent = ""; return; }
    if (change.delta === null) { el.textContent = "较上期 —"; return; }
    const sign = change.delta > 0 ? "+" : change.delta < 0 ? "−" : "±";
    const abs = Math.abs(change.delta);
    if (rate) {
      el.textContent = `较上期 ${sign}${(abs * 100).toFixed(1)} 个百分点`;
    } else {
      const rel = change.percent === null ? "—" : `${sign}${(Math.abs(change.percent) * 100).toFixed(1)}%`;
      el.textContent = `较上期 ${sign}${abs}（${rel}）`;
    }
    if (change.delta) el.classList.add(change.delta > 0 ? "up" : "down");
  }

  function renderHeadline(h) {
    state.range = h.from && h.to ? { from: h.from, to: h.to } : null;
    text("period-line", state.range
      ? `${plainDay(h.from)} 至 ${plainDay(h.to)}；对比上期 ${plainDay(h.previous_from)} 至 ${plainDay(h.previous_to)}`
      : "全部时间（选择时段后显示较上期变化）");
    text("h-collected", h.suggestions_collected);
    text("h-solved", h.problems_solved);
    text("h-overdue", h.overdue_now);
    for (const [id, name] of [["h-resolution", "resolution_rate"], ["h-ontime", "on_time_reply_rate"], ["h-satisfaction", "satisfaction_rate"]]) {
      const el = document.getElementById(id);
      el.textContent = rateText(h, name);
      describe(el, name, h);
    }
    const parts = document.getElementById("h-satisfaction-parts");
    parts.replaceChildren();
    for (const [label, name, measure] of [["首次", "first_satisfaction_rate", "first_rated"], ["重办后", "rehandled_satisfaction_rate", "ratings"], ["办结", "closure_satisfaction_rate", "rated"]]) {
      const b = drill(`${label} ${rateText(h, name)}`, { measure }, `${label}评价`);
      describe(b, name, h);
      parts.append(b, " ");
    }
    const c = h.change || {};
    renderDelta("d-collected", c.suggestions_collected, false);
    renderDelta("d-solved", c.problems_solved, false);
    renderDelta("d-resolution", c.resolution_rate, true);
    renderDelta("d-ontime", c.on_time_reply_rate, true);
    renderDelta("d-satisfaction", c.satisfaction_rate, true);
    renderDelta("d-overdue", c.overdue_now, false);
  }

  // ---- Drill-down: the items behind a figure, a page at a time; each opens its timeline.
  const list = { params: {}, label: "", sort: "-filed_at", offset: 0, limit: 20, total: 0 };
  function openDrill(params, label) {
    list.params = { ...rangeQuery(), ...params };
    list.label = label;
    list.offset = 0;
    list.sort = params.measure === "overdue_open" ? "reply_by" : "-filed_at";
    loadDrill().catch(report);
  }
  const itemTitle = (r) => r.title || `${[r.category, r.focus_area].filter(Boolean).join(" · ") || "事项"}（本账号不显示标题）`;
  async function loadDrill() {
    const page = await getJSON("/v1/items" + qs({ ...list.params, sort: list.sort, limit: list.limit, offset: list.offset }));
    list.total = page.total;
    const section = document.getElementById("drill");
    section.hidden = false;
    document.getElementById("timeline").hidden = true;
    text("drill-title", `${list.label}：${page.total} 件`);
    text("drill-summary", state.range ? `受理日期 ${plainDay(state.range.from)} 至 ${plainDay(state.range.to)}` : "全部时间");
    const body = document.querySelector("#drill-table tbody");
    body.replaceChildren();
    if (!page.rows.length) emptyRow(body, 7, "没有符合条件的事项：换一个时段或点其他数字再看。");
    for (const r of page.rows) {
      const open = document.createElement("button");
      open.type = "button";
      open.className = "link";
      open.textContent = itemTitle(r);
      open.addEventListener("click", () => openTimeline(r.suggestion_id).catch(report));
      const tr = row(body, [open, r.district_name || "—", r.unit_name || "未交办", r.status_name,
        r.reply_by ? bjDay(r.reply_by) : "—", r.days_overdue ?? "—", bjDay(r.filed_at)], [5]);
      tr.dataset.suggestionId = r.suggestion_id;
    }
    const last = Math.min(list.offset + list.limit, page.total);
    text("drill-page", page.total ? `第 ${list.offset + 1}–${last} 条，共 ${page.total} 条` : "共 0 条");
    document.getElementById("drill-prev").disabled = list.offset === 0;
    document.getElementById("drill-next").disabled = last >= page.total;
    for (const th of document.querySelectorAll("#drill-table th")) {
      const b = th.querySelector(".sort");
      const key = b ? b.dataset.sort : null;
      if (key && list.sort.replace("-", "") === key) th.setAttribute("aria-sort", list.sort.startsWith("-") ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
    section.scrollIntoView({ block: "start" });
    section.dataset.total = String(page.total);
  }

  const STEP_NAMES = {
    filed: "受理", triage: "人工分拣", assigned: "交办", accepted: "签收", progress: "报告进展",
    resolved: "答复", feedback: "群众评价", reopened: "重新办理", closed: "办结", reminder: "催办",
    overdue: "逾期", escalated: "提级督办", returned: "退回", endorsed: "代表附议",
    clustered: "归入高频诉求", extended: "延期", key_case: "列为重点督办",
  };
  const OUTCOMES = { A: "已解决或基本解决", B: "正在解决或列入计划", C: "因条件限制暂不能解决", D: "留作参考" };
  function stepLine(e, item) {
    const s = e.summary || {};
    let who = s.unit_name || s.target_name || (String(e.actor).startsWith("minyi/") ? "" : e.actor);
    if (who && who === item.unit_id) who = item.unit_name || "";  // a unit by its name, not its id
    let line = STEP_NAMES[e.step] || "其他";
    if (who) line += ` · ${who}`;
    if (s.outcome) line += ` · ${OUTCOMES[s.outcome] || s.outcome}${s.on_time === false ? "（超期）" : s.on_time ? "（按时）" : ""}`;
    if (e.step === "feedback") line += s.satisfied ? " · 满意" : " · 不满意";
    if (e.step === "closed" && s.result) line += ` · ${{ satisfied: "满意", unsatisfied: "不满意", no_response: "未评价" }[s.result] || s.result}`;
    if (s.reply) line += `：${String(s.reply).slice(0, 80)}`;
    return line;
  }
  async function openTimeline(id) {
    const s = await getJSON("/v1/suggestions/" + encodeURIComponent(id));
    const section = document.getElementById("timeline");
    section.hidden = false;
    text("timeline-title", itemTitle(s));
    text("timeline-summary", `${s.district_name || "—"} · ${s.unit_name || "未交办"} · ${s.status_name}` +
      (s.reply_by ? ` · 答复期限 ${bjDay(s.reply_by)}` : ""));
    const ol = document.getElementById("timeline-steps");
    ol.replaceChildren();
    for (const e of s.timeline) {
      const item = document.createElement("li");
      item.dataset.step = e.step;
      const when = document.createElement("time");
      when.dateTime = e.time;
      when.textContent = bjTime(e.time);
      item.append(when, " ", stepLine(e, s));
      ol.appendChild(item);
    }
    section.dataset.suggestionId = id;
    section.scrollIntoView({ block: "start" });
  }

  // Exports with the token (a plain link would be refused): fetched, then saved.
  async function download(path, name) {
    const r = await authed(path, "*/*");
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 2000);
  }

  // ---- The short lists: overdue now, and the latest answers (from the store, then live).
  function itemList(id, rows, empty, describeRow) {
    const ul = document.getElementById(id);
    ul.replaceChildren();
    if (!rows.length) { li(ul, empty).className = "empty"; return; }
    for (const r of rows) {
      const item = document.createElement("li");
      const open = document.createElement("button");
      open.type = "button";
      open.className = "link";
      open.textContent = itemTitle(r);
      open.addEventListener("click", () => openTimeline(r.suggestion_id).catch(report));
      const detail = document.createElement("small");
      detail.textContent = describeRow(r);
      item.append(open, detail);
      item.dataset.suggestionId = r.suggestion_id;
      ul.appendChild(item);
    }
  }
  function renderOverdue(rows) {
    itemList("overdue", rows.slice(0, 20), "当前没有逾期事项。", (r) =>
      `${r.district_name || "—"} · ${r.unit_name || "未交办"} · 应于 ${bjDay(r.reply_by)} 前答复 · 已逾期 ${r.days_overdue ?? "—"} 天`);
  }
  function renderLatest(rows) {
    itemList("resolutions", rows, "暂无办结：承办单位答复后，这里实时显示最新办结事项。", (r) =>
      `${r.unit_name || "—"} · ${bjTime(r.replied_at)} 答复 · ${r.outcome_name || r.outcome || ""}${r.on_time === false ? "（超期）" : "（按时）"}`);
  }

  // The heat map's axes as shown (names) and the codes behind them (for the drill-down).
  const heat = { districts: [], focus: [] };
  function renderHeatmap(data) {
    const rows = data.district_focus;
    const name = (r) => r.district_name || r.district_code || "未知";
    const xs = [...new Set(rows.map(name))];
    const ys = [...new Set(rows.map((r) => r.focus_area || "未分类"))];
    heat.districts = xs.map((x) => (rows.find((r) => name(r) === x) || {}).district_code || "");
    heat.focus = ys.map((y) => (y === "未分类" ? "" : y));
    heat.names = xs;
    heat.focusNames = ys;
    const cells = rows.map((r) => [xs.indexOf(name(r)), ys.indexOf(r.focus_area || "未分类"), r.count]);
    const max = Math.max(1, ...cells.map((c) => c[2]));
    charts.heatmap.setOption({
      tooltip: { position: "top", formatter: (p) => `${xs[p.data[0]]} · ${ys[p.data[1]]}：${p.data[2]} 件（点击查看事项）` },
      grid: { left: 110, right: 20, top: 10, bottom: 60 },
      xAxis: { type: "category", data: xs, splitArea: { show: true } },
      yAxis: { type: "category", data: ys, splitArea: { show: true } },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#fff5f0", "#b71c1c"] } },
      series: [{ name: "件数", type: "heatmap", data: cells, label: { show: true }, cursor: "pointer" }],
    }, true);
  }

  // The map view of the heat map (citymap.js): a district's townships on a click.
  let cityMapData = null;
  function renderCityMap(data) {
    cityMapData = data;
    drawMap(charts.citymap, data);
    renderZones(document.getElementById("zones"), data, (code) => openDistrict(code).catch(report));
    const open = document.getElementById("townships");
    if (!open.hidden && open.dataset.code) openDistrict(open.dataset.code).catch(report);
  }
  async function openDistrict(code) {
    const data = await getJSON(`/v1/map/${encodeURIComponent(code)}` + qs(periodQuery()));
    renderTownships(document.getElementById("townships"), data);
  }
  function showTab(which) {
    for (const [tab, panel] of [["tab-map", "panel-map"], ["tab-matrix", "panel-matrix"]]) {
      const on = tab === which;
      document.getElementById(tab).setAttribute("aria-selected", String(on));
      document.getElementById(panel).hidden = !on;
    }
    // Only the charts on show: a hidden one has no size to lay a map out in.
    Object.values(charts).filter((c) => c.getDom().offsetWidth > 0).forEach((c) => c.resize());
  }

  let trendWeeks = [];
  function renderTrends(rows) {
    trendWeeks = rows.map((r) => r.week);
    charts.trends.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["受理", "答复", "解决"], top: 0 },
      grid: { left: 40, right: 20, top: 36, bottom: 30 },
      xAxis: { type: "category", data: rows.map((r) => r.week) },
      yAxis: { type: "value" },
      series: [
        { name: "受理", type: "line", data: rows.map((r) => r.filed) },
        { name: "答复", type: "line", data: rows.map((r) => r.replied) },
        { name: "解决", type: "bar", data: rows.map((r) => r.solved) },
      ],
    }, true);
  }

  const emptyRow = (body, columns, message) => {
    const td = document.createElement("td");
    td.colSpan = columns;
    td.className = "empty";
    td.textContent = message;
    body.appendChild(document.createElement("tr")).appendChild(td);
  };
  // A table row; the cells at ``numeric`` right-aligned, at ``groups`` opening a group.
  const row = (body, cells, numeric = [], groups = []) => {
    const tr = document.createElement("tr");
    cells.forEach((v, i) => {
      const td = document.createElement("td");
      if (v instanceof Node) td.appendChild(v); else td.textContent = v;
      if (numeric.includes(i)) td.classList.add("n");
      if (groups.includes(i)) td.classList.add("group");
      tr.appendChild(td);
    });
    body.appendChild(tr);
    return tr;
  };

  // Units: people's suggestions, then what officials promised at visits to stations
  // (承诺事项) and the questions they owe a written answer. Every number opens its items.
  function renderTable(units) {
    const body = document.querySelector("#units tbody");
    body.replaceChildren();
    if (!units.length) {
      emptyRow(body, 17, "暂无承办单位数据：事项交办或局长进站作出承诺后，这里列出各单位的办理情况。");
      return;
    }
    for (const u of units.slice(0, 20)) {
      const at = { unit: u.unit_id };
      const what = (label) => `${u.unit_name} · ${label}`;
      const commitment = { ...at, kind: "commitment" };
      const question = { ...at, kind: "visit_question" };
      const ratings = drill(`${u.ratings_satisfied} / ${u.ratings_unsatisfied}`, { ...at, measure: "ratings" }, what("得到评价的事项"));
      ratings.title = `满意 ${u.ratings_satisfied} 次，不满意 ${u.ratings_unsatisfied} 次（首次评价和重办后评价）`;
      const tr = row(body, [u.rank, drill(u.unit_name, at, what("交办事项")),
        drill(u.assigned, at, what("交办事项")),
        drill(u.replied, { ...at, measure: "replied" }, what("已答复")),
        rateCell(u, "on_time_reply_rate", { ...at, measure: "replied_on_time" }, what("按时答复")),
        drill(u.overdue_now, { ...at, measure: "overdue_open" }, what("当前逾期")),
        u.mean_days_to_reply ?? "–",
        rateCell(u, "satisfaction_rate", { ...at, measure: "ratings" }, what("得到评价的事项")),
        ratings,
        drill(u.commitments, commitment, what("局长进站承诺")),
        drill(u.commitments_kept_on_time, { ...commitment, measure: "replied_on_time" }, what("按期兑现的承诺")),
        drill(u.commitments_kept_late, { ...commitment, measure: "replied_late" }, what("逾期兑现的承诺")),
        drill(u.commitments_overdue_now, { ...commitment, measure: "overdue_open" }, what("逾期未兑现的承诺")),
        drill(u.visit_questions, question, what("应书面答复的问题")),
        drill(u.visit_questions_answered_on_time, { ...question, measure: "replied_on_time" }, what("按期答复的问题")),
        drill(u.visit_questions_answered_late, { ...question, measure: "replied_late" }, what("超期答复的问题")),
        drill(u.visit_questions_overdue_now, { ...question, measure: "overdue_open" }, what("逾期未答复的问题"))],
      [], [9, 13]);
      tr.dataset.unitId = u.unit_id;
    }
  }

  // 代表履职: the year's figures, the policy score's ranking and the quarter's coverage.
  const WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
  function day(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return `${m}月${d}日 ${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]}`;
  }
  const quarterName = (q) => { const [y, n] = q.split("-Q"); return `${y}年第${n}季度`; };
  function band(r) {
    const tag = document.createElement("span");
    tag.className = "band band-" + (r.band || "none");
    tag.textContent = r.band_label || "未评价";
    return tag;
  }

  // The year in the practice's own terms, under the headline: "2026年：代表履职 N 人次 …".
  function renderYearLine(year) {
    const line = document.getElementById("year-line");
    line.replaceChildren(`${year.year}年：代表履职 `);
    const figure = (v, after) => {
      const b = document.createElement("b");
      b.textContent = v;
      line.append(b, after);
    };
    figure(year.deputy_outings, " 人次，收到意见建议 ");
    figure(year.suggestions, " 件，解决问题 ");
    figure(year.problems_solved, " 件。");
  }

  function renderDeputies(year, reps, coverage) {
    renderYearLine(year);
    text("y-year", `${year.year}年`);
    text("y-outings", year.deputy_outings);
    // The year's suggestions and problems solved open their items (filed that year).
    const yearRange = { from: year.from, to: year.to };
    document.getElementById("y-suggestions").replaceChildren(drill(year.suggestions, yearRange, `${year.year}年收到的意见建议`));
    document.getElementById("y-solved").replaceChildren(drill(year.problems_solved, { ...yearRange, measure: "solved" }, `${year.year}年解决的问题`));
    const o = year.outings;
    text("y-breakdown", `履职人次 = 接待群众到场 ${o.reception_attendance} + 局长进站到场 ${o.visit_attendance} + 登记履职活动 ${o.activities}；意见建议为当年收到的群众和代表意见建议（不含进站承诺），解决问题为其中答复为“已解决”（A）的件数。`);
    text("c-quarter", quarterName(coverage.quarter));
    text("c-share", pct(coverage.share));
    text("c-range", `${day(coverage.from)}至${day(coverage.to)}，`);

    const body = document.querySelector("#reps tbody");
    body.replaceChildren();
    if (!reps.length) {
      emptyRow(body, 8, "暂无代表履职数据：代表或联络站工作人员登记履职活动、履职档案评分后，这里按评价办法的得分排名。");
    }
    for (const r of reps.slice(0, 30)) {
      const score = r.score === null || r.score === undefined ? "–" : r.score.toFixed(1);
      const tr = row(body, [r.rank, r.deputy_name, r.level_name || "—", r.district_name || "—",
        score, band(r), r.activities,
        drill(r.suggestions_filed, { ...yearRange, representative: r.representative_id }, `${r.deputy_name}领衔的建议`)], [4, 6, 7]);
      tr.dataset.deputyId = r.representative_id;
    }
    const coverageRows = (id, rows, name) => {
      const tbody = document.querySelector(`#${id} tbody`);
      tbody.replaceChildren();
      if (!rows.length) {
        emptyRow(tbody, 4, "暂无在任代表：联络站导入代表名册后，这里显示各区县、各层级的履职覆盖率。");
      }
      for (const c of rows) row(tbody, [name(c), c.serving, c.active, pct(c.share)], [1, 2, 3]);
    };
    coverageRows("coverage-division", coverage.by_division, (c) => c.district_name || c.district_code || "未知");
    coverageRows("coverage-level", coverage.by_level, (c) => c.level_name || c.level || "未知");
  }

  // 联络站接待: one row per station (the API sorts them), and the weeks of reception days.
  function renderLiaisonStations(stations) {
    const body = document.querySelector("#liaison-stations tbody");
    body.replaceChildren();
    if (!stations.length) {
      const td = document.createElement("td");
      td.colSpan = 9;
      td.className = "empty";
      td.textContent = "暂无联络站数据：联络站登记后在这里列出各站的接待、预约和反映事项。";
      body.appendChild(document.createElement("tr")).appendChild(td);
      return;
    }
    for (const s of stations.slice(0, 30)) {
      const tr = document.createElement("tr");
      tr.dataset.stationId = s.station_id;
      const cells = [s.station_name, s.station_kind_name || "—", s.district_names || "—",
        s.receptions_held, s.bookings_made, s.matters_raised, s.matters_answered,
        s.matters_referred, pct(s.answered_share)];
      cells.forEach((v, i) => {
        const td = document.createElement("td");
        td.textContent = v;
        if (i >= 3) td.className = "n";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
  }

  function renderLiaisonWeekly(weeks) {
    const empty = !weeks.length;
    document.getElementById("liaison-weekly").hidden = empty;
    document.getElementById("liaison-weekly-empty").hidden = !empty;
    if (empty) return;
    charts.liaison.resize();
    // A week by its Monday: "9月29日起".
    const label = (w) => { const [, m, d] = w.week_start.split("-"); return `${+m}月${+d}日起`; };
    const many = weeks.length > 16;
    charts.liaison.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["举行接待", "预约人次", "当场答复", "转为建议"], top: 0 },
      grid: { left: 40, right: 20, top: 36, bottom: many ? 60 : 30 },
      xAxis: { type: "category", data: weeks.map(label) },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: many ? [{ type: "slider", startValue: weeks.length - 12 }] : [],
      series: [
        { name: "举行接待", type: "bar", color: "#b71c1c", data: weeks.map((w) => w.receptions_held) },
        { name: "预约人次", type: "line", color: "#5470c6", data: weeks.map((w) => w.bookings_made) },
        { name: "当场答复", type: "bar", stack: "matters", color: "#2e7d32", data: weeks.map((w) => w.matters_answered) },
        { name: "转为建议", type: "bar", stack: "matters", color: "#f9a825", data: weeks.map((w) => w.matters_referred) },
      ],
    }, true);
  }

  function renderLiaison(stations, weeks) {
    const sum = (k) => stations.reduce((n, s) => n + s[k], 0);
    text("l-held", sum("receptions_held"));
    text("l-bookings", sum("bookings_made"));
    text("l-raised", sum("matters_raised"));
    text("l-answered", sum("matters_answered"));
    text("l-referred", sum("matters_referred"));
    renderLiaisonStations(stations);
    renderLiaisonWeekly(weeks);
  }

  // Only the newest refresh draws: one started before a period change (a live event's, say)
  // may answer after it and must not paint the old period over the new one.
  let refreshes = 0;
  async function refresh() {
    const mine = ++refreshes;
    const p = qs(periodQuery());
    const [headline, heatmap, cityMap, trends, recurring, units, overdue, latest, stations, weeks, year, coverage, definitions] = await Promise.all([
      getJSON("/v1/headline" + p), getJSON("/v1/heatmap" + p), getJSON("/v1/map" + p), getJSON("/v1/trends" + p),
      getJSON("/v1/recurring" + p), getJSON("/v1/units" + p), getJSON("/v1/overdue" + p),
      getJSON("/v1/replies/latest?limit=10"),
      getJSON("/v1/liaison/stations"), getJSON("/v1/liaison/weekly"),
      getJSON("/v1/headline/year"), getJSON("/v1/representatives/coverage"),
      getJSON("/v1/definitions"),
    ]);
    state.minSample = definitions.min_sample;
    for (const d of definitions.rates) state.definitions[d.name] = d;
    // The ranking of the year the headline shows (the latest with data).
    const reps = await getJSON("/v1/representatives?year=" + year.year);
    if (mine !== refreshes) return;
    renderHeadline(headline);
    renderHeatmap(heatmap);
    renderCityMap(cityMap);
    renderTrends(trends);
    const rec = document.getElementById("recurring");
    rec.replaceChildren();
    if (!recurring.length) li(rec, "暂无高频诉求：同类诉求反复出现时，这里按件数列出。").className = "empty";
    for (const c of recurring.slice(0, 10)) {
      const item = document.createElement("li");
      const name = c.representative_title || "未命名诉求";
      item.append(drill(name, { cluster: c.cluster_id }, `高频诉求“${name}”`),
        `（${c.district_name || "—"}，共 ${c.size} 件，本时段新增 ${c.growth} 件${c.supports ? `，附议 ${c.supports} 人` : ""}）`);
      item.dataset.clusterId = c.cluster_id;
      rec.appendChild(item);
    }
    renderTable(units);
    renderLiaison(stations, weeks);
    renderDeputies(year, reps, coverage);
    renderOverdue(overdue);
    renderLatest(latest);
    document.body.dataset.loaded = "true";
    document.body.dataset.period = state.period;
  }

  let pending = null;
  function refreshSoon() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; refresh().catch(report); }, 300);
  }
  function report(err) { text("live", "数据加载失败：" + err.message); }

  // A new answer: shown at once, then the list is read again from the store (titles, units).
  function onResolution(data) {
    const r = JSON.parse(data);
    const ul = document.getElementById("resolutions");
    if (!ul.querySelector(`li[data-suggestion-id="${CSS.escape(r.suggestion_id)}"]`)) {
      ul.querySelector(".empty")?.remove();
      const item = document.createElement("li");
      item.textContent = `新办结事项（${OUTCOMES[r.outcome] || r.outcome || ""}${r.on_time ? "，按时" : "，超期"}），正在载入…`;
      item.dataset.suggestionId = r.suggestion_id;
      ul.prepend(item);
    }
    refreshSoon();
  }

  // Server-sent events read through fetch: EventSource cannot send a bearer token. The
  // server ends each stream after 25 s; the loop reconnects at once (after 1 s on errors).
  async function listen(mine) {
    for (;;) {
      if (!started || mine !== session) return;  // signed out, or signed in again
      try {
        const response = await authed("/v1/stream/resolutions", "text/event-stream");
        text("live", "● 实时更新中");
        refreshSoon();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const lines = block.split("\n");
            const event = lines.find((l) => l.startsWith("event: "));
            const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
            if (event === "event: resolution" && data.length) onResolution(data.join("\n"));
          }
        }
      } catch (err) {
        if (err && err.signedOut) return;  // the kit shows the sign-in screen
        text("live", "实时连接重连中…（" + err.message + "）");
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  function start() {
    if (started) { refreshSoon(); return; }
    started = true;
    session += 1;
    refresh().catch(report);
    listen(session);
  }

  document.addEventListener("DOMContentLoaded", () => {
    charts.heatmap = echarts.init(document.getElementById("heatmap"));
    charts.citymap = echarts.init(document.getElementById("citymap"));
    charts.citymap.on("click", (e) => {
      const code = cityMapData && clickedDivision(cityMapData, e);
      if (code) openDistrict(code).catch(report);
    });
    document.getElementById("tab-map").addEventListener("click", () => showTab("tab-map"));
    document.getElementById("tab-matrix").addEventListener("click", () => showTab("tab-matrix"));
    charts.trends = echarts.init(document.getElementById("trends"));
    charts.liaison = echarts.init(document.getElementById("liaison-weekly"));
    // Every chart element opens its items: a heat-map cell, a week's point of a series.
    charts.heatmap.on("click", (e) => {
      const [x, y] = e.data;
      openDrill({ district: heat.districts[x], focus_area: heat.focus[y] }, `${heat.names[x]} · ${heat.focusNames[y]}`);
    });
    const SERIES = { "受理": "n", "答复": "replied", "解决": "solved" };
    charts.trends.on("click", (e) => {
      const week = trendWeeks[e.dataIndex];
      if (!week) return;
      const [y, w] = week.split("-W").map(Number);
      // The ISO week's Monday and Sunday, kept inside the chosen period.
      const jan4 = new Date(Date.UTC(y, 0, 4));
      const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 864e5 + (w - 1) * 7 * 864e5);
      const iso = (d) => d.toISOString().slice(0, 10);
      let from = iso(monday), to = iso(new Date(monday.getTime() + 6 * 864e5));
      if (state.range) { from = from < state.range.from ? state.range.from : from; to = to > state.range.to ? state.range.to : to; }
      openDrill({ measure: SERIES[e.seriesName] || "n", from, to }, `${week} · ${e.seriesName}`);
    });
    for (const b of document.querySelectorAll("#headline .figure")) {
      b.addEventListener("click", () => openDrill({ measure: b.dataset.measure }, b.dataset.label));
    }
    document.getElementById("overdue-all").addEventListener("click", () => openDrill({ measure: "overdue_open" }, "当前逾期"));
    document.getElementById("drill-close").addEventListener("click", () => { document.getElementById("drill").hidden = true; });
    document.getElementById("timeline-close").addEventListener("click", () => {
      document.getElementById("timeline").hidden = true;
      const drillSection = document.getElementById("drill");
      if (!drillSection.hidden) drillSection.scrollIntoView({ block: "start" });
    });
    document.getElementById("drill-prev").addEventListener("click", () => { list.offset = Math.max(0, list.offset - list.limit); loadDrill().catch(report); });
    document.getElementById("drill-next").addEventListener("click", () => { list.offset += list.limit; loadDrill().catch(report); });
    for (const b of document.querySelectorAll("#drill-table .sort")) {
      b.addEventListener("click", () => {
        list.sort = list.sort === b.dataset.sort ? "-" + b.dataset.sort : b.dataset.sort;
        list.offset = 0;
        loadDrill().catch(report);
      });
    }
    const exportList = (fmt) => download("/v1/items" + qs({ ...list.params, sort: list.sort, format: fmt }), `事项清单.${fmt}`).catch(report);
    document.getElementById("drill-csv").addEventListener("click", () => exportList("csv"));
    document.getElementById("drill-xlsx").addEventListener("click", () => exportList("xlsx"));
    // The monthly report (月度民情分析报告): last month by default, as Word or PDF.
    const reportMonth = document.getElementById("report-month");
    const now = new Date(Date.now() + 8 * 3600 * 1000);  // Beijing's calendar
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    reportMonth.value = last.toISOString().slice(0, 7);
    document.getElementById("report-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const error = document.getElementById("report-error");
      const month = reportMonth.value;
      error.hidden = Boolean(month);
      if (!month) { error.textContent = "请选择月份。"; reportMonth.focus(); return; }
      const fmt = e.submitter && e.submitter.value === "pdf" ? "pdf" : "docx";
      download(`/v1/reports/monthly/${month}.${fmt}`, `月度民情分析报告-${month}.${fmt}`)
        .catch((err) => { error.textContent = err.message; error.hidden = false; });
    });
    for (const a of document.querySelectorAll('footer a[href^="/v1/export/"]')) {
      a.addEventListener("click", (e) => {
        e.preventDefault();
        const name = a.getAttribute("href").split("/").pop();
        download(a.getAttribute("href") + qs(periodQuery()), name).catch(report);
      });
    }
    // The period: a choice reloads every view; a custom range waits for both dates.
    const periods = document.getElementById("periods");
    const periodError = document.getElementById("period-error");
    const choose = () => {
      state.period = periods.querySelector("input[name=period]:checked").value;
      document.getElementById("custom-range").hidden = state.period !== "custom";
      periodError.hidden = true;
      if (state.period === "custom") return;
      document.getElementById("drill").hidden = true;
      document.getElementById("timeline").hidden = true;
      refresh().catch(report);
    };
    for (const r of periods.querySelectorAll("input[name=period]")) r.addEventListener("change", choose);
    periods.addEventListener("submit", (e) => {
      e.preventDefault();
      const from = document.getElementById("range-from").value;
      const to = document.getElementById("range-to").value;
      const wrong = !from ? ["range-from", "请选择开始日期。"] : !to ? ["range-to", "请选择结束日期。"] : from > to ? ["range-from", "开始日期不能晚于结束日期。"] : null;
      if (wrong) {
        periodError.textContent = wrong[1];
        periodError.hidden = false;
        document.getElementById(wrong[0]).focus();
        return;
      }
      periodError.hidden = true;
      Object.assign(state, { from, to });
      document.getElementById("drill").hidden = true;
      refresh().catch(report);
    });
    window.addEventListener("resize", () => Object.values(charts).filter((c) => c.getDom().offsetWidth > 0).forEach((c) => c.resize()));
    startSession({
      title: "民情数据看板登录",
      hint: "看板数据仅供分析人员、督导组和人大办公室查看。",
      roles: ["analyst", "supervisor", "admin"],
      onSignedIn: async () => {
        Object.values(charts).filter((c) => c.getDom().offsetWidth > 0).forEach((c) => c.resize());
        start();
      },
      onSignedOut: () => { started = false; },
    });
  });
})();
