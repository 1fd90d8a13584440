"""Webhook subscriptions, and the delivery of resolutions to them: queued in the transaction
that folds the Resolved event, posted later by the delivery poller, retried with back-off."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any

from minyi.platform.clock import Clock
from minyi.platform.egress import Egress
from minyi.platform.errors import NotFound
from minyi.reporting.adapters.unit_of_work import ReportingUnitOfWork
from minyi.reporting.adapters.webhooks import WebhookSender

log = logging.getLogger(__name__)

# Back-off between attempts; after the last one the delivery is marked failed.
BACKOFF_SECONDS = (1, 5, 30, 120, 600, 1800, 3600)
LEASE = timedelta(seconds=30)
BATCH = 50
Units = Callable[[], AbstractAsyncContextManager[ReportingUnitOfWork]]


async def subscribe(
    uow: ReportingUnitOfWork, url: str, secret: str, now: datetime, egress: Egress
) -> dict[str, Any]:
    """A new subscription to resolutions; what the admin may see of it (not the secret).
    A target the services may not call (``platform.egress``) is refused (422, ``url``)."""
    await egress.check(url, field="url")
    sub = {
        "id": f"sub-{uuid.uuid4().hex[:16]}",
        "url": url,
        "secret": secret,
        "created_at": now,
        "active": True,
    }
    await uow.webhooks.add_subscription(sub)
    return {k: v for k, v in sub.items() if k != "secret"} | {"events": ["resolution"]}


async def unsubscribe(uow: ReportingUnitOfWork, subscription_id: str) -> None:
    if not await uow.webhooks.end_subscription(subscription_id):
        raise NotFound(
            "subscription_not_found",
            f"没有订阅 {subscription_id}（no subscription {subscription_id}）",
        )


async def enqueue(uow: ReportingUnitOfWork, message: dict[str, Any], now: datetime) -> bool:
    """Queue ``message`` for every active subscription; False if there is none."""
    subs = await uow.webhooks.active_subscriptions()
    if not subs:
        return False
    body = json.dumps(message, ensure_ascii=False, default=str)
    for sub_id in subs:
        await uow.webhooks.enqueue(sub_id, message["event_id"], body, now)
    return True


def _outcome(attempts: int, error: str | None, now: datetime) -> dict[str, object]:
    """The delivery row's new values after attempt number ``attempts``."""
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
    return values


async def deliver_due(units: Units, sender: WebhookSender, clock: Clock, limit: int = BATCH) -> int:
    """Post the deliveries that are due (each leased first, in a transaction of its own, and
    its outcome recorded in another); returns how many subscribers took theirs."""
    now = clock.now()
    async with units() as uow:
        due = await uow.webhooks.due(now, limit)
    sent = 0
    for row in due:
        async with units() as uow:
            if not await uow.webhooks.lease(row.id, now, LEASE):
                continue
        error = await sender.post(row.url, row.secret, row.event_id, row.payload.encode())
        attempts = row.attempts + 1
        if error is not None and attempts <= len(BACKOFF_SECONDS):
            log.warning("webhook delivery %d failed (%s); attempt %d", row.id, error, attempts)
        async with units() as uow:
            await uow.webhooks.record(row.id, _outcome(attempts, error, clock.now()))
        sent += error is None
    return sent
