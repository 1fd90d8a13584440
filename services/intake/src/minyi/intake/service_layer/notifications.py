"""Citizen notifications: queued with the state change, delivered with retries."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from minyi.intake.adapters.notifier import Notifier
from minyi.intake.adapters.tables import notifications, suggestions
from minyi.intake.domain.pii_vault import PiiVault
from minyi.intake.domain.text import redact_phones
from minyi.platform.clock import Clock
from minyi.platform.service import UnitOfWork
from minyi.platform.tasks import stop_tasks

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 3600 * 3)


async def enqueue(uow: UnitOfWork, suggestion_id: str, kind: str, message: str) -> None:
    now = uow.runtime.clock.now()
    await uow.session.execute(
        notifications.insert().values(
            suggestion_id=suggestion_id,
            kind=kind,
            message=message,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
            failed=False,
        )
    )


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    vault: PiiVault,
    notifier: Notifier,
    now: datetime,
    *,
    max_attempts: int = 8,
    batch: int = 50,
) -> int:
    """Send the notifications that are due; a failure is retried with back-off, and given
    up (``failed``) after ``max_attempts``. One dispatcher per database (SQLite) or
    per replica with a lease on PostgreSQL — the lease is ``next_attempt_at``."""
    n = notifications
    async with sessions.begin() as s:
        due = (
            await s.execute(
                select(n.c.id, n.c.message, n.c.attempts, suggestions.c.phone_enc)
                .join(suggestions, suggestions.c.id == n.c.suggestion_id)
                .where(n.c.sent_at.is_(None), n.c.failed.is_(False), n.c.next_attempt_at <= now)
                .order_by(n.c.id)
                .limit(batch)
            )
        ).all()
        # Claim: push the next attempt out so a second dispatcher skips these rows.
        if due:
            await s.execute(
                update(n)
                .where(n.c.id.in_([d.id for d in due]))
                .values(next_attempt_at=now + timedelta(minutes=5))
            )
    sent = 0
    for row in due:
        attempts = row.attempts + 1
        try:
            await notifier.send(vault.decrypt(row.phone_enc), row.message)
        except Exception as exc:
            # The error text may come from the gateway; log its type only, never the phone.
            log.warning(
                "notification %d failed (attempt %d): %s", row.id, attempts, type(exc).__name__
            )
            delay = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
            async with sessions.begin() as s:
                await s.execute(
                    update(n)
                    .where(n.c.id == row.id)
                    .values(
                        attempts=attempts,
                        next_attempt_at=now + timedelta(seconds=delay),
                        failed=attempts >= max_attempts,
                        # Stored masked: a gateway's error text may echo the number.
                        last_error=redact_phones(f"{type(exc).__name__}: {exc}")[:200],
                    )
                )
            continue
        async with sessions.begin() as s:
            await s.execute(
                update(n).where(n.c.id == row.id).values(attempts=attempts, sent_at=now)
            )
        sent += 1
    return sent


class Dispatcher:
    """Runs :func:`deliver_due` every ``poll`` seconds until stopped."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        vault: PiiVault,
        notifier: Notifier,
        clock: Clock,
        *,
        poll: float,
        max_attempts: int,
    ) -> None:
        self._args = (sessions, vault, notifier)
        self._clock = clock
        self._poll = poll
        self._max_attempts = max_attempts
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="intake-notifications")

    async def stop(self) -> None:
        await stop_tasks(self._task)

    async def _run(self) -> None:
        while True:
            try:
                await deliver_due(*self._args, self._clock.now(), max_attempts=self._max_attempts)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notification pass failed; retrying")
            await asyncio.sleep(self._poll)
