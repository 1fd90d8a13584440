"""Supervision over the real bus: its events in and out of JetStream, real processes.

Routing and intake are not started: the tests publish AssignedToUnit and FeedbackReceived
to JetStream themselves (as those services' relays would), so they depend only on the
contracts.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import httpx
import nats
import pytest

from minyi.contracts.subjects import STREAM_NAME
from minyi.platform.auth import Principal, Role, local_bearer
from minyi.platform.nats_server import free_port
from tests.support.bus import events_on
from tests.support.system import ServiceProcess, System, eventually

pytestmark = pytest.mark.e2e

UNIT = "db-zjj"
REPLY = {
    "outcome": "A",
    "reply": "经现场核查，金泉路路灯线路老化，已于本周更换线路并恢复照明，感谢您的监督。",
}
FEEDBACK_TYPE = "cn.minyi.suggestion.feedback_received.v1"


def envelope(type_: str, subject: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "minyi/test",
        "type": type_,
        "subject": subject,
        "time": datetime.now().astimezone().isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }


def publish(url: str, subject: str, *events: dict[str, Any]) -> None:
    async def _go() -> None:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            for e in events:
                await js.publish(
                    subject,
                    json.dumps(e).encode(),
                    stream=STREAM_NAME,
                    headers={"Nats-Msg-Id": e["id"]},
                )
        finally:
            await nc.close()

    asyncio.run(_go())


def assigned(sid: str, assigned_at: str, *, unit: str = UNIT, attempt: int = 1) -> dict[str, Any]:
    return envelope(
        "cn.minyi.suggestion.assigned.v1",
        sid,
        {
            "suggestion_id": sid,
            "unit_id": unit,
            "unit_name": "东宝区住建局",
            "category": "城乡建设",
            "focus_area": "城市能级",
            "district_code": "420802",
            "kind": "citizen_appeal",
            "urgent": False,
            "attempt": attempt,
            "explanation": {"reason": "rule"},
            "assigned_at": assigned_at,
        },
    )


def feedback(sid: str, satisfied: bool, round_: int) -> dict[str, Any]:
    return envelope(
        FEEDBACK_TYPE,
        sid,
        {
            "suggestion_id": sid,
            "satisfied": satisfied,
            "score": 4 if satisfied else 1,
            "comment": None,
            "round": round_,
            "received_at": datetime.now().astimezone().isoformat(),
        },
    )


def as_unit(system: System, unit: str = UNIT) -> dict[str, str]:
    return local_bearer(system.data_dir, Principal(Role.UNIT_STAFF, f"staff:{unit}", unit=unit))


def case_of(system: System, sid: str, unit: str = UNIT) -> dict[str, Any] | None:
    base = system["supervision"].url
    r = httpx.get(f"{base}/v1/cases/{sid}", headers=as_unit(system, unit), timeout=5)
    return dict(r.json()) if r.status_code == 200 else None


def supervision_events(system: System, suffix: str) -> list[dict[str, Any]]:
    return [e for e in events_on(system.nats_url) if e["type"].endswith(suffix)]


def test_deadlines_skip_the_national_day_holiday_and_count_the_make_up_days(
    system_factory: type[System],
) -> None:
    system = system_factory()
    system.start(["supervision"])
    publish(
        system.nats_url,
        "minyi.suggestion.assigned",
        assigned("eve", "2025-09-30T09:00:00+08:00"),
        assigned("friday", "2025-09-26T10:00:00+08:00"),
    )
    eve = eventually(lambda: case_of(system, "eve"), what="case opened from the bus")
    friday = eventually(lambda: case_of(system, "friday"), what="second case opened")
    # 9, 10, 11 (make-up Saturday), 13, 14 Oct.
    assert eve["reply_by"] == "2025-10-14T23:59:59+08:00"
    # 28 Sep (make-up Sunday), 29, 30 Sep, 9, 10 Oct.
    assert friday["reply_by"] == "2025-10-10T23:59:59+08:00"


def test_a_unit_acts_only_on_its_own_cases_and_illegal_steps_are_refused(
    system_factory: type[System],
) -> None:
    system = system_factory()
    system.start(["supervision"])
    base = system["supervision"].url
    publish(
        system.nats_url, "minyi.suggestion.assigned", assigned("s-iso", "2025-11-03T09:00:00+08:00")
    )
    eventually(lambda: case_of(system, "s-iso"), what="case opened")
    mine, theirs = as_unit(system), as_unit(system, "dd-zjj")
    with httpx.Client(base_url=base, timeout=10) as c:
        assert c.get("/v1/cases/s-iso").status_code == 401
        assert c.get("/v1/cases/s-iso", headers=theirs).status_code == 404
        assert c.post("/v1/cases/s-iso/accept", headers=theirs).status_code == 404
        assert c.get("/v1/cases", headers=theirs).json()["total"] == 0
        early = c.post("/v1/cases/s-iso/progress", json={"note": "已到现场"}, headers=mine)
        assert early.status_code == 409 and early.json()["detail"][0]["type"] == "not_accepted"
        short = c.post("/v1/cases/s-iso/reply", json={"outcome": "A", "reply": "好"}, headers=mine)
        assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["reply"]
        assert c.post("/v1/cases/s-iso/reply", json=REPLY, headers=mine).status_code == 200
        twice = c.post("/v1/cases/s-iso/reply", json=REPLY, headers=mine)
        assert twice.status_code == 409 and twice.json()["detail"][0]["type"] == "already_replied"
    resolved = eventually(
        lambda: supervision_events(system, ".resolved.v1"), what="Resolved on the bus"
    )
    assert len(resolved) == 1 and resolved[0]["headers"]["Nats-Msg-Id"] == resolved[0]["id"]


def test_unsatisfied_feedback_reopens_once_then_closes_for_review_and_satisfied_closes(
    system_factory: type[System],
) -> None:
    system = system_factory()
    system.start(["supervision"])
    base, mine = system["supervision"].url, as_unit(system)
    publish(
        system.nats_url,
        "minyi.suggestion.assigned",
        assigned("s-happy", "2025-11-03T09:00:00+08:00"),
        assigned("s-angry", "2025-11-03T09:00:00+08:00"),
    )
    eventually(lambda: case_of(system, "s-happy") and case_of(system, "s-angry"), what="cases")
    for sid in ("s-happy", "s-angry"):
        r = httpx.post(f"{base}/v1/cases/{sid}/reply", json=REPLY, headers=mine, timeout=10)
        assert r.status_code == 200, r.text

    topic = "minyi.suggestion.feedback_received"
    publish(system.nats_url, topic, feedback("s-happy", True, 1), feedback("s-angry", False, 1))
    reopened = eventually(
        lambda: (c := case_of(system, "s-angry")) and c["status"] == "reopened" and c
    )
    assert reopened["round"] == 2 and reopened["unit_id"] == UNIT
    r = httpx.post(f"{base}/v1/cases/s-angry/reply", json=REPLY, headers=mine, timeout=10)
    assert r.status_code == 200, r.text
    publish(system.nats_url, topic, feedback("s-angry", False, 2))

    closed = eventually(
        lambda: len(c := supervision_events(system, ".closed.v1")) == 2 and c,
        what="both cases closed on the bus",
    )
    results = {e["subject"]: (e["data"]["result"], e["data"]["needs_review"]) for e in closed}
    assert results == {"s-happy": ("satisfied", False), "s-angry": ("unsatisfied", True)}
    assert len(supervision_events(system, ".reopened.v1")) == 1


def two_replicas(system: System) -> tuple[ServiceProcess, ServiceProcess]:
    """The system's supervision and a second process with the same env on another port."""
    first = system["supervision"]
    port = free_port()
    second = ServiceProcess(
        "supervision",
        port,
        {**first.env, "MINYI_HTTP_PORT": str(port)},
        system.data_dir / "supervision-2.log",
    )
    return first, second


