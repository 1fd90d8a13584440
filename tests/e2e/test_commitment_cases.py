"""Supervision follows what an official's visit left, over the real bus: a CommitmentMade
and a WrittenAnswerRequired published to JetStream (as liaison's relay would) open cases in
the unit's workbench; the commitment, answered after its promised day, is resolved late.

Liaison is not started: the events are built from the contracts and published here, so
this depends only on them (tests/e2e/test_visits.py runs the whole way from liaison).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import nats
import pytest

from minyi.contracts.envelope import EventData, new_event
from minyi.contracts.subjects import STREAM_NAME
from minyi.contracts.visits import CommitmentMade, WrittenAnswerRequired
from minyi.platform.auth import Principal, Role, local_bearer
from tests.support.bus import events_on
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

UNIT = "db-zjj"
PROMISE = "一个月内完成金泉路破损路面修补并恢复通行"
QUESTION = "老旧小区加装电梯的补贴何时到位？"
ANSWER = {
    "outcome": "A",
    "reply": "金泉路破损路面已于本周完成修补，道路恢复通行，后续纳入日常养护巡查。",
}


def publish(url: str, *items: tuple[EventData, str]) -> None:
    async def _go() -> None:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            for data, subject in items:
                event = new_event(data, source="minyi/liaison", subject=subject)
                await js.publish(
                    data.subject_name,
                    event.model_dump_json().encode(),
                    stream=STREAM_NAME,
                    headers={"Nats-Msg-Id": event.id},
                )
        finally:
            await nc.close()

    asyncio.run(_go())


def as_unit(system: System) -> dict[str, str]:
    return local_bearer(system.data_dir, Principal(Role.UNIT_STAFF, f"staff:{UNIT}", unit=UNIT))


def listed(system: System, kind: str) -> list[dict[str, Any]] | None:
    r = httpx.get(
        system.url("supervision", "/v1/cases"),
        params={"kind": kind},
        headers=as_unit(system),
        timeout=5,
    )
    items = r.json()["items"] if r.status_code == 200 else []
    return list(items) or None


def test_a_commitment_from_the_bus_is_followed_and_resolved_late(
    system_factory: type[System],
) -> None:
    system = system_factory()
    system.start(["supervision"])
    now = datetime.now().astimezone()
    made_at = now - timedelta(days=40)
    due_at = now - timedelta(days=3)  # already past: the unit will answer late
    commitment = CommitmentMade(
        commitment_id="cm-e2e",
        visit_id="v-e2e",
        station_id="st-e2e",
        district_code="420802",
        unit_id=UNIT,
        unit_name="东宝区住建局",
        text=PROMISE,
        due_on=due_at.date(),
        due_at=due_at,
        deputy_ids=["d-1"],
        made_at=made_at,
    )
    question = WrittenAnswerRequired(
        question_id="vq-e2e",
        visit_id="v-e2e",
        station_id="st-e2e",
        district_code="420802",
        unit_id=UNIT,
        unit_name="东宝区住建局",
        text=QUESTION,
        required_at=now,
    )
    publish(system.nats_url, (commitment, "cm-e2e"), (question, "vq-e2e"))

    (item,) = eventually(lambda: listed(system, "commitment"), what="commitment case opened")
    assert item["suggestion_id"] == "cm-e2e" and item["title"] == PROMISE
    # The promised day, or the next working day's end if it was a day off: never earlier.
    assert datetime.fromisoformat(item["reply_by"]) >= due_at
    (asked,) = eventually(lambda: listed(system, "visit_question"), what="question case")
    assert asked["title"] == QUESTION and asked["suggestion_id"] == "vq-e2e"

    # The deadline has passed: the sweep marks it overdue and escalates it, once.
    eventually(
        lambda: [e for e in events_on(system.nats_url) if e["type"].endswith(".escalated.v1")],
        what="the overdue commitment escalated on the bus",
    )
    with httpx.Client(base_url=system["supervision"].url, timeout=10) as c:
        returned = c.post(
            "/v1/cases/cm-e2e/return",
            json={"reason": "不归本单位", "suggested_unit": "dd-zjj"},
            headers=as_unit(system),
        )
        replied = c.post("/v1/cases/cm-e2e/reply", json=ANSWER, headers=as_unit(system))
    assert returned.status_code == 409
    assert returned.json()["detail"][0]["type"] == "not_returnable"
    assert replied.status_code == 200, replied.text

    resolved = eventually(
        lambda: [e for e in events_on(system.nats_url) if e["type"].endswith(".resolved.v1")],
        what="Resolved on the bus",
    )
    (event,) = resolved
    assert event["subject"] == "cm-e2e"
    assert event["data"]["on_time"] is False and event["data"]["feedback_by"] is None
