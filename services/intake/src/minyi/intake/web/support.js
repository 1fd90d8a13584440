// 附议: ?kind=appeal|project&id=… — phone → one-time code → supporter session → +1 (or a
// public acceptance rating for a finished project). Text only: never innerHTML.
"use strict";

const $ = (id) => document.getElementById(id);
const show = (el, on) => { el.hidden = !on; };
const KINDS = { appeal: "群众反映集中的问题", project: "民生实事项目" };
const params = new URLSearchParams(window.location.search);
const kind = params.get("kind");
const targetId = params.get("id");
let token = null; // the supporter session: this tab's memory only
let countdown = null;

function messageOf(body, status) {
  if (body && Array.isArray(body.detail) && body.detail.length) {
    return body.detail.map((d) => d.msg).join("；");
  }
  return "请求失败（HTTP " + status + "）";
}

async function call(path, options) {
  const r = await fetch(path, options);
  let body = null;
  try { body = await r.json(); } catch (_) { body = null; }
  if (!r.ok) {
    const err = new Error(messageOf(body, r.status));
    err.status = r.status;
    err.type = body && body.detail && body.detail[0] ? body.detail[0].type : null;
    err.retryAfter = Number(r.headers.get("Retry-After") || 0);
    throw err;
  }
  return body;
}

function post(path, body, withToken) {
  const headers = { "Content-Type": "application/json" };
  if (withToken && token) headers["X-Supporter-Token"] = token;
  return call(path, { method: "POST", headers, body: JSON.stringify(body) });
}

function fail(text) {
  $("support-error").textContent = text;
  show($("support-error"), true);
}

function clearError() { show($("support-error"), false); }

function phone() { return $("phone").value.replace(/\s+/g, ""); }

function startCountdown(seconds) {
  const button = $("send-code");
  let left = Math.max(1, Math.ceil(seconds));
  button.disabled = true;
  clearInterval(countdown);
  const tick = () => {
    if (left <= 0) {
      clearInterval(countdown);
      button.disabled = false;
      button.textContent = "重新获取";
      return;
    }
    button.textContent = left + " 秒后重试";
    left -= 1;
  };
  tick();
  countdown = setInterval(tick, 1000);
}

async function sendCode() {
  clearError();
  if (!/^1\d{10}$/.test(phone())) { fail("请填写 11 位手机号"); return; }
  try {
    await post("/v1/support/code", { phone: phone() });
    $("code-sent").textContent = "验证码已发送，10 分钟内有效";
    show($("code-sent"), true);
    startCountdown(60);
    $("code").focus();
  } catch (err) {
    fail(err.message);
    if (err.status === 429 && err.retryAfter) startCountdown(err.retryAfter);
  }
}

async function session() {
  if (token) return token;
  if (!/^1\d{10}$/.test(phone())) throw new Error("请填写 11 位手机号");
  const code = $("code").value.trim();
  if (!/^\d{6}$/.test(code)) throw new Error("请填写短信中的 6 位验证码");
  const verified = await post("/v1/support/verify", { phone: phone(), code });
  token = verified.token;
  return token;
}

async function confirmSupport(event) {
  event.preventDefault();
  clearError();
  try {
    await session();
    const added = await post("/v1/supports", { target_kind: kind, target_id: targetId }, true);
    $("target-count").textContent = String(added.supports);
    done("已附议，感谢您的支持");
  } catch (err) {
    if (err.type === "already_supported") { done("您已附议过"); return; }
    if (err.status === 401) token = null;
    fail(err.message);
  }
}

function done(text) {
  $("support-result").textContent = text;
  show($("support-result"), true);
  $("confirm").disabled = true;
}

async function rate(event) {
  const rating = event.currentTarget.dataset.rating; // read before the first await
  clearError();
  try {
    await session();
    await post("/v1/project-ratings", { project_id: targetId, rating }, true);
    $("rate-result").textContent = "感谢您的评价";
  } catch (err) {
    if (err.type === "already_rated") { $("rate-result").textContent = "您已评价过该项目"; }
    else { if (err.status === 401) token = null; fail(err.message); return; }
  }
  show($("rate-result"), true);
  document.querySelectorAll("button.rate").forEach((b) => { b.disabled = true; });
}

async function load() {
  show($("loading"), false);
  if (!KINDS[kind] || !targetId) { show($("missing"), true); return; }
  try {
    const target = await call("/v1/support/targets/" + encodeURIComponent(kind) + "/" + encodeURIComponent(targetId));
    $("target-kind").textContent = KINDS[kind];
    $("target-title").textContent = target.title;
    $("target-count").textContent = String(target.supports);
    document.title = target.title + " · 附议";
    show($("rate"), Boolean(target.ratable));
    show($("target"), true);
  } catch (err) {
    $("missing-text").textContent = err.status === 404 ? "没有找到可附议的公开事项（可能已撤回）。" : err.message;
    show($("missing"), true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("send-code").addEventListener("click", sendCode);
  $("support-form").addEventListener("submit", confirmSupport);
  document.querySelectorAll("button.rate").forEach((b) => b.addEventListener("click", rate));
  load();
});
