"""Idempotent inbox: a consumer records each handled event id in its own transaction."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, Select, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.db import insert_or_ignore
from minyi.platform.sql_lists import in_list


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
    """``claim`` for a pulled batch in two statements built once: which ids this consumer
    has handled, then one INSERT (executemany) of the others; returns those (the new ones).

    A plain INSERT, not "or ignore": should another replica claim one of them meanwhile
    (PostgreSQL), this transaction fails on the key instead of applying it a second time,
    and the batch is retried event by event (``claim`` each)."""
    wanted = list(dict.fromkeys(event_ids))
    if not wanted:
        return set()
    handled, insert = _statements(table)
    seen: set[str] = set(
        (await session.execute(handled, {"consumer": consumer, "ids": wanted})).scalars()
    )
    now = datetime.now(UTC)
    new = [e for e in wanted if e not in seen]
    if new:
        await session.execute(
            insert, [{"event_id": e, "consumer": consumer, "handled_at": now} for e in new]
        )
    return set(new)


@functools.cache
def _statements(table: Table) -> tuple[Select[Any], Insert]:
    # Built once per table: SQLAlchemy then finds them in its compiled cache without
    # building and hashing a new statement for every batch.
    handled = select(table.c.event_id).where(
        table.c.consumer == bindparam("consumer"),
        in_list(table.c.event_id, "ids"),
    )
    return handled, table.insert()
