"""The dashboard in a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.reporting_history import history, lifecycle, publish
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("MINYI_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

if importlib.util.find_spec("playwright") is None:
    pytest.skip(
        "dashboard browser test needs the Python package playwright (playwright==1.65.2)",
        allow_module_level=True,
    )
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"dashboard browser test needs chromium at {CHROMIUM} "
        "(apt-get install -y chromium fonts-noto-cjk)",
        allow_module_level=True,
    )

from playwright.sync_api import ConsoleMessage, sync_playwright  # noqa: E402

HEATMAP_CELLS = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('heatmap'));
  const o = chart.getOption();
  return o.series[0].data.map(([x, y, n]) => [o.xAxis[0].data[x], o.yAxis[0].data[y], n]);
}"""


def _api_cells(system: System) -> list[list[Any]]:
    rows = httpx.get(
        system.url("reporting", "/v1/heatmap"), headers=system.admin, timeout=10
    ).json()["district_focus"]
    return sorted(
        [r["district_name"] or r["district_code"], r["focus_area"] or "未分类", r["count"]]
        for r in rows
    )


def test_the_dashboard_shows_the_api_counts_and_a_new_resolution_without_reload(
    system_factory: type[System], tmp_path: Path
) -> None:
    system = system_factory()
    system.start(["reporting"])
    events = history()
    publish(system.nats_url, events)
    eventually(
        lambda: (
            httpx.get(system.url("reporting", "/v1/headline"), headers=system.admin).json()[
                "suggestions_collected"
            ]
            == 4
        ),
        what="views filled",
    )
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300}, locale="zh-CN")
            page.on("console", on_console)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            token = system.admin["Authorization"].removeprefix("Bearer ")
            page.add_init_script(f"sessionStorage.setItem('minyi.token', '{token}')")
            response = page.goto(system.url("reporting", "/"))
            assert response is not None and response.ok
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
            page.wait_for_selector("text=● 实时更新中", timeout=20_000)

            assert sorted(page.evaluate(HEATMAP_CELLS)) == _api_cells(system)
            assert page.inner_text("#h-collected") == "4"
            # Issue 22: the latest answers are read from the store on load (titles, not ids),
            # and a figure opens as many items as it says.
            assert page.locator("#resolutions li").count() == 3
            assert page.locator("#resolutions li button").nth(0).inner_text().endswith("路灯不亮")
            page.locator("#h-overdue").click()
            page.wait_for_selector("#drill[data-total='1']", timeout=10_000)

            # s-4 has no answer yet; its resolution must appear on the open page.

            s4 = lifecycle("s-4", day=9, late=True, outcome="C")
            resolved = [e for e in s4 if "resolved" in e.type]
            publish(system.nats_url, resolved)
            page.wait_for_selector('#resolutions li[data-suggestion-id="s-4"]', timeout=20_000)

            shot = tmp_path / "dashboard.png"
            page.wait_for_timeout(1500)  # let the refreshed charts finish their animation
            page.screenshot(path=str(shot), full_page=True)
            if target := os.environ.get("MINYI_DASHBOARD_SCREENSHOT"):
                shutil.copy(shot, target)
        finally:
            browser.close()
    assert errors == [], errors
