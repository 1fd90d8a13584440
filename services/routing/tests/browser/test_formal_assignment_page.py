"""代表建议交办 (/office/assign) in a real browser at phone width: the office signs in with the
kit, sees two formal suggestions — one new with routing's proposal, one a unit returned —
changes a co-unit and confirms; the assignment waits in the outbox with the co-units.
Routing runs on a SQLite store with NATS away. Screenshot:
docs/screenshots/routing-formal-assignment.png."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from minyi.contracts.envelope import EventData, RawEvent, new_event
from minyi.contracts.formal import FormalDetails
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.routing import AssignedToUnit
from minyi.contracts.supervision import AssignmentReturned
from minyi.platform import migrations
from minyi.platform.app.assembly import build_runtime, create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.nats_server import free_port
from minyi.platform.settings import Settings
from minyi.routing.adapters.reference import PACKAGE
from minyi.routing.bootstrap import SERVICE
from minyi.routing.service_layer import commands, handlers
from minyi.routing.service_layer.messages import ConfirmFormal
from tests.support import browser as browser_support

sync_api = browser_support.playwright()

SCREENSHOT = Path(__file__).resolve().parents[4] / "docs/screenshots/routing-formal-assignment.png"
DONGBAO = "420802"
FILED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def formal(sid: str, number: str, title: str, content: str, measures: str) -> SuggestionFiled:
    return SuggestionFiled(
        suggestion_id=sid,
        title=title,
        content=content,
        channel="representative",
        district_code=DONGBAO,
        filed_at=FILED,
        kind="representative_suggestion",
        representative_id="REP-420802-009",
        formal=FormalDetails(
            number=number,
            lead_deputy_id="REP-420802-009",
            co_signer_ids=["REP-420802-010", "REP-420802-011"],
            session="in_session",
            reasons="事关群众日常出行和安全。",
            measures=measures,
        ),
    )


def raw(data: EventData, subject: str) -> RawEvent:
    return RawEvent.model_validate(
        new_event(data, source="minyi/test", subject=subject).model_dump(mode="json")
    )


async def seed(settings: Settings) -> None:
    """Two formal suggestions in the queue: a new one, and one its lead unit returned."""
    runtime = build_runtime(SERVICE, settings)
    await migrations.upgrade(runtime.engine, PACKAGE)
    deps = runtime.deps
    returned = formal(
        "sug-a",
        "2026-0101",
        "关于整治城区农贸市场周边环境的建议",
        "城区几个农贸市场周边垃圾清运不及时，占道经营多。",
        "建议加强垃圾清运；规范占道经营。",
    )
    fresh = formal(
        "sug-b",
        "2026-0123",
        "关于加快城区老旧道路改造的建议",
        "城区道路破损严重，雨天积水，群众出行不便。老城区学校周边上下学时段交通拥堵。",
        "建议增设公交线路和公交站点；加强学校周边交通疏导。",
    )
    try:
        async with runtime.unit_of_work() as uow:
            await handlers.when_suggestion_filed_assign_unit(raw(returned, "sug-a"), uow, deps)
        async with runtime.unit_of_work() as uow:
            await commands.confirm_formal(
                ConfirmFormal(suggestion_id="sug-a", unit_id="db-zjj", by="人大办李四"), uow, deps
            )
        back = AssignmentReturned(
            suggestion_id="sug-a",
            unit_id="db-zjj",
            reason="农贸市场管理属于商务部门职责",
            suggested_unit="db-swj",
            attempt=1,
            returned_at=FILED + timedelta(days=2),
            case_id="sug-a:1",
            case_version=2,
        )
        async with runtime.unit_of_work() as uow:
            await handlers.when_assignment_returned_route_to_next_unit(
                raw(back, "sug-a"), uow, deps
            )
        async with runtime.unit_of_work() as uow:
            await handlers.when_suggestion_filed_assign_unit(raw(fresh, "sug-b"), uow, deps)
    finally:
        await runtime.committer.stop()
        await runtime.engine.dispose()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Path]]:
    tmp = tmp_path_factory.mktemp("routing-browser")
    settings = Settings(
        service="routing",
        data_dir=tmp,
        database_url=f"sqlite+aiosqlite:///{tmp}/routing.sqlite3",
        nats_url=f"nats://127.0.0.1:{free_port()}",  # away: events wait in the outbox
    )
    asyncio.run(seed(settings))
    app = create_app(SERVICE, settings)
    with browser_support.served(app, "routing") as url:
        yield url, app.state.runtime, tmp / "routing.sqlite3"


@pytest.fixture
def browser() -> Iterator[Any]:
    with browser_support.chromium() as found:
        yield found


def assigned_in_outbox(store: Path) -> list[dict[str, Any]]:
    engine = create_engine(f"sqlite:///{store}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT subject, payload FROM outbox ORDER BY seq")).all()
    finally:
        engine.dispose()
    return [json.loads(p)["data"] for s, p in rows if s == AssignedToUnit.subject_name]


def test_the_office_confirms_a_proposal_with_a_changed_co_unit(
    served: tuple[str, Any, Path], browser: Any
) -> None:
    url, runtime, store = served
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: errors.append("dialog: " + d.message))
    response = page.goto(url + "/office/assign")
    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    # A supervisor's token is refused by the page.
    supervisor = Principal(Role.SUPERVISOR, "sup:g", group="g", districts=frozenset({DONGBAO}))
    page.fill("#kit-token", bearer(runtime.keyring, supervisor)["Authorization"][7:])
    page.click("#signin button[type=submit]")
    sync_api.expect(page.locator("#desk")).to_be_hidden()
    sync_api.expect(page.locator("#signin")).to_contain_text("管理员")

    admin = bearer(runtime.keyring, Principal(Role.ADMIN, "admin:人大办"))
    page.fill("#kit-token", admin["Authorization"][7:])
    page.click("#signin button[type=submit]")
    sync_api.expect(page.locator("#count")).to_have_text("待交办 2 件")

    again = page.locator("article[data-suggestion=sug-a]")
    sync_api.expect(again).to_contain_text("第 2 次交办")
    sync_api.expect(again).to_contain_text("农贸市场管理属于商务部门职责")
    sync_api.expect(again).to_contain_text("建议改由 东宝区商务局 办理")
    sync_api.expect(again.locator("select[name=unit_id]")).to_have_value("db-swj")

    card = page.locator("article[data-suggestion=sug-b]")
    sync_api.expect(card).to_contain_text("2026-0123")
    sync_api.expect(card).to_contain_text("联名代表：REP-420802-010、REP-420802-011")
    sync_api.expect(card.locator(".proposal")).to_contain_text("系统建议")
    proposed_lead = card.locator("select[name=unit_id]").input_value()
    assert proposed_lead, "the proposal's lead is preselected"
    assert page.evaluate("document.documentElement.scrollWidth <= 390")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The lead as a co-unit is refused with the server's words; then a good choice.
    co = card.locator("select[name=co_unit]")
    co.nth(2).select_option(proposed_lead)
    card.locator("button[type=submit]").click()
    sync_api.expect(card.locator(".error")).to_contain_text("不能同时协办")
    co.nth(2).select_option("jm-gaj")
    card.locator("textarea[name=note]").fill("学校周边交通疏导需公安交警协办")
    card.locator("button[type=submit]").click()
    sync_api.expect(page.locator("#notice")).to_contain_text("已交办 2026-0123")
    sync_api.expect(page.locator("#count")).to_have_text("待交办 1 件")
    sync_api.expect(page.locator("article[data-suggestion=sug-b]")).to_have_count(0)

    [*_, last] = assigned_in_outbox(store)
    assert last["suggestion_id"] == "sug-b" and last["unit_id"] == proposed_lead
    assert "jm-gaj" in [c["unit_id"] for c in last["co_units"]]
    assert last["number"] == "2026-0123" and last["kind"] == "representative_suggestion"
    assert "学校周边交通疏导需公安交警协办" in last["explanation"]["summary"]
    # The refused choice is the one failed request the browser logs.
    assert [e for e in errors if "status of 422" not in e] == []
