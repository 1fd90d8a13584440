"""The deputy's page (/me) and the office's (/office) in a real browser at phone width
(360 px): a deputy records duties, sees the file and the score and disputes an entry; the
office accepts the dispute and the score drops. Screenshots: docs/img/deputy-me.png and
docs/img/office-disputes.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from minyi.platform.auth import Principal, Role
from services.liaison.tests.browser.conftest import Server
from tests.support import browser as browser_support

sync_api = browser_support.playwright()

DEPUTY = "REP-420802-009"  # 田春生, of 东宝区泉口街道代表联络站 (demo)


@pytest.fixture
def browser() -> Iterator[Any]:
    with browser_support.chromium() as found:
        yield found


def phone(browser: Any, errors: list[str]) -> Any:
    tab = browser.new_page(viewport={"width": 360, "height": 780})
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("dialog", lambda d: errors.append("dialog: " + d.message))
    return tab


def fits_the_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= 360"))


def test_a_deputy_disputes_an_entry_and_the_office_accepts_it(server: Server, browser: Any) -> None:
    errors: list[str] = []
    me = phone(browser, errors)
    response = me.goto(server.url + "/me")
    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    sync_api.expect(me.locator("#entries")).to_be_hidden()
    me.fill(
        "#kit-token", server.token(Principal(Role.REPRESENTATIVE, "rep:田", representative=DEPUTY))
    )
    me.click("#signin button[type=submit]")
    sync_api.expect(me.locator("#deputy-name")).to_contain_text("田春生")
    sync_api.expect(me.locator("#kinds")).to_contain_text("履职档案还是空的")
    sync_api.expect(me.locator("#activities")).to_contain_text("还没有登记履职")

    form = "#activity-form"
    me.select_option(f"{form} select[name=kind]", "inspection")
    me.fill(f"{form} input[name=title]", "视察泉口街道老旧小区改造")
    me.fill(f"{form} input[name=on]", "2026-11-20")
    me.click(f"{form} button[type=submit]")
    sync_api.expect(me.locator("#activity-result")).to_contain_text("已计入履职档案")
    me.select_option(f"{form} select[name=kind]", "training")
    me.fill(f"{form} input[name=title]", "新任代表履职培训")
    me.fill(f"{form} input[name=on]", "2026-11-25")
    me.fill(f"{form} input[name=hours]", "6")
    me.click(f"{form} button[type=submit]")
    sync_api.expect(me.locator("#entries .card")).to_have_count(2)
    # A future day is refused, and the page says why.
    me.fill(f"{form} input[name=title]", "明天的走访")
    me.select_option(f"{form} select[name=kind]", "visit")
    me.fill(f"{form} input[name=hours]", "")
    me.fill(f"{form} input[name=on]", "2026-12-02")
    me.click(f"{form} button[type=submit]")
    sync_api.expect(me.locator("#activity-error")).to_contain_text("不能晚于今天")

    sync_api.expect(me.locator("#score-value")).to_have_text("6")
    sync_api.expect(me.locator("#score-band")).to_have_text("较差")
    sync_api.expect(me.locator("#score")).to_contain_text("样本不足")
    inspection = me.locator("#entries .card", has_text="视察泉口街道老旧小区改造")
    sync_api.expect(inspection).to_contain_text("2026年11月20日 周五")
    sync_api.expect(inspection).to_contain_text("来源事件：cn.minyi.deputy.activity_recorded.v1")
    inspection.locator("button.dispute-open").click()
    inspection.get_by_label("异议理由").fill("与11月19日的视察重复登记")
    inspection.locator("form.dispute button[type=submit]").click()
    sync_api.expect(inspection).to_contain_text("异议（待处理）")
    assert fits_the_phone(me)
    browser_support.screenshot(me, "deputy-me.png", full_page=True)

    office = phone(browser, errors)
    office.goto(server.url + "/office")
    office.fill("#kit-token", server.token(Principal(Role.ADMIN, "admin:办公室")))
    office.click("#signin button[type=submit]")
    dispute = office.locator("#disputes .card").first
    sync_api.expect(dispute).to_contain_text("与11月19日的视察重复登记")
    sync_api.expect(office.locator("#snapshots")).to_contain_text("还没有公布的季度评价")
    dispute.get_by_label("处理理由").fill("经核实，11月19日已登记同一次视察")
    assert fits_the_phone(office)
    browser_support.screenshot(office, "office-disputes.png", full_page=True)
    dispute.locator("button.accept").click()
    sync_api.expect(office.locator("#disputes")).to_contain_text("没有待处理的异议")
    office.fill("#lookup-form input[name=deputy_id]", DEPUTY)
    office.fill("#lookup-form input[name=year]", "2026")
    office.click("#lookup-form button[type=submit]")
    sync_api.expect(office.locator("#deputy-name")).to_contain_text("田春生")
    sync_api.expect(office.locator("#deputy #score-value")).to_have_text("3")
    sync_api.expect(office.locator("#deputy #entries .card.struck")).to_have_count(1)

    me.reload()
    sync_api.expect(me.locator("#score-value")).to_have_text("3")
    struck = me.locator("#entries .card.struck")
    sync_api.expect(struck).to_contain_text("已撤销，不计分")
    sync_api.expect(struck).to_contain_text("异议（已采纳）")
    # A refusal the test provoked (the future day) is the only console error.
    assert [e for e in errors if "status of 422" not in e] == []
