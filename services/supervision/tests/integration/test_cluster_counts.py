"""Recurring-appeal clusters counted as key-topic candidates: a transaction's cluster events
become one upsert per cluster, written before the commit or before anything reads the
candidates; a size only grows, whatever order its events arrive in, on both stores."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from minyi.contracts.envelope import RawEvent, new_event
from minyi.contracts.routing import SuggestionClustered
from minyi.platform.db import create_engine
from minyi.supervision.adapters.repositories import ClusterCounts, TopicRepository
from minyi.supervision.adapters.tables import metadata, topic_candidates
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from tests.support import infra
from tests.support.sql import statements_sent

from .conftest import START, Bench

LATER = START + timedelta(hours=1)


def _clustered(sid: str, cluster: str, size: int, title: str = "电梯故障") -> RawEvent:
    data = SuggestionClustered(
        suggestion_id=sid,
        cluster_id=cluster,
        size=size,
        representative_title=title,
        district_code="420802",
    )
    event = new_event(data, source="minyi/routing", subject=sid, time=START)
    return RawEvent.model_validate_json(event.model_dump_json())


async def test_a_batchs_clusters_are_one_upsert_each_and_reads_see_them(bench: Bench) -> None:
    h = bench.h
    consumer = next(c for c in h.runtime.consumers if c.durable.endswith("topic_candidates"))
    events = [
        _clustered("a-3", "cl-1", 3),
        _clustered("b-2", "cl-2", 2),
        _clustered("a-5", "cl-1", 5, title="电梯故障频发"),
        _clustered("a-4", "cl-1", 4, title="电梯又坏"),  # late: the size stays 5
    ]
    sent = statements_sent(h.runtime.engine)

    async def work(uow: SupervisionUnitOfWork) -> Any:
        await consumer.handle_batch(events, uow)
        written = [s for s in sent if "topic_candidates" in s]
        await uow.topics.count_support("cl-2")  # reads after the batch see its clusters
        return written

    written_before_a_read = await h.runtime.committer.submit(work)
    async with h.runtime.sessions() as s:
        rows = (await s.execute(select(topic_candidates).order_by(topic_candidates.c.ref))).all()
    assert written_before_a_read == []  # nothing per event
    assert [(r.ref, r.size, r.title, r.supports) for r in rows] == [
        ("cl-1", 5, "电梯又坏", 0),
        ("cl-2", 2, "电梯故障", 1),
    ]


async def _counted(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as c:
            await c.run_sync(metadata.create_all, tables=[topic_candidates])
        sessions = async_sessionmaker(engine)
        first, second = (
            [("cl-1", 4, "甲", START)],
            [("cl-1", 2, "乙", LATER), ("cl-2", 7, "丙", START)],
        )
        for batch in (first, second):
            async with sessions.begin() as s:
                topics = TopicRepository(s, clusters=(counts := ClusterCounts()))
                for cluster, size, title, at in batch:
                    await topics.count_cluster(cluster, size, title, "420802", at)
                await counts.flush(s)
        async with sessions() as s:
            rows = await s.execute(
                select(
                    topic_candidates.c.ref,
                    topic_candidates.c.size,
                    topic_candidates.c.title,
                    topic_candidates.c.updated_at,
                ).order_by(topic_candidates.c.ref)
            )
            return [tuple(r) for r in rows]
    finally:
        await engine.dispose()


# The later event's title and time, the larger size (the upsert's CASE on each dialect).
EXPECTED = [("cl-1", 4, "乙", LATER), ("cl-2", 7, "丙", START)]


def test_a_size_only_grows_across_transactions_on_sqlite(tmp_path: Any) -> None:
    rows = asyncio.run(_counted(f"sqlite+aiosqlite:///{tmp_path}/counts.sqlite3"))
    assert [(*r[:3], r[3].astimezone(UTC)) for r in rows] == EXPECTED


@pytest.mark.postgres
def test_a_size_only_grows_across_transactions_on_postgresql(postgres_admin_url: str) -> None:
    with infra.postgres_databases(postgres_admin_url, ["counts"]) as urls:
        rows = asyncio.run(_counted(urls["counts"]))
    assert [(*r[:3], r[3].astimezone(UTC)) for r in rows] == EXPECTED
