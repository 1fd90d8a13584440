"""Idempotent inbox: a consumer records each handled event id in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.db import insert_or_ignore
from minyi.platform.driver_sql import DriverStatement, compile_for, insert_many, utc_for_driver
from minyi.platform.sql_lists import ValueList, in_list


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
    """``claim`` for a pulled batch in two statements straight to the driver (``driver_sql``:
    every batch of every consumer runs them): which ids this consumer has handled, then one
    INSERT (executemany) of the others; returns those (the new ones).

    A plain INSERT, not "or ignore": should another replica claim one of them meanwhile
    (PostgreSQL), this transaction fails on the key instead of applying it a second time,
    and the batch is retried event by event (``claim`` each)."""
    wanted = list(dict.fromkeys(event_ids))
    if not wanted:
        return set()
    connection = await session.connection()
    dialect = connection.dialect
    seen = {row[0] for row in await _handled(dialect, table).fetch(connection, (consumer, wanted))}
    new = [e for e in wanted if e not in seen]
    if new:
        now = utc_for_driver(datetime.now(UTC), dialect)
        rows = [(e, consumer, now) for e in new]
        await insert_many(session, table, ("event_id", "consumer", "handled_at"), rows)
    return set(new)


_HANDLED: dict[tuple[str, str], DriverStatement] = {}


def _handled(dialect: Dialect, table: Table) -> DriverStatement:
    """Which of a list of event ids (one parameter: ``in_list``) a consumer has handled."""
    key = (dialect.name, table.name)
    found = _HANDLED.get(key)
    if found is None:
        query = select(table.c.event_id).where(
            table.c.consumer == bindparam("consumer"),
            in_list(table.c.event_id, "ids"),
        )
        ids = {"ids": ValueList(table.c.event_id.type)}
        found = _HANDLED[key] = compile_for(query, dialect, ("consumer", "ids"), ids)
    return found
