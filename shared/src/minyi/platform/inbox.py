"""Idempotent inbox: a consumer records each handled event id in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.db import dialect_insert, insert_or_ignore


async def claim(session: AsyncSession, table: Table, event_id: str, consumer: str) -> bool:
    """Record the event as handled by ``consumer``; False if it already was (a redelivery).

    On PostgreSQL a concurrent replica handling the same event waits on the key and then
    sees the conflict, so exactly one transaction applies the effects.
    """
    return await insert_or_ignore(
        session,
        table,
        {"event_id": event_id, "consumer": consumer, "handled_at": datetime.now(UTC)},
    )


async def claim_many(
    session: AsyncSession, table: Table, event_ids: Sequence[str], consumer: str
) -> set[str]:
    """``claim`` for a pulled batch in one statement (INSERT … ON CONFLICT DO NOTHING
    RETURNING, SQLite ≥ 3.35 and PostgreSQL): the ids recorded now, i.e. those not handled
    before. The same waits and conflicts as ``claim`` keep replicas from applying twice."""
    if not event_ids:
        return set()
    now = datetime.now(UTC)
    rows = [
        {"event_id": e, "consumer": consumer, "handled_at": now} for e in dict.fromkeys(event_ids)
    ]
    stmt = (
        dialect_insert(session.get_bind().dialect.name)(table)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return set((await session.execute(stmt)).scalars())
