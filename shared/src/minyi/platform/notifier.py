"""Ways to tell a citizen something by SMS (intake: an answer arrived; liaison: a reception
reminder, a freed place, a tracking code): a log line (the development default, phone
masked) or an SMS gateway. Senders queue their messages with the state change that caused
them and retry on ``NotifierError``.
"""

from __future__ import annotations

import logging
from typing import Protocol

import httpx

from minyi.platform.egress import Egress, EgressRefused

log = logging.getLogger(__name__)


class NotifierError(Exception):
    """Delivery failed; the message is tried again later."""


class Notifier(Protocol):
    async def send(self, phone: str, message: str) -> None: ...


def masked(phone: str) -> str:
    """For logs, never the number: ``138****1234`` for a mobile number, else every digit
    but the last four hidden (all of them in a short number)."""
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 6:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * max(len(digits), 1)


class LogNotifier:
    """Development default: logs that a message would go out, with the phone masked."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, message: str) -> None:
        self.sent.append((masked(phone), message))
        log.info("citizen notification to %s: %s", masked(phone), message)


class WebhookNotifier:
    """POSTs ``{"phone", "message"}`` to an SMS gateway. The plain phone goes to the gateway
    only: errors are logged without it. The gateway's address passes ``egress`` before each
    message (a gateway inside the cluster is listed in ``MINYI_EGRESS_ALLOW``); a redirect
    is not followed."""

    def __init__(
        self,
        url: str,
        egress: Egress,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._egress = egress
        self._timeout = timeout
        self._transport = transport

    async def send(self, phone: str, message: str) -> None:
        try:
            await self._egress.check(self._url)
        except EgressRefused as refused:
            raise NotifierError(f"SMS gateway refused: {refused.message}") from None
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, transport=self._transport, follow_redirects=False
            ) as client:
                r = await client.post(self._url, json={"phone": phone, "message": message})
        except httpx.HTTPError as exc:
            raise NotifierError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if r.status_code >= 300:
            raise NotifierError(f"SMS gateway answered {r.status_code}")


def notifier_for(sms_webhook_url: str | None, egress: Egress) -> Notifier:
    """The SMS gateway when one is configured, else the log."""
    return WebhookNotifier(sms_webhook_url, egress) if sms_webhook_url else LogNotifier()
