// Station staff's desk. The token is typed into a form field and kept in sessionStorage
// (gone when the tab closes); it is sent only as a bearer header to this service.
"use strict";

let station = null;
let deputies = [];
let current = null;

function auth() { return { Authorization: "Bearer " + sessionStorage.getItem("liaison.token") }; }
function get(path) { return api(path, { headers: auth() }); }
function post(path, data) { return postJson(path, data, auth()); }

// The station a staff token names (its payload is read, not trusted: the server checks).
function stationOfToken(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part)).station || "";
  } catch (_) { return ""; }
}

async function openDesk() {
  show($("error"), false);
  station = sessionStorage.getItem("liaison.station");
  try {
    const data = await get("/v1/staff/stations/" + encodeURIComponent(station) + "/receptions");
    deputies = data.deputies;
    $("station-name").textContent = data.station.name + "（" + data.station.id + "）";
    $("deputy-choices").replaceChildren(...deputies.map((d) => el("label", {},
      el("input", { type: "checkbox", name: "deputy_ids", value: d.id }), " " + d.name)));
    const list = $("receptions");
    list.replaceChildren();
    if (!data.receptions.length) list.append(el("p", { class: "muted" }, "近期没有接待日。"));
    data.receptions.forEach((r) => {
      const open = el("button", { type: "button", "data-reception": r.id }, "详情");
      open.addEventListener("click", () => openReception(r.id));
      list.append(el("div", { class: "card" }, el("span", { class: "tag" }, r.status_label),
        receptionLine(r), el("p", { class: "muted" }, "预约 " + r.booked + "/" + r.capacity + "，候补 " + r.waitlisted), open));
    });
    show($("signin-form"), false);
    show($("desk"), true);
  } catch (err) { fail($("error"), err); }
}

function peopleRows(people) {
  return people.map((p) => el("tr", {}, el("td", {}, p.code), el("td", {}, p.name), el("td", {}, p.phone)));
}

async function openReception(id) {
  try {
    const r = await get("/v1/staff/receptions/" + encodeURIComponent(id));
    current = r;
    $("detail-when").textContent = receptionLine(r) + "（" + r.status_label + "）";
    $("booked-count").textContent = r.bookings.length + "/" + r.capacity;
    $("waitlist-count").textContent = r.waitlist.length;
    $("bookings").replaceChildren(...peopleRows(r.bookings));
    $("waitlist").replaceChildren(...peopleRows(r.waitlist));
    $("matters").replaceChildren(...r.matters.map((m) => el("div", { class: "card" },
      el("span", { class: "tag" }, m.outcome === "answered" ? "当场答复" : "转为建议"), m.title,
      m.tracking_code ? el("p", {}, "查询码：", el("span", { class: "code" }, m.tracking_code)) : el("p", { class: "muted" }, m.answer || ""))));
    $("matter-deputy").replaceChildren(new Option("（可不选）", ""),
      ...deputies.filter((d) => r.deputy_ids.includes(d.id)).map((d) => new Option(d.name, d.id)));
    show($("matter-result"), false);
    show($("detail"), true);
    $("detail").scrollIntoView();
  } catch (err) { fail($("error"), err); }
}

async function schedule(event) {
  event.preventDefault();
  const f = event.target.elements;
  show($("schedule-error"), false);
  const chosen = [...document.querySelectorAll("input[name=deputy_ids]:checked")].map((x) => x.value);
  try {
    await post("/v1/stations/" + encodeURIComponent(station) + "/receptions", {
      date: f.date.value, start: f.start.value, end: f.end.value, place: f.place.value.trim(),
      deputy_ids: chosen, capacity: Number(f.capacity.value), topic: f.topic.value.trim() || undefined,
    });
    event.target.reset();
    await openDesk();
  } catch (err) { fail($("schedule-error"), err); }
}

async function recordMatter(event) {
  event.preventDefault();
  const f = event.target.elements;
  show($("matter-error"), false);
  try {
    const m = await post("/v1/receptions/" + encodeURIComponent(current.id) + "/matters", {
      title: f.title.value.trim(), content: f.content.value.trim(), outcome: f.outcome.value,
      answer: f.answer.value.trim() || undefined, deputy_id: f.deputy_id.value || undefined,
      booking_code: f.booking_code.value.trim() || undefined,
    });
    event.target.reset();
    await openReception(current.id);
    $("matter-result").replaceChildren(m.outcome === "referred"
      ? el("p", {}, "已转为建议。请告知群众查询码：", el("span", { class: "code", id: "tracking-code" }, m.tracking_code))
      : el("p", {}, "已登记为当场答复。"));
    show($("matter-result"), true);
  } catch (err) { fail($("matter-error"), err); }
}

async function closeReception(action) {
  show($("matter-error"), false);
  try {
    if (action === "cancel") {
      await post("/v1/receptions/" + encodeURIComponent(current.id) + "/cancel", { reason: $("cancel-reason").value.trim() });
    } else {
      await post("/v1/receptions/" + encodeURIComponent(current.id) + "/held", {});
    }
    await openDesk();
    await openReception(current.id);
  } catch (err) { fail($("matter-error"), err); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("token").value.trim();
    sessionStorage.setItem("liaison.token", token);
    sessionStorage.setItem("liaison.station", $("station").value.trim() || stationOfToken(token));
    $("token").value = "";
    openDesk();
  });
  $("token").addEventListener("change", () => { if (!$("station").value) $("station").value = stationOfToken($("token").value.trim()); });
  $("signout").addEventListener("click", () => { sessionStorage.clear(); location.reload(); });
  $("schedule-form").addEventListener("submit", schedule);
  $("matter-form").addEventListener("submit", recordMatter);
  $("mark-held").addEventListener("click", () => closeReception("held"));
  $("cancel-reception").addEventListener("click", () => closeReception("cancel"));
  if (sessionStorage.getItem("liaison.token")) openDesk();
});
