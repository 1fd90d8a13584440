"""Webhook deliveries: an outbox-like table and a task that posts, signs and retries."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from minyi.platform.clock import Clock
from minyi.platform.db import insert_or_ignore
from minyi.platform.tasks import stop_tasks
from minyi.reporting.adapters.tables import deliveries, subscriptions

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Minyi-Signature"
EVENT_HEADER = "X-Minyi-Event-Id"
# Back-off between attempts; after the last one the delivery is marked failed.
BACKOFF_SECONDS = (1, 5, 30, 120, 600, 1800, 3600)
LEASE = timedelta(seconds=30)


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact request body with the subscription's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def enqueue(
    session: AsyncSession, subscription_id: str, event_id: str, body: str, now: datetime
) -> None:
    await insert_or_ignore(
        session,
        deliveries,
        {
            "subscription_id": subscription_id,
            "event_id": event_id,
            "payload": body,
            "attempts": 0,
            "next_attempt_at": now,
            "failed": False,
        },
    )


class DeliveryWorker:
    """Posts due deliveries. Safe with N replicas: a row is leased by a conditional UPDATE
    before it is sent, so two replicas never send the same attempt."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        wake: asyncio.Event,
        *,
        idle_seconds: float = 1.0,
        timeout: float = 5.0,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.wake = wake
        self.idle_seconds = idle_seconds
        self.timeout = timeout
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-deliveries")

    async def stop(self) -> None:
        await stop_tasks(self._task)

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            while True:
                try:
                    sent = await self.run_once(client)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("webhook delivery pass failed")
                    sent = 0
                if not sent:
                    self.wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wake.wait(), self.idle_seconds)

    async def run_once(self, client: httpx.AsyncClient, limit: int = 50) -> int:
        now = self.clock.now()
        async with self.sessions() as s, s.begin():
            due = (
                await s.execute(
                    select(
                        deliveries.c.id,
                        deliveries.c.event_id,
                        deliveries.c.payload,
                        subscriptions.c.url,
                    )
                    .add_columns(subscriptions.c.secret, deliveries.c.attempts)
                    .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                    .where(
                        deliveries.c.delivered_at.is_(None),
                        deliveries.c.failed.is_(False),
                        deliveries.c.next_attempt_at <= now,
                        or_(
                            deliveries.c.claimed_until.is_(None),
                            deliveries.c.claimed_until < now,
                        ),
                    )
                    .order_by(deliveries.c.id)
                    .limit(limit)
                )
            ).all()
        sent = 0
        for row in due:
            if not await self._lease(row.id, now):
                continue
            body = row.payload.encode()
            error: str | None = None
            try:
                r = await client.post(
                    row.url,
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        SIGNATURE_HEADER: sign(row.secret, body),
                        EVENT_HEADER: row.event_id,
                    },
                )
                if r.status_code >= 300:
                    error = f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            await self._record(row.id, row.attempts + 1, error)
            sent += error is None
        return sent

    async def _lease(self, delivery_id: int, now: datetime) -> bool:
        async with self.sessions() as s, s.begin():
            result = await s.execute(
                update(deliveries)
                .where(
                    deliveries.c.id == delivery_id,
                    deliveries.c.delivered_at.is_(None),
                    or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
                )
                .values(claimed_until=now + LEASE)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _record(self, delivery_id: int, attempts: int, error: str | None) -> None:
        now = self.clock.now()
        values: dict[str, object] = {"attempts": attempts, "claimed_until": None}
        if error is None:
            values["delivered_at"] = now
        elif attempts > len(BACKOFF_SECONDS):
            values.update(failed=True, last_error=error[:500])
        else:
            values.update(
                next_attempt_at=now + timedelta(seconds=BACKOFF_SECONDS[attempts - 1]),
                last_error=error[:500],
            )
            log.warning("webhook delivery %d failed (%s); attempt %d", delivery_id, error, attempts)
        async with self.sessions() as s, s.begin():
            await s.execute(
                update(deliveries).where(and_(deliveries.c.id == delivery_id)).values(**values)
            )
