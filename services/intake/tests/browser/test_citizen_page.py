"""The citizens' page in a real browser (Debian's chromium, driven by Playwright), on a
phone screen; the 找代表 tab's screenshot goes to docs/img/citizen-find-deputy.png."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from minyi.intake.bootstrap import SERVICE
from services.intake.tests.integration.conftest import offline_app
from services.intake.tests.integration.registry import REGISTRY, subject_of
from tests.support import browser as browser_support
from tests.support.harness import harness

sync_api = browser_support.playwright()
ENV = {"MINYI_INTAKE_API_KEYS": "browser-test", "MINYI_INTAKE_CHAT_SECRET": "browser-test"}


async def _register(tmp: Path) -> None:
    """Liaison's registry events into the store the page's app then opens (intake's
    consumer fills its replica, as with liaison running)."""
    async with harness(SERVICE, tmp) as h:
        for event in REGISTRY:
            await h.deliver(event, subject=subject_of(event))


class Intake:
    def __init__(self, url: str, store: Path) -> None:
        self.url = url
        self.store = store

    def filed(self, tracking: str) -> dict[str, Any]:
        """A suggestion as stored, found by the code the page showed (read beside the app:
        SQLite in WAL mode lets a reader in)."""
        body = tracking.replace("-", "")[2:]
        with closing(sqlite3.connect(self.store)) as db:
            db.row_factory = sqlite3.Row
            row = db.execute(
                "SELECT * FROM suggestions WHERE tracking_code = ?", (body,)
            ).fetchone()
        assert row is not None, tracking
        return dict(row)


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Intake]:
    tmp = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in ENV.items():
            mp.setenv(name, value)
        asyncio.run(_register(tmp))
    app = offline_app(tmp, ENV)
    with browser_support.served(app, "intake") as url:
        yield Intake(url, tmp / "intake.sqlite3")


class Phone:
    """A page on a phone-sized screen that records the console's errors."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 390, "height": 844})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        response = self.page.goto(url + "/")
        assert response is not None
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert "connect-src 'self'" in response.headers["content-security-policy"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with browser_support.chromium() as launched:
        yield launched


def test_a_citizen_files_on_the_page_tracks_it_and_reads_why_a_bad_code_is_refused(
    intake: Intake, browser: Any
) -> None:
    phone = Phone(browser, intake.url)
    page = phone.page
    page.fill("input[name=title]", "掇刀区白庙街道噪音扰民")
    page.fill("textarea[name=content]", "白庙街道某工地夜间施工，噪音很大，影响休息。")
    page.select_option("#district", "420804")
    page.select_option("#township", "白庙街道")
    page.fill("input[name=phone]", "13812345678")
    page.click("#file-form button[type=submit]")
    code = page.locator("#tracking-code")
    sync_api.expect(code).to_have_text(re.compile(r"^MY-(?:[0-9A-Z]{4}-){4}[0-9A-Z]$"))
    page.click("nav button[data-tab=track]")
    page.click("#track-form button[type=submit]")
    sync_api.expect(page.locator("#t-status")).to_have_text("已受理")
    # A refusal shows its message (the one error shape: detail[i].msg).
    page.fill("#track-code", "MY-0000-0000-0000-0000-1")
    page.click("#track-form button[type=submit]")
    sync_api.expect(page.locator("#track-error")).to_have_text(
        "查询码无效，请核对后重试（invalid tracking code）"
    )
    assert [e for e in phone.errors if "404" not in e] == []


def test_a_citizen_finds_the_deputies_of_a_place_and_files_to_one_of_them(
    intake: Intake, browser: Any
) -> None:
    phone = Phone(browser, intake.url)
    page = phone.page
    page.click("nav button[data-tab=find]")
    # Typed: an address down to the community.
    page.fill("#find-address", "东宝区泉口街道白云社区3栋")
    page.click("#find-address-form button[type=submit]")
    sync_api.expect(page.locator("#find-hint")).to_have_text("已定位到东宝区泉口街道白云社区。")
    deputies = page.locator("#find-deputies")
    sync_api.expect(deputies.locator(".level h3")).to_have_text(
        ["全国人大代表", "市人大代表", "县（市、区）人大代表", "乡镇人大代表"]
    )
    sync_api.expect(deputies.locator(".name")).to_have_text(
        ["彭玉梅", "王建国", "曹丽娟", "董建华", "田春生"]
    )
    stations = page.locator("#find-stations .station")
    sync_api.expect(stations.locator(".name")).to_have_text(
        ["东宝区泉口街道代表联络站", "东宝区网上代表联络站"]
    )
    booking = stations.first.get_by_role("link", name="预约接待")
    sync_api.expect(booking).to_have_attribute(
        "href", "http://127.0.0.1:8005/stations/ST-420802-05"
    )
    browser_support.screenshot(page, "citizen-find-deputy.png")  # the phone's 390x844
    # Picked: division → township → community lists.
    page.click("#find-pick summary")
    page.select_option("#find-division", "420802")
    page.select_option("#find-township", "龙泉街道")
    sync_api.expect(page.locator("#find-community option")).to_have_text(["（可不选）", "中天社区"])
    page.click("#find-pick-form button[type=submit]")
    sync_api.expect(page.locator("#find-hint")).to_have_text("已定位到东宝区龙泉街道。")
    sync_api.expect(deputies.locator(".name")).to_contain_text(["李秀英"])
    page.select_option("#find-township", "泉口街道")
    page.select_option("#find-community", "白云社区")
    page.click("#find-pick-form button[type=submit]")
    sync_api.expect(page.locator("#find-hint")).to_have_text("已定位到东宝区泉口街道白云社区。")
    # Mobile-first: on the narrowest common phone nothing is wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # From a deputy's card to a filing addressed to her.
    card = deputies.locator(".deputy").filter(has_text="曹丽娟")
    card.get_by_role("button", name="向TA反映").click()
    sync_api.expect(page.locator("#addressee-name")).to_have_text("曹丽娟（县（市、区）人大代表）")
    sync_api.expect(page.locator("#district")).to_have_value("420802")
    sync_api.expect(page.locator("#township")).to_have_value("泉口街道")
    page.fill("input[name=title]", "白云社区停车难")
    page.fill("textarea[name=content]", "白云社区老旧小区车位太少，晚上车辆乱停，消防通道被堵。")
    page.click("#file-form button[type=submit]")
    code = page.locator("#tracking-code")
    sync_api.expect(code).to_have_text(re.compile(r"^MY-"))
    sync_api.expect(page.locator("#file-to")).to_have_text(
        "已反映给：曹丽娟（县（市、区）人大代表）"
    )
    stored = intake.filed(code.inner_text())
    assert (stored["representative_id"], stored["district_code"], stored["township"]) == (
        "REP-420802-006",
        "420802",
        "泉口街道",
    )
    assert [e for e in phone.errors if "404" not in e] == []
