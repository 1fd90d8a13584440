"""Liaison's pages in a real browser (Debian's chromium, driven by Playwright), on a phone
screen; screenshots go to docs/img/liaison-*.png."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from typing import Any

import pytest

from services.liaison.tests.browser.conftest import START, STATION, Server
from tests.support import browser as browser_support

sync_api = browser_support.playwright()


class Phones:
    """New pages on a phone-sized screen; any console error or dialog fails the test."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.errors: list[str] = []

    def open(self) -> Any:
        tab = self.browser.new_page(viewport={"width": 390, "height": 844})
        tab.on("console", self._console)
        tab.on("dialog", lambda d: self.errors.append("dialog: " + d.message))
        return tab

    def _console(self, message: Any) -> None:
        # A refusal the test provokes on purpose (a 422 shown on the page) is logged by
        # the browser as a failed resource; anything else is an error.
        if message.type == "error" and "status of 422" not in message.text:
            self.errors.append(message.text)


@pytest.fixture
def phones() -> Iterator[Phones]:
    with browser_support.chromium() as browser:
        found = Phones(browser)
        yield found
        assert found.errors == []


def shot(page: Any, name: str) -> None:
    browser_support.screenshot(page, f"liaison-{name}.png", full_page=True)


def test_a_citizen_finds_the_deputies_of_an_address_and_opens_one(
    server: Server, phones: Phones
) -> None:
    page = phones.open()
    response = page.goto(server.url + "/")
    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.fill("#address", "荆门市东宝区泉口街道金泉路12号")
    page.click("#address-form button[type=submit]")
    sync_api.expect(page.locator("#hint")).to_have_text("已定位到东宝区泉口街道。")
    sync_api.expect(page.locator("#deputies")).to_contain_text("乡镇人大代表")
    sync_api.expect(page.locator("#stations")).to_contain_text("东宝区泉口街道代表联络站")
    shot(page, "lookup")
    page.select_option("#division", "420802")
    page.select_option("#township", "泉口街道")
    page.select_option("#community", "白云社区")
    page.click("#pick-form button[type=submit]")
    sync_api.expect(page.locator("#hint")).to_have_text("已定位到东宝区泉口街道白云社区。")
    page.locator("#deputies a").first.click()
    sync_api.expect(page.locator("#profile")).to_be_visible()
    sync_api.expect(page.locator("#level")).to_contain_text("人大代表")
    page.wait_for_function("document.getElementById('qr').naturalWidth > 0")
    shot(page, "deputy")


def test_staff_schedule_a_citizen_books_and_the_matter_is_referred_with_a_tracking_code(
    server: Server, phones: Phones
) -> None:
    page = phones.open()
    page.goto(server.url + "/staff")
    page.fill("#kit-token", server.staff_token())
    page.click("#signin button[type=submit]")
    sync_api.expect(page.locator("#station-name")).to_contain_text("东宝区泉口街道代表联络站")
    day = (START + timedelta(days=5)).date().isoformat()
    page.fill("#schedule-form input[name=date]", day)
    page.fill("#schedule-form input[name=place]", "泉口街道代表联络站一楼接待室")
    page.fill("#schedule-form input[name=topic]", "老旧小区改造")
    page.fill("#schedule-form input[name=capacity]", "1")
    page.locator("input[name=deputy_ids]").first.check()
    page.click("#schedule-form button[type=submit]")
    sync_api.expect(page.locator("#receptions")).to_contain_text(day)
    # A reception announced too late is refused, naming the rule.
    page.fill("#schedule-form input[name=date]", (START + timedelta(days=1)).date().isoformat())
    page.fill("#schedule-form input[name=place]", "一楼")
    page.locator("input[name=deputy_ids]").first.check()
    page.click("#schedule-form button[type=submit]")
    sync_api.expect(page.locator("#schedule-error")).to_contain_text("至少提前 3 天")

    citizen = phones.open()
    citizen.goto(server.url + f"/stations/{STATION}")
    citizen.locator("#receptions button").first.click()
    citizen.fill("#booking-form input[name=name]", "王芳")
    citizen.fill("#booking-form input[name=phone]", "137 1234 5678")
    citizen.click("#booking-form button[type=submit]")
    code = citizen.locator("#booking-code")
    sync_api.expect(code).to_have_text(re.compile(r"^YY-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$"))
    booking_code = code.inner_text()
    citizen.wait_for_function("document.getElementById('qr').naturalWidth > 0")
    shot(citizen, "station")

    server.clock.advance(timedelta(days=5))  # the reception day
    page.reload()
    page.locator("#receptions button").first.click()
    sync_api.expect(page.locator("#bookings")).to_contain_text("王*")
    sync_api.expect(page.locator("#bookings")).to_contain_text("137****5678")
    page.fill("#matter-form input[name=title]", "金泉路路灯不亮")
    page.fill("#matter-form textarea[name=content]", "金泉路12号附近路灯坏了一个月，晚上出行不便。")
    page.check("#matter-form input[value=referred]")
    page.fill("#matter-form input[name=booking_code]", booking_code)
    consent = page.locator("#matter-form input[name=publish_consent]")
    sync_api.expect(consent).not_to_be_checked()  # default: no
    consent.check()
    page.click("#matter-form button[type=submit]")
    tracking = page.locator("#tracking-code")
    sync_api.expect(tracking).to_have_text(re.compile(r"^MY-(?:[0-9A-Z]{4}-){4}[0-9A-Z]$"))
    [referred] = _outbox(server, "minyi.matter.referred")
    assert referred["data"]["publish_consent"] is True
    shot(page, "staff")

    citizen.fill("#code", booking_code)
    citizen.click("#code-form button[type=submit]")
    sync_api.expect(citizen.locator("#code-result")).to_contain_text(tracking.inner_text())


def _outbox(server: Server, subject: str) -> list[dict[str, Any]]:
    """Events waiting in liaison's outbox (NATS is away), read beside the app."""
    store = server.runtime.settings.data_dir / "liaison.sqlite3"
    with closing(sqlite3.connect(store)) as db:
        rows = db.execute("SELECT payload FROM outbox WHERE subject = ?", (subject,)).fetchall()
    return [json.loads(r[0]) for r in rows]
