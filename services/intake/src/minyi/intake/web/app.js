// Citizens' page. Everything user-supplied is shown with textContent (never innerHTML),
// so a suggestion's text can never become markup.
"use strict";

const $ = (id) => document.getElementById(id);
let divisions = [];
// A deputy or station picked on the 找代表 tab: {representative_id | station_id, name}.
let addressee = null;

function show(el, visible) { el.hidden = !visible; }

// Every error answer reads {"detail": [{"type", "loc", "msg"}]}: loc names the field at
// fault ("body", "query"… first when FastAPI checked the request), or is empty.
const PARTS = ["body", "query", "path", "header"];

function describeError(body, status) {
  if (body && Array.isArray(body.detail) && body.detail.length) {
    return body.detail.map((d) => {
      const loc = (d.loc || []).filter((part, i) => !(i === 0 && PARTS.includes(part)));
      return loc.length ? loc.join(".") + "：" + d.msg : d.msg;
    }).join("；");
  }
  return "提交失败（" + status + "），请稍后重试";
}

async function api(path, options) {
  const r = await fetch(path, options);
  let body = null;
  try { body = await r.json(); } catch (_) { body = null; }
  if (!r.ok) throw new Error(describeError(body, r.status));
  return body;
}

function switchTab(name) {
  document.querySelectorAll("nav button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  ["file", "find", "track"].forEach((tab) => show($("tab-" + tab), tab === name));
}

// From the 找代表 tab: the filing goes to this deputy or station, about this place.
function addressTo(target, place) {
  addressee = target;
  $("addressee-name").textContent = target.name;
  show($("addressee"), true);
  if (place) {
    $("district").value = place.division_code;
    fillTownships();
    if (place.township) $("township").value = place.township;
  }
  switchTab("file");
  window.scrollTo(0, 0);
}

function clearAddressee() {
  addressee = null;
  show($("addressee"), false);
}

function fillTownships() {
  const select = $("township");
  select.replaceChildren(new Option("（可不选）", ""));
  const d = divisions.find((x) => x.code === $("district").value);
  (d ? d.townships : []).forEach((t) => select.add(new Option(t, t)));
}

async function loadDivisions() {
  divisions = await api("/v1/reference/divisions");
  divisions.forEach((d) => $("district").add(new Option(d.name, d.code)));
}

function optional(value) { const v = (value || "").trim(); return v ? v : undefined; }

async function fileSuggestion(event) {
  event.preventDefault();
  const f = event.target.elements;
  show($("file-error"), false);
  const citizen = { name: optional(f.name.value), phone: optional(f.phone.value) };
  const body = {
    title: f.title.value.trim(),
    content: f.content.value.trim(),
    district_code: f.district_code.value,
    township: optional(f.township.value),
    address: optional(f.address.value),
    channel: "web",
    citizen: citizen.name || citizen.phone ? citizen : undefined,
    representative_id: addressee ? addressee.representative_id : undefined,
    station_id: addressee ? addressee.station_id : undefined,
    publish_consent: f.publish_consent.checked,
  };
  try {
    const filed = await api("/v1/suggestions", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random() },
      body: JSON.stringify(body),
    });
    $("tracking-code").textContent = filed.tracking_code;
    $("file-to").textContent = addressee ? "已反映给：" + addressee.name : "";
    show($("file-to"), Boolean(addressee));
    $("track-code").value = filed.tracking_code;
    show($("file-form"), false);
    show($("file-result"), true);
  } catch (err) {
    $("file-error").textContent = err.message;
    show($("file-error"), true);
  }
}

async function track(event) {
  if (event) event.preventDefault();
  show($("track-error"), false);
  const code = $("track-code").value.trim();
  try {
    const t = await api("/v1/track/" + encodeURIComponent(code));
    $("t-title").textContent = t.title;
    $("t-status").textContent = t.status_label;
    $("t-unit").textContent = t.unit_name || "";
    show($("t-unit-line"), Boolean(t.unit_name));
    const list = $("t-history");
    list.replaceChildren();
    t.history.forEach((h) => {
      const li = document.createElement("li");
      li.textContent = new Date(h.at).toLocaleString("zh-CN") + "  " + h.label;
      list.append(li);
    });
    $("t-reply").textContent = t.reply || "";
    show($("t-reply-box"), Boolean(t.reply));
    show($("rate-form"), t.can_rate);
    show($("rate-result"), false);
    show($("track-result"), true);
  } catch (err) {
    $("track-error").textContent = err.message;
    show($("track-error"), true);
    show($("track-result"), false);
  }
}

async function rate(event) {
  event.preventDefault();
  const f = event.target.elements;
  const body = {
    satisfied: f.satisfied.value === "true",
    score: f.score.value ? Number(f.score.value) : undefined,
    comment: optional(f.comment.value),
  };
  try {
    const r = await api("/v1/track/" + encodeURIComponent($("track-code").value.trim()) + "/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    $("rate-result").textContent = r.message;
    show($("rate-form"), false);
  } catch (err) {
    $("rate-result").textContent = err.message;
  }
  show($("rate-result"), true);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("nav button").forEach((b) => b.addEventListener("click", () => switchTab(b.dataset.tab)));
  $("district").addEventListener("change", fillTownships);
  $("addressee-clear").addEventListener("click", clearAddressee);
  $("file-form").addEventListener("submit", fileSuggestion);
  $("track-form").addEventListener("submit", track);
  $("rate-form").addEventListener("submit", rate);
  loadDivisions().catch((err) => { $("file-error").textContent = err.message; show($("file-error"), true); });
  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (fromHash) { $("track-code").value = fromHash; switchTab("track"); track(); }
});
