// 找代表: by free-text address or by picking a place.
"use strict";

const LEVELS = [["national", "全国人大代表"], ["provincial", "省人大代表"], ["city", "市人大代表"], ["county", "县（市、区）人大代表"], ["township", "乡镇人大代表"]];
let places = [];

function fillTownships() {
  const d = places.find((x) => x.code === $("division").value);
  $("township").replaceChildren(new Option("（可不选）", ""));
  (d ? d.townships : []).forEach((t) => $("township").add(new Option(t.name, t.name)));
  fillCommunities();
}

function fillCommunities() {
  const d = places.find((x) => x.code === $("division").value);
  const t = d ? d.townships.find((x) => x.name === $("township").value) : null;
  $("community").replaceChildren(new Option("（可不选）", ""));
  (t ? t.communities : []).forEach((c) => $("community").add(new Option(c, c)));
}

function render(data) {
  $("hint").textContent = data.hint;
  const deputies = $("deputies");
  deputies.replaceChildren();
  let any = false;
  LEVELS.forEach(([level, label]) => {
    const people = data.deputies[level] || [];
    if (!people.length) return;
    any = true;
    deputies.append(el("div", { class: "level" }, el("h3", {}, label),
      el("ul", {}, people.map((p) => el("li", {},
        el("a", { href: "/deputies/" + encodeURIComponent(p.id) }, p.name),
        p.occupation ? el("span", { class: "muted" }, "　" + p.occupation) : null)))));
  });
  if (!any) deputies.append(el("p", { class: "muted" }, "暂无可显示的代表。"));
  const stations = $("stations");
  stations.replaceChildren();
  data.stations.forEach((s) => {
    stations.append(el("div", { class: "card" },
      el("h3", {}, el("span", { class: "tag" }, s.kind_label), el("a", { href: "/stations/" + encodeURIComponent(s.id) }, s.name)),
      s.address ? el("p", { class: "muted" }, s.address) : null,
      el("p", {}, s.next_reception ? "下次接待：" + receptionLine(s.next_reception) : "暂无已公布的接待日")));
  });
  if (!data.stations.length) stations.append(el("p", { class: "muted" }, "暂无服务该地的联络站。"));
  show($("result"), true);
}

async function find(params) {
  show($("error"), false);
  try {
    render(await api("/v1/lookup?" + new URLSearchParams(params).toString()));
  } catch (err) { fail($("error"), err); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("division").addEventListener("change", fillTownships);
  $("township").addEventListener("change", fillCommunities);
  $("address-form").addEventListener("submit", (e) => {
    e.preventDefault();
    find({ address: $("address").value.trim() });
  });
  $("pick-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const params = { division: $("division").value };
    if ($("township").value) params.township = $("township").value;
    if ($("community").value) params.community = $("community").value;
    find(params);
  });
  api("/v1/places").then((found) => {
    places = found;
    places.forEach((d) => $("division").add(new Option(d.name, d.code)));
  }).catch((err) => fail($("error"), err));
  const q = new URLSearchParams(location.search).get("address");
  if (q) { $("address").value = q; find({ address: q }); }
});
