// Shared by every liaison page. Everything from the server is shown with textContent
// (never innerHTML), so a name or a matter's text can never become markup.
"use strict";

const $ = (id) => document.getElementById(id);
function show(el, visible) { el.hidden = !visible; }

// Builds an element: el("p", {class: "muted"}, "text", child, ...).
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null) return;
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  });
  children.flat().forEach((c) => { if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c)); });
  return node;
}

// The one error body of every Minyi service: {"detail": [{"type", "loc", "msg"}]}.
function describeError(body, status) {
  if (body && Array.isArray(body.detail)) {
    return body.detail.map((d) => d.msg).join("；");
  }
  return "请求失败（" + status + "），请稍后重试";
}

async function api(path, options) {
  const r = await fetch(path, options);
  let body = null;
  try { body = await r.json(); } catch (_) { body = null; }
  if (!r.ok) throw new Error(describeError(body, r.status));
  return body;
}

function postJson(path, data, headers) {
  return api(path, {
    method: "POST",
    headers: Object.assign({ "Content-Type": "application/json" }, headers || {}),
    body: JSON.stringify(data),
  });
}

function receptionLine(r) {
  return r.date + " " + r.start + "–" + r.end + "　" + r.place + (r.topic ? "　主题：" + r.topic : "");
}

function lastPathPart() {
  return decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop());
}

// A call refused with 401 has already brought the person back to the sign-in screen
// (the sign-in kit's message says why): nothing more to show.
function fail(target, err) {
  if (err && err.signedOut) return;
  target.textContent = err.message;
  show(target, true);
}
