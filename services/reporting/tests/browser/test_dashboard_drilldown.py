"""Issue 22 as the office uses the dashboard, in a real browser: click the darkest heat-map
cell and see its items, open one and see its timeline, switch to 本季度 and back; the unit
table's satisfaction is that of the ratings given; latest answers are there on load."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
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
from tests.support.reporting_month import office_month

sync_api = browser_support.playwright()

# The service's clock: Monday 2025-10-20 in Beijing, so 本季度 is 2025-Q4 (the month's items
# filed from October 1st) and the quarter before holds the two of September.
TODAY = datetime(2025, 10, 20, 2, 0, tzinfo=UTC)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
DARKEST_CELL = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('heatmap'));
  const data = chart.getOption().series[0].data;
  const [x, y, n] = data.reduce((a, b) => (b[2] > a[2] ? b : a));
  const [px, py] = chart.convertToPixel({ seriesIndex: 0 }, [x, y]);
  const o = chart.getOption();
  return { px, py, n, district: o.xAxis[0].data[x], focus: o.yAxis[0].data[y] };
}"""


@dataclass(frozen=True)
class Dashboard:
    url: str
    admin: str

    def api(self, path: str, **params: Any) -> Any:
        r = httpx.get(
            self.url + path, params=params, headers={"Authorization": f"Bearer {self.admin}"}
        )
        assert r.status_code == 200, r.text
        return r.json()


async def _fill(settings: Settings) -> None:
    runtime = build_runtime(SERVICE, settings)
    try:
        await migrations.upgrade(runtime.engine, SERVICE.package)
        async with runtime.unit_of_work() as uow:
            for e in office_month():
                await project(uow.views, 1, e)
    finally:
        await runtime.engine.dispose()


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    tmp = tmp_path_factory.mktemp("drilldown")
    settings = Settings(
        service="reporting",
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp}/reporting.sqlite3",
        nats_url=f"nats://127.0.0.1:{free_port()}",
        clock_start=TODAY,
    )
    asyncio.run(_fill(settings))
    app = create_app(SERVICE, settings)
    header = bearer(app.state.runtime.keyring, Principal(Role.ADMIN, "admin:browser"))
    with browser_support.served(app, "reporting") as url:
        yield Dashboard(url, header["Authorization"].removeprefix("Bearer "))


@pytest.fixture
def page(reporting: Dashboard) -> Iterator[Any]:
    with browser_support.chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.add_init_script(f"sessionStorage.setItem('minyi.token', '{reporting.admin}')")
        page.goto(reporting.url + "/")
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
        yield page
        assert errors == []


def test_the_darkest_cell_opens_its_items_and_an_item_its_timeline(
    reporting: Dashboard, page: Any
) -> None:
    page.click("#tab-matrix")  # the heat map's second view (the map is the first)
    page.wait_for_timeout(800)  # the chart's first animation
    cell = page.evaluate(DARKEST_CELL)
    box = page.locator("#heatmap").bounding_box()
    page.mouse.click(box["x"] + cell["px"], box["y"] + cell["py"])
    drill = page.locator("#drill")
    sync_api.expect(drill).to_be_visible()
    sync_api.expect(page.locator("#drill-title")).to_have_text(
        f"{cell['district']} · {cell['focus']}：{cell['n']} 件"
    )
    heat = reporting.api("/v1/heatmap")["district_focus"]
    code = next(c["district_code"] for c in heat if c["district_name"] == cell["district"])
    listed = reporting.api("/v1/items", district=code, focus_area=cell["focus"])
    assert drill.get_attribute("data-total") == str(listed["total"]) == str(cell["n"]) == "12"
    rows = page.locator("#drill-table tbody tr")
    assert rows.count() == 12
    first = rows.nth(0).locator("td").all_inner_texts()
    # Title, district, unit, status, deadline, days overdue, filed — names, not ids.
    assert first[0].endswith("路灯不亮") and first[1] == "东宝区" and first[2] == "u-zjj 名称"
    assert first[3] == "已办结" and re.fullmatch(r"\d+月\d+日 周.", first[6])
    assert not UUID.search(page.inner_text("#drill"))
    browser_support.screenshot(drill, "dashboard-drilldown.png")

    # Sort by deadline, then open the first item's timeline.
    page.get_by_role("button", name="受理日期").click()
    sync_api.expect(page.locator("#drill-table th[aria-sort=ascending]")).to_have_text("受理日期")
    sid = rows.nth(0).get_attribute("data-suggestion-id")
    assert sid == "z-00"
    rows.nth(0).locator("button.link").click()
    timeline = page.locator("#timeline")
    sync_api.expect(timeline).to_be_visible()
    sync_api.expect(page.locator("#timeline-title")).to_have_text("z-00 路灯不亮")
    api = reporting.api(f"/v1/suggestions/{sid}")
    steps = page.locator("#timeline-steps li")
    assert steps.count() == len(api["timeline"])
    assert steps.nth(0).inner_text().endswith("受理")
    assert "交办 · u-zjj 名称" in steps.nth(1).inner_text()
    browser_support.screenshot(timeline, "dashboard-timeline.png")


