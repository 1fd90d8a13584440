// A deputy's public page (what the deputy's QR code opens).
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  const id = lastPathPart();
  try {
    const d = await api("/v1/deputies/" + encodeURIComponent(id));
    document.title = d.name + " · " + d.level_label;
    $("name").textContent = d.name;
    $("level").textContent = d.level_label;
    const u = d.electoral_unit;
    $("unit").textContent = [u.division_name || u.division_code, u.township, u.community].filter(Boolean).join(" ");
    $("term").textContent = (d.term_start || "") + " 至 " + (d.term_end || "");
    $("sector").textContent = d.sector || "—";
    $("occupation").textContent = d.occupation || "—";
    show($("ended"), d.status === "ended");
    $("stations").replaceChildren(...d.stations.map((s) => el("div", { class: "card" },
      el("span", { class: "tag" }, s.kind_label), el("a", { href: "/stations/" + encodeURIComponent(s.id) }, s.name))));
    if (!d.upcoming_receptions.length) $("receptions").append(el("p", { class: "muted" }, "暂无已公布的接待日。"));
    d.upcoming_receptions.forEach((r) => $("receptions").append(el("div", { class: "card" },
      el("p", {}, receptionLine(r)),
      el("a", { href: "/stations/" + encodeURIComponent(r.station_id) + "#" + r.id }, "去预约"))));
    const base = "/v1/deputies/" + encodeURIComponent(id);
    $("qr").src = base + "/qr.svg";
    $("qr-png").href = base + "/qr.png";
    $("qr-svg").href = base + "/qr.svg";
    show($("profile"), true);
  } catch (err) { fail($("error"), err); }
});
