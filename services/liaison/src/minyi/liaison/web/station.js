// A station's public page: its reception days, booking, and what its QR code opens.
"use strict";

let chosen = null;

function choose(r) {
  chosen = r;
  $("booking-when").textContent = receptionLine(r);
  show($("booking-form"), true);
  show($("booking-result"), false);
  show($("booking-error"), false);
  show($("booking"), true);
  $("booking").scrollIntoView();
}

async function book(event) {
  event.preventDefault();
  const f = event.target.elements;
  show($("booking-error"), false);
  try {
    const b = await postJson("/v1/receptions/" + encodeURIComponent(chosen.id) + "/bookings",
      { name: f.name.value.trim(), phone: f.phone.value.trim() });
    $("booking-status").textContent = b.status === "confirmed"
      ? "预约成功！接待日前一天会短信提醒您。"
      : "名额已满，您已进入候补第 " + b.position + " 位；有人取消时按顺序递补并短信通知。";
    $("booking-code").textContent = b.code;
    $("code").value = b.code;
    show($("booking-form"), false);
    show($("booking-result"), true);
  } catch (err) { fail($("booking-error"), err); }
}

async function lookupCode(event) {
  if (event) event.preventDefault();
  show($("code-error"), false);
  const box = $("code-result");
  try {
    const b = await api("/v1/bookings/" + encodeURIComponent($("code").value.trim()));
    const status = { confirmed: "已预约", waitlisted: "候补第 " + b.position + " 位", cancelled: "已取消" }[b.status];
    box.replaceChildren(el("p", {}, "状态：", el("strong", {}, status)), el("p", {}, receptionLine(b.reception)),
      ...b.matters.map((m) => el("p", {}, "“" + m.title + "”：" + (m.outcome === "answered" ? "已当场答复：" + m.answer : "已转为建议办理，查询码 " + m.tracking_code))));
    show(box, true);
  } catch (err) { show(box, false); fail($("code-error"), err); }
}

async function cancelBooking() {
  show($("code-error"), false);
  try {
    await postJson("/v1/bookings/" + encodeURIComponent($("code").value.trim()) + "/cancel", {});
    await lookupCode();
  } catch (err) { fail($("code-error"), err); }
}

document.addEventListener("DOMContentLoaded", async () => {
  const id = lastPathPart();
  $("booking-form").addEventListener("submit", book);
  $("code-form").addEventListener("submit", lookupCode);
  $("cancel-booking").addEventListener("click", cancelBooking);
  try {
    const s = await api("/v1/stations/" + encodeURIComponent(id));
    document.title = s.name;
    $("name").textContent = s.name;
    $("kind").textContent = s.kind_label;
    $("address").textContent = s.address || "—";
    $("hours").textContent = s.opening_hours || "—";
    $("phone").textContent = s.phone || "—";
    $("serves").textContent = [...s.townships, ...s.communities].join("、") || "全区县";
    const base = "/v1/stations/" + encodeURIComponent(id);
    $("ics").href = base + "/receptions.ics";
    $("qr").src = base + "/qr.svg";
    $("qr-png").href = base + "/qr.png";
    $("qr-svg").href = base + "/qr.svg";
    const list = $("receptions");
    if (!s.upcoming_receptions.length) list.append(el("p", { class: "muted" }, "暂无已公布的接待日。"));
    s.upcoming_receptions.forEach((r) => {
      const button = el("button", { type: "button", "data-reception": r.id }, "预约");
      button.addEventListener("click", () => choose(r));
      list.append(el("div", { class: "card", id: r.id }, el("p", {}, receptionLine(r)),
        el("p", { class: "muted" }, "名额 " + r.capacity + " 人"), button));
    });
    $("deputies").replaceChildren(...s.deputies.map((d) => el("div", { class: "card" },
      el("span", { class: "tag" }, d.level_label), el("a", { href: "/deputies/" + encodeURIComponent(d.id) }, d.name),
      d.occupation ? el("span", { class: "muted" }, "　" + d.occupation) : null)));
    if (!s.deputies.length) $("deputies").append(el("p", { class: "muted" }, "暂无登记的代表。"));
    show($("info"), true);
    const wanted = s.upcoming_receptions.find((r) => "#" + r.id === location.hash);
    if (wanted) choose(wanted);
  } catch (err) { fail($("error"), err); }
});
