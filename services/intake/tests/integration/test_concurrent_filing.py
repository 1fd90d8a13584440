"""Filings that arrive together, on both stores: on PostgreSQL intake commits several
groups at once (``postgres_writers``), so a double tap can land in two transactions that
do not see each other; the resubmission check must still keep one suggestion."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.nats import TestNatsBroker
from sqlalchemy import func, select

from minyi.intake.adapters.tables import suggestions
from minyi.intake.bootstrap import PACKAGE, SERVICE
from minyi.intake.domain.suggestion import Submission
from minyi.intake.service_layer.filing import Citizen, Filed, FileSuggestion, file_suggestion
from minyi.platform import migrations
from minyi.platform.app.assembly import create_app
from minyi.platform.runtime import Runtime
from minyi.platform.settings import Settings
from tests.support import infra

TAP: dict[str, Any] = {
    "title": "东宝区泉口路路灯不亮",
    "content": "泉口路一带的路灯已经坏了一周，晚上出行很不安全，希望尽快修复。",
    "kind": "citizen_appeal",
    "channel": "web",
    "district_code": "420802",
    "citizen": {"name": "王小明", "phone": "13812345678"},
}


@pytest.fixture
def database_url(tmp_path: Path, store: str, request: pytest.FixtureRequest) -> Iterator[str]:
    # Not async: creating the database runs its own event loop.
    if store == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/intake.sqlite3"
        return
    with infra.postgres_databases(request.getfixturevalue("postgres_admin_url"), ["intake"]) as db:
        yield db["intake"]


@pytest.fixture
async def intake(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    settings = Settings(service="intake", data_dir=tmp_path, database_url=database_url)
    app = create_app(SERVICE, settings)
    runtime: Runtime = app.state.runtime
    await migrations.upgrade(runtime.engine, PACKAGE)
    try:
        async with TestNatsBroker(runtime.broker):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
                yield client, runtime
    finally:
        await runtime.committer.stop()
        await runtime.engine.dispose()


def _tap() -> FileSuggestion:
    return FileSuggestion(
        Submission(
            title=TAP["title"],
            content=TAP["content"],
            kind=TAP["kind"],
            channel=TAP["channel"],
            district_code=TAP["district_code"],
        ),
        Citizen(TAP["citizen"]["name"], TAP["citizen"]["phone"]),
    )


async def test_a_double_tap_in_two_open_transactions_keeps_one_suggestion(
    intake: tuple[httpx.AsyncClient, Runtime],
) -> None:
    """The first filing is written but not committed when the second checks for it (two
    group commits at once): the second must wait and then answer as a resubmission."""
    _client, runtime = intake
    vault = runtime.deps.vault
    written, release = asyncio.Event(), asyncio.Event()

    async def first() -> Filed:
        async with runtime.unit_of_work() as uow:
            filed = await file_suggestion(_tap(), uow, vault)
            written.set()
            await release.wait()  # still uncommitted
        return filed

    async def second() -> Filed:
        await written.wait()
        async with runtime.unit_of_work() as uow:
            return await file_suggestion(_tap(), uow, vault)

    one = asyncio.create_task(first())
    two = asyncio.create_task(second())
    await written.wait()
    await asyncio.sleep(0.3)  # the second is either done (no guard) or waiting for the first
    release.set()
    a, b = await asyncio.wait_for(asyncio.gather(one, two), 10)
    async with runtime.sessions() as s:
        stored = (await s.execute(select(func.count()).select_from(suggestions))).scalar_one()
    assert (stored, b.duplicate, b.id) == (1, True, a.id)


async def test_a_burst_of_identical_filings_over_http_keeps_one_suggestion(
    intake: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, runtime = intake
    answers = await asyncio.gather(*(client.post("/v1/suggestions", json=TAP) for _ in range(8)))
    async with runtime.sessions() as s:
        stored = (await s.execute(select(func.count()).select_from(suggestions))).scalar_one()
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201], [a.text for a in answers]
    assert stored == 1
    assert len({a.json()["id"] for a in answers}) == 1


async def test_a_filing_is_visible_to_later_reads_of_its_own_transaction(
    intake: tuple[httpx.AsyncClient, Runtime],
) -> None:
    """Filings are inserted together just before the commit (one statement per group), but
    a read of the same transaction after a filing must find it."""
    _client, runtime = intake
    async with runtime.unit_of_work() as uow:
        filed = await file_suggestion(_tap(), uow, runtime.deps.vault)
        again = await file_suggestion(_tap(), uow, runtime.deps.vault)
        assert (again.duplicate, again.id) == (True, filed.id)
        assert await uow.suggestions.exists(filed.id)
        row = await uow.suggestions.row(filed.id)
        assert row is not None and row["title"] == TAP["title"]
