"""FeedbackReceived (intake's event) closes or reopens the case."""

from __future__ import annotations

from datetime import UTC, datetime

from minyi.contracts.supervision import CaseClosed, CaseReopened

from .conftest import GOOD_REPLY, UNIT, Bench


async def _replied(bench: Bench, sid: str = "s-1") -> None:
    await bench.assign(sid)
    async with bench.client() as c:
        r = await c.post(f"/v1/cases/{sid}/reply", json=GOOD_REPLY)
        assert r.status_code == 200, r.text


async def test_a_satisfied_citizen_closes_the_case(bench: Bench) -> None:
    await _replied(bench)
    await bench.feedback("s-1", satisfied=True, round=1)
    events = await bench.events()
    closed = CaseClosed.model_validate(events[-1]["data"])
    assert (closed.result, closed.needs_review) == ("satisfied", False)
    async with bench.client() as c:
        assert (await c.get("/v1/cases/s-1")).json()["status"] == "closed"


async def test_an_unsatisfied_citizen_reopens_the_case_at_the_same_unit_once(
    bench: Bench,
) -> None:
    await _replied(bench)
    bench.at(datetime(2025, 10, 9, 2, 0, tzinfo=UTC))  # Thursday 9 Oct, 10:00 Beijing
    await bench.feedback("s-1", satisfied=False, round=1)
    reopened = CaseReopened.model_validate((await bench.events())[-1]["data"])
    assert (reopened.round, reopened.unit_id) == (2, UNIT)
    # Five working days after 9 Oct: 10, 11 (make-up Saturday), 13, 14, 15 Oct.
    assert reopened.reply_by == datetime(2025, 10, 15, 15, 59, 59, tzinfo=UTC)

    async with bench.client() as c:
        assert (await c.get("/v1/cases/s-1")).json()["status"] == "reopened"
        refused = await c.post(
            "/v1/cases/s-1/return", json={"reason": "不归我们", "suggested_unit": "x"}
        )
        again = await c.post("/v1/cases/s-1/reply", json=GOOD_REPLY)
    assert (
        refused.status_code == 409 and refused.json()["detail"][0]["type"] == "rehandling_same_unit"
    )
    assert again.status_code == 200 and again.json()["round"] == 2

    await bench.feedback("s-1", satisfied=False, round=2)
    closed = CaseClosed.model_validate((await bench.events())[-1]["data"])
    assert (closed.result, closed.needs_review) == ("unsatisfied", True)


async def test_redelivered_and_stale_feedback_change_nothing(bench: Bench) -> None:
    await _replied(bench)
    first = await bench.feedback("s-1", satisfied=False, round=1)
    before = await bench.types()
    await bench.feedback("s-1", satisfied=False, round=1, event_id=first)  # redelivery
    await bench.feedback("s-1", satisfied=True, round=1)  # late, for the first answer
    assert await bench.types() == before == ["accepted", "resolved", "reopened"]


async def test_feedback_before_any_reply_is_ignored_without_retrying(bench: Bench) -> None:
    await bench.assign()
    await bench.feedback("s-1", satisfied=True)
    await bench.feedback("unknown", satisfied=True)
    assert await bench.events() == []
    async with bench.client() as c:
        assert (await c.get("/v1/cases/s-1")).json()["status"] == "assigned"


async def test_no_feedback_within_ten_working_days_closes_the_case_as_no_response(
    bench: Bench,
) -> None:
    await _replied(bench)  # replied 30 Sep; ten working days end on 21 Oct
    bench.at(datetime(2025, 10, 21, 15, 0, tzinfo=UTC))
    await bench.sweep()
    assert "closed" not in await bench.types()
    bench.at(datetime(2025, 10, 21, 16, 0, tzinfo=UTC))
    await bench.sweep()
    await bench.sweep()
    closed = [e for e in await bench.events() if e["type"].endswith(".closed.v1")]
    assert [CaseClosed.model_validate(e["data"]).result for e in closed] == ["no_response"]
