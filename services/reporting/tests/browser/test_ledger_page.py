"""项目进展与民意公开 (/ledger, /ledger/projects/{id}) and the dashboard's map tab in a real
browser (Debian's chromium, Playwright), without signing in: the map DRAWN (the ECharts
instance with the five regions, a non-empty canvas), a district's townships on a click, a
project's page with its timeline, a project turning late live, on a phone's width."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from minyi.contracts.envelope import RawEvent
from minyi.contracts.projects import Milestone, ProjectRegistered, ProjectStatusChanged
from minyi.contracts.supervision import MarkedOverdue
from minyi.platform import migrations
from minyi.platform.app.assembly import build_runtime, create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.nats_server import free_port
from minyi.platform.settings import Settings
from minyi.reporting.bootstrap import SERVICE
from minyi.reporting.service_layer.handlers import project
from services.reporting.tests.ledger_history import P1, TODAY, at, ev, ledger_history
from tests.support import browser as browser_support

sync_api = browser_support.playwright()
SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
P3 = "P-2026-003"
PHONE = {"width": 360, "height": 740}

MAP_DRAWN = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById(arguments[0] || 'map'));
  if (!chart) return null;
  const o = chart.getOption();
  const geo = chart.getModel().getComponent('geo');
  const regions = geo && geo.coordinateSystem ? geo.coordinateSystem.regions.map((r) => r.name) : [];
  const canvas = document.querySelector('#' + (arguments[0] || 'map') + ' canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
  return { series: o.series.map((s) => s.type), regions, data: o.series[0].data.length,
           scatter: o.series[1].data.length, painted };
}"""


def drawn(page: Any, element: str) -> dict[str, Any]:
    return page.evaluate(MAP_DRAWN.replace("arguments[0]", repr(element)))


def region_point(page: Any, element: str, name: str) -> dict[str, float]:
    """A point inside region ``name`` (nearest its centre) clear of the stations' dots, in
    page coordinates."""
    js = f"""() => {{
      const chart = echarts.getInstanceByDom(document.getElementById({element!r}));
      const geo = chart.getModel().getComponent('geo').coordinateSystem;
      const region = geo.regions.find((r) => r.name === {name!r});
      const px = (p) => chart.convertToPixel({{ geoIndex: 0 }}, p);
      const dots = chart.getOption().series[1].data.map((d) => px(d.value));
      const [cx, cy] = px(region.getCenter());
      const rect = region.getBoundingRect();
      let best = null;
      for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {{
        const p = [rect.x + rect.width * i / 40, rect.y + rect.height * j / 40];
        if (!region.contain(p)) continue;
        const [x, y] = px(p);
        if (dots.some(([dx, dy]) => Math.hypot(dx - x, dy - y) < 20)) continue;
        const d = Math.hypot(x - cx, y - cy);
        if (!best || d < best.d) best = {{ x, y, d }};
      }}
      const box = document.getElementById({element!r}).getBoundingClientRect();
      return {{ x: box.left + best.x, y: box.top + best.y }};
    }}"""
    return page.evaluate(js)


def p3_registered() -> RawEvent:
    data = ProjectRegistered(
        project_id=P3, name="掇刀区农贸市场提档升级", focus_area="现代服务业",
        division_codes=["420804"], unit_ids=["jm-swj"], starts_on=date(2026, 11, 1),
        ends_on=date(2027, 3, 31),
        milestones=[
            Milestone(milestone_id="m1", title="完成设计方案", due_on=date(2026, 12, 1)),
            Milestone(milestone_id="m2", title="完成改造", due_on=date(2027, 3, 1)),
        ],
        version=1, changed_at=at(1),
    )  # fmt: skip
    return ev(data, P3, 1)


def p3_turns_late() -> list[RawEvent]:
    sid = f"{P3}~m1"
    overdue = MarkedOverdue(
        suggestion_id=sid, unit_id="jm-swj", reply_by=at(29), marked_at=at(31),
        case_id=f"{sid}:1", case_version=2,
    )  # fmt: skip
    late = ProjectStatusChanged(
        project_id=P3, status="late", previous="on_plan", milestone_id="m1",
        late_working_days=1, reason="节点“完成设计方案”逾期 1 个工作日", changed_at=at(31),
    )  # fmt: skip
    return [ev(overdue, sid, 31), ev(late, P3, 31)]