def test_two_replicas_racing_for_the_same_due_cases_escalate_each_once(
    system_factory: type[System],
) -> None:
    # The clock starts after every deadline, so each case is due the moment it opens and
    # both replicas' sweeps (every 10 ms) go for the same rows at once.
    system = system_factory(
        "postgresql",
        extra_env={
            "MINYI_CLOCK_START": "2025-10-23T12:00:00+08:00",
            "MINYI_SUPERVISION_SWEEP_SECONDS": "0.01",
            "MINYI_SUPERVISION_SWEEP_BATCH": "3",
        },
    )
    first, second = two_replicas(system)
    try:
        first.start()
        second.start()
        first.wait_ready()
        second.wait_ready()
        sids = [f"r-{i}" for i in range(60)]
        publish(
            system.nats_url,
            "minyi.suggestion.assigned",
            *(assigned(sid, "2025-09-30T09:00:00+08:00") for sid in sids),
        )
        escalated = eventually(
            lambda: len(e := supervision_events(system, ".escalated.v1")) >= 2 * len(sids) and e,
            timeout=60,
            what="two escalations per case",
        )
    finally:
        second.stop()
    events = supervision_events(system, ".v1")
    # Late sweeps drop reminders whose time has passed: per case one overdue and two
    # escalations, never more.
    assert Counter(e["type"].split(".")[-2] for e in events) == {
        "overdue": len(sids),
        "escalated": 2 * len(sids),
        "assigned": len(sids),
    }
    assert Counter((e["subject"], e["data"]["level"]) for e in escalated) == {
        (sid, level): 1 for sid in sids for level in (1, 2)
    }


