"""Webhook targets pass the platform's allow-list at registration and at every delivery,
and a redirect is a failed delivery, never followed (against server-side request forgery).
The fixture allows example.test and 127.0.0.1 (``MINYI_EGRESS_ALLOW``), as a deployment
would list a gateway inside its network."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from minyi.platform.egress import Egress
from minyi.reporting.adapters.tables import deliveries
from minyi.reporting.adapters.webhooks import WebhookSender
from minyi.reporting.service_layer import webhooks
from services.reporting.tests.integration.conftest import Reporting
from tests.support.reporting_history import lifecycle
from tests.support.web_target import web_target

SECRET = "s3cret-for-the-test-only"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:8004/v1/stats",
        "http://0.0.0.0:8001/",
        "http://10.0.0.5/hook",
        "http://[::1]:8004/",
        "http://[fd00::5]/hook",
    ],
)
async def test_a_forbidden_target_is_refused_at_registration(
    reporting: Reporting, url: str
) -> None:
    r = await reporting.http.post("/v1/subscriptions", json={"url": url, "secret": SECRET})
    assert r.status_code == 422, r.text
    [problem] = r.json()["detail"]
    assert problem["type"] == "egress_forbidden" and problem["loc"] == ["url"], problem
    assert "MINYI_EGRESS_ALLOW" in problem["msg"]
    async with reporting.h.runtime.sessions() as s:
        assert (await s.execute(select(deliveries))).all() == []


async def test_a_target_refused_at_delivery_is_never_called(reporting: Reporting) -> None:
    runtime = reporting.h.runtime
    r = await reporting.http.post(
        "/v1/subscriptions", json={"url": "https://example.test/hook", "secret": SECRET}
    )
    assert r.status_code == 201
    await reporting.deliver(lifecycle("s-1"))
    calls: list[httpx.Request] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    # The allow-list no longer names the host (or its name now resolves elsewhere).
    async def private(host: str, port: int) -> list[str]:
        return ["10.0.0.9"]

    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as client:
        sender = WebhookSender(Egress(resolver=private), client)
        assert await webhooks.deliver_due(runtime.unit_of_work, sender, runtime.clock) == 0
    assert calls == []
    async with runtime.sessions() as s:
        row = (await s.execute(select(deliveries))).one()
    assert row.attempts == 1 and row.delivered_at is None
    assert row.last_error.startswith("refused:") and "10.0.0.9" in row.last_error


async def test_a_redirect_is_a_failed_delivery_and_is_not_followed(reporting: Reporting) -> None:
    runtime = reporting.h.runtime
    with web_target() as target:
        target.answers["/hook"] = (307, target.url("/internal"))
        r = await reporting.http.post(
            "/v1/subscriptions", json={"url": target.url("/hook"), "secret": SECRET}
        )
        assert r.status_code == 201, r.text
        await reporting.deliver(lifecycle("s-2"))
        sender = runtime.deps.webhook_sender  # the service's own, with its real client
        assert await webhooks.deliver_due(runtime.unit_of_work, sender, runtime.clock) == 0
        assert target.hits == ["/hook"]
        async with runtime.sessions() as s:
            row = (await s.execute(select(deliveries))).one()
        assert row.last_error == "HTTP 307" and row.delivered_at is None

        target.answers["/hook"] = (200, None)
        async with runtime.sessions() as s, s.begin():  # skip the back-off wait
            await s.execute(deliveries.update().values(next_attempt_at=runtime.clock.now()))
        assert await webhooks.deliver_due(runtime.unit_of_work, sender, runtime.clock) == 1
    assert target.hits == ["/hook", "/hook"]
