"""A formal suggestion (代表建议) over the real bus: intake served with its lifespan on a
real nats-server. Liaison's registry arrives as events; a lead and two co-signers file
through the API; the stream holds SuggestionFiled with its ``formal`` details; an answer
(Resolved) published to the stream reaches every signer, and a co-signer's rating comes
back on the stream as SignerRated."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import nats
import pytest

from minyi.contracts.envelope import EventData, new_event
from minyi.contracts.subjects import STREAM_NAME
from minyi.contracts.supervision import Resolved
from minyi.intake.bootstrap import SERVICE
from minyi.platform.app.assembly import create_app
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.settings import Settings
from services.intake.tests.integration.registry import REGISTRY, subject_of
from services.intake.tests.integration.test_formal import DRAFT, RATING
from tests.support import bus
from tests.support.browser import served
from tests.support.infra import NatsServer

LEAD, CO1, CO2 = "REP-420802-001", "REP-420802-002", "REP-420802-003"
T = TypeVar("T")


def publish(url: str, events: list[tuple[EventData, str]]) -> None:
    """Publish as another service's relay would: CloudEvents on the one stream."""

    async def run() -> None:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            for data, subject in events:
                event = new_event(data, source="minyi/test", subject=subject)
                await js.publish(
                    data.subject_name, event.model_dump_json().encode(), stream=STREAM_NAME
                )
        finally:
            await nc.close()

    # In a thread of its own: a sync Playwright test already runs a loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def intake(
    nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[httpx.Client, Any]]:
    monkeypatch.setenv("MINYI_INTAKE_API_KEYS", "test-api-key")
    monkeypatch.setenv("MINYI_INTAKE_CHAT_SECRET", "test-chat-secret")
    settings = Settings(
        service="intake",
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/intake.sqlite3",
        nats_url=nats_server.url,
    )
    app = create_app(SERVICE, settings)
    with served(app, "intake", ready=True) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client, app.state.runtime


def test_filed_with_two_co_signers_answered_and_rated_over_the_real_bus(
    intake: tuple[httpx.Client, Any], nats_server: NatsServer
) -> None:
    client, runtime = intake

    def as_(deputy: str) -> dict[str, str]:
        return bearer(
            runtime.keyring, Principal(Role.REPRESENTATIVE, deputy, representative=deputy)
        )

    publish(nats_server.url, [(e, subject_of(e)) for e in REGISTRY])
    eventually(
        lambda: len(client.get("/v1/reference/representatives").json()) >= 3,
        "the registry replica",
    )
    made = client.post(
        "/v1/formal-suggestions", json=DRAFT | {"co_signer_ids": [CO1, CO2]}, headers=as_(LEAD)
    ).json()
    sid = made["id"]
    for co in (CO1, CO2):
        assert client.post(f"/v1/formal-suggestions/{sid}/confirm", headers=as_(co)).is_success
    submitted = client.post(f"/v1/formal-suggestions/{sid}/submit", headers=as_(LEAD)).json()

    filed = eventually(
        lambda: [e for e in bus.events_on(nats_server.url, "minyi.suggestion.filed")
                 if e["subject"] == sid],
        "SuggestionFiled on the stream",
    )  # fmt: skip
    data = filed[0]["data"]
    assert data["kind"] == "representative_suggestion" and data["representative_id"] == LEAD
    assert data["formal"]["number"] == submitted["number"]
    assert data["formal"]["co_signer_ids"] == [CO1, CO2]
    assert data["formal"]["lead_deputy_id"] == LEAD and data["formal"]["session"] == "in_session"

    answer = Resolved(
        suggestion_id=sid,
        unit_id="u-zjj",
        outcome="B",
        reply="已列入2026年城建计划，年内分段实施。",
        replied_at=datetime(2026, 5, 6, 2, 0, tzinfo=UTC),
        on_time=True,
        delivery_by=date(2026, 10, 31),
    )
    publish(nats_server.url, [(answer, sid)])

    def answers_of(signer: str) -> list[dict[str, Any]]:
        view = client.get(f"/v1/formal-suggestions/{sid}", headers=as_(signer)).json()
        return list(view.get("answers") or [])

    for signer in (LEAD, CO1, CO2):
        seen = eventually(lambda s=signer: answers_of(s), f"the answer on {signer}'s view")  # type: ignore[misc]
        assert seen[0]["outcome"] == "B" and seen[0]["delivery_by"] == "2026-10-31"

    r = client.post(f"/v1/formal-suggestions/{sid}/ratings", json=RATING, headers=as_(CO2))
    assert r.status_code == 201, r.text
    rated = eventually(
        lambda: bus.events_on(nats_server.url, "minyi.suggestion.signer_rated"),
        "SignerRated on the stream",
    )
    assert [(e["subject"], e["data"]["deputy_id"], e["data"]["round"]) for e in rated] == [
        (sid, CO2, 1)
    ]
    assert rated[0]["data"]["result"] == "unsatisfied"
