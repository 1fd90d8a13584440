// The staff pages' sign-in kit: one for every service, served at /static/kit/session.js.
//
// A person signs in through the deployment's sign-in proxy (nothing to paste: the proxy
// adds the bearer token to every request), with a one-click sign-in link (#token=… in the
// URL, development: moved into sessionStorage and removed from the address bar before
// anything is fetched), or by pasting a token (development fallback). The token lives in
// this origin's sessionStorage (this tab only) and is sent only as a bearer header; a 401
// from any call (expired or revoked) brings the person back to the sign-in screen with a
// message. Everything is shown with textContent, never markup.

const KEY = "minyi.token";
export const EXPIRED = "登录已过期或已被撤销，请重新登录";
const REFUSED = "访问令牌无效或已过期，请检查后重新粘贴";
// While a page is open and visible the kit asks the service every 5 s (a cheap GET), so a
// revoked or expired token brings the person back to sign-in within seconds even on a page
// left idle (revocation reaches every service within 2 s).
const CHECK_MS = 5000;

const ROLES = {
  admin: "人大办公室（管理员）",
  station_staff: "联络站工作人员",
  representative: "人大代表",
  unit_staff: "承办单位工作人员",
  supervisor: "督导组",
  analyst: "数据分析人员",
};

// A sign-in link: runs when the module is first imported, i.e. before any page script.
(function takeLinkToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const linked = params.get("token");
  if (!linked) return;
  sessionStorage.setItem(KEY, linked);
  params.delete("token");
  const rest = params.toString();
  history.replaceState(history.state, "", location.pathname + location.search + (rest ? "#" + rest : ""));
})();

/** Thrown by a call the server refused with 401: the sign-in screen is already shown. */
export class SignedOut extends Error {
  constructor(message) {
    super(message);
    this.signedOut = true;
  }
}

export function token() { return sessionStorage.getItem(KEY) || ""; }

/** Who is signed in, as the service answered (GET /v1/session): role, sub and the
 * station, unit, group or deputy; before that answer, what the token says. */
export function claims() { return state.identity || decode(token()); }

function decode(t) {
  try {
    const part = t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (_) { return {}; }
}

export function roleLabel(role) { return ROLES[role] || role || ""; }

/** The Authorization header of the stored token ({} when the proxy signs in). */
export function bearerHeaders() {
  const t = token();
  return t ? { Authorization: "Bearer " + t } : {};
}

// The one error body of every Minyi service: {"detail": [{"type", "loc", "msg"}]}.
export function describeError(body, status) {
  if (body && Array.isArray(body.detail)) return body.detail.map((d) => d.msg).join("；");
  return "请求失败（" + status + "），请稍后重试";
}

// fresh: a token just pasted (a 401 then means a wrong token); confirmed: a call succeeded
// in this session; signedIn: between entering and signing out (concurrent 401s sign out once).
const state = { options: null, config: {}, fresh: false, confirmed: false, signedIn: false, identity: null, timer: null };

/** fetch with the bearer token; a 401 signs the person out and throws SignedOut. */
export async function authorizedFetch(path, options) {
  const init = Object.assign({}, options || {});
  init.headers = Object.assign({}, init.headers || {}, bearerHeaders());
  let r;
  try {
    r = await fetch(path, init);
  } catch (_) {
    throw new Error("无法连接服务，请检查网络后重试");
  }
  if (r.status === 401) {
    const message = state.fresh ? REFUSED : (token() || state.confirmed ? EXPIRED : "");
    if (state.signedIn) signOut(message);
    throw new SignedOut(message || EXPIRED);
  }
  if (r.ok) { state.fresh = false; state.confirmed = true; }
  return r;
}

/** The JSON answer of an authorized call; an error answer throws with the server's words. */
export async function api(path, options) {
  const r = await authorizedFetch(path, options);
  let body = null;
  try { body = await r.json(); } catch (_) { body = null; }
  if (!r.ok) throw new Error(describeError(body, r.status));
  return body;
}

export function getJson(path) { return api(path); }

export function sendJson(path, data, method) {
  return api(path, {
    method: method || "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data),
  });
}

function node(tag, attrs, ...children) {
  const n = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) return;
    if (k === "class") n.className = v; else n.setAttribute(k, v === true ? "" : v);
  });
  children.flat().forEach((c) => { if (c !== undefined && c !== null) n.append(c); });
  return n;
}

const byId = (id) => document.getElementById(id);

function screen() { return byId(state.options.screen); }

function showScreen(message) {
  const s = screen();
  const alert = s.querySelector(".kit-message");
  alert.textContent = message || "";
  alert.hidden = !message;
  s.hidden = false;
  if (state.options.desk && byId(state.options.desk)) byId(state.options.desk).hidden = true;
  document.body.dataset.signin = "true";
  const field = s.querySelector("#kit-token");
  if (field && !state.config.signin_url) field.focus();
}