async def _fold(settings: Settings, events: list[RawEvent], migrate: bool = False) -> None:
    runtime = build_runtime(SERVICE, settings)
    try:
        if migrate:
            await migrations.upgrade(runtime.engine, SERVICE.package)
        async with runtime.unit_of_work() as uow:
            for e in events:
                await project(uow.views, 1, e)
    finally:
        await runtime.engine.dispose()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings, Any, list]]:
    tmp = tmp_path_factory.mktemp("ledger")
    settings = Settings(
        service="reporting",
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp}/reporting.sqlite3",
        nats_url=f"nats://127.0.0.1:{free_port()}",
        clock_start=TODAY,
    )
    asyncio.run(_fold(settings, [*ledger_history(), p3_registered()], migrate=True))
    app = create_app(SERVICE, settings)
    loops: list[asyncio.AbstractEventLoop] = []

    @app.middleware("http")
    async def remember_loop(request: Any, call_next: Any) -> Any:
        # The server's loop: the test rings the live ticks on it.
        if not loops:
            loops.append(asyncio.get_running_loop())
        return await call_next(request)

    with browser_support.served(app, "reporting") as url:
        yield url, settings, app, loops


def _page(browser: Any, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport=viewport, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def test_the_ledger_draws_the_map_lists_projects_and_turns_a_project_late_live(
    served: tuple[str, Settings, Any, list],
) -> None:
    url, settings, app, loops = served
    with browser_support.chromium() as browser:
        page, errors = _page(browser, PHONE)
        page.goto(f"{url}/ledger")
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
        page.wait_for_function(
            "() => echarts.getInstanceByDom(document.getElementById('map')).getOption().series.length === 2"
        )
        page.wait_for_timeout(800)  # the first animation
        shown = drawn(page, "map")
        assert shown["series"] == ["map", "scatter"]
        assert sorted(shown["regions"]) == sorted(
            ["东宝区", "掇刀区", "京山县", "沙洋县", "钟祥市"]
        )
        assert shown["data"] == 5 and shown["scatter"] == 2  # S3 has no coordinates
        assert shown["painted"] > 10_000, shown["painted"]
        sync_api.expect(page.locator("#zones")).to_contain_text("漳河新区：1 件")

        # Projects: colour, percent, milestones x/y; the appeals' ranking with 附议 links.
        p1 = page.locator(f"li.project[data-project-id='{P1}']")
        sync_api.expect(p1.locator(".chip")).to_have_text("滞后")
        sync_api.expect(p1).to_contain_text("节点 1/3（逾期 1）")
        assert p1.locator("progress").get_attribute("value") == "60"
        p3 = page.locator(f"li.project[data-project-id='{P3}']")
        sync_api.expect(p3.locator(".chip")).to_have_text("按计划推进")
        appeals = page.locator("#appeals li.appeal")
        assert appeals.count() == 2
        sync_api.expect(appeals.nth(0)).to_contain_text("城区停车难")
        sync_api.expect(appeals.nth(0)).to_contain_text("附议 3 人")
        href = appeals.nth(0).locator("a.support").get_attribute("href")
        assert href is not None and href.endswith("/support?kind=appeal&id=C2")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(SCREENSHOTS / "reporting-ledger.png"), full_page=True)

        # A district's townships on a click on its region.
        page.locator("#map").scroll_into_view_if_needed()
        point = region_point(page, "map", "东宝区")
        page.mouse.click(point["x"], point["y"])
        townships = page.locator("#townships")
        sync_api.expect(townships).to_be_visible()
        sync_api.expect(townships.locator("h3")).to_contain_text("东宝区")
        rows = {
            r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text()
            for r in townships.locator("tbody tr").all()
        }
        assert rows["龙泉街道"] == "3" and rows["子陵铺镇"] == "2" and rows["未注明乡镇"] == "1"
        page.mouse.move(1, 1)  # no tooltip in the picture
        page.wait_for_timeout(300)
        page.locator("#map-card").screenshot(path=str(SCREENSHOTS / "reporting-map.png"))

        # On the accelerated clock a milestone passes undelivered: P3 turns late, live.
        sync_api.expect(page.locator("#live")).to_have_text("● 实时更新中")
        # In a thread of its own: Playwright's loop runs in this one.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _fold(settings, p3_turns_late())).result()
        assert loops, "the server's loop was not seen"
        ticks = app.state.runtime.deps.public_changes
        loops[0].call_soon_threadsafe(ticks.publish, {"event_id": "test"})
        sync_api.expect(p3.locator(".chip")).to_have_text("滞后", timeout=10_000)
        sync_api.expect(p3).to_contain_text("节点 0/2（逾期 1）")
        assert errors == []