def test_this_quarter_and_back_with_the_change_against_the_quarter_before(
    reporting: Dashboard, page: Any
) -> None:
    everything = reporting.api("/v1/headline")
    assert page.inner_text("#h-collected") == str(everything["suggestions_collected"]) == "18"
    quarter = reporting.api("/v1/headline", period="quarter")
    assert (quarter["from"], quarter["to"]) == ("2025-10-01", "2025-12-31")
    page.get_by_text("本季度", exact=True).click()
    page.wait_for_selector("body[data-period=quarter]")
    sync_api.expect(page.locator("#h-collected")).to_have_text(
        str(quarter["suggestions_collected"])
    )
    assert quarter["suggestions_collected"] == 16
    assert page.inner_text("#period-line") == (
        "2025年10月1日 周三 至 2025年12月31日 周三；对比上期 2025年7月1日 周二 至 2025年9月30日 周二"
    )
    # 16 against 2 in the quarter before: +14 (+700.0%).
    assert page.inner_text("#d-collected") == "较上期 +14（+700.0%）"
    # The overdue figure opens as many items as it says.
    page.locator("#h-overdue").click()
    sync_api.expect(page.locator("#drill")).to_have_attribute(
        "data-total", page.inner_text("#h-overdue")
    )
    browser_support.screenshot(page.locator("#headline"), "dashboard-periods.png")
    page.get_by_text("全部", exact=True).click()
    page.wait_for_selector("body[data-period=all]")
    sync_api.expect(page.locator("#h-collected")).to_have_text("18")
    assert page.inner_text("#d-collected") == ""


def test_the_unit_table_shows_satisfaction_on_the_ratings_given(
    reporting: Dashboard, page: Any
) -> None:
    units = {u["unit_id"]: u for u in reporting.api("/v1/units")}
    zjj = page.locator('#units tbody tr[data-unit-id="u-zjj"] td')
    cells = zjj.all_inner_texts()
    u = units["u-zjj"]
    assert (u["ratings_satisfied"], u["ratings"]) == (8, 16)
    assert cells[7] == "50.0%" and cells[8] == "8 / 8"
    title = zjj.nth(7).locator("button").get_attribute("title")
    assert title is not None and "群众评价为满意的次数" in title and "分母 16" in title
    # Too few ratings: 样本不足, never 100 %.
    jtj = page.locator('#units tbody tr[data-unit-id="u-jtj"] td').all_inner_texts()
    assert jtj[7] == "样本不足"
    # The rating cell opens the items that were rated.
    zjj.nth(8).locator("button").click()
    sync_api.expect(page.locator("#drill")).to_have_attribute("data-total", "12")
    browser_support.screenshot(page.locator("#units"), "dashboard-units-ratings.png")


def test_the_recurring_appeal_and_the_short_lists_read_as_people_do(
    reporting: Dashboard, page: Any
) -> None:
    recurring = {c["cluster_id"]: c for c in reporting.api("/v1/recurring")}
    page.locator('#recurring li[data-cluster-id="c-2"] button').click()
    sync_api.expect(page.locator("#drill")).to_have_attribute(
        "data-total", str(recurring["c-2"]["growth"])
    )
    latest = reporting.api("/v1/replies/latest", limit=10)
    items = page.locator("#resolutions li")
    assert items.count() == len(latest) == 10
    assert items.nth(0).locator("button").inner_text() == latest[0]["title"]
    overdue = page.locator("#overdue li")
    assert overdue.count() == 6
    assert re.search(
        r"掇刀区 · u-jtj 名称 · 应于 .+ 前答复 · 已逾期 \d+ 天", overdue.nth(0).inner_text()
    )
    assert not UUID.search(page.inner_text("#overdue") + page.inner_text("#resolutions"))
    page.set_viewport_size({"width": 360, "height": 740})
    page.locator("#overdue li button").nth(0).click()
    sync_api.expect(page.locator("#timeline")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
