"""Idempotent inbox: a consumer records each handled event id in its own transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.db import insert_or_ignore


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
