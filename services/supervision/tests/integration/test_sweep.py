"""The deadline sweep fires each timer once, whenever and however often it runs."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from minyi.contracts.supervision import Escalated, ReminderIssued

from .conftest import Bench


async def test_reminders_overdue_and_escalations_fire_once_each_over_many_sweeps(
    bench: Bench,
) -> None:
    await bench.assign()
    while bench.clock.now() < datetime(2025, 10, 25, tzinfo=UTC):
        bench.advance(hours=6)
        await bench.sweep()
        await bench.sweep()  # a second pass at the same instant finds nothing
    events = await bench.events()
    assert Counter(e["type"].split(".")[-2] for e in events) == {
        "reminder_issued": 3,  # accept, 50 %, 80 %
        "overdue": 1,
        "escalated": 2,
    }
    reminders = [ReminderIssued.model_validate(e["data"]) for e in events[:3]]
    # Accept by 9 Oct; 50 % and 80 % of the five working days fall on 11 and 13 Oct.
    assert [(r.stage, r.mark) for r in reminders] == [
        ("accept", 1.0),
        ("reply", 0.5),
        ("reply", 0.8),
    ]
    escalations = [Escalated.model_validate(e["data"]) for e in events if "escalated" in e["type"]]
    assert [(x.level, x.target_id, x.group_id) for x in escalations] == [
        (1, "g1", "g1"),
        (2, "congress_office", "g1"),
    ]
    # Level 2 five working days after the reply deadline (15, 16, 17, 20, 21 Oct).
    assert escalations[1].escalated_at >= datetime(2025, 10, 21, 16, 0, tzinfo=UTC)
    async with bench.client() as c:
        case = (await c.get("/v1/cases/s-1")).json()
    assert case["overdue"] is True and case["escalation_level"] == 2
    assert case["timers"] and all(
        t["issued_at"] for t in case["timers"] if t["kind"] != "no_response"
    )


async def test_a_late_sweep_issues_only_what_still_matters(bench: Bench) -> None:
    await bench.assign()
    async with bench.client() as c:
        await c.post("/v1/cases/s-1/accept")
    bench.at(datetime(2025, 10, 15, 0, 0, tzinfo=UTC) + timedelta(hours=1))
    await bench.sweep()
    # The deadline passed while no sweep ran: no stale reminders, just overdue + level 1.
    assert await bench.types() == ["accepted", "overdue", "escalated"]


async def test_a_sweep_handles_every_due_case_in_batches(bench: Bench) -> None:
    for i in range(5):  # the bench's sweeper takes 2 cases per transaction
        await bench.assign(f"s-{i}")
    bench.at(datetime(2025, 10, 16, tzinfo=UTC))
    handled = await bench.sweep()
    assert handled == 5
    assert Counter(await bench.types())["escalated"] == 5
    assert await bench.sweep() == 0


async def test_a_replied_case_gets_no_reminders(bench: Bench) -> None:
    await bench.assign()
    async with bench.client() as c:
        await c.post(
            "/v1/cases/s-1/reply",
            json={
                "outcome": "B",
                "reply": "已列入明年城市更新计划，预计第二季度完成改造，请关注。",
            },
        )
    bench.at(datetime(2025, 10, 20, tzinfo=UTC))
    await bench.sweep()
    assert await bench.types() == ["accepted", "resolved"]
