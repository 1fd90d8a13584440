"""The citizens' 附议 page (/support) in a real browser on a phone screen: the code is read
from the SMS queued in intake's store (as the e2e does), support is counted once, and a
finished project put to a public vote offers the three ratings. Screenshot:
docs/screenshots/intake-support.png."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from minyi.contracts.projects import (
    Milestone,
    ProjectCompleted,
    ProjectRegistered,
    RecurringAppealPublished,
)
from minyi.intake.bootstrap import SERVICE
from services.intake.tests.integration.conftest import offline_app
from tests.support import browser as browser_support
from tests.support.harness import harness

sync_api = browser_support.playwright()
ENV = {"MINYI_INTAKE_API_KEYS": "browser-test", "MINYI_INTAKE_CHAT_SECRET": "browser-test"}
SCREENSHOT = Path(__file__).resolve().parents[4] / "docs" / "screenshots" / "intake-support.png"
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
APPEAL, PROJECT = "cluster-7", "P-2026-003"


async def _publish(tmp: Path) -> None:
    """Supervision's events into the store the page's app then opens."""
    async with harness(SERVICE, tmp) as h:
        await h.deliver(
            RecurringAppealPublished(
                cluster_id=APPEAL,
                title="泉口街道老旧小区夜间路灯不亮",
                division_codes=["420802"],
                version=1,
                published_at=AT,
            ),
            subject=APPEAL,
        )
        await h.deliver(
            ProjectRegistered(
                project_id=PROJECT,
                name="城区背街小巷路灯改造",
                focus_area="城市能级",
                division_codes=["420802"],
                unit_ids=["u-zjj"],
                starts_on=date(2026, 3, 1),
                ends_on=date(2026, 9, 30),
                milestones=[Milestone(milestone_id="m1", title="完工", due_on=date(2026, 9, 1))],
                acceptance_by="public",
                version=1,
                changed_at=AT,
            ),
            subject=PROJECT,
        )
        await h.deliver(
            ProjectCompleted(
                project_id=PROJECT, unit_id="u-zjj", acceptance_by="public", completed_at=AT
            ),
            subject=PROJECT,
        )


class Intake:
    def __init__(self, url: str, store: Path) -> None:
        self.url = url
        self.store = store

    def last_code(self) -> str:
        """The code in the newest queued SMS (read beside the app: SQLite in WAL mode)."""
        with closing(sqlite3.connect(self.store)) as db:
            row = db.execute(
                "SELECT message FROM notifications WHERE kind = 'support_code' "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
        assert row is not None
        found = re.search(r"\d{6}", row[0])
        assert found
        return found.group()

    def supports(self) -> int:
        with closing(sqlite3.connect(self.store)) as db:
            return int(db.execute("SELECT count(*) FROM supports").fetchone()[0])


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Intake]:
    tmp = tmp_path_factory.mktemp("support")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in ENV.items():
            mp.setenv(name, value)
        asyncio.run(_publish(tmp))
    app = offline_app(tmp, ENV)
    with browser_support.served(app, "intake") as url:
        yield Intake(url, tmp / "intake.sqlite3")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with browser_support.chromium() as launched:
        yield launched


def _phone_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 360, "height": 780})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(url)
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    return page, errors


def test_a_citizen_supports_an_appeal_with_a_code_and_only_once(
    intake: Intake, browser: Any
) -> None:
    page, errors = _phone_page(browser, f"{intake.url}/support?kind=appeal&id={APPEAL}")
    sync_api.expect(page.locator("#target-title")).to_have_text("泉口街道老旧小区夜间路灯不亮")
    sync_api.expect(page.locator("#target-count")).to_have_text("0")
    assert page.locator("#rate").is_hidden()
    page.fill("#phone", "13812345678")
    page.click("#send-code")
    sync_api.expect(page.locator("#code-sent")).to_have_text("验证码已发送，10 分钟内有效")
    sync_api.expect(page.locator("#send-code")).to_be_disabled()
    sync_api.expect(page.locator("#send-code")).to_have_text(re.compile(r"^\d+ 秒后重试$"))
    page.fill("#code", intake.last_code())
    page.click("#confirm")
    sync_api.expect(page.locator("#support-result")).to_have_text("已附议，感谢您的支持")
    sync_api.expect(page.locator("#target-count")).to_have_text("1")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert intake.supports() == 1
    # The same person again, on a new page (a new session from a new code): 您已附议过.
    again, _ = _phone_page(browser, f"{intake.url}/support?kind=appeal&id={APPEAL}")
    again.fill("#phone", "13812345678")
    again.click("#send-code")
    sync_api.expect(again.locator("#support-error")).to_contain_text("获取验证码过于频繁")
    sync_api.expect(again.locator("#send-code")).to_be_disabled()
    assert intake.supports() == 1
    assert errors == [] or all("429" in e for e in errors)


def test_a_finished_project_offers_three_ratings_and_an_unknown_target_says_so(
    intake: Intake, browser: Any
) -> None:
    page, _ = _phone_page(browser, f"{intake.url}/support?kind=project&id={PROJECT}")
    sync_api.expect(page.locator("#target-title")).to_have_text("城区背街小巷路灯改造")
    sync_api.expect(page.locator("#rate button")).to_have_text(["满意", "基本满意", "不满意"])
    page.fill("#phone", "13912345678")
    page.click("#send-code")
    sync_api.expect(page.locator("#code-sent")).to_be_visible()
    page.fill("#code", intake.last_code())
    page.click("#rate button[data-rating=basically_satisfied]")
    sync_api.expect(page.locator("#rate-result")).to_have_text("感谢您的评价")
    # Support of the same project with the same session.
    page.click("#confirm")
    sync_api.expect(page.locator("#support-result")).to_have_text("已附议，感谢您的支持")
    # A second tap (the button re-enabled, as a stale page would have it): 您已附议过.
    page.evaluate("document.getElementById('confirm').disabled = false")
    page.click("#confirm")
    sync_api.expect(page.locator("#support-result")).to_have_text("您已附议过")
    page.screenshot(path=str(SCREENSHOT.with_name("intake-support-rating.png")))
    missing, _ = _phone_page(browser, f"{intake.url}/support?kind=appeal&id=nobody")
    sync_api.expect(missing.locator("#missing-text")).to_have_text(
        "没有找到可附议的公开事项（可能已撤回）。"
    )
    bare, _ = _phone_page(browser, f"{intake.url}/support")
    sync_api.expect(bare.locator("#missing")).to_be_visible()
