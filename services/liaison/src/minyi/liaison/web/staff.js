// Station staff's desk. Signing in, the token and its expiry are the platform's sign-in
// kit's (/static/kit/session.js); an admin names the station to open.
import { claims, getJson, sendJson, startSession } from "/static/kit/session.js";

let station = null;
let deputies = [];
let current = null;

const get = getJson;
const post = sendJson;

async function openDesk() {
  show($("error"), false);
  // The station a staff token names (read, not trusted: the server checks); an admin's
  // token names none, so the admin types one.
  station = claims().station || $("station").value.trim();
  show($("station-form"), !claims().station);
  if (!station) return;
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
      publish_consent: f.publish_consent.checked,
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

function clearDesk() {
  ["station-name", "receptions", "deputy-choices", "bookings", "waitlist", "matters"].forEach((id) => $(id).replaceChildren());
  show($("detail"), false);
  show($("error"), false);
}

document.addEventListener("DOMContentLoaded", () => {
  $("station-form").addEventListener("submit", (e) => { e.preventDefault(); openDesk(); });
  $("schedule-form").addEventListener("submit", schedule);
  $("matter-form").addEventListener("submit", recordMatter);
  $("mark-held").addEventListener("click", () => closeReception("held"));
  $("cancel-reception").addEventListener("click", () => closeReception("cancel"));
  startSession({
    title: "联络站工作人员登录",
    hint: "安排接待日、查看预约和候补、登记群众反映的事项。",
    roles: ["station_staff", "admin"],
    onSignedIn: openDesk,
    onSignedOut: clearDesk,
  });
});
