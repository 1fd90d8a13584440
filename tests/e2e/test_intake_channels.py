"""Each intake channel over a real intake process and a real nats-server: the event
arrives on the stream, and carries no personal data."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest

from minyi.contracts.envelope import new_event
from minyi.contracts.liaison import DeputyRegistered, ElectoralUnit
from minyi.contracts.subjects import STREAM_NAME
from minyi.contracts.supervision import Resolved
from minyi.intake.domain.signature import sign
from minyi.platform.auth import Principal, Role, local_bearer
from tests.support.bus import events_on
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

PHONE, NAME = "13912345678", "李四"
API_KEY, CHAT_SECRET = "e2e-key", "e2e-chat-secret"
ENV = {"MINYI_INTAKE_API_KEYS": API_KEY, "MINYI_INTAKE_CHAT_SECRET": CHAT_SECRET}


def _start(system_factory: type[System]) -> System:
    system = system_factory(extra_env=ENV)  # type: ignore[call-arg]
    system.start(["intake"])
    return system


def _representative(system: System) -> dict[str, str]:
    rep = Principal(Role.REPRESENTATIVE, "rep:001", representative="REP-420802-001")
    return local_bearer(system.data_dir, rep)


def _wait_for(system: System, event_type: str, count: int = 1) -> list[dict[str, Any]]:
    def probe() -> list[dict[str, Any]] | None:
        found = [e for e in events_on(system.nats_url) if e["type"] == event_type]
        return found if len(found) >= count else None

    return eventually(probe, what=f"{event_type} on the stream")


def _assert_no_pii(events: list[dict[str, Any]]) -> None:
    for e in events:
        assert PHONE not in e["raw"] and NAME not in e["raw"], "PII leaked into an event"
        assert e["headers"]["Nats-Msg-Id"] == e["id"]


async def _publish(url: str, event: Any, subject: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(
            subject,
            event.model_dump_json().encode(),
            stream=STREAM_NAME,
            headers={"Nats-Msg-Id": event.id},
        )
    finally:
        await nc.close()


def test_rest_filing_feedback_and_endorsement_reach_the_stream(
    system_factory: type[System],
) -> None:
    system = _start(system_factory)
    body = {
        "title": "东宝区泉口街道路灯不亮",
        "content": "泉口街道金泉路一段的路灯已经坏了两周。",
        "district_code": "420802",
        "channel": "web",
        "citizen": {"name": NAME, "phone": PHONE},
    }
    r = httpx.post(
        system.url("intake", "/v1/suggestions"),
        json=body,
        headers={"Idempotency-Key": "e2e-1"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    sid, code = r.json()["id"], r.json()["tracking_code"]
    [filed] = _wait_for(system, "cn.minyi.suggestion.filed.v1")
    assert filed["subject"] == sid and filed["data"]["citizen_ref"]

    resolved = new_event(
        Resolved(
            suggestion_id=sid,
            unit_id="u1",
            outcome="A",
            reply="已修复。",
            replied_at=datetime.now(UTC),
            on_time=True,
        ),
        source="minyi/supervision",
        subject=sid,
    )
    asyncio.run(_publish(system.nats_url, resolved, Resolved.subject_name))
    eventually(
        lambda: httpx.get(system.url("intake", f"/v1/track/{code}")).json()["status"] == "replied",
        what="the reply reaching intake",
    )
    r = httpx.post(
        system.url("intake", f"/v1/track/{code}/feedback"),
        json={"satisfied": True, "score": 5},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    [feedback] = _wait_for(system, "cn.minyi.suggestion.feedback_received.v1")
    assert feedback["subject"] == sid and feedback["data"]["round"] == 1

    # Intake takes deputies from liaison's registry events: the deputy is registered first.
    deputy = DeputyRegistered(
        deputy_id="REP-420802-001",
        name="王建国",
        level="city",
        electoral_unit=ElectoralUnit(kind="division", division_code="420802"),
        version=1,
        changed_at=datetime.now(UTC),
    )
    registered = new_event(deputy, source="minyi/liaison", subject=deputy.deputy_id)
    asyncio.run(_publish(system.nats_url, registered, DeputyRegistered.subject_name))
    eventually(
        lambda: (
            "REP-420802-001"
            in {
                r["id"]
                for r in httpx.get(system.url("intake", "/v1/reference/representatives")).json()
            }
        ),
        what="the deputy in intake's replica of liaison's registry",
    )
    r = httpx.post(
        system.url("intake", f"/v1/suggestions/{sid}/endorsements"),
        json={"representative_id": "REP-420802-001", "mode": "endorse"},
        headers=_representative(system),
        timeout=10,
    )
    assert r.status_code == 201, r.text
    _wait_for(system, "cn.minyi.suggestion.endorsed.v1")

    _assert_no_pii(events_on(system.nats_url))


def test_open311_requests_reach_the_stream_without_contact_data(
    system_factory: type[System],
) -> None:
    system = _start(system_factory)
    form = {
        "api_key": API_KEY,
        "service_code": "002",
        "address_string": "掇刀区白庙街道",
        "description": "工厂夜间排放废气，气味刺鼻。",
        "first_name": "四",
        "last_name": "李",
        "phone": PHONE,
    }
    r = httpx.post(system.url("intake", "/open311/v2/requests.json"), data=form, timeout=10)
    assert r.status_code == 201, r.text
    sid = r.json()[0]["service_request_id"]
    [filed] = _wait_for(system, "cn.minyi.suggestion.filed.v1")
    assert filed["subject"] == sid and filed["data"]["channel"] == "open311"
    assert filed["data"]["district_code"] == "420804"
    _assert_no_pii([filed])


def test_chat_messages_reach_the_stream_without_the_chat_user(system_factory: type[System]) -> None:
    system = _start(system_factory)
    body = json.dumps(
        {
            "message_id": "wx-1",
            "user_id": "wx-openid-42",
            "text": "钟祥市郢中街道菜市场门口积水严重",
            "sent_at": None,
        },
        ensure_ascii=False,
    ).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Minyi-Timestamp": ts,
        "X-Minyi-Signature": sign(CHAT_SECRET.encode(), ts, body),
    }
    r = httpx.post(
        system.url("intake", "/v1/channels/chat/webhook"), content=body, headers=headers, timeout=10
    )
    assert r.status_code == 200 and r.json()["tracking_code"], r.text
    [filed] = _wait_for(system, "cn.minyi.suggestion.filed.v1")
    assert filed["data"]["channel"] == "chat" and "wx-openid-42" not in filed["raw"]
