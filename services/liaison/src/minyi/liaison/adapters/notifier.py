"""Ways to reach a citizen who booked: a log line (default, phone masked) or an SMS
gateway. Minimal on purpose: one shared notifier for intake and liaison is to come."""

from __future__ import annotations

import logging
from typing import Protocol

import httpx

from minyi.liaison.domain.contact import mask_phone

log = logging.getLogger(__name__)


class NotifierError(Exception):
    """Delivery failed; the notice is tried again later."""


class Notifier(Protocol):
    async def send(self, phone: str, message: str) -> None: ...


class LogNotifier:
    """Development default: logs that a message would go out, with the phone masked."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, message: str) -> None:
        self.sent.append((mask_phone(phone), message))
        log.info("citizen notice to %s: %s", mask_phone(phone), message)


class WebhookNotifier:
    """POSTs ``{"phone", "message"}`` to an SMS gateway; errors never carry the phone."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self._url = url
        self._timeout = timeout

    async def send(self, phone: str, message: str) -> None:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                r = await client.post(self._url, json={"phone": phone, "message": message})
        except httpx.HTTPError as exc:
            raise NotifierError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if r.status_code >= 300:
            raise NotifierError(f"SMS gateway answered {r.status_code}")
