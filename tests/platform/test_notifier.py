"""The one notifier (minyi.platform.notifier) intake and liaison send SMS through: the
log masks the phone, the gateway gets it and its errors never carry it."""

from __future__ import annotations

import logging

import httpx
import pytest

from minyi.platform.egress import Egress
from minyi.platform.notifier import (
    LogNotifier,
    NotifierError,
    WebhookNotifier,
    masked,
    notifier_for,
)
from tests.support.web_target import web_target

PHONE = "13812345678"
# The tests' gateway name resolves nowhere: the deployment's allow-list names it.
GATEWAY = Egress(frozenset({"sms.example"}))


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

    notifier = WebhookNotifier(
        "http://sms.example/send", GATEWAY, transport=httpx.MockTransport(gateway)
    )
    await notifier.send(PHONE, "有答复了")
    assert b'"phone":"13812345678"' in seen[0].replace(b" ", b"")
    with pytest.raises(NotifierError) as error:
        await notifier.send(PHONE, "再次")
    assert PHONE not in str(error.value)


async def test_an_unreachable_gateway_is_a_notifier_error_without_the_phone() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"no route for {PHONE}")

    notifier = WebhookNotifier(
        "http://sms.example/send", GATEWAY, transport=httpx.MockTransport(down)
    )
    with pytest.raises(NotifierError, match="unreachable") as error:
        await notifier.send(PHONE, "您好")
    assert PHONE not in str(error.value)


def test_the_gateway_is_used_only_when_configured() -> None:
    assert isinstance(notifier_for(None, GATEWAY), LogNotifier)
    assert isinstance(notifier_for("http://sms.example/send", GATEWAY), WebhookNotifier)


async def test_a_gateway_at_a_forbidden_address_is_never_called() -> None:
    calls: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    for url in ("http://127.0.0.1:9000/send", "http://169.254.169.254/", "http://[fc00::1]/"):
        notifier = WebhookNotifier(url, Egress(), transport=httpx.MockTransport(gateway))
        with pytest.raises(NotifierError, match="refused") as error:
            await notifier.send(PHONE, "您好")
        assert PHONE not in str(error.value)
    assert calls == []


async def test_a_redirecting_gateway_is_not_followed_and_the_message_is_retried() -> None:
    with web_target() as target:
        target.answers["/send"] = (302, target.url("/elsewhere"))
        notifier = WebhookNotifier(target.url("/send"), Egress.from_setting("127.0.0.1"))
        with pytest.raises(NotifierError, match="302"):
            await notifier.send(PHONE, "您好")
        target.answers["/send"] = (200, None)
        await notifier.send(PHONE, "您好")
    assert target.hits == ["/send", "/send"]  # never /elsewhere
