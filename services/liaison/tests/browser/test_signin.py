"""Signing in to the staff pages with the platform's sign-in kit, in a real browser on a
360 px screen: a one-click sign-in link (the token leaves the address bar), sign-out, an
expired token (at sign-in and in the middle of work) and a token of the wrong role bring
the person back to the sign-in screen with a message; behind the deployment's sign-in
proxy there is nothing to paste. Screenshots: docs/img/signin-*.png."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from minyi.platform.auth import Principal, Role
from minyi.platform.revocation import Revocation, key_for
from services.liaison.tests.browser.conftest import STATION, Server
from tests.support import browser as browser_support

sync_api = browser_support.playwright()
expect = sync_api.expect

EXPIRED = "登录已过期或已被撤销，请重新登录"
ADMIN = Principal(Role.ADMIN, "admin:办公室")
DEPUTY = Principal(Role.REPRESENTATIVE, "rep:田", representative="REP-420802-009")


@pytest.fixture
def phone() -> Iterator[Any]:
    """New tabs 360 px wide, each with its own sessionStorage. A dialog fails the test, and
    so does any console error but the 401s the tests provoke on purpose."""
    errors: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and "status of 401" not in message.text:
            errors.append(message.text)

    with browser_support.chromium() as browser:

        def open_tab() -> Any:
            tab = browser.new_page(viewport={"width": 360, "height": 780})
            tab.on("console", console)
            tab.on("dialog", lambda d: errors.append("dialog: " + d.message))
            return tab

        yield open_tab
        assert errors == []


def expired_token(server: Server, principal: Principal) -> str:
    # Issued two hours ago for one hour: past its expiry and the services' leeway.
    return server.runtime.keyring.issue(principal, 3600, now=time.time() - 7200)


def stored_token(page: Any) -> str | None:
    value: str | None = page.evaluate("sessionStorage.getItem('minyi.token')")
    return value


def test_a_sign_in_link_signs_in_and_leaves_no_token_in_the_address_bar(
    server: Server, phone: Any
) -> None:
    page = phone()
    token = server.staff_token()
    page.goto(f"{server.url}/staff#token={token}")
    expect(page.locator("#station-name")).to_contain_text("东宝区泉口街道代表联络站")
    expect(page.locator("#account")).to_contain_text("联络站工作人员")
    assert page.url == f"{server.url}/staff"
    assert stored_token(page) == token
    expect(page.locator("#signin")).to_be_hidden()

    page.click("#kit-signout")
    expect(page.locator("#kit-token")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    assert stored_token(page) is None
    page.reload()
    expect(page.locator("#kit-token")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    expect(page.locator("#station-name")).to_be_empty()


def test_the_sign_in_screen_names_the_field_and_takes_a_pasted_token(
    server: Server, phone: Any
) -> None:
    page = phone()
    page.goto(f"{server.url}/office/visits")
    expect(page.locator("#signin h2")).to_have_text("局长进站工作台登录")
    expect(page.locator("#signin")).to_contain_text("开发环境")
    browser_support.screenshot(page, "signin.png", full_page=True)
    page.click("#signin button[type=submit]")
    expect(page.locator("#kit-token-error")).to_have_text("访问令牌：请粘贴访问令牌后再登录")
    page.fill("#kit-token", server.token(ADMIN))
    page.click("#signin button[type=submit]")
    expect(page.locator("#scope")).to_have_text("人大办（全部联络站）")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px screen"


def test_an_expired_sign_in_link_returns_to_sign_in_with_the_message(
    server: Server, phone: Any
) -> None:
    page = phone()
    page.goto(f"{server.url}/me#token={expired_token(server, DEPUTY)}")
    expect(page.locator("#signin .kit-message")).to_have_text(EXPIRED)
    expect(page.locator("#kit-token")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    expect(page.locator("#error")).to_be_hidden()
    assert stored_token(page) is None
    assert "token" not in page.url
    browser_support.screenshot(page, "signin-expired.png", full_page=True)


def test_a_token_that_expires_while_the_page_is_open_returns_to_sign_in(
    server: Server, phone: Any
) -> None:
    page = phone()
    page.goto(f"{server.url}/office#token={server.token(ADMIN)}")
    expect(page.locator("#disputes")).to_contain_text("没有待处理的异议")
    # The token runs out while the page is open: the next call is refused with 401.
    page.evaluate("t => sessionStorage.setItem('minyi.token', t)", expired_token(server, ADMIN))
    page.fill("#lookup-form input[name=deputy_id]", "REP-420802-009")
    page.click("#lookup-form button[type=submit]")
    expect(page.locator("#signin .kit-message")).to_have_text(EXPIRED)
    expect(page.locator("#desk")).to_be_hidden()
    expect(page.locator("#disputes")).to_be_empty()
    assert stored_token(page) is None
    # Signing in again goes on where the person was.
    page.fill("#kit-token", server.token(ADMIN))
    page.click("#signin button[type=submit]")
    expect(page.locator("#disputes")).to_contain_text("没有待处理的异议")
    expect(page.locator("#signin")).to_be_hidden()


@contextmanager
def revoked(server: Server, token: str) -> Iterator[None]:
    """The token's id revoked in this service, as its watch of the revocation bucket would
    learn it (the bucket itself: tests/e2e/test_token_revocation.py)."""
    revocations = server.runtime.tokens.revocations
    jti = server.runtime.keyring.verify(token).token_id
    assert jti is not None
    revocations.apply(Revocation("jti", jti, time.time()))
    try:
        yield
    finally:
        revocations.forget(key_for("jti", jti))


def test_a_revoked_token_returns_the_next_call_to_sign_in(server: Server, phone: Any) -> None:
    page = phone()
    token = server.token(ADMIN)
    page.goto(f"{server.url}/office#token={token}")
    expect(page.locator("#disputes")).to_contain_text("没有待处理的异议")
    with revoked(server, token):
        page.fill("#lookup-form input[name=deputy_id]", "REP-420802-009")
        page.click("#lookup-form button[type=submit]")
        expect(page.locator("#signin .kit-message")).to_have_text(EXPIRED)
        expect(page.locator("#desk")).to_be_hidden()
        assert stored_token(page) is None


def test_a_page_left_open_notices_a_revoked_token_by_itself(server: Server, phone: Any) -> None:
    page = phone()
    page.clock.install()  # the kit's periodic check runs on the page's (fake) clock
    token = server.token(DEPUTY)
    page.goto(f"{server.url}/me#token={token}")
    expect(page.locator("#deputy-name")).to_contain_text("REP-420802-009")
    page.clock.run_for(20_000)  # checked, still valid: nothing changes
    expect(page.locator("#desk")).to_be_visible()
    with revoked(server, token):
        page.clock.run_for(20_000)  # nobody touches the page
        expect(page.locator("#signin .kit-message")).to_have_text(EXPIRED)
        expect(page.locator("#desk")).to_be_hidden()


def test_a_token_of_another_role_is_refused_with_the_role_the_page_needs(
    server: Server, phone: Any
) -> None:
    page = phone()
    page.goto(f"{server.url}/me#token={server.staff_token()}")
    expect(page.locator("#signin .kit-message")).to_have_text(
        "当前令牌的身份是“联络站工作人员”，本页面需要以“人大代表”身份登录"
    )
    assert stored_token(page) is None


@contextmanager
def behind_sign_in_proxy(server: Server) -> Iterator[None]:
    settings = server.runtime.settings
    server.runtime.settings = settings.model_copy(
        update={"web_signin_url": "/oauth2/start", "web_signout_url": "/oauth2/sign_out"}
    )
    try:
        yield
    finally:
        server.runtime.settings = settings


def test_behind_the_sign_in_proxy_there_is_nothing_to_paste(server: Server, phone: Any) -> None:
    with behind_sign_in_proxy(server):
        page = phone()
        page.goto(f"{server.url}/staff")
        link = page.locator("#kit-proxy")
        expect(link).to_have_text("统一身份认证登录")
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", "/oauth2/start?rd=%2Fstaff")
        expect(page.locator("#desk")).to_be_hidden()
        expect(page.locator("#kit-token")).to_be_hidden()  # folded under 开发环境
        expect(page.locator("#signin .kit-message")).to_be_hidden()
        browser_support.screenshot(page, "signin-front-door.png", full_page=True)

        # Signed in at the proxy: it adds the bearer token to every request.
        signed_in = phone()
        signed_in.set_extra_http_headers({"Authorization": f"Bearer {server.staff_token()}"})
        signed_in.goto(f"{server.url}/office/visits")
        expect(signed_in.locator("#scope")).to_contain_text(STATION)
        expect(signed_in.locator("#account")).to_contain_text(
            "联络站工作人员　staff:泉口（统一身份认证）"
        )
        assert stored_token(signed_in) is None
