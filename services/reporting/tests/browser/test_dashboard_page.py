"""The dashboard in a real browser (Debian's chromium, driven by Playwright), served by the
whole app (NATS away: the service serves HTTP without it; the views are filled beforehand by
folding a history straight into the store)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from minyi.platform import migrations
from minyi.platform.app.assembly import build_runtime, create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.nats_server import free_port
from minyi.platform.settings import Settings
from minyi.reporting.bootstrap import SERVICE
from minyi.reporting.service_layer.handlers import project
from tests.support import browser as browser_support
from tests.support.reporting_deputies import D1, deputies_history
from tests.support.reporting_history import history, liaison_history

sync_api = browser_support.playwright()

LIAISON_SERIES = """() => {
  const o = echarts.getInstanceByDom(document.getElementById('liaison-weekly')).getOption();
  return Object.fromEntries(o.series.map((s) => [s.name, s.data]));
}"""


@dataclass(frozen=True)
class Dashboard:
    url: str
    citizen: str  # a role that may not read the views
    admin: str

    def api(self, path: str) -> Any:
        r = httpx.get(self.url + path, headers={"Authorization": f"Bearer {self.admin}"})
        assert r.status_code == 200, r.text
        return r.json()


async def _fill(settings: Settings) -> None:
    """The views a live consumer would have left after hearing the histories."""
    runtime = build_runtime(SERVICE, settings)
    try:
        await migrations.upgrade(runtime.engine, SERVICE.package)
        async with runtime.unit_of_work() as uow:
            # The deputies' quarter without its reception (the liaison section's weeks stay
            # those of liaison_history).
            deputies = [e for e in deputies_history() if e.subject != "r-9"]
            for e in [*history(), *liaison_history(), *deputies]:
                await project(uow.views, 1, e)
    finally:
        await runtime.engine.dispose()


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    tmp = tmp_path_factory.mktemp("browser")
    settings = Settings(
        service="reporting",
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp}/reporting.sqlite3",
        nats_url=f"nats://127.0.0.1:{free_port()}",
    )
    asyncio.run(_fill(settings))
    app = create_app(SERVICE, settings)
    keyring = app.state.runtime.keyring

    def token(role: Role) -> str:
        header = bearer(keyring, Principal(role, f"{role.value}:browser"))
        return header["Authorization"].removeprefix("Bearer ")

    with browser_support.served(app, "reporting") as url:
        yield Dashboard(url, token(Role.CITIZEN), token(Role.ADMIN))


@pytest.fixture
def browser() -> Iterator[Any]:
    with browser_support.chromium() as launched:
        yield launched


def _open(browser: Any, dashboard: Dashboard, token: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.add_init_script(f"sessionStorage.setItem('minyi.token', '{token}')")
    return page, errors


def test_a_citizen_token_is_sent_back_to_sign_in_with_the_services_own_message(
    reporting: Dashboard, browser: Any
) -> None:
    page, _errors = _open(browser, reporting, reporting.citizen)
    response = page.goto(reporting.url + "/")
    assert response is not None and response.ok
    # The kit asks the service who the token names before the page loads anything.
    # (a citizen token is refused by the service itself, with its own message).
    sync_api.expect(page.locator("#signin")).to_contain_text("当前角色无权访问")
    assert page.locator("#desk").is_hidden()


def test_the_liaison_section_shows_each_station_and_the_weeks_the_api_gives(
    reporting: Dashboard, browser: Any
) -> None:
    stations = reporting.api("/v1/liaison/stations")
    weeks = reporting.api("/v1/liaison/weekly")
    assert [s["station_id"] for s in stations] == ["ST-420802-01", "ST-420804-01"]
    page, errors = _open(browser, reporting, reporting.admin)
    page.goto(reporting.url + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)

    rows = page.locator("#liaison-stations tbody tr")
    assert rows.count() == len(stations)
    first = rows.nth(0).locator("td").all_inner_texts()
    s = stations[0]
    assert first == [
        "东宝区龙泉街道代表联络站", "代表联络站", "东宝区", str(s["receptions_held"]),
        str(s["bookings_made"]), str(s["matters_raised"]), str(s["matters_answered"]),
        str(s["matters_referred"]), "66.7%",
    ]  # fmt: skip
    assert page.inner_text("#l-held") == str(sum(s["receptions_held"] for s in stations))
    assert page.inner_text("#l-raised") == "4"
    series = page.evaluate(LIAISON_SERIES)
    assert series["举行接待"] == [w["receptions_held"] for w in weeks] == [1, 0, 1]
    assert series["转为建议"] == [w["matters_referred"] for w in weeks]
    assert page.locator("#liaison-weekly-empty").is_hidden()

    page.wait_for_timeout(1200)  # let the chart finish its animation
    browser_support.screenshot(page.locator("#liaison"), "dashboard-liaison.png")
    assert errors == []


def test_without_liaison_data_the_section_says_so(reporting: Dashboard, browser: Any) -> None:
    page, errors = _open(browser, reporting, reporting.admin)
    page.route(
        "**/v1/liaison/**",
        lambda route: route.fulfill(status=200, content_type="application/json", body="[]"),
    )
    page.goto(reporting.url + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    sync_api.expect(page.locator("#liaison-weekly-empty")).to_be_visible()
    sync_api.expect(page.locator("#liaison-weekly-empty")).to_contain_text("暂无接待记录")
    assert page.locator("#liaison-weekly").is_hidden()
    sync_api.expect(page.locator("#liaison-stations tbody")).to_contain_text("暂无联络站数据")
    assert page.inner_text("#l-held") == "0"
    assert errors == []


def test_the_deputies_section_shows_scores_bands_coverage_and_the_years_figures(
    reporting: Dashboard, browser: Any
) -> None:
    year = reporting.api("/v1/headline/year")
    reps = reporting.api(f"/v1/representatives?year={year['year']}")
    coverage = reporting.api("/v1/representatives/coverage")
    assert (year["year"], coverage["quarter"]) == (2026, "2026-Q4")
    page, errors = _open(browser, reporting, reporting.admin)
    page.goto(reporting.url + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)

    assert page.inner_text("#y-outings") == str(year["deputy_outings"]) == "4"
    assert page.inner_text("#y-suggestions") == str(year["suggestions"]) == "2"
    assert page.inner_text("#y-solved") == "1"
    assert (
        page.inner_text("#year-line")
        == "2026年：代表履职 4 人次，收到意见建议 2 件，解决问题 1 件。"
    )
    assert page.inner_text("#c-quarter") == "2026年第4季度"
    # D1 only, of the six serving deputies (three of liaison_history's, three of the quarter's).
    assert (coverage["active"], coverage["serving"]) == (1, 6)
    assert page.inner_text("#c-share") == "16.7%"
    assert page.inner_text("#c-range").startswith("10月1日 周四至12月31日 周四")
    first = page.locator("#reps tbody tr").nth(0)
    assert first.get_attribute("data-deputy-id") == D1 == reps[0]["representative_id"]
    assert first.locator("td").all_inner_texts() == [
        "1", "张明", "市人大代表", "东宝区", "72.5", "良好", "2", "0",
    ]  # fmt: skip
    assert first.locator(".band").get_attribute("class") == "band band-good"
    unscored = page.locator("#reps tbody tr").nth(2).locator(".band")
    assert (unscored.inner_text(), unscored.get_attribute("class")) == ("未评价", "band band-none")
    divisions = page.locator("#coverage-division tbody tr")
    assert [divisions.nth(i).locator("td").all_inner_texts() for i in range(2)] == [
        ["东宝区", "4", "1", "25.0%"], ["掇刀区", "2", "0", "0.0%"],
    ]  # fmt: skip
    assert page.locator("#coverage-level tbody tr").count() == len(coverage["by_level"]) == 3

    unit = page.locator('#units tbody tr[data-unit-id="u-zjj"] td').all_inner_texts()
    # 承诺 2, 按期兑现 1, 逾期兑现 1, 逾期未兑现 0; 应答复 1, 按期 0, 超期 0, 逾期未答复 1.
    assert unit[9:] == ["2", "1", "1", "0", "1", "0", "0", "1"]

    page.wait_for_timeout(600)
    browser_support.screenshot(page.locator("#deputies"), "dashboard-deputies.png")
    browser_support.screenshot(page.locator("#units"), "dashboard-units.png")
    assert errors == []


def test_without_a_token_the_page_shows_the_sign_in_screen(
    reporting: Dashboard, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(reporting.url + "/")
    sync_api.expect(page.locator("#signin")).to_be_visible()
    assert page.locator("main").is_hidden()
    page.fill("#kit-token", reporting.admin)  # the platform's sign-in kit
    page.click("#signin button[type=submit]")
    page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
    assert page.locator("#signin").is_hidden()
    sync_api.expect(page.locator("#deputies")).to_be_visible()
    # 360 px: one column, nothing wider than the phone but the tables' own scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    browser_support.screenshot(page.locator("#deputies"), "dashboard-deputies-phone.png")
    assert errors == []