def test_reminders_and_escalations_fire_once_each_with_two_replicas_on_postgresql(
    system_factory: type[System],
) -> None:
    # One simulated day per real second from 1 Oct 2025: the deadlines of cases assigned
    # on 30 Sep (reply by 14 Oct, level-2 escalation on 22 Oct) pass within ~25 s.
    system = system_factory(
        "postgresql",
        extra_env={
            "MINYI_CLOCK_START": "2025-10-01T00:00:00+08:00",
            "MINYI_CLOCK_SPEED": "86400",
            "MINYI_SUPERVISION_SWEEP_SECONDS": "0.05",
            "MINYI_SUPERVISION_SWEEP_BATCH": "3",
        },
    )
    first, second = two_replicas(system)
    try:
        first.start()
        second.start()
        first.wait_ready()
        second.wait_ready()
        sids = [f"s-{i}" for i in range(12)]
        publish(
            system.nats_url,
            "minyi.suggestion.assigned",
            *(assigned(sid, "2025-09-30T09:00:00+08:00") for sid in sids),
        )
        eventually(
            lambda: supervision_events(system, ".reminder_issued.v1"),
            timeout=60,
            what="a first reminder",
        )
        first.kill()  # a crash mid-way; the timers live in the database, not in it
        first.start()
        first.wait_ready()
        escalated = eventually(
            lambda: len(e := supervision_events(system, ".escalated.v1")) >= 2 * len(sids) and e,
            timeout=90,
            what="two escalations per case",
        )
        overdue = supervision_events(system, ".overdue.v1")
        reminders = supervision_events(system, ".reminder_issued.v1")
        swept_by = [p.log_path.read_text(errors="replace") for p in (first, second)]
    finally:
        second.stop()

    assert Counter((e["subject"], e["data"]["level"]) for e in escalated) == {
        (sid, level): 1 for sid in sids for level in (1, 2)
    }
    assert Counter(e["subject"] for e in overdue) == {sid: 1 for sid in sids}
    per_timer = Counter((e["subject"], e["data"]["stage"], e["data"]["mark"]) for e in reminders)
    assert per_timer and max(per_timer.values()) == 1, per_timer
    assert {e["data"]["target_id"] for e in escalated} == {"g1", "congress_office"}
    assert any("deadline sweep" in log for log in swept_by)
