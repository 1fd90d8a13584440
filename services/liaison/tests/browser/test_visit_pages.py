"""Officials' visits in a real browser on a 360 px phone screen: the office plans a visit,
a citizen asks on its public page, station staff publish the question and record the
visit with a commitment, and the public page shows both; screenshots go to
docs/img/liaison-visit-*.png (public, office, record)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from minyi.platform.auth import Principal, Role
from services.liaison.tests.browser.conftest import STATION, Server
from tests.support import browser as browser_support

sync_api = browser_support.playwright()

VISIT_DAY = "2026-12-08"
QUESTION = "小区加装电梯的补贴什么时候发放？"


@pytest.fixture
def phone() -> Iterator[Any]:
    """New tabs 360 px wide (each with its own sessionStorage); any console error or
    dialog fails the test."""
    errors: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and "status of 4" not in message.text:
            errors.append(message.text)

    with browser_support.chromium() as browser:

        def open_tab() -> Any:
            tab = browser.new_page(viewport={"width": 360, "height": 780})
            tab.on("console", console)
            tab.on("dialog", lambda d: errors.append("dialog: " + d.message))
            return tab

        yield open_tab
        assert errors == []


def sign_in(page: Any, server: Server, principal: Principal) -> None:
    page.goto(server.url + "/office/visits")
    page.fill("#kit-token", server.token(principal))
    page.click("#signin button[type=submit]")
    sync_api.expect(page.locator("#desk")).to_be_visible()


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px screen"


def test_a_visit_planned_asked_moderated_and_recorded_on_a_phone(
    server: Server, phone: Any
) -> None:
    office = phone()
    sign_in(office, server, Principal(Role.ADMIN, "admin:人大办"))
    sync_api.expect(office.locator("#visits")).to_contain_text("还没有进站活动")
    office.select_option("#plan-station", STATION)
    office.fill("#plan-form input[name=official_name]", "刘建国")
    office.fill("#plan-form input[name=official_post]", "局长")
    office.select_option("#plan-unit", "jm-zjj")
    office.fill("#plan-form input[name=date]", VISIT_DAY)
    office.fill("#plan-form input[name=theme]", "老旧小区改造")
    office.click("#plan-form button[type=submit]")
    sync_api.expect(office.locator("#visits")).to_contain_text("荆门市住房和城乡建设局")
    sync_api.expect(office.locator("#visits")).to_contain_text("12月8日 周二")
    visit_id = office.locator("#visits [data-visit]").first.get_attribute("data-visit")

    citizen = phone()
    citizen.goto(server.url + f"/visits/{visit_id}")
    sync_api.expect(citizen.locator("#official")).to_have_text("刘建国（局长）")
    sync_api.expect(citizen.locator("#questions")).to_contain_text("还没有公开的问题")
    citizen.fill("#question-text", QUESTION)
    citizen.click("#ask-form button[type=submit]")
    sync_api.expect(citizen.locator("#ask-result")).to_contain_text("审核后")
    citizen.reload()
    sync_api.expect(citizen.locator("#questions")).not_to_contain_text(QUESTION)

    staff = phone()
    sign_in(staff, server, Principal(Role.STATION_STAFF, "staff:泉口", station=STATION))
    sync_api.expect(staff.locator("#plan")).to_be_hidden()
    staff.click(f"[data-visit='{visit_id}']")
    staff.locator("#questions button.publish").first.click()
    sync_api.expect(staff.locator("#questions")).to_contain_text("待进站答复")

    server.clock.advance(timedelta(days=7, hours=2))  # 12:00 on the visit's day
    staff.reload()
    staff.click(f"[data-visit='{visit_id}']")
    staff.locator("#present input[name=deputy_ids]").first.check()
    staff.fill("#record-form input[name=citizens]", "42")
    staff.click("#add-commitment")
    row = staff.locator(".commitment-row").first
    row.locator("textarea[name=text]").fill("金泉路路灯年底前全部修复")
    row.locator("select[name=unit_id]").select_option("jm-jtysj")
    row.locator("input[name=due_on]").fill("2028-01-07")  # over a year ahead: refused
    staff.click("#record-form button[type=submit]")
    sync_api.expect(staff.locator("#record-error")).to_contain_text("不能晚于进站后 366 天")
    no_sideways_scroll(staff)
    browser_support.screenshot(staff.locator("#detail"), "liaison-visit-record.png")
    row.locator("input[name=due_on]").fill("2026-12-20")
    staff.click("#record-form button[type=submit]")
    sync_api.expect(staff.locator("#held")).to_be_visible()
    sync_api.expect(staff.locator("#commitments")).to_contain_text("进行中")
    sync_api.expect(staff.locator("#commitments")).to_contain_text("12月20日 周日")
    no_sideways_scroll(staff)
    browser_support.screenshot(staff, "liaison-visit-office.png", full_page=True)

    citizen.reload()
    sync_api.expect(citizen.locator("#status")).to_have_text("已举行")
    sync_api.expect(citizen.locator("#commitments")).to_contain_text("金泉路路灯年底前全部修复")
    sync_api.expect(citizen.locator("#commitments")).to_contain_text("荆门市交通运输局")
    sync_api.expect(citizen.locator("#questions")).to_contain_text("待书面答复")
    sync_api.expect(citizen.locator("#attendance")).to_contain_text("群众 42 人")
    sync_api.expect(citizen.locator("#ask")).to_be_hidden()
    no_sideways_scroll(citizen)
    browser_support.screenshot(citizen, "liaison-visit-public.png", full_page=True)
