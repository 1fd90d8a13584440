"""Officials' visits over HTTP on a real SQLite store: the office plans, the public asks,
staff moderate and record the visit, supervision's answers come back over the (test) bus;
and the refusals, each naming the field and the rule."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from minyi.contracts.supervision import MarkedOverdue, Resolved
from minyi.contracts.visits import (
    CommitmentMade,
    VisitHeld,
    VisitPlanned,
    VisitQuestionPublished,
    WrittenAnswerRequired,
)
from minyi.platform.auth import Role

from .conftest import DEPUTIES, START, STATION, Liaison, problem

BEIJING = ZoneInfo("Asia/Shanghai")
DAY = (START + timedelta(days=7)).astimezone(BEIJING).date()  # Tuesday 8 December
PLAN = {
    "station_id": STATION,
    "official_name": "刘建国",
    "official_post": "局长",
    "unit_id": "jm-zjj",
    "date": DAY.isoformat(),
    "start": "09:00",
    "end": "11:30",
    "theme": "老旧小区改造",
}
QUESTION = "小区加装电梯的补贴什么时候发放？"
UNANSWERED = "雨污分流改造何时到我们片区？"


async def planned(liaison: Liaison, **changes: Any) -> dict[str, Any]:
    async with liaison.client(Role.ADMIN) as c:
        r = await c.post("/v1/visits", json=PLAN | changes)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def ask(liaison: Liaison, visit_id: str, text: str) -> str:
    async with liaison.client() as c:
        r = await c.post(f"/v1/visits/{visit_id}/questions", json={"text": text})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def published(liaison: Liaison, visit_id: str, text: str) -> str:
    question_id = await ask(liaison, visit_id, text)
    async with liaison.staff() as c:
        r = await c.post(f"/v1/visits/{visit_id}/questions/{question_id}/publish")
    assert r.status_code == 200, r.text
    return question_id


def visit_day(liaison: Liaison, hour: int = 12) -> None:
    """The clock moves to ``hour`` o'clock on the visit's day (Beijing)."""
    target = datetime.combine(DAY, time(hour), tzinfo=BEIJING)
    liaison.clock.advance(target - liaison.clock.now())


async def public_page(liaison: Liaison, visit_id: str) -> dict[str, Any]:
    async with liaison.client() as c:
        r = await c.get(f"/v1/visits/{visit_id}")
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def test_a_visit_from_plan_to_promises_kept_late(liaison: Liaison) -> None:
    visit = await planned(liaison)
    assert visit["weekday"] == "周二" and visit["unit_name"] == "荆门市住房和城乡建设局"
    first = await published(liaison, visit["id"], QUESTION)
    second = await published(liaison, visit["id"], UNANSWERED)
    private = await ask(liaison, visit["id"], "还没审核的问题不公开")
    page = await public_page(liaison, visit["id"])
    assert {q["id"] for q in page["questions"]} == {first, second} and page["can_ask"]
    assert "还没审核" not in str(page)
    async with liaison.staff() as c:
        office = (await c.get(f"/v1/office/visits/{visit['id']}")).json()
    assert private in {q["id"] for q in office["questions"]}
    assert {d["id"] for d in office["station_deputies"]} >= set(DEPUTIES)
    assert {"id": "jm-jtysj", "name": "荆门市交通运输局"} in office["units"]

    visit_day(liaison)
    async with liaison.staff() as c:
        r = await c.post(
            f"/v1/visits/{visit['id']}/held",
            json={
                "deputy_ids": list(DEPUTIES),
                "citizens": 42,
                "answers": [{"question_id": first, "answer": "补贴将于本月底前发放到位。"}],
                "commitments": [
                    {
                        "text": "金泉路路灯年底前全部修复",
                        "unit_id": "jm-jtysj",
                        "due_on": "2026-12-20",
                    }
                ],
            },
        )
    assert r.status_code == 200, r.text

    [held] = await liaison.events(VisitHeld.event_type)
    assert held["data"]["answered"] == 1 and held["data"]["pending"] == 1
    assert held["data"]["citizens"] == 42
    [promise] = await liaison.events(CommitmentMade.event_type)
    commitment_id = promise["data"]["commitment_id"]
    assert promise["subject"] == commitment_id and promise["data"]["unit_id"] == "jm-jtysj"
    due_at = datetime.fromisoformat(promise["data"]["due_at"])
    assert due_at.astimezone(BEIJING).date().isoformat() == "2026-12-20"
    assert (due_at + timedelta(microseconds=1)).astimezone(BEIJING).hour == 0
    [written] = await liaison.events(WrittenAnswerRequired.event_type)
    assert written["subject"] == second and written["data"]["district_code"] == "420802"
    assert len(await liaison.events(VisitQuestionPublished.event_type)) == 2
    assert len(await liaison.events(VisitPlanned.event_type)) == 1

    # Supervision marks it overdue, then the unit answers late; and the written answer.
    late = START + timedelta(days=25)
    await liaison.h.deliver(
        MarkedOverdue(
            suggestion_id=commitment_id,
            unit_id="jm-jtysj",
            reply_by=late - timedelta(days=1),
            marked_at=late - timedelta(days=1),
            case_id=f"{commitment_id}:1",
            case_version=3,
        ),
        subject=commitment_id,
    )
    assert (await public_page(liaison, visit["id"]))["commitments"][0]["state_label"] == "已逾期"
    answer = Resolved(
        suggestion_id=commitment_id,
        unit_id="jm-jtysj",
        outcome="A",
        reply="金泉路路灯已全部修复。",
        replied_at=late,
        on_time=False,
    )
    event = await liaison.h.deliver(answer, subject=commitment_id)
    await liaison.h.deliver(answer, subject=commitment_id, event=event)  # redelivered
    await liaison.h.deliver(
        Resolved(
            suggestion_id=second,
            unit_id="jm-zjj",
            outcome="B",
            reply="雨污分流改造已列入明年计划。",
            replied_at=late,
            on_time=True,
        ),
        subject=second,
    )
    page = await public_page(liaison, visit["id"])
    [c] = page["commitments"]
    assert c["state_label"] == "逾期兑现" and c["answer"]["reply"] == "金泉路路灯已全部修复。"
    by_id = {q["id"]: q for q in page["questions"]}
    assert by_id[first]["answer"] == "补贴将于本月底前发放到位。"
    assert by_id[second]["state_label"] == "已书面答复"
    assert by_id[second]["written_answer"]["reply"] == "雨污分流改造已列入明年计划。"
    assert [d["id"] for d in page["deputies_present"]] == list(DEPUTIES)
    assert not page["can_ask"] and page["status_label"] == "已举行"


async def test_only_the_office_plans_and_cancels_and_staff_keep_to_their_station(
    liaison: Liaison,
) -> None:
    async with liaison.staff() as c:
        assert (await c.post("/v1/visits", json=PLAN)).status_code == 403
    visit = await planned(liaison)
    question_id = await ask(liaison, visit["id"], QUESTION)
    async with liaison.staff("ST-420804-01") as c:
        r = await c.post(f"/v1/visits/{visit['id']}/questions/{question_id}/publish")
        assert problem(r)[:2] == (403, "outside_station_scope")
        assert (await c.get(f"/v1/office/visits/{visit['id']}")).status_code == 403
        assert (
            await c.post(f"/v1/visits/{visit['id']}/cancel", json={"reason": "x"})
        ).status_code == 403
    async with liaison.client() as c:
        assert (await c.get("/v1/office/visits")).status_code == 401
    async with liaison.client(Role.ADMIN) as c:
        r = await c.post(f"/v1/visits/{visit['id']}/cancel", json={"reason": "另行安排"})
        assert r.status_code == 200 and r.json()["status_label"] == "已取消"
        listed = (await c.get("/v1/office/visits")).json()
    assert listed["admin"] and any(s["id"] == STATION for s in listed["stations"])
    assert [v["status"] for v in listed["visits"]] == ["cancelled"]


async def test_refusals_name_the_field_and_the_rule(liaison: Liaison) -> None:
    async with liaison.client(Role.ADMIN) as c:
        r = await c.post("/v1/visits", json=PLAN | {"unit_id": "jm-nowhere"})
        assert problem(r) == (422, "unknown_unit", ["unit_id"])
        r = await c.post("/v1/visits", json=PLAN | {"date": "2026-11-30"})
        assert problem(r) == (422, "visit_in_past", ["date"])
        r = await c.post("/v1/visits", json=PLAN | {"station_id": "ST-404"})
        assert problem(r) == (404, "station_not_found", ["station_id"])
    visit = await planned(liaison)
    async with liaison.client() as c:
        r = await c.post(f"/v1/visits/{visit['id']}/questions", json={"text": "好"})
        assert problem(r) == (422, "question_too_short", ["text"])
        r = await c.get("/v1/visits/no-such-visit")
        assert problem(r) == (404, "visit_not_found", ["visit_id"])
    async with liaison.staff() as c:
        r = await c.post(f"/v1/visits/{visit['id']}/held", json={"citizens": 3})
        assert problem(r)[:2] == (409, "visit_not_started")
        visit_day(liaison)
        held = {
            "citizens": 3,
            "commitments": [{"text": "修路", "unit_id": "jm-jtysj", "due_on": "2026-12-07"}],
        }
        r = await c.post(f"/v1/visits/{visit['id']}/held", json=held)
        assert problem(r) == (422, "due_before_visit", ["commitments.0.due_on"])
        r = await c.post(
            f"/v1/visits/{visit['id']}/held", json={"citizens": 3, "deputy_ids": ["REP-404"]}
        )
        assert problem(r) == (422, "deputy_not_of_station", ["deputy_ids"])
    assert await liaison.events(CommitmentMade.event_type) == []


async def test_a_deputy_signed_in_asks_as_a_deputy_and_the_lists_filter(liaison: Liaison) -> None:
    visit = await planned(liaison)
    other = await planned(liaison, station_id="ST-420804-01", theme="农村公路养护")
    async with liaison.client(Role.REPRESENTATIVE, representative=DEPUTIES[0]) as c:
        r = await c.post(f"/v1/visits/{visit['id']}/questions", json={"text": QUESTION})
    assert r.status_code == 201
    async with liaison.staff() as c:
        office = (await c.get(f"/v1/office/visits/{visit['id']}")).json()
        mine = (await c.get("/v1/office/visits")).json()
    [q] = office["questions"]
    assert q["asked_by"] == "deputy" and q["deputy_id"] == DEPUTIES[0] and q["deputy_name"]
    assert [v["id"] for v in mine["visits"]] == [visit["id"]] and mine["stations"] == []
    assert mine["visits"][0]["questions_submitted"] == 1
    async with liaison.client() as c:
        by_station = (await c.get("/v1/visits", params={"station_id": STATION})).json()
        by_division = (await c.get("/v1/visits", params={"division": "420804"})).json()
        everything = (await c.get("/v1/visits")).json()
    assert [v["id"] for v in by_station] == [visit["id"]]
    assert [v["id"] for v in by_division] == [other["id"]]
    assert {v["id"] for v in everything} == {visit["id"], other["id"]}
    assert by_station[0]["station_name"] == "东宝区泉口街道代表联络站"
