"use strict";
// 民情数据看板: reads the reporting API and listens to /v1/stream/resolutions.
(function () {
  const charts = {};
  const pct = (v) => (v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%");
  const text = (id, v) => { document.getElementById(id).textContent = v; };
  // The API takes a bearer token (`minyi token issue --role analyst`); it is kept for this
  // browser tab only and asked for again when the service refuses it.
  const TOKEN_KEY = "minyi.token";
  function token() {
    let t = sessionStorage.getItem(TOKEN_KEY);
    if (!t) {
      t = (window.prompt("请输入访问令牌（minyi token issue --role analyst）") || "").trim();
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
    }
    return t;
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
    if (r.status === 401) sessionStorage.removeItem(TOKEN_KEY);
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

  function renderTable(units) {
    const body = document.querySelector("#units tbody");
    body.replaceChildren();
    for (const u of units.slice(0, 20)) {
      const tr = document.createElement("tr");
      for (const v of [u.rank, u.unit_name, u.assigned, u.replied, pct(u.on_time_reply_rate), u.overdue_now, u.mean_days_to_reply ?? "–", pct(u.satisfaction_rate)]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
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
    const [headline, heatmap, trends, recurring, units, overdue, stations, weeks] = await Promise.all([
      getJSON("/v1/headline"), getJSON("/v1/heatmap"), getJSON("/v1/trends"),
      getJSON("/v1/recurring"), getJSON("/v1/units"), getJSON("/v1/overdue"),
      getJSON("/v1/liaison/stations"), getJSON("/v1/liaison/weekly"),
    ]);
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

  document.addEventListener("DOMContentLoaded", () => {
    charts.heatmap = echarts.init(document.getElementById("heatmap"));
    charts.trends = echarts.init(document.getElementById("trends"));
    charts.liaison = echarts.init(document.getElementById("liaison-weekly"));
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    refresh().catch(report);
    listen();
  });
})();
