"""The deputies' page (/deputy, 我的代表建议) in a real browser on a phone screen, with intake
on a real nats-server: a lead deputy files with two co-signers picked from the registry,
each co-signer confirms on their own page, the lead submits and gets the yearly number, the
unit's answer arrives from the stream and the lead rates it (征询意见表).
Screenshot: docs/screenshots/intake-formal-suggestions.png."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from minyi.contracts.supervision import Resolved
from minyi.intake.bootstrap import SERVICE
from minyi.platform.app.assembly import create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.settings import Settings
from services.intake.tests.integration.registry import REGISTRY, subject_of
from services.intake.tests.integration.test_formal_bus import eventually, publish
from tests.support import browser as browser_support
from tests.support.infra import NatsServer

sync_api = browser_support.playwright()
SCREENSHOT = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
LEAD, CO1, CO2 = "REP-420802-001", "REP-420802-002", "REP-420802-003"  # 王建国, 李秀英, 彭玉梅


class Intake:
    def __init__(self, url: str, runtime: Any, nats_url: str) -> None:
        self.url, self.runtime, self.nats_url = url, runtime, nats_url

    def token(self, deputy: str) -> str:
        principal = Principal(Role.REPRESENTATIVE, f"rep:{deputy}", representative=deputy)
        return bearer(self.runtime.keyring, principal)["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def intake(
    nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Intake]:
    monkeypatch.setenv("MINYI_INTAKE_API_KEYS", "browser-test")
    monkeypatch.setenv("MINYI_INTAKE_CHAT_SECRET", "browser-test")
    settings = Settings(
        service="intake",
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/intake.sqlite3",
        nats_url=nats_server.url,
    )
    app = create_app(SERVICE, settings)
    with browser_support.served(app, "intake", ready=True) as url:
        publish(nats_server.url, [(e, subject_of(e)) for e in REGISTRY])
        yield Intake(url, app.state.runtime, nats_server.url)


@pytest.fixture
def browser() -> Iterator[Any]:
    with browser_support.chromium() as launched:
        yield launched


def signed_in(browser: Any, intake: Intake, deputy: str, errors: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: errors.append("dialog: " + d.message))
    response = page.goto(intake.url + "/deputy")
    assert response is not None
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.fill("#kit-token", intake.token(deputy))
    page.click("#signin button[type=submit]")
    sync_api.expect(page.locator("#deputy-name")).to_contain_text(deputy)
    return page


def pick(page: Any, name: str) -> None:
    page.fill("#co-search", name)
    page.locator("#co-matches button", has_text=name).click()
    sync_api.expect(page.locator("#co-chosen")).to_contain_text(name)


def test_a_deputy_files_with_two_co_signers_and_rates_the_answer(
    intake: Intake, browser: Any
) -> None:
    errors: list[str] = []
    # The registry replica fills from the stream before anyone can be picked.
    eventually(
        lambda: len(httpx.get(intake.url + "/v1/reference/representatives").json()) >= 3,
        "the registry replica",
    )
    lead = signed_in(browser, intake, LEAD, errors)
    sync_api.expect(lead.locator("#deputy-name")).to_contain_text("王建国")
    form = "#file-form"
    lead.fill(f"{form} input[name=title]", "关于加快金泉路综合改造的建议")
    lead.fill(f"{form} textarea[name=content]", "金泉路路面破损、排水不畅，雨季积水严重。")
    lead.fill(f"{form} textarea[name=reasons]", "沿线三个社区两万余居民出行受影响。")
    lead.fill(f"{form} textarea[name=measures]", "纳入年度城建计划，分段施工。")
    pick(lead, "李秀英")
    pick(lead, "彭玉梅")
    lead.check(f"{form} input[name=session][value=in_session]")
    lead.check(f"{form} input[name=publishable]")
    lead.click(f"{form} button[type=submit]")
    sync_api.expect(lead.locator("#file-result")).to_contain_text("已邀请联名代表确认")
    card = lead.locator("#mine .card").first
    sync_api.expect(card).to_contain_text("草稿")
    sync_api.expect(card.locator("button", has_text="提交")).to_be_disabled()

    for co in (CO1, CO2):
        page = signed_in(browser, intake, co, errors)
        invitation = page.locator("#invitations .card")
        sync_api.expect(invitation).to_contain_text("关于加快金泉路综合改造的建议")
        invitation.locator("button", has_text="确认联名").click()
        sync_api.expect(page.locator("#invitations")).to_contain_text("暂无需要您确认的联名邀请")
        sync_api.expect(page.locator("#mine .card")).to_contain_text("联名代表")
        page.close()

    lead.reload()
    card = lead.locator("#mine .card").first
    card.locator("button", has_text="提交").click()
    sync_api.expect(card.locator(".number")).to_have_text(re.compile(r"第 \d{4}-0001 号"))
    sync_api.expect(card).to_contain_text("已受理")
    suggestion_id = card.get_attribute("data-id")
    assert suggestion_id

    answer = Resolved(
        suggestion_id=suggestion_id,
        unit_id="u-zjj",
        outcome="B",
        reply="已列入2026年城建计划，年内分两段实施，雨季前完成排水改造。",
        measures="先改造排水管网，再铺设路面",
        replied_at=datetime(2026, 5, 6, 2, 0, tzinfo=UTC),
        on_time=True,
        delivery_by=date(2026, 10, 31),
    )
    publish(intake.nats_url, [(answer, suggestion_id)])
    deadline = time.monotonic() + 30
    while not lead.locator("#mine .answer").count():
        assert time.monotonic() < deadline, "the answer never reached the page"
        time.sleep(0.3)
        lead.reload()
        lead.locator("#mine .card").first.wait_for()
    card = lead.locator("#mine .card").first
    sync_api.expect(card.locator(".answer")).to_contain_text("B类")
    sync_api.expect(card.locator(".answer")).to_contain_text("承诺兑现日期：2026年10月31日")
    rating = card.locator(".rating-form")
    rating.locator("select[name=result]").select_option("basically_satisfied")
    rating.locator("textarea[name=comment]").fill("希望按期完成")
    assert lead.evaluate("document.documentElement.scrollWidth <= 360")
    SCREENSHOT.mkdir(parents=True, exist_ok=True)
    lead.screenshot(path=str(SCREENSHOT / "intake-formal-suggestions.png"), full_page=True)
    rating.locator("button[type=submit]").click()
    sync_api.expect(card).to_contain_text("您已评价本轮答复")
    sync_api.expect(card).to_contain_text("结果基本满意")
    assert errors == []