def test_a_projects_page_shows_milestones_appeals_and_its_timeline(
    served: tuple[str, Settings, Any, list],
) -> None:
    url, *_ = served
    with browser_support.chromium() as browser:
        page, errors = _page(browser, PHONE)
        page.goto(f"{url}/ledger")
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
        page.locator(f"li.project[data-project-id='{P1}'] a.project-name").click()
        page.wait_for_url(f"**/ledger/projects/{P1}")
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
        sync_api.expect(page.locator("#p-name")).to_have_text("城区老旧小区改造")
        sync_api.expect(page.locator("#p-status")).to_have_text("滞后")
        states = page.locator("#p-milestones li").evaluate_all(
            "(items) => items.map((i) => i.dataset.state)"
        )
        assert states == ["delivered", "overdue", "pending"]
        steps = page.locator("#p-timeline li").evaluate_all(
            "(items) => items.map((i) => i.dataset.kind)"
        )
        assert steps == [
            "inspected", "status", "milestone_overdue", "milestone_reminder", "progress",
            "milestone_delivered", "registered",
        ]  # fmt: skip
        sync_api.expect(page.locator("#p-timeline")).to_contain_text("状态变为“滞后”")
        sync_api.expect(page.locator("#p-timeline")).to_contain_text("2026年11月22日 周日")
        sync_api.expect(page.locator("#p-appeals")).to_contain_text("老旧小区路灯不亮")
        sync_api.expect(page.locator("#p-consented")).to_contain_text("幸福小区路灯不亮")
        assert "张某某" not in page.inner_text("body")
        assert page.locator("#p-support").get_attribute("href") == f"/support?kind=project&id={P1}"
        sync_api.expect(page.locator("#p-progress")).to_contain_text("摸底台账.pdf")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(SCREENSHOTS / "reporting-project.png"), full_page=True)
        page.goto(f"{url}/ledger/projects/P-none")
        sync_api.expect(page.locator("#p-error")).to_contain_text("没有找到这个项目")
        assert [e for e in errors if "404" not in e] == []


def test_the_dashboards_map_tab_and_matrix(served: tuple[str, Settings, Any, list]) -> None:
    url, _settings, app, _loops = served
    header = bearer(app.state.runtime.keyring, Principal(Role.ADMIN, "admin:browser"))
    token = header["Authorization"].removeprefix("Bearer ")
    with browser_support.chromium() as browser:
        page, errors = _page(browser, {"width": 1280, "height": 900})
        page.add_init_script(f"sessionStorage.setItem('minyi.token', '{token}')")
        page.goto(url + "/")
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
        page.wait_for_timeout(800)
        shown = drawn(page, "citymap")
        assert shown["data"] == 5 and len(shown["regions"]) == 5 and shown["painted"] > 10_000
        point = region_point(page, "citymap", "钟祥市")
        page.mouse.click(point["x"], point["y"])
        sync_api.expect(page.locator("#townships h3")).to_contain_text("钟祥市")
        sync_api.expect(page.locator("#townships")).to_contain_text("郢中街道")
        page.mouse.move(1, 1)  # no tooltip in the picture
        page.wait_for_timeout(300)
        page.locator("#heat-card").screenshot(path=str(SCREENSHOTS / "reporting-dashboard-map.png"))
        page.click("#tab-matrix")
        sync_api.expect(page.locator("#panel-matrix")).to_be_visible()
        assert page.locator("#panel-map").is_hidden()
        assert errors == []
