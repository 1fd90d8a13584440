"""The unit workbench and the supervisors' endpoints, in-process."""

from __future__ import annotations

from datetime import UTC, datetime

from minyi.contracts.supervision import AssignmentReturned, ExtensionGranted, ReminderIssued

from .conftest import GOOD_REPLY, OTHER_UNIT, UNIT, Bench

BEIJING_END_OF_14_OCT = datetime(2025, 10, 14, 15, 59, 59, tzinfo=UTC)


async def test_an_assignment_opens_a_case_with_deadlines_across_the_national_day_holiday(
    bench: Bench,
) -> None:
    await bench.assign()
    async with bench.client() as c:
        case = (await c.get("/v1/cases/s-1")).json()
    assert case["status"] == "assigned"
    # Working days after 30 Sep: 9, 10, 11 (a Saturday made a working day), 13, 14 Oct.
    assert datetime.fromisoformat(case["reply_by"]) == BEIJING_END_OF_14_OCT
    assert datetime.fromisoformat(case["accept_by"]) == datetime(
        2025, 10, 9, 15, 59, 59, tzinfo=UTC
    )
    assert [h["action"] for h in case["history"]] == ["CaseOpened"]


async def test_a_make_up_sunday_counts_as_a_working_day(bench: Bench) -> None:
    # Friday 26 Sep: Sunday 28 Sep is a make-up working day, so the five days are
    # 28, 29, 30 Sep, 9 and 10 Oct.
    await bench.assign(at=datetime(2025, 9, 26, 2, 0, tzinfo=UTC))
    async with bench.client() as c:
        case = (await c.get("/v1/cases/s-1")).json()
    assert datetime.fromisoformat(case["reply_by"]) == datetime(
        2025, 10, 10, 15, 59, 59, tzinfo=UTC
    )


async def test_a_redelivered_assignment_opens_no_second_case(bench: Bench) -> None:
    await bench.assign()
    await bench.assign()
    async with bench.client() as c:
        page = (await c.get("/v1/cases")).json()
    assert page["total"] == 1


async def test_calls_without_a_token_are_refused_with_401_and_a_bearer_challenge(
    bench: Bench,
) -> None:
    await bench.assign()
    async with bench.client(unit=None) as c:
        r = await c.get("/v1/cases/s-1")
        forged = await c.get("/v1/cases/s-1", headers={"X-Minyi-Unit": "db-zjj"})
    assert r.status_code == forged.status_code == 401
    assert r.json()["detail"][0]["type"] == "token_required"
    assert r.headers["WWW-Authenticate"] == "Bearer"


async def test_a_unit_lists_only_its_own_cases_with_filters_and_pages(bench: Bench) -> None:
    for i in range(3):
        await bench.assign(f"mine-{i}", category="城乡建设" if i < 2 else "交通运输")
    await bench.assign("theirs", unit=OTHER_UNIT, district="420804")
    async with bench.client() as c:
        await c.post("/v1/cases/mine-0/accept")
        everything = (await c.get("/v1/cases")).json()
        first = (await c.get("/v1/cases", params={"limit": 2})).json()
        second = (await c.get("/v1/cases", params={"limit": 2, "offset": 2})).json()
        accepted = (await c.get("/v1/cases", params={"status": "accepted"})).json()
        roads = (await c.get("/v1/cases", params={"category": "交通运输"})).json()
        overdue = (await c.get("/v1/cases", params={"overdue": "true"})).json()
        early = await c.get("/v1/cases", params={"due_before": "2025-10-01T00:00:00+08:00"})
        late = await c.get("/v1/cases", params={"due_before": "2025-10-15T00:00:00+08:00"})
        foreign = await c.get("/v1/cases", params={"unit": OTHER_UNIT})
        bad = await c.get("/v1/cases", params={"status": "sleeping"})
    assert everything["total"] == 3
    assert {i["suggestion_id"] for i in everything["items"]} == {"mine-0", "mine-1", "mine-2"}
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {i["suggestion_id"] for i in first["items"] + second["items"]} == {
        "mine-0",
        "mine-1",
        "mine-2",
    }
    assert [i["suggestion_id"] for i in accepted["items"]] == ["mine-0"]
    assert [i["suggestion_id"] for i in roads["items"]] == ["mine-2"]
    assert overdue["total"] == 0
    assert early.json()["total"] == 0 and late.json()["total"] == 3
    assert foreign.status_code == 403
    assert bad.status_code == 422 and "status" in bad.text


async def test_a_unit_cannot_see_or_act_on_another_units_case(bench: Bench) -> None:
    await bench.assign(unit=OTHER_UNIT, district="420804")
    async with bench.client(UNIT) as c:
        seen = await c.get("/v1/cases/s-1")
        accepted = await c.post("/v1/cases/s-1/accept")
        replied = await c.post("/v1/cases/s-1/reply", json=GOOD_REPLY)
    assert (seen.status_code, accepted.status_code, replied.status_code) == (404, 404, 404)
    assert await bench.events() == []


