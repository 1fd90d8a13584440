"""A formal suggestion's handling over the real bus (nats-server and the supervision
process): an AssignedToUnit with a co-unit opens the case; the co-unit sends views, the
lead records its contact and replies B (DeliveryPromised on the bus, the delivery item in
its list); the signers' ratings (one 不满意) reopen it; a second answer, satisfied ratings
close it; the delivery is reported.

Routing and intake are not started: their events are built from the contracts and
published here (as their relays would), so this depends only on the contracts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import nats
import pytest

from minyi.contracts.envelope import EventData, new_event
from minyi.contracts.formal import CoUnit, Rating, SignerRated
from minyi.contracts.routing import AssignedToUnit, AssignmentExplanation
from minyi.contracts.subjects import STREAM_NAME
from minyi.platform.auth import Principal, Role, local_bearer
from tests.support.bus import events_on
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

LEAD, CO = "db-zjj", "czj"
SID = "f-bus"
SIGNERS = ["dep-lead", "dep-2"]
ANSWER = "经研究，老旧小区加装电梯已列入明年民生实事计划，将分批实施并给予财政补贴。"


def publish(url: str, *items: EventData) -> None:
    async def _go() -> None:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            for data in items:
                event = new_event(data, source="minyi/test", subject=SID)
                await js.publish(
                    data.subject_name,
                    event.model_dump_json().encode(),
                    stream=STREAM_NAME,
                    headers={"Nats-Msg-Id": event.id},
                )
        finally:
            await nc.close()

    asyncio.run(_go())


def rated(deputy: str, result: Rating, round_: int) -> SignerRated:
    return SignerRated(
        suggestion_id=SID,
        deputy_id=deputy,
        round=round_,
        contact="satisfied",
        attitude="satisfied",
        result=result,
        rated_at=datetime.now(UTC),
    )


def of(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"].endswith(f".{name}.v1")]


def test_a_formal_suggestion_is_handled_rated_rehandled_closed_and_delivered(
    system_factory: type[System],
) -> None:
    system = system_factory()
    system.start(["supervision"])
    unit = {
        u: local_bearer(system.data_dir, Principal(Role.UNIT_STAFF, f"staff:{u}", unit=u))
        for u in (LEAD, CO)
    }
    publish(
        system.nats_url,
        AssignedToUnit(
            suggestion_id=SID,
            unit_id=LEAD,
            unit_name="东宝区住建局",
            category="城乡建设",
            focus_area="城市能级",
            district_code="420802",
            kind="representative_suggestion",
            explanation=AssignmentExplanation(reason="manual"),
            assigned_at=datetime.now(UTC),
            co_units=[CoUnit(unit_id=CO, unit_name="市财政局")],
            number="2026-0001",
            signer_ids=SIGNERS,
            title="关于加快老旧小区加装电梯的建议",
            content="建议加大财政补贴力度。",
        ),
    )
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with httpx.Client(base_url=system["supervision"].url, timeout=10) as c:

        def case() -> dict[str, Any] | None:
            r = c.get(f"/v1/cases/{SID}", headers=unit[LEAD])
            return r.json() if r.status_code == 200 else None

        assert eventually(case, what="the case opened")["formal"]["number"] == "2026-0001"
        views = c.post(f"/v1/cases/{SID}/views", json={"views": "可安排补贴"}, headers=unit[CO])
        assert views.status_code == 200, views.text
        contact = {"contacted_on": today.isoformat(), "mode": "visit"}
        assert c.post(f"/v1/cases/{SID}/contacts", json=contact, headers=unit[LEAD]).is_success
        promise = (today + timedelta(days=60)).isoformat()
        b = {"outcome": "B", "reply": ANSWER, "delivery_by": promise}
        replied = c.post(f"/v1/cases/{SID}/reply", json=b, headers=unit[LEAD])
        assert replied.status_code == 200, replied.text

        item = c.get("/v1/cases", params={"kind": "delivery"}, headers=unit[LEAD]).json()
        assert [i["delivery_of"] for i in item["items"]] == [SID]

        publish(
            system.nats_url, rated("dep-lead", "satisfied", 1), rated("dep-2", "unsatisfied", 1)
        )
        eventually(lambda: (x := case()) and x["status"] == "reopened", what="re-handling")
        again = c.post(
            f"/v1/cases/{SID}/reply", json={"outcome": "A", "reply": ANSWER}, headers=unit[LEAD]
        )
        assert again.status_code == 200, again.text
        publish(system.nats_url, *(rated(d, "satisfied", 2) for d in SIGNERS))
        closed = eventually(lambda: (x := case()) and x["status"] == "closed" and x, what="closed")
        assert closed["close_result"] == "satisfied"

        report = {"outcome": "A", "reply": "补贴资金已拨付到位，首批电梯已开工加装。"}
        done = c.post(f"/v1/cases/{SID}~B/reply", json=report, headers=unit[LEAD])
        assert done.status_code == 200, done.text
        shown = case()
        assert shown is not None
        assert shown["formal"]["delivery"]["status"] == "delivered_on_time"

    # What the bus carried (read once: each read waits for the stream's end).
    def answered() -> list[dict[str, Any]] | None:
        found = events_on(system.nats_url)
        return found if len(of(found, "resolved")) == 3 else None

    events = eventually(answered, what="the three answers on the bus")
    resolved = of(events, "resolved")
    assert [e["subject"] for e in resolved] == [SID, SID, f"{SID}~B"]
    assert resolved[0]["data"]["delivery_by"] == promise
    (promised,) = of(events, "delivery_promised")
    assert promised["data"]["delivery_id"] == f"{SID}~B"
    assert promised["data"]["promised_by"] == promise
    (reopened,) = of(events, "reopened")
    assert reopened["data"]["round"] == 2
    (closed_event,) = of(events, "closed")
    assert closed_event["data"]["result"] == "satisfied"
    assert of(events, "co_views_submitted") and of(events, "deputies_contacted")
