"""The one notifier (minyi.platform.notifier) intake and liaison send SMS through: the
log masks the phone, the gateway gets it and its errors never carry it."""

from __future__ import annotations

import logging

import httpx
import pytest

from minyi.platform.notifier import (
    LogNotifier,
    NotifierError,
    WebhookNotifier,
    masked,
    notifier_for,
)

PHONE = "13812345678"


async def test_the_log_notifier_masks_the_phone(caplog: pytest.LogCaptureFixture) -> None:
    notifier = LogNotifier()
    with caplog.at_level(logging.INFO):
        await notifier.send(PHONE, "您好")
    assert "138****5678" in caplog.text and PHONE not in caplog.text
    assert notifier.sent == [("138****5678", "您好")]


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "138****5678"),
        ("0724-2345678", "*******5678"),
        ("027-87654321", "*******4321"),
        ("12345", "*****"),
        ("", "*"),
    ],
)
def test_a_masked_phone_keeps_at_most_its_last_four_digits(phone: str, shown: str) -> None:
    assert masked(phone) == shown


async def test_the_webhook_notifier_posts_phone_and_message_and_raises_on_failure() -> None:
    seen: list[bytes] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(503 if len(seen) > 1 else 200)

    notifier = WebhookNotifier("http://sms.example/send", transport=httpx.MockTransport(gateway))
    await notifier.send(PHONE, "有答复了")
    assert b'"phone":"13812345678"' in seen[0].replace(b" ", b"")
    with pytest.raises(NotifierError) as error:
        await notifier.send(PHONE, "再次")
    assert PHONE not in str(error.value)


async def test_an_unreachable_gateway_is_a_notifier_error_without_the_phone() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"no route for {PHONE}")

    notifier = WebhookNotifier("http://sms.example/send", transport=httpx.MockTransport(down))
    with pytest.raises(NotifierError, match="unreachable") as error:
        await notifier.send(PHONE, "您好")
    assert PHONE not in str(error.value)


def test_the_gateway_is_used_only_when_configured() -> None:
    assert isinstance(notifier_for(None), LogNotifier)
    assert isinstance(notifier_for("http://sms.example/send"), WebhookNotifier)
