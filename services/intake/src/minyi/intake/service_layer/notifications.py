"""Delivering citizen notifications (queued with the state change that caused them, see
``lifecycle``), with retries. Run by the notifications poller (``entrypoints.pollers``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta

from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.text import redact_phones
from minyi.platform.notifier import Notifier
from minyi.platform.pii_vault import PiiVault

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 3600 * 3)
# A claimed notification is not tried by another dispatcher before this.
LEASE = timedelta(minutes=5)

Units = Callable[[], AbstractAsyncContextManager[IntakeUnitOfWork]]


async def deliver_due(
    units: Units,
    vault: PiiVault,
    notifier: Notifier,
    now: datetime,
    *,
    max_attempts: int = 8,
    batch: int = 50,
) -> int:
    """Send the notifications that are due; a failure is retried with back-off, and given
    up (``failed``) after ``max_attempts``. One dispatcher per database (SQLite) or per
    replica with a lease on PostgreSQL — the lease is the next attempt's time. Each
    outcome commits alone (``units``: a new unit of work each), so a sent message is
    never sent again because a later one failed."""
    async with units() as uow:
        due = await uow.notifications.claim_due(now, limit=batch, lease_until=now + LEASE)
    sent = 0
    for n in due:
        attempts = n.attempts + 1
        try:
            await notifier.send(vault.decrypt(n.sealed_phone), n.message)
        except Exception as exc:
            # The error text may come from the gateway; log its type only, never the phone.
            log.warning(
                "notification %d failed (attempt %d): %s", n.id, attempts, type(exc).__name__
            )
            delay = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
            async with units() as uow:
                await uow.notifications.failed(
                    n.id,
                    attempts,
                    retry_at=now + timedelta(seconds=delay),
                    final=attempts >= max_attempts,
                    # Stored masked: a gateway's error text may echo the number.
                    error=redact_phones(f"{type(exc).__name__}: {exc}")[:200],
                )
            continue
        async with units() as uow:
            await uow.notifications.sent(n.id, attempts, now)
        sent += 1
    return sent
