"""Webhooks: the subscriptions and their deliveries (an outbox-like table), and the signed
HTTP POST that delivers one. The delivery loop is a poller (``entrypoints/pollers.py``)
calling ``service_layer/webhooks.deliver_due``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.db import insert_or_ignore
from minyi.platform.egress import Egress, EgressRefused
from minyi.reporting.adapters.tables import deliveries, subscriptions

SIGNATURE_HEADER = "X-Minyi-Signature"
EVENT_HEADER = "X-Minyi-Event-Id"


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact request body with the subscription's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookStore:
    """Subscriptions and deliveries. Safe with N replicas: a delivery is leased by a
    conditional UPDATE before it is sent, so two replicas never send the same attempt."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_subscription(self, subscription: dict[str, Any]) -> None:
        await self._session.execute(subscriptions.insert().values(**subscription))

    async def end_subscription(self, subscription_id: str) -> bool:
        """False if there is no such subscription."""
        result = await self._session.execute(
            subscriptions.update().where(subscriptions.c.id == subscription_id).values(active=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def active_subscriptions(self) -> list[str]:
        rows = await self._session.execute(select(subscriptions.c.id).where(subscriptions.c.active))
        return [sub_id for (sub_id,) in rows.all()]

    async def enqueue(self, subscription_id: str, event_id: str, body: str, now: datetime) -> None:
        await insert_or_ignore(
            self._session,
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

    async def due(self, now: datetime, limit: int) -> Sequence[Any]:
        """Deliveries due and not leased: rows of id, event_id, payload, url, secret,
        attempts."""
        return (
            await self._session.execute(
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

    async def lease(self, delivery_id: int, now: datetime, lease: timedelta) -> bool:
        """Claim the delivery until ``now + lease``; False if another replica holds it."""
        result = await self._session.execute(
            update(deliveries)
            .where(
                deliveries.c.id == delivery_id,
                deliveries.c.delivered_at.is_(None),
                or_(deliveries.c.claimed_until.is_(None), deliveries.c.claimed_until < now),
            )
            .values(claimed_until=now + lease)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def record(self, delivery_id: int, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(deliveries).where(and_(deliveries.c.id == delivery_id)).values(**values)
        )


class WebhookSender:
    """Posts a signed body. One HTTP client for the process (opened on first use, closed
    when the service stops). The target passes ``egress`` again before each post (its name
    may resolve elsewhere now than at registration); redirects are not followed, a 3xx is
    a failed delivery."""

    def __init__(
        self, egress: Egress, client: httpx.AsyncClient | None = None, timeout: float = 5.0
    ) -> None:
        self.egress = egress
        self._client = client
        self._timeout = timeout

    async def post(self, url: str, secret: str, event_id: str, body: bytes) -> str | None:
        """None if the subscriber took it (2xx), else what went wrong."""
        try:
            await self.egress.check(url)
        except EgressRefused as refused:
            return f"refused: {refused.message}"
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        try:
            r = await self._client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(secret, body),
                    EVENT_HEADER: event_id,
                },
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        return f"HTTP {r.status_code}" if r.status_code >= 300 else None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
