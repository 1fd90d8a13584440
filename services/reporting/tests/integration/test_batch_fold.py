"""A pulled batch folded at once (its timeline rows added and its views read in a statement
or two, each view written once with only the columns that changed, each counter row once
with the sum of its changes) writes exactly the rows that the same transactions write
folding one event at a time (the consumer without its ``prepare``: the batch not told to
the views), and the views and counters that one transaction per event writes — on SQLite
and on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from minyi.contracts.envelope import RawEvent
from minyi.platform import migrations
from minyi.platform.app.assembly import build_runtime
from minyi.platform.runtime import Runtime
from minyi.platform.settings import Settings
from minyi.reporting.adapters.tables import (
    GENERATIONAL,
    counts,
    liaison_counts,
    liaison_receptions,
    suggestions,
)
from minyi.reporting.bootstrap import SERVICE
from minyi.reporting.domain import liaison, projection
from minyi.reporting.service_layer.handlers import project
from services.reporting.tests.unit.test_use_cases import FakeViews
from tests.support import infra
from tests.support.reporting_history import history, liaison_history, lifecycle

Rows = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def databases(tmp_path: Path, store: str, request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Four fresh databases (made here: creating one runs its own event loop)."""
    names = ["a", "b", "c", "d"]
    if store == "sqlite":
        yield [f"sqlite+aiosqlite:///{tmp_path}/{n}.sqlite3" for n in names]
        return
    admin = request.getfixturevalue("postgres_admin_url")
    with infra.postgres_databases(admin, names) as urls:
        yield [urls[n] for n in names]


@asynccontextmanager
async def reporting(tmp_path: Path, database_url: str) -> AsyncIterator[Runtime[Any, Any]]:
    """The service's runtime on a fresh store."""
    settings = Settings(service="reporting", data_dir=tmp_path, database_url=database_url)
    runtime = build_runtime(SERVICE, settings)
    try:
        await migrations.upgrade(runtime.engine, SERVICE.package)
        assert SERVICE.on_start is not None and SERVICE.on_stop is not None
        await SERVICE.on_start(runtime)
        yield runtime
        await SERVICE.on_stop(runtime)
    finally:
        await runtime.engine.dispose()


