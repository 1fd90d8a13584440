"""Citizens are told when an answer arrives; delivery retries, and no phone reaches a log
(the notifiers themselves: tests/platform/test_notifier.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from minyi.intake.bootstrap import SERVICE
from minyi.intake.service_layer.notifications import deliver_due
from minyi.platform.notifier import LogNotifier, NotifierError
from services.intake.tests.integration.conftest import Api
from services.intake.tests.integration.test_rest import PHONE, SUGGESTION, file, reply


class FlakyGateway:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, str]] = []

    async def send(self, phone: str, message: str) -> None:
        if self.failures:
            self.failures -= 1
            raise NotifierError(f"gateway down for {phone}")
        self.sent.append((phone, message))


async def test_a_reply_queues_a_notification_that_reaches_the_gateway_with_the_phone(
    api: Api,
) -> None:
    filed = await file(api)
    await reply(api, filed["id"])
    gateway = FlakyGateway(failures=0)
    now = api.runtime.clock.now()
    units, vault = api.runtime.unit_of_work, api.runtime.deps.vault
    sent = await deliver_due(units, vault, gateway, now)
    assert sent == 1
    assert gateway.sent == [(PHONE, gateway.sent[0][1])]
    assert filed["tracking_code"] in gateway.sent[0][1]
    assert await deliver_due(units, vault, gateway, now) == 0


async def test_a_failed_delivery_is_retried_later_and_logs_no_phone(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    filed = await file(api)
    await reply(api, filed["id"])
    gateway = FlakyGateway(failures=1)
    units, vault = api.runtime.unit_of_work, api.runtime.deps.vault
    now = api.runtime.clock.now()
    with caplog.at_level(logging.DEBUG):
        assert await deliver_due(units, vault, gateway, now) == 0
    assert PHONE not in caplog.text
    assert await deliver_due(units, vault, gateway, now) == 0  # backing off
    assert await deliver_due(units, vault, gateway, now + timedelta(minutes=10)) == 1
    assert gateway.sent[0][0] == PHONE


async def test_a_suggestion_without_a_phone_queues_no_notification(api: Api) -> None:
    filed = await file(api, {k: v for k, v in SUGGESTION.items() if k != "citizen"})
    await reply(api, filed["id"])
    gateway = FlakyGateway(failures=0)
    now = api.runtime.clock.now()
    assert await deliver_due(api.runtime.unit_of_work, api.runtime.deps.vault, gateway, now) == 0


async def test_the_notifications_poller_of_the_service_delivers_a_queued_reply(api: Api) -> None:
    filed = await file(api)
    await reply(api, filed["id"])
    [poller] = SERVICE.pollers(api.runtime)
    notifier = api.runtime.deps.notifier
    assert isinstance(notifier, LogNotifier)  # no SMS gateway configured
    poller.start()  # its first pass runs at once
    try:
        for _ in range(100):
            if notifier.sent:
                break
            await asyncio.sleep(0.05)
    finally:
        await poller.stop()
    assert notifier.sent == [("138****5678", notifier.sent[0][1])]
    assert filed["tracking_code"] in notifier.sent[0][1]
