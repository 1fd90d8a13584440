"""代表建议办理情况 (/formal) in a real browser (Debian's chromium, Playwright): a year's
formal suggestions folded into the store beforehand, the figures and tables as the API
gives them, the handling table downloaded, one column on a phone."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import httpx

from minyi.platform import migrations
from minyi.platform.app.assembly import build_runtime, create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.nats_server import free_port
from minyi.platform.settings import Settings
from minyi.reporting.bootstrap import SERVICE
from minyi.reporting.service_layer.handlers import project
from services.reporting.tests.formal_history import formal_history
from tests.support import browser as browser_support

sync_api = browser_support.playwright()
SCREENSHOT = Path(__file__).resolve().parents[4] / "docs" / "screenshots" / "reporting-formal.png"


async def _fill(settings: Settings) -> None:
    runtime = build_runtime(SERVICE, settings)
    try:
        await migrations.upgrade(runtime.engine, SERVICE.package)
        async with runtime.unit_of_work() as uow:
            for e in formal_history():
                await project(uow.views, 1, e)
    finally:
        await runtime.engine.dispose()


def test_the_years_figures_tables_and_handling_table(tmp_path: Path) -> None:
    settings = Settings(
        service="reporting",
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/reporting.sqlite3",
        nats_url=f"nats://127.0.0.1:{free_port()}",
    )
    asyncio.run(_fill(settings))
    app = create_app(SERVICE, settings)
    header = bearer(app.state.runtime.keyring, Principal(Role.ADMIN, "admin:browser"))
    token = header["Authorization"].removeprefix("Bearer ")
    with browser_support.served(app, "reporting") as url, browser_support.chromium() as browser:
        report = httpx.get(f"{url}/v1/formal-suggestions/year/2026", headers=header).json()
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.add_init_script(f"sessionStorage.setItem('minyi.token', '{token}')")
        page.goto(f"{url}/formal?year=2026")
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)

        t = report["totals"]
        assert [page.inner_text(f"#f-{k}") for k in ("filed", "answered", "ontime", "overdue")] == [
            str(t["filed"]), str(t["answered"]), str(t["answered_on_time"]), str(t["overdue_now"]),
        ] == ["4", "3", "2", "1"]  # fmt: skip
        assert page.inner_text("#f-ontime-rate") == "按期答复率 样本不足"
        units = page.locator("#f-units tr")
        assert units.count() == len(report["by_unit"]) == 2
        assert units.nth(1).locator("td").all_inner_texts() == [
            "荆门市住房和城乡建设局", "3", "0", "2", "2", "0", "2", "0", "0", "2", "1", "0", "2",
            "1", "1",
        ]  # fmt: skip
        assert page.locator("#f-deputies tr").nth(0).locator("td").all_inner_texts()[:3] == [
            "张明", "2", "0",
        ]  # fmt: skip
        sync_api.expect(page.locator("#f-topics")).to_contain_text("城区交通治理")
        sync_api.expect(page.locator("#f-delivery")).to_contain_text("逾期未兑现 1 件")

        with page.expect_download() as download:
            page.click("#download")
        saved = download.value
        assert saved.suggested_filename == "2026年代表建议办理情况表.xlsx"
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(Path(saved.path()).read_bytes())).active
        assert sheet is not None
        assert [r[0] for r in sheet.iter_rows(values_only=True)] == [
            "建议编号", "2026-0001", "2026-0002", "2026-0003", "2026-0004",
        ]  # fmt: skip

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        # A phone: one column, nothing wider than the screen but the tables' own scrolling.
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.fill("#year", "1999")
        page.click("#year-form button[type=submit]")
        sync_api.expect(page.locator("#year-error")).to_contain_text("2000 至 2100")
        assert errors == []
