// 民情地图: the city's districts coloured by the number of suggestions, liaison stations as
// points, the functional zones (no region on the map) listed beside it, a district's
// townships on a click. Used by the public ledger (/ledger) and the office dashboard (/).
// The regions' names come from the API (map_name): the mapping lives in domain/geo.py only.

export function drawMap(chart, data) {
  const regions = data.divisions.filter((d) => d.map_name);
  const max = Math.max(1, ...data.divisions.map((d) => d.count));
  chart.setOption({
    tooltip: {
      trigger: "item",
      formatter: (p) => (p.seriesType === "scatter"
        ? `${p.data.station.name}（联络站）`
        : `${p.data ? p.data.divisionName : p.name}：${p.value || 0} 件（点击查看乡镇街道）`),
    },
    geo: {
      map: data.map,
      roam: false,
      layoutCenter: ["50%", "50%"],
      layoutSize: "95%",
      // The division's name as it is today (the file says 京山县 for 京山市).
      label: { show: true, fontSize: 11, color: "#1f2d3d", formatter: (p) => (regions.find((d) => d.map_name === p.name) || { name: p.name }).name },
      itemStyle: { borderColor: "#fff", borderWidth: 1 },
      emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffd54f" } },
      select: { disabled: true },
    },
    visualMap: {
      min: 0, max, seriesIndex: 0, calculable: true, orient: "horizontal", left: "center", bottom: 0,
      text: ["多", "少"], inRange: { color: ["#fff5f0", "#fcae91", "#b71c1c"] },
    },
    series: [
      {
        name: "意见建议",
        type: "map",
        geoIndex: 0,
        data: regions.map((d) => ({ name: d.map_name, value: d.count, code: d.code, divisionName: d.name })),
      },
      {
        name: "联络站",
        type: "scatter",
        coordinateSystem: "geo",
        symbolSize: 9,
        itemStyle: { color: "#1565c0", borderColor: "#fff", borderWidth: 1 },
        data: data.stations.map((s) => ({ value: [s.lon, s.lat], station: s })),
      },
    ],
  }, true);
}

// The division a click on the map names (a region, or a station's first division), or null.
export function clickedDivision(data, e) {
  if (e.seriesType === "scatter") return (e.data && e.data.station.division_codes[0]) || null;
  const region = data.divisions.find((d) => d.map_name && d.map_name === e.name);
  return region ? region.code : null;
}

// The functional zones as a list of buttons (they have no region on the map).
export function renderZones(el, data, onPick) {
  el.replaceChildren();
  for (const d of data.divisions.filter((x) => !x.map_name)) {
    const item = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "zone";
    b.dataset.code = d.code;
    b.textContent = `${d.name}：${d.count} 件`;
    b.addEventListener("click", () => onPick(d.code));
    item.appendChild(b);
    el.appendChild(item);
  }
}

// A division's townships and their counts, in a table.
export function renderTownships(panel, data) {
  panel.hidden = false;
  panel.dataset.code = data.code;
  panel.querySelector("h3").textContent = `${data.name}：各乡镇街道意见建议（共 ${data.total} 件）`;
  const body = panel.querySelector("tbody");
  body.replaceChildren();
  for (const t of data.townships) {
    const row = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = t.township;
    const n = document.createElement("td");
    n.className = "n";
    n.textContent = String(t.count);
    row.append(name, n);
    body.appendChild(row);
  }
}