async def folded(
    tmp_path: Path,
    database_url: str,
    batches: list[list[RawEvent]],
    replayed: list[RawEvent],
    *,
    at_once: bool,
    rebuild_at: int | None = None,
) -> Rows:
    """Every view row after the consumer applied ``batches`` (a transaction each), a
    rebuild's generation begun before batch ``rebuild_at`` (halfway by default), with
    ``replayed`` in it, by table."""
    async with reporting(tmp_path, database_url) as runtime:
        consumer = runtime.consumers[0]
        for n, batch in enumerate(batches):
            if n == (len(batches) // 2 if rebuild_at is None else rebuild_at):
                # A rebuild begins and its replay gets ahead of the consumer: the events it
                # already folded into the new generation are not folded there again.
                async with runtime.unit_of_work() as uow:
                    _live, new = await uow.generations.begin_rebuild()
                async with runtime.unit_of_work() as uow:
                    for event in replayed:
                        await project(uow.views, new, event)
            async with runtime.unit_of_work() as uow:
                if at_once:
                    await consumer.handle_batch(batch, uow)
                else:
                    await replace(consumer, prepare=None).handle_batch(batch, uow)
        async with runtime.sessions() as s:
            return {
                t.name: [tuple(r) for r in (await s.execute(select(t).order_by(*t.primary_key)))]
                for t in GENERATIONAL
            }


def _events() -> list[RawEvent]:
    return [*history(), *liaison_history(), *lifecycle("s-5", day=2, late=True, outcome="C")]


def _without_zero_counters(rows: Rows) -> Rows:
    """Counter rows whose every measure is 0 are left by changes undone in later
    transactions: which are left depends on how the events were grouped, not their sums."""
    keys = {t.name: len(t.primary_key.columns) for t in (counts, liaison_counts)}
    return {
        name: [r for r in table if name not in keys or any(r[keys[name] :])]
        for name, table in rows.items()
    }


def _summed(rows: list[tuple[Any, ...]], columns: list[str], contributions: Any) -> Counter[Any]:
    """The counters that the stored views add up to, by generation."""
    totals: Counter[Any] = Counter()
    for row in rows:
        view = {c: v for c, v in zip(columns, row, strict=True) if v is not None}
        for key, measures in contributions(view).items():
            for measure, value in measures.items():
                totals[(view["generation"], *key, measure)] += value
    return +totals


def _counted(rows: list[tuple[Any, ...]], measures: tuple[str, ...]) -> Counter[Any]:
    """The counter rows (generation, dimension, period, key, *measures) by measure, keyed
    as ``contributions`` keys them (dimension, key, period)."""
    totals: Counter[Any] = Counter()
    for generation, dimension, period, key, *values in rows:
        for measure, value in zip(measures, values, strict=True):
            totals[(generation, dimension, key, period, measure)] += value
    return +totals


async def test_a_batch_folded_at_once_writes_what_one_event_at_a_time_writes(
    tmp_path: Path, databases: list[str]
) -> None:
    events = _events()
    half = len(events) // 2
    # Batches of 7, each with an event twice; then all of them again (redelivered ones and,
    # for the generation being rebuilt, new ones).
    batches = [events[i : i + 7] + events[i : i + 1] for i in range(0, half, 7)]
    batches += [events[i : i + 7] for i in range(0, len(events), 7)]
    replayed = events[half : half + 15]
    expected = await folded(tmp_path, databases[0], batches, replayed, at_once=False)
    assert expected["suggestions"] and expected["counts"] and expected["liaison_counts"]
    # The cluster's reports (rows read once per transaction, written at its flush).
    assert {r[1:4] for r in expected["clusters"]} == {("c-1", 3, "路灯不亮")}
    assert {g for g, *_ in expected["events"]} == {1, 2}
    got = await folded(tmp_path, databases[1], batches, replayed, at_once=True)
    assert got == expected


async def test_many_events_of_a_view_in_one_transaction_write_what_one_each_writes(
    tmp_path: Path, databases: list[str]
) -> None:
    """A view folded through several events in one transaction is written once, with the
    columns that differ from the stored row, and its counters once with the difference of
    its contributions: the same views and counter sums as a transaction per event (the
    reference), and counters that are exactly what the stored views contribute."""
    events = _events()
    # The rebuild begins first: both generations get every event, whatever the batches.
    replayed = events[:20]
    one_each = [[e] for e in events]
    expected = await folded(tmp_path, databases[0], one_each, replayed, at_once=True, rebuild_at=0)
    assert {g for g, *_ in expected["suggestions"]} == {1, 2}
    for size, database in zip((5, 40, len(events)), databases[1:], strict=True):
        batches = [events[i : i + size] for i in range(0, len(events), size)]
        got = await folded(tmp_path, database, batches, replayed, at_once=True, rebuild_at=0)
        assert _without_zero_counters(got) == _without_zero_counters(expected), size
    # The live views are what the fold leaves in memory, column for column.
    reference = FakeViews()
    for event in events:
        await project(reference, 1, event)  # type: ignore[arg-type]
    columns = [c.name for c in suggestions.columns]
    stored: dict[tuple[int, str], dict[str, Any]] = {}
    for row in expected["suggestions"]:
        view = {c: v for c, v in zip(columns, row, strict=True) if v is not None}
        if view.pop("generation") == 1:
            stored[(1, view.pop("suggestion_id"))] = view
    assert stored == reference.rows
    assert _counted(expected["counts"], projection.MEASURES) == _summed(
        expected["suggestions"], columns, projection.contributions
    )
    assert _counted(expected["liaison_counts"], liaison.MEASURES) == _summed(
        expected["liaison_receptions"],
        [c.name for c in liaison_receptions.columns],
        liaison.contributions,
    )
