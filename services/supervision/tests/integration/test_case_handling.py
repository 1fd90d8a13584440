"""Supervision's handlers and workbench, in-process (SQLite store, TestNatsBroker)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx

from minyi.contracts.events import AssignedToUnit, AssignmentExplanation, CaseAccepted, Resolved
from minyi.supervision.bootstrap import SERVICE
from minyi.supervision.entrypoints.http import router
from tests.support.harness import harness

ASSIGNED = AssignedToUnit(
    suggestion_id="s-1",
    unit_id="db-zjj",
    unit_name="东宝区住建局",
    category="城乡建设",
    focus_area="城市能级",
    district_code="420802",
    explanation=AssignmentExplanation(reason="rule"),
    assigned_at=datetime(2025, 9, 30, 9, 0, tzinfo=UTC),
)
GOOD_REPLY = {"outcome": "A", "reply": "经现场核查，路灯线路老化，已更换线路并恢复照明，感谢监督。"}


def client_for(h: object) -> httpx.AsyncClient:
    from fastapi import FastAPI

    app = FastAPI()
    app.state.runtime = h.runtime  # type: ignore[attr-defined]
    app.include_router(router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sup")


async def test_an_assignment_opens_a_case_with_deadlines_on_the_working_day_calendar(
    tmp_path: Path,
) -> None:
    async with harness(SERVICE, tmp_path) as h, client_for(h) as client:
        await h.deliver(ASSIGNED)
        case = (await client.get("/v1/cases/s-1")).json()
    assert case["status"] == "assigned"
    # Assigned on 30 Sep 2025, the eve of the National Day holiday (1–8 Oct): the five
    # working days are 9, 10, 11 (a Saturday made a working day), 13 and 14 Oct; the reply
    # is due by the end of 14 Oct, Beijing time.
    assert datetime.fromisoformat(case["reply_by"]) == datetime(2025, 10, 14, 15, 59, 59, tzinfo=UTC)


async def test_a_reply_emits_resolved_and_signs_for_the_case_first(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h, client_for(h) as client:
        await h.deliver(ASSIGNED)
        r = await client.post("/v1/cases/s-1/reply", json=GOOD_REPLY)
        assert r.status_code == 200, r.text
        out = await h.outbox()
    assert [e["type"] for e in out] == [CaseAccepted.event_type, Resolved.event_type]
    resolved = Resolved.model_validate(out[1]["data"])
    assert resolved.outcome == "A" and resolved.unit_id == "db-zjj"


async def test_a_second_reply_is_refused_with_409_and_a_reason(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h, client_for(h) as client:
        await h.deliver(ASSIGNED)
        await client.post("/v1/cases/s-1/reply", json=GOOD_REPLY)
        r = await client.post("/v1/cases/s-1/reply", json=GOOD_REPLY)
    assert r.status_code == 409
    assert r.json()["detail"]["code"] == "already_replied"


async def test_a_too_short_reply_is_refused_with_422(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h, client_for(h) as client:
        await h.deliver(ASSIGNED)
        r = await client.post("/v1/cases/s-1/reply", json={"outcome": "A", "reply": "已办"})
        out = await h.outbox()
    assert r.status_code == 422
    assert r.json()["detail"]["code"] == "reply_too_short"
    assert out == []  # nothing half-written


async def test_replying_to_an_unknown_suggestion_is_404(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h, client_for(h) as client:
        r = await client.post("/v1/cases/nope/reply", json=GOOD_REPLY)
    assert r.status_code == 404
