"use strict";
// 民情数据看板: reads the reporting API and listens to /v1/stream/resolutions.
(function () {
  const charts = {};
  const pct = (v) => (v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%");
  const text = (id, v) => { document.getElementById(id).textContent = v; };
  // The API takes a bearer token (`minyi token issue --role analyst`), typed into the sign-in
  // form; it is kept for this browser tab only and asked for again when the service refuses it.
  const TOKEN_KEY = "minyi.token";
  const token = () => sessionStorage.getItem(TOKEN_KEY) || "";
  let started = false;
  function signIn(message) {
    document.body.dataset.signin = "true";
    document.getElementById("signin").hidden = false;
    const error = document.getElementById("signin-error");
    error.hidden = !message;
    error.textContent = message || "";
    document.getElementById("token").focus();
  }
  // Every error answer is {"detail": [{"type", "loc", "msg"}]}: the messages are shown.
  async function problem(path, r) {
    let text = "";
    try {
      const body = await r.json();
      text = (body.detail || []).map((p) => (p.loc && p.loc.length ? p.loc.join(".") + "：" : "") + p.msg).join("；");
    } catch (err) { /* not JSON: the status says enough */ }
    return new Error(text || path + " → " + r.status);
  }
  const authed = (path, accept) => fetch(path, {
    headers: { Accept: accept, Authorization: "Bearer " + token() },
  }).then(async (r) => {
    if (r.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      signIn("令牌无效或已过期，请重新输入。");
    }
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

  function renderHeatmap(data) {
    const rows = data.district_focus;
    const xs = [...new Set(rows.map((r) => r.district_name || r.district_code || "未知"))];
    const ys = [...new Set(rows.map((r) => r.focus_area || "未分类"))];
    const cells = rows.map((r) => [xs.indexOf(r.district_name || r.district_code || "未知"), ys.indexOf(r.focus_area || "未分类"), r.count]);
    const max = Math.max(1, ...cells.map((c) => c[2]));
    charts.heatmap.setOption({
      tooltip: { position: "top" },
      grid: { left: 110, right: 20, top: 10, bottom: 60 },
      xAxis: { type: "category", data: xs, splitArea: { show: true } },
      yAxis: { type: "category", data: ys, splitArea: { show: true } },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#fff5f0", "#b71c1c"] } },
      series: [{ name: "件数", type: "heatmap", data: cells, label: { show: true } }],
    }, true);
  }

  function renderTrends(rows) {
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
  // (承诺事项) and the questions they owe a written answer.
  function renderTable(units) {
    const body = document.querySelector("#units tbody");
    body.replaceChildren();
    if (!units.length) {
      emptyRow(body, 16, "暂无承办单位数据：事项交办或局长进站作出承诺后，这里列出各单位的办理情况。");
      return;
    }
    for (const u of units.slice(0, 20)) {
      const tr = row(body, [u.rank, u.unit_name, u.assigned, u.replied, pct(u.on_time_reply_rate),
        u.overdue_now, u.mean_days_to_reply ?? "–", pct(u.satisfaction_rate),
        u.commitments, u.commitments_kept_on_time, u.commitments_kept_late, u.commitments_overdue_now,
        u.visit_questions, u.visit_questions_answered_on_time, u.visit_questions_answered_late,
        u.visit_questions_overdue_now], [], [8, 12]);
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
    text("y-suggestions", year.suggestions);
    text("y-solved", year.problems_solved);
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
        score, band(r), r.activities, r.suggestions_filed], [4, 6, 7]);
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

  async function refresh() {
    const [headline, heatmap, trends, recurring, units, overdue, stations, weeks, year, coverage] = await Promise.all([
      getJSON("/v1/headline"), getJSON("/v1/heatmap"), getJSON("/v1/trends"),
      getJSON("/v1/recurring"), getJSON("/v1/units"), getJSON("/v1/overdue"),
      getJSON("/v1/liaison/stations"), getJSON("/v1/liaison/weekly"),
      getJSON("/v1/headline/year"), getJSON("/v1/representatives/coverage"),
    ]);
    // The ranking of the year the headline shows (the latest with data).
    const reps = await getJSON("/v1/representatives?year=" + year.year);
    text("h-collected", headline.suggestions_collected);
    text("h-solved", headline.problems_solved);
    text("h-resolution", pct(headline.resolution_rate));
    text("h-satisfaction", pct(headline.satisfaction_rate));
    text("h-overdue", headline.overdue_now);
    renderHeatmap(heatmap);
    renderTrends(trends);
    const rec = document.getElementById("recurring");
    rec.replaceChildren();
    for (const c of recurring.slice(0, 10)) li(rec, `${c.representative_title || c.cluster_id}（${c.district_name || "—"}，共 ${c.size} 件，新增 ${c.growth} 件）`);
    renderTable(units);
    renderLiaison(stations, weeks);
    renderDeputies(year, reps, coverage);
    const od = document.getElementById("overdue");
    od.replaceChildren();
    for (const o of overdue.slice(0, 20)) li(od, `${o.title || o.suggestion_id} · ${o.unit_name || o.unit_id || ""} · 应于 ${String(o.reply_by || "").slice(0, 10)} 前答复`);
    document.body.dataset.loaded = "true";
  }

  let pending = null;
  function refreshSoon() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; refresh().catch(report); }, 300);
  }
  function report(err) { text("live", "数据加载失败：" + err.message); }

  function onResolution(data) {
    const r = JSON.parse(data);
    const list = document.getElementById("resolutions");
    const item = li(list, `${r.suggestion_id} 已答复（结果 ${r.outcome}${r.on_time ? "，按时" : "，超期"}）`);
    item.dataset.suggestionId = r.suggestion_id;
    list.prepend(item);
    refreshSoon();
  }

  // Server-sent events read through fetch: EventSource cannot send a bearer token. The
  // server ends each stream after 25 s; the loop reconnects at once (after 1 s on errors).
  async function listen() {
    for (;;) {
      if (!token()) {  // signed out (a refused token): wait for the sign-in form
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
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
        text("live", "实时连接重连中…（" + err.message + "）");
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  function start() {
    if (started) { refreshSoon(); return; }
    started = true;
    refresh().catch(report);
    listen();
  }

  document.addEventListener("DOMContentLoaded", () => {
    charts.heatmap = echarts.init(document.getElementById("heatmap"));
    charts.trends = echarts.init(document.getElementById("trends"));
    charts.liaison = echarts.init(document.getElementById("liaison-weekly"));
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    document.getElementById("signin").addEventListener("submit", (e) => {
      e.preventDefault();
      const typed = document.getElementById("token").value.trim();
      if (!typed) { signIn("请输入访问令牌。"); return; }
      sessionStorage.setItem(TOKEN_KEY, typed);
      document.getElementById("signin").hidden = true;
      delete document.body.dataset.signin;
      Object.values(charts).forEach((c) => c.resize());
      start();
    });
    if (token()) start(); else signIn();
  });
})();
