// 找代表: the deputies who represent a place and the stations serving it, from intake's own
// API (the CSP allows no other origin). Shown with textContent only, never as markup.
// Uses $, show, api, switchTab and addressTo of app.js (loaded first).
"use strict";

const LEVELS = [
  ["national", "全国人大代表"], ["provincial", "省人大代表"], ["city", "市人大代表"],
  ["county", "县（市、区）人大代表"], ["township", "乡镇人大代表"],
];
const KINDS = {
  station: "代表联络站", online_station: "网上代表联络站",
  contact_point: "代表联系点", observation_point: "基层观察点",
};
let places = [];

// el("p", {class: "muted"}, "text", child, ...)
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null) return;
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  });
  children.flat().forEach((c) => { if (c !== undefined && c !== null && c !== "") node.append(c); });
  return node;
}

function options(select, first, values) {
  select.replaceChildren(new Option(first, ""));
  values.forEach(([value, label]) => select.add(new Option(label, value)));
}

function pickedDivision() { return places.find((d) => d.code === $("find-division").value); }

function fillFindTownships() {
  const d = pickedDivision();
  options($("find-township"), "（可不选）", (d ? d.townships : []).map((t) => [t.name, t.name]));
  fillFindCommunities();
}

function fillFindCommunities() {
  const d = pickedDivision();
  const t = d ? d.townships.find((x) => x.name === $("find-township").value) : null;
  options($("find-community"), "（可不选）", (t ? t.communities : []).map((c) => [c, c]));
}

function link(href, text) {
  return el("a", { href: href, target: "_blank", rel: "noopener" }, text);
}

function action(text, onClick) {
  const b = el("button", { type: "button" }, text);
  b.addEventListener("click", onClick);
  return b;
}

function deputyCard(d, label, place) {
  const name = d.name + "（" + label + "）";
  return el("div", { class: "card deputy" },
    el("div", { class: "info" }, el("p", { class: "name" }, d.name), d.occupation ? el("p", { class: "muted" }, d.occupation) : null),
    el("div", { class: "actions" },
      action("向TA反映", () => addressTo({ representative_id: d.id, name: name }, place)),
      link(d.page_url, "代表主页")));
}

function stationCard(s, place) {
  return el("div", { class: "card station" },
    el("p", {}, el("span", { class: "tag" }, KINDS[s.kind] || s.kind), el("span", { class: "name" }, s.name)),
    s.address ? el("p", { class: "muted" }, s.address) : null,
    s.opening_hours ? el("p", { class: "muted" }, "开放时间：" + s.opening_hours) : null,
    el("div", { class: "actions" },
      action("向联络站反映", () => addressTo({ station_id: s.id, name: s.name }, place)),
      link(s.booking_url, "预约接待")));
}

function render(found) {
  $("find-hint").textContent = found.hint;
  const deputies = $("find-deputies");
  deputies.replaceChildren();
  LEVELS.forEach(([level, label]) => {
    const people = found.deputies[level] || [];
    if (people.length) {
      deputies.append(el("div", { class: "level" }, el("h3", {}, label), people.map((d) => deputyCard(d, label, found.place))));
    }
  });
  if (!deputies.childElementCount) deputies.append(el("p", { class: "muted" }, "暂无可显示的代表。"));
  const stations = $("find-stations");
  stations.replaceChildren(...found.stations.map((s) => stationCard(s, found.place)));
  if (!found.stations.length) stations.append(el("p", { class: "muted" }, "暂无服务该地的联络站。"));
  show($("find-result"), true);
}

async function findRepresentatives(params) {
  show($("find-error"), false);
  try {
    render(await api("/v1/places/lookup?" + new URLSearchParams(params).toString()));
  } catch (err) {
    $("find-error").textContent = err.message;
    show($("find-error"), true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("find-division").addEventListener("change", fillFindTownships);
  $("find-township").addEventListener("change", fillFindCommunities);
  $("find-address-form").addEventListener("submit", (e) => {
    e.preventDefault();
    findRepresentatives({ address: $("find-address").value.trim() });
  });
  $("find-pick-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const params = { division: $("find-division").value };
    if ($("find-township").value) params.township = $("find-township").value;
    if ($("find-community").value) params.community = $("find-community").value;
    findRepresentatives(params);
  });
  api("/v1/places").then((found) => {
    places = found;
    options($("find-division"), "请选择", places.map((d) => [d.code, d.name]));
  }).catch((err) => { $("find-error").textContent = err.message; show($("find-error"), true); });
});