async def test_accepting_emits_case_accepted_once_even_when_repeated(bench: Bench) -> None:
    await bench.assign()
    async with bench.client() as c:
        first = await c.post("/v1/cases/s-1/accept")
        again = await c.post("/v1/cases/s-1/accept")
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "accepted"
    assert await bench.types() == ["accepted"]


async def test_progress_needs_a_signed_case_and_a_note(bench: Bench) -> None:
    await bench.assign()
    async with bench.client() as c:
        early = await c.post("/v1/cases/s-1/progress", json={"note": "已派人现场查看"})
        await c.post("/v1/cases/s-1/accept")
        blank = await c.post("/v1/cases/s-1/progress", json={"note": "   "})
        missing = await c.post("/v1/cases/s-1/progress", json={})
        ok = await c.post("/v1/cases/s-1/progress", json={"note": "已派人现场查看"})
    assert early.status_code == 409 and early.json()["detail"][0]["type"] == "not_accepted"
    assert blank.status_code == 422
    assert blank.json()["detail"] == [
        {"type": "note_required", "loc": ["note"], "msg": "进展说明不能为空"}
    ]
    assert missing.status_code == 422 and "note" in missing.text
    assert ok.json()["status"] == "in_progress"
    events = await bench.events()
    assert [e["type"] for e in events][-1] == "cn.minyi.suggestion.progress_reported.v1"
    assert events[-1]["data"]["note"] == "已派人现场查看"


async def test_a_reply_emits_resolved_and_signs_for_the_case_first(bench: Bench) -> None:
    await bench.assign()
    async with bench.client() as c:
        r = await c.post("/v1/cases/s-1/reply", json=GOOD_REPLY)
    assert r.status_code == 200, r.text
    events = await bench.events()
    assert [e["type"].split(".")[-2] for e in events] == ["accepted", "resolved"]
    resolved = events[1]["data"]
    assert resolved["outcome"] == "A" and resolved["unit_id"] == UNIT
    assert resolved["case_id"] == "s-1:1" and resolved["case_version"] == 2


async def test_illegal_replies_are_refused_with_the_rule_and_nothing_written(bench: Bench) -> None:
    await bench.assign()
    async with bench.client() as c:
        short = await c.post("/v1/cases/s-1/reply", json={"outcome": "A", "reply": "已办"})
        no_reason = await c.post("/v1/cases/s-1/reply", json={**GOOD_REPLY, "outcome": "C"})
        bad_outcome = await c.post("/v1/cases/s-1/reply", json={**GOOD_REPLY, "outcome": "E"})
        assert await bench.events() == []
        await c.post("/v1/cases/s-1/reply", json=GOOD_REPLY)
        twice = await c.post("/v1/cases/s-1/reply", json=GOOD_REPLY)
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["reply"]
    assert short.json()["detail"][0]["type"] == "reply_too_short"
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["reason"]
    assert bad_outcome.status_code == 422 and "outcome" in bad_outcome.text
    assert twice.status_code == 409 and twice.json()["detail"][0]["type"] == "already_replied"


async def test_replying_to_an_unknown_suggestion_is_404(bench: Bench) -> None:
    async with bench.client() as c:
        r = await c.post("/v1/cases/nope/reply", json=GOOD_REPLY)
    assert r.status_code == 404 and r.json()["detail"][0]["type"] == "case_not_found"


async def test_a_returned_case_is_terminal_and_the_next_attempt_opens_a_new_case(
    bench: Bench,
) -> None:
    await bench.assign()
    body = {"reason": "路灯属城管局管理", "suggested_unit": OTHER_UNIT}
    async with bench.client() as c:
        self_return = await c.post("/v1/cases/s-1/return", json={**body, "suggested_unit": UNIT})
        r = await c.post("/v1/cases/s-1/return", json=body)
        after = await c.post("/v1/cases/s-1/accept")
    assert self_return.status_code == 422
    assert self_return.json()["detail"][0]["loc"] == ["suggested_unit"]
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert after.status_code == 409 and after.json()["detail"][0]["type"] == "case_returned"
    returned = AssignmentReturned.model_validate((await bench.events())[-1]["data"])
    assert (returned.attempt, returned.suggested_unit, returned.reason) == (
        1,
        OTHER_UNIT,
        "路灯属城管局管理",
    )

    await bench.assign(unit=OTHER_UNIT, attempt=2)
    async with bench.client(OTHER_UNIT) as other, bench.client(UNIT) as mine:
        new_case = (await other.get("/v1/cases/s-1")).json()
        old_case = (await mine.get("/v1/cases/s-1")).json()
        supervisor_view = await bench.client(supervisor=True).get("/v1/cases/s-1")
    assert (new_case["case_id"], new_case["status"]) == ("s-1:2", "assigned")
    assert (old_case["case_id"], old_case["status"]) == ("s-1:1", "returned")
    assert supervisor_view.json()["case_id"] == "s-1:2"


async def test_a_return_after_the_window_needs_a_supervisor(bench: Bench) -> None:
    await bench.assign()
    bench.advance(days=30)
    async with bench.client() as c:
        r = await c.post(
            "/v1/cases/s-1/return", json={"reason": "不属本单位", "suggested_unit": OTHER_UNIT}
        )
    assert r.status_code == 409 and r.json()["detail"][0]["type"] == "return_window_passed"