/** Clears the token and returns to the sign-in screen (with ``message`` if given). */
export function signOut(message) {
  sessionStorage.removeItem(KEY);
  state.fresh = false;
  state.confirmed = false;
  state.signedIn = false;
  state.identity = null;
  if (!state.options) return;
  if (state.options.onSignedOut) state.options.onSignedOut();
  showScreen(message);
}

function render() {
  const o = state.options;
  const proxy = state.config.signin_url;
  const input = node("input", {
    id: "kit-token", name: "token", type: "password", autocomplete: "off", spellcheck: "false",
    "aria-describedby": "kit-token-hint",
  });
  const fieldError = node("p", { class: "kit-field-error", id: "kit-token-error", role: "alert", hidden: true });
  const form = node("form", { class: "kit-dev", novalidate: true },
    node("p", {}, node("span", { class: "kit-tag" }, "开发环境"), "用访问令牌登录"),
    node("label", { for: "kit-token" }, "访问令牌"),
    node("p", { class: "kit-hint", id: "kit-token-hint" },
      "打开 minyi up 打印的一键登录链接即可直接登录；也可粘贴 minyi token issue 签发的令牌。"),
    fieldError, input,
    node("button", { type: "submit", class: "kit-primary" }, "登录"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = input.value.trim();
    if (!typed) {
      fieldError.textContent = "访问令牌：请粘贴访问令牌后再登录";
      fieldError.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    fieldError.hidden = true;
    input.removeAttribute("aria-invalid");
    input.value = "";
    sessionStorage.setItem(KEY, typed);
    state.fresh = true;
    enter();
  });
  const parts = [
    node("h2", { id: "kit-signin-title" }, o.title || "登录"),
    o.hint ? node("p", { class: "kit-hint" }, o.hint) : null,
    node("p", { class: "kit-message", role: "alert", hidden: true }),
  ];
  if (proxy) {
    const back = location.pathname + location.search;
    const href = proxy + (proxy.includes("?") ? "&" : "?") + "rd=" + encodeURIComponent(back);
    parts.push(node("a", { class: "kit-primary kit-link", href: href, id: "kit-proxy" }, "统一身份认证登录"),
      node("details", { class: "kit-fallback" }, node("summary", {}, "开发环境：用访问令牌登录"), form));
  } else {
    parts.push(form);
  }
  screen().replaceChildren(node("section", { class: "kit-signin", "aria-labelledby": "kit-signin-title" }, ...parts));
}

function renderAccount() {
  const target = state.options.account && byId(state.options.account);
  if (!target) return;
  const c = claims();
  const who = roleLabel(c.role) + (c.sub ? "　" + c.sub : "") + (token() ? "" : "（统一身份认证）");
  const out = node("button", { type: "button", class: "kit-signout", id: "kit-signout" }, "退出登录");
  out.addEventListener("click", () => {
    signOut("");
    if (state.config.signout_url) location.assign(state.config.signout_url);
  });
  target.replaceChildren(node("div", { class: "kit-account" }, node("span", {}, "当前登录：" + who), out));
}

async function enter() {
  const o = state.options;
  // Asked first: an expired or revoked token (or no session at the proxy) is refused here,
  // before the page shows or loads anything.
  state.signedIn = true;
  try {
    state.identity = await getJson("/v1/session");
  } catch (err) {
    if (!(err && err.signedOut)) signOut(err.message);
    return;
  }
  const role = state.identity.role;
  if (o.roles && !o.roles.includes(role)) {
    const wanted = o.roles.map(roleLabel).join("或");
    signOut("当前令牌的身份是“" + roleLabel(role) + "”，本页面需要以“" + wanted + "”身份登录");
    return;
  }
  watch();
  screen().hidden = true;
  delete document.body.dataset.signin;
  if (o.desk && byId(o.desk)) byId(o.desk).hidden = false;
  renderAccount();
  try {
    await o.onSignedIn();
  } catch (err) {
    if (!(err && err.signedOut)) throw err;
  }
}

function watch() {
  if (state.timer) return;
  state.timer = setInterval(() => {
    if (state.signedIn && document.visibilityState === "visible") getJson("/v1/session").catch(() => {});
  }, CHECK_MS);
}

async function loadConfig() {
  try {
    const r = await fetch("/static/kit/config.json", { headers: { Accept: "application/json" } });
    return r.ok ? await r.json() : {};
  } catch (_) { return {}; }
}

/**
 * Starts the page's session. ``options``: ``onSignedIn`` (async, loads the page's data;
 * called at each sign-in), ``title`` and ``hint`` of the sign-in screen, ``roles`` (the
 * roles the page is for; another role's token is refused with a message), and the ids of
 * the sign-in screen's container (``screen``, default "signin"), of the part shown when
 * signed in (``desk``, default "desk") and of the place for the account line with the
 * sign-out button (``account``, default "account"); ``onSignedOut`` clears the page.
 */
export async function startSession(options) {
  state.options = Object.assign({ screen: "signin", desk: "desk", account: "account" }, options);
  state.config = await loadConfig();
  render();
  // Behind the sign-in proxy there is nothing to paste: the first call tells.
  if (token() || state.config.signin_url) await enter();
  else showScreen("");
}
