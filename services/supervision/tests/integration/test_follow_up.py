"""What an official's visit leaves to follow, in-process: a commitment or an unanswered
question from liaison opens a case in the unit's workbench, with its title and deadline,
reminded and escalated like any case, answered through the same reply endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from minyi.contracts.supervision import Resolved
from minyi.contracts.visits import CommitmentMade, WrittenAnswerRequired

from .conftest import GOOD_REPLY, OTHER_UNIT, UNIT, Bench

PROMISE = "国庆节后一周内完成学校门口人行横道施划并安装信号灯"
QUESTION = "城区公交线路何时延伸到新建小区？"
# The end of Friday 10 Oct 2025 in Beijing.
END_OF_10_OCT = datetime(2025, 10, 10, 15, 59, 59, tzinfo=UTC)


async def commitment(
    bench: Bench, cid: str = "cm-1", *, due_at: datetime = END_OF_10_OCT, unit: str = UNIT
) -> None:
    await bench.h.deliver(
        CommitmentMade(
            commitment_id=cid,
            visit_id="v-1",
            station_id="st-1",
            district_code="420802",
            unit_id=unit,
            unit_name="东宝区住建局",
            text=PROMISE,
            due_on=(due_at + timedelta(hours=8)).date(),
            due_at=due_at,
            deputy_ids=["d-1", "d-2"],
            made_at=bench.clock.now(),
        ),
        subject=cid,
    )


async def question(bench: Bench, qid: str = "vq-1") -> None:
    await bench.h.deliver(
        WrittenAnswerRequired(
            question_id=qid,
            visit_id="v-1",
            station_id="st-1",
            district_code="420802",
            unit_id=UNIT,
            unit_name="东宝区住建局",
            text=QUESTION,
            required_at=bench.clock.now(),
        ),
        subject=qid,
    )


async def test_a_commitment_appears_in_the_units_workbench_with_its_title_and_due_date(
    bench: Bench,
) -> None:
    await commitment(bench)
    await commitment(bench)  # liaison's relay published it twice
    await bench.assign("s-1")  # an ordinary appeal beside it
    await commitment(bench, "cm-2", unit=OTHER_UNIT)
    async with bench.client() as c:
        page = (await c.get("/v1/cases")).json()
        only = (await c.get("/v1/cases", params={"kind": "commitment"})).json()
        case = (await c.get("/v1/cases/cm-1")).json()
        other = await c.get("/v1/cases/cm-2")
        unknown = await c.get("/v1/cases", params={"kind": "promise"})
    assert page["total"] == 2
    item = next(i for i in page["items"] if i["suggestion_id"] == "cm-1")
    assert item["kind"] == "commitment" and item["title"] == PROMISE
    assert datetime.fromisoformat(item["reply_by"]) == END_OF_10_OCT
    appeal = next(i for i in page["items"] if i["suggestion_id"] == "s-1")
    assert appeal["kind"] == "citizen_appeal" and appeal["title"] is None
    assert [i["suggestion_id"] for i in only["items"]] == ["cm-1"]
    assert case["status"] == "assigned" and case["title"] == PROMISE
    assert case["case_id"] == "cm-1:1" and case["return_until"] is None
    assert other.status_code == 404
    assert unknown.status_code == 422 and "kind" in unknown.text
    assert await bench.events() == []


async def test_a_commitment_promised_for_a_holiday_is_due_at_the_end_of_the_next_working_day(
    bench: Bench,
) -> None:
    await commitment(bench, due_at=datetime(2025, 10, 3, 15, 59, 59, tzinfo=UTC))
    async with bench.client() as c:
        case = (await c.get("/v1/cases/cm-1")).json()
    # 1–8 Oct are the National Day holiday: the end of Thursday 9 Oct.
    assert datetime.fromisoformat(case["reply_by"]) == datetime(2025, 10, 9, 15, 59, 59, tzinfo=UTC)


async def test_a_commitment_kept_late_is_reminded_escalated_and_resolved_not_on_time(
    bench: Bench,
) -> None:
    await commitment(bench)
    while bench.clock.now() < datetime(2025, 10, 13, 2, tzinfo=UTC):
        bench.advance(hours=6)
        await bench.sweep()
    async with bench.client(supervisor=True, group="g1") as c:
        while_open = (await c.get("/v1/supervision/escalations")).json()
    async with bench.client() as c:
        returned = await c.post(
            "/v1/cases/cm-1/return", json={"reason": "不归本单位", "suggested_unit": OTHER_UNIT}
        )
        short = await c.post("/v1/cases/cm-1/reply", json={"outcome": "A", "reply": "已兑现"})
        replied = await c.post("/v1/cases/cm-1/reply", json=GOOD_REPLY)
    async with bench.client(supervisor=True, group="g1") as c:
        escalated = (await c.get("/v1/supervision/escalations")).json()
    assert returned.status_code == 409
    refusal = returned.json()["detail"][0]
    assert refusal["type"] == "not_returnable"
    assert refusal["msg"].startswith("承诺事项由本单位当场作出，不能退回")
    assert short.status_code == 422 and short.json()["detail"][0]["loc"][-1] == "reply"
    assert replied.status_code == 200
    assert replied.json()["status"] == "replied" and replied.json()["feedback_by"] is None
    assert [i["title"] for i in while_open["items"]] == [PROMISE]  # 东宝区 → 第一督导组
    assert escalated["total"] == 0  # answered: no longer open
    events = await bench.events()
    reminders = [(e["data"]["stage"], e["data"]["mark"]) for e in events[:3]]
    # Half of the working time from 30 Sep 09:00 to the end of 10 Oct falls on 9 Oct (the
    # holiday does not count); the sign-for deadline (9 Oct, never later than the promise)
    # passes; 80 % on 10 Oct.
    assert reminders == [("reply", 0.5), ("accept", 1.0), ("reply", 0.8)]
    assert await bench.types() == [
        "reminder_issued",
        "reminder_issued",
        "reminder_issued",
        "overdue",
        "escalated",
        "accepted",  # replying signs for it first
        "resolved",
    ]
    resolved = Resolved.model_validate(events[-1]["data"])
    assert resolved.suggestion_id == "cm-1" and resolved.unit_id == UNIT
    assert resolved.on_time is False and resolved.feedback_by is None
    # Nothing waits for a citizen's rating: months later the case is still "replied".
    bench.advance(days=90)
    assert await bench.sweep() == 0
    async with bench.client() as c:
        case = (await c.get("/v1/cases/cm-1")).json()
    assert case["status"] == "replied" and case["close_result"] is None


async def test_a_question_left_at_a_visit_is_due_in_5_working_days_and_answered_on_time(
    bench: Bench,
) -> None:
    await question(bench)
    async with bench.client() as c:
        listed = (await c.get("/v1/cases", params={"kind": "visit_question"})).json()
        bench.advance(days=10)  # 10 Oct, within the five working days
        replied = await c.post("/v1/cases/vq-1/reply", json=GOOD_REPLY)
    (item,) = listed["items"]
    assert item["title"] == QUESTION
    # 9, 10, 11 (a make-up Saturday), 13, 14 Oct.
    assert datetime.fromisoformat(item["reply_by"]) == datetime(
        2025, 10, 14, 15, 59, 59, tzinfo=UTC
    )
    assert replied.status_code == 200
    resolved = Resolved.model_validate((await bench.events())[-1]["data"])
    assert resolved.suggestion_id == "vq-1" and resolved.on_time is True