async def test_only_representative_suggestions_are_extended_and_only_once(bench: Bench) -> None:
    await bench.assign("appeal")
    await bench.assign("rep", kind="representative_suggestion")
    async with bench.client() as c:
        await c.post("/v1/cases/appeal/accept")
        refused = await c.post("/v1/cases/appeal/extend", json={"reason": "涉及面广"})
        unsigned = await c.post("/v1/cases/rep/extend", json={"reason": "涉及面广"})
        await c.post("/v1/cases/rep/accept")
        no_reason = await c.post("/v1/cases/rep/extend", json={"reason": ""})
        ok = await c.post("/v1/cases/rep/extend", json={"reason": "涉及多个部门，需统筹资金"})
        again = await c.post("/v1/cases/rep/extend", json={"reason": "还需要时间"})
    assert (
        refused.status_code == 409
        and refused.json()["detail"][0]["type"] == "extension_not_allowed"
    )
    assert unsigned.status_code == 409 and unsigned.json()["detail"][0]["type"] == "not_accepted"
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    assert ok.status_code == 200, ok.text
    assert again.status_code == 409 and again.json()["detail"][0]["type"] == "extension_used"
    granted = ExtensionGranted.model_validate((await bench.events())[-1]["data"])
    # Six months from 30 Sep 2025 → 30 Mar 2026, end of day in Beijing (《代表法》第五十一条).
    assert granted.reply_by == datetime(2026, 3, 30, 15, 59, 59, tzinfo=UTC)
    assert granted.reason == "涉及多个部门，需统筹资金"


async def test_a_supervisor_urges_and_marks_a_key_case_but_a_unit_cannot(bench: Bench) -> None:
    await bench.assign()
    async with bench.client(supervisor=True) as sup, bench.client() as unit:
        by_unit = await unit.post("/v1/cases/s-1/urge", json={"note": "请尽快办理"})
        key_by_unit = await unit.post("/v1/cases/s-1/key-case")
        urged = await sup.post("/v1/cases/s-1/urge", json={"note": "请尽快办理"})
        key = await sup.post("/v1/cases/s-1/key-case")
        key_again = await sup.post("/v1/cases/s-1/key-case")
        accept = await sup.post("/v1/cases/s-1/accept")
    assert by_unit.status_code == key_by_unit.status_code == 403
    assert urged.status_code == key.status_code == key_again.status_code == 200
    assert accept.status_code == 403 and accept.json()["detail"][0]["type"] == "unit_only"
    assert key.json()["key_case"] is True
    marks = [t["mark"] for t in key.json()["timers"] if t["kind"] == "reminder"]
    assert marks == [0.3, 0.6, 0.9]
    events = await bench.events()
    assert [e["type"].split(".")[-2] for e in events] == ["reminder_issued", "key_case_marked"]
    reminder = ReminderIssued.model_validate(events[0]["data"])
    assert reminder.manual and reminder.stage == "accept" and reminder.note == "请尽快办理"


async def test_a_supervisor_sees_only_the_districts_of_the_group(bench: Bench) -> None:
    await bench.assign("dongbao", district="420802")
    await bench.assign("duodao", unit=OTHER_UNIT, district="420804")
    async with bench.client(supervisor=True, group="g1") as g1:
        listed = (await g1.get("/v1/cases")).json()
        outside = await g1.get("/v1/cases/duodao")
        urged = await g1.post("/v1/cases/duodao/urge", json={})
    async with bench.client(supervisor=True, group="nope") as unknown:
        refused = await unknown.get("/v1/cases")
    assert [i["suggestion_id"] for i in listed["items"]] == ["dongbao"]
    assert outside.status_code == urged.status_code == 404
    assert refused.status_code == 403


async def test_overdue_and_escalation_lists_show_open_late_cases_to_supervisors_only(
    bench: Bench,
) -> None:
    await bench.assign("late")
    await bench.assign("answered")
    async with bench.client() as c:
        await c.post("/v1/cases/answered/reply", json=GOOD_REPLY)
    bench.at(datetime(2025, 10, 16, 2, 0, tzinfo=UTC))
    await bench.sweep()
    async with bench.client(supervisor=True) as sup, bench.client() as unit:
        overdue = (await sup.get("/v1/supervision/overdue")).json()
        level1 = (await sup.get("/v1/supervision/escalations")).json()
        level2 = (await sup.get("/v1/supervision/escalations", params={"level": 2})).json()
        refused = await unit.get("/v1/supervision/overdue")
        own_overdue = (await unit.get("/v1/cases", params={"overdue": "true"})).json()
    assert [i["suggestion_id"] for i in overdue["items"]] == ["late"]
    assert [(i["suggestion_id"], i["escalation_level"]) for i in level1["items"]] == [("late", 1)]
    assert level2["total"] == 0
    assert refused.status_code == 403
    assert [i["suggestion_id"] for i in own_overdue["items"]] == ["late"]
