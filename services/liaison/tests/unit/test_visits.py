"""Officials' visits (局长进站) on the in-memory unit of work: the plan's rules, questions
private until published, what recording the visit emits for supervision to follow, and
supervision's answers read back in any order."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from minyi.contracts.envelope import EventData, RawEvent
from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.supervision import MarkedOverdue, Resolved
from minyi.contracts.visits import (
    CommitmentMade,
    VisitCancelled,
    VisitHeld,
    VisitPlanned,
    VisitQuestionPublished,
    WrittenAnswerRequired,
)
from minyi.liaison.domain import visit as rules
from minyi.liaison.domain.registry import Deputy, ElectoralUnit, Station
from minyi.liaison.domain.visit import Answer, CommitmentDraft, VisitPlan, VisitPolicy
from minyi.liaison.service_layer import registry, visits
from minyi.liaison.service_layer.ports import Actor
from minyi.platform.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

from .fakes import FakeUnitOfWork

ROOT = Path(__file__).resolve().parents[4]
BEIJING = ZoneInfo("Asia/Shanghai")
POLICY = VisitPolicy(5, "5个工作日内书面答复", 3, 366, BEIJING)
UNITS = {"jm-zjj": "荆门市住房和城乡建设局", "jm-jtj": "荆门市交通运输局"}
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Jingmen, Tuesday 1 December
VISIT_DAY = date(2026, 12, 8)
STAFF = Actor("staff:1", station="ST-1")
OTHER_STAFF = Actor("staff:2", station="ST-2")
STATION = Station("ST-1", "泉口街道代表联络站", "station", ("420802",), ("泉口街道",))
DEPUTIES = (
    Deputy("REP-1", "张明", "city", ElectoralUnit("420802"), ("ST-1",)),
    Deputy("REP-2", "李华", "county", ElectoralUnit("420802"), ("ST-1",)),
    Deputy("REP-9", "王强", "county", ElectoralUnit("420804"), ()),
)


def a_plan(**changes: Any) -> VisitPlan:
    base = VisitPlan(
        "ST-1", "刘建国", "局长", "jm-zjj", VISIT_DAY, time(9), time(11, 30), "老旧小区改造"
    )
    return replace(base, **changes)


@pytest.fixture(scope="module")
def places() -> Gazetteer:
    divisions: list[dict[str, Any]] = json.loads(
        (ROOT / "shared/src/minyi/contracts/reference/divisions.json").read_text(encoding="utf-8")
    )["divisions"]
    return Gazetteer.from_divisions(divisions)


@pytest.fixture
async def uow(places: Gazetteer) -> FakeUnitOfWork:
    fake = FakeUnitOfWork(NOW)
    await registry.save_stations(fake, [STATION], places)
    await registry.save_deputies(fake, list(DEPUTIES))
    fake.events.clear()
    return fake


async def planned(uow: FakeUnitOfWork) -> str:
    return str((await visits.plan(uow, "admin:office", a_plan(), POLICY, UNITS))["id"])


async def asked(uow: FakeUnitOfWork, visit_id: str, text: str, publish: bool = True) -> str:
    question_id = str((await visits.submit_question(uow, visit_id, text))["id"])
    if publish:
        await visits.moderate(uow, STAFF, visit_id, question_id, publish=True)
    return question_id


def the_day_comes(uow: FakeUnitOfWork, hour: int = 10) -> None:
    uow.clock = datetime.combine(VISIT_DAY, time(hour), tzinfo=BEIJING)


def raw(data: EventData, subject: str) -> RawEvent:
    return RawEvent(
        specversion="1.0",
        id=str(uuid.uuid4()),
        source="minyi/supervision",
        type=data.event_type,
        subject=subject,
        time=NOW,
        data=data.model_dump(mode="json"),
    )


def resolved(item_id: str, on_time: bool, round_: int = 1, reply: str = "已完成") -> RawEvent:
    return raw(
        Resolved(
            suggestion_id=item_id,
            unit_id="jm-zjj",
            outcome="A",
            reply=reply,
            replied_at=NOW + timedelta(days=30),
            on_time=on_time,
            round=round_,
        ),
        item_id,
    )


def overdue(item_id: str) -> RawEvent:
    return raw(
        MarkedOverdue(
            suggestion_id=item_id,
            unit_id="jm-zjj",
            reply_by=NOW + timedelta(days=20),
            marked_at=NOW + timedelta(days=21),
            case_id=f"{item_id}:1",
            case_version=3,
        ),
        item_id,
    )


def refusal(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str, str | None]:
    return exc.value.code, exc.value.field


# The rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"day": date(2026, 11, 30)}, "visit_in_past", "date"),
        ({"day": date(2026, 12, 1), "start": time(9, 30)}, "visit_in_past", "start"),
        ({"end": time(8)}, "end_before_start", "end"),
        ({"unit_id": "jm-nowhere"}, "unknown_unit", "unit_id"),
        ({"official_name": "  "}, "official_name_required", "official_name"),
        ({"theme": ""}, "theme_required", "theme"),
    ],
)
def test_a_plan_is_refused_with_the_field_and_the_rule(
    changes: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(Invalid) as exc:
        rules.check_plan(a_plan(**changes), NOW, POLICY, UNITS)
    assert refusal(exc) == (code, field)


def test_a_plan_for_later_today_is_accepted_in_beijing_time() -> None:
    starts, ends = rules.check_plan(
        a_plan(day=date(2026, 12, 1), start=time(15), end=time(17)), NOW, POLICY, UNITS
    )
    assert starts == datetime(2026, 12, 1, 7, 0, tzinfo=UTC) and ends - starts == timedelta(hours=2)


def test_a_promise_is_kept_until_the_end_of_its_day_in_beijing() -> None:
    end = POLICY.end_of(date(2026, 12, 20))
    assert end.astimezone(BEIJING).date() == date(2026, 12, 20)
    assert end + timedelta(microseconds=1) == datetime(2026, 12, 20, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("answer", "overdue_at", "state"),
    [
        (None, None, "open"),
        (None, NOW, "overdue"),
        (Answer("好", "A", NOW, True, 1), None, "kept_on_time"),
        (Answer("好", "A", NOW, False, 1), NOW, "kept_late"),
    ],
)
def test_a_follow_up_reads_from_its_answer_first_then_its_deadline(
    answer: Answer | None, overdue_at: datetime | None, state: str
) -> None:
    assert rules.follow_up_state(answer, overdue_at) == state
    assert rules.COMMITMENT_LABELS[rules.follow_up_state(answer, overdue_at)]


def test_only_a_later_round_replaces_an_answer() -> None:
    first = Answer("一", "B", NOW, True, 1)
    assert rules.newer(None, first)
    assert rules.newer(first, replace(first, round=2))
    assert not rules.newer(replace(first, round=2), first)
    assert not rules.newer(first, first)


# Plan, ask, moderate ----------------------------------------------------------------------


async def test_planning_emits_the_visit_with_the_station_divisions_and_the_unit_name(
    uow: FakeUnitOfWork,
) -> None:
    view = await visits.plan(uow, "admin:office", a_plan(), POLICY, UNITS)
    [(subject, event)] = uow.events
    assert isinstance(event, VisitPlanned) and subject == view["id"] == event.visit_id
    assert event.district_codes == ["420802"] and event.unit_name == "荆门市住房和城乡建设局"
    assert view["date"] == "2026-12-08" and view["weekday"] == "周二" and view["start"] == "09:00"
    assert view["status_label"] == "已安排"


async def test_a_plan_for_an_unknown_station_is_not_found(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NotFound) as exc:
        await visits.plan(uow, "admin", a_plan(station_id="ST-404"), POLICY, UNITS)
    assert exc.value.field == "station_id"


async def test_a_question_is_private_until_staff_publish_it(uow: FakeUnitOfWork) -> None:
    visit_id = await planned(uow)
    uow.events.clear()
    answer = await visits.submit_question(uow, visit_id, "小区加装电梯的补贴什么时候发放？")
    page = await visits.public_visit(uow, visit_id, POLICY)
    assert page["questions"] == [] and "电梯" not in json.dumps(page, ensure_ascii=False)
    assert uow.events == [] and answer["status"] == "submitted"

    await visits.moderate(uow, STAFF, visit_id, answer["id"], publish=True)
    [event] = uow.emitted(VisitQuestionPublished)
    assert event.question_id == answer["id"] and event.asked_by == "citizen"
    [shown] = (await visits.public_visit(uow, visit_id, POLICY))["questions"]
    assert (
        shown["text"] == "小区加装电梯的补贴什么时候发放？" and shown["state_label"] == "待进站答复"
    )


async def test_a_rejected_question_needs_a_reason_and_is_never_shown(uow: FakeUnitOfWork) -> None:
    visit_id = await planned(uow)
    question_id = await asked(uow, visit_id, "我叫某某，电话13800000000", publish=False)
    with pytest.raises(Invalid) as exc:
        await visits.moderate(uow, STAFF, visit_id, question_id, publish=False, reason=" ")
    assert exc.value.field == "reason"
    await visits.moderate(uow, STAFF, visit_id, question_id, publish=False, reason="含个人信息")
    assert (await visits.public_visit(uow, visit_id, POLICY))["questions"] == []
    with pytest.raises(Conflict) as again:
        await visits.moderate(uow, STAFF, visit_id, question_id, publish=True)
    assert again.value.code == "question_already_moderated"
    office = await visits.office_visit(uow, STAFF, visit_id, POLICY, UNITS)
    assert office["questions"][0]["status_label"] == "未采用"


async def test_staff_of_another_station_may_not_moderate_or_record(uow: FakeUnitOfWork) -> None:
    visit_id = await planned(uow)
    question_id = await asked(uow, visit_id, "公交线路能否延伸到我们小区？", publish=False)
    with pytest.raises(Forbidden):
        await visits.moderate(uow, OTHER_STAFF, visit_id, question_id, publish=True)
    the_day_comes(uow)
    with pytest.raises(Forbidden):
        await visits.record(
            uow, OTHER_STAFF, visit_id, visits.VisitRecord((), 0, {}, []), POLICY, UNITS
        )


async def test_questions_close_when_the_visit_starts(uow: FakeUnitOfWork) -> None:
    visit_id = await planned(uow)
    with pytest.raises(Invalid) as short:
        await visits.submit_question(uow, visit_id, "好")
    assert refusal(short) == ("question_too_short", "text")
    the_day_comes(uow, hour=9)
    with pytest.raises(Conflict) as exc:
        await visits.submit_question(uow, visit_id, "老旧小区改造什么时候开工？")
    assert exc.value.code == "visit_started"


async def test_a_deputy_asks_as_a_deputy_and_an_unknown_one_is_refused(
    uow: FakeUnitOfWork,
) -> None:
    visit_id = await planned(uow)
    mine = await visits.submit_question(uow, visit_id, "背街小巷的路灯何时修复？", "REP-1")
    await visits.moderate(uow, STAFF, visit_id, mine["id"], publish=True)
    [shown] = (await visits.public_visit(uow, visit_id, POLICY))["questions"]
    assert shown["asked_by_label"] == "代表" and shown["deputy_name"] == "张明"
    with pytest.raises(Invalid) as exc:
        await visits.submit_question(uow, visit_id, "背街小巷的路灯何时修复？", "REP-404")
    assert exc.value.field == "deputy_id"


# Recording the visit ----------------------------------------------------------------------


async def test_recording_the_visit_hands_commitments_and_unanswered_questions_to_supervision(
    uow: FakeUnitOfWork,
) -> None:
    visit_id = await planned(uow)
    answered = await asked(uow, visit_id, "小区加装电梯的补贴什么时候发放？")
    unanswered = await asked(uow, visit_id, "雨污分流改造何时到我们片区？")
    await asked(uow, visit_id, "尚未审核的问题不算数", publish=False)
    the_day_comes(uow, hour=12)
    uow.events.clear()
    rec = visits.VisitRecord(
        ("REP-1", "REP-2", "REP-1"),
        35,
        {answered: "补贴将于本月底前发放到位。"},
        [CommitmentDraft("金泉路路灯年底前全部修复", "jm-jtj", date(2026, 12, 20))],
    )
    office = await visits.record(uow, STAFF, visit_id, rec, POLICY, UNITS)

    [held] = uow.emitted(VisitHeld)
    assert (held.answered, held.pending, held.commitments, held.citizens) == (1, 1, 1, 35)
    assert held.deputy_ids == ["REP-1", "REP-2"]
    [written] = uow.emitted(WrittenAnswerRequired)
    assert written.question_id == unanswered and written.unit_id == "jm-zjj"
    assert written.district_code == "420802"
    [promise] = uow.emitted(CommitmentMade)
    assert promise.unit_id == "jm-jtj" and promise.unit_name == "荆门市交通运输局"
    assert promise.due_at == datetime(2026, 12, 20, 16, 0, tzinfo=UTC) - timedelta(microseconds=1)
    assert promise.deputy_ids == ["REP-1", "REP-2"]
    subjects = {s for s, e in uow.events if isinstance(e, CommitmentMade | WrittenAnswerRequired)}
    assert subjects == {promise.commitment_id, unanswered}
    assert office["status"] == "held" and office["citizens"] == 35

    page = await visits.public_visit(uow, visit_id, POLICY)
    states = {q["id"]: q["state_label"] for q in page["questions"]}
    assert states == {answered: "当场答复", unanswered: "待书面答复"}
    [commitment] = page["commitments"]
    assert commitment["state_label"] == "进行中" and commitment["due_weekday"] == "周日"
    assert [d["name"] for d in page["deputies_present"]] == ["张明", "李华"]


@pytest.mark.parametrize(
    ("rec", "code", "field"),
    [
        (visits.VisitRecord(("REP-9",), 1, {}, []), "deputy_not_of_station", "deputy_ids"),
        (
            visits.VisitRecord((), 1, {}, [CommitmentDraft("修路", "jm-zjj", date(2026, 12, 7))]),
            "due_before_visit",
            "commitments.0.due_on",
        ),
        (
            visits.VisitRecord((), 1, {}, [CommitmentDraft("修路", "jm-x", date(2026, 12, 9))]),
            "unknown_unit",
            "commitments.0.unit_id",
        ),
        (
            visits.VisitRecord((), 1, {}, [CommitmentDraft("修路", "jm-zjj", date(2028, 1, 1))]),
            "due_too_far",
            "commitments.0.due_on",
        ),
        (
            visits.VisitRecord(
                (), 1, {}, [CommitmentDraft("修路", "jm-zjj", date(2026, 12, 9))] * 4
            ),
            "too_many_commitments",
            "commitments",
        ),
        (visits.VisitRecord((), 1, {"q-404": "答复"}, []), "unknown_question", "answers"),
    ],
)
async def test_a_record_is_refused_with_the_field_and_the_rule(
    uow: FakeUnitOfWork, rec: visits.VisitRecord, code: str, field: str
) -> None:
    visit_id = await planned(uow)
    the_day_comes(uow)
    uow.events.clear()
    with pytest.raises(Invalid) as exc:
        await visits.record(uow, STAFF, visit_id, rec, POLICY, UNITS)
    assert refusal(exc) == (code, field)
    assert uow.events == []


async def test_a_visit_is_recorded_once_and_only_after_it_started(uow: FakeUnitOfWork) -> None:
    visit_id = await planned(uow)
    nothing = visits.VisitRecord((), 0, {}, [])
    with pytest.raises(Conflict) as early:
        await visits.record(uow, STAFF, visit_id, nothing, POLICY, UNITS)
    assert early.value.code == "visit_not_started"
    the_day_comes(uow)
    await visits.record(uow, STAFF, visit_id, nothing, POLICY, UNITS)
    with pytest.raises(Conflict):
        await visits.record(uow, STAFF, visit_id, nothing, POLICY, UNITS)
    with pytest.raises(Conflict):
        await visits.cancel(uow, visit_id, "改期", POLICY)


async def test_a_cancelled_visit_says_why_and_takes_no_more_questions(uow: FakeUnitOfWork) -> None:
    visit_id = await planned(uow)
    view = await visits.cancel(uow, visit_id, "局长临时出差，另行安排", POLICY)
    assert view["status_label"] == "已取消" and view["cancel_reason"] == "局长临时出差，另行安排"
    [event] = uow.emitted(VisitCancelled)
    assert event.visit_id == visit_id
    with pytest.raises(Conflict):
        await visits.submit_question(uow, visit_id, "还会再来吗？请安排时间")


# Supervision's answers --------------------------------------------------------------------


async def held_with_follow_ups(uow: FakeUnitOfWork) -> tuple[str, str, str]:
    visit_id = await planned(uow)
    question_id = await asked(uow, visit_id, "雨污分流改造何时到我们片区？")
    the_day_comes(uow)
    rec = visits.VisitRecord(
        ("REP-1",), 10, {}, [CommitmentDraft("路灯修复", "jm-jtj", date(2026, 12, 20))]
    )
    await visits.record(uow, STAFF, visit_id, rec, POLICY, UNITS)
    [promise] = uow.emitted(CommitmentMade)
    return visit_id, promise.commitment_id, question_id


async def test_an_answer_after_the_deadline_shows_the_commitment_kept_late(
    uow: FakeUnitOfWork,
) -> None:
    visit_id, commitment_id, question_id = await held_with_follow_ups(uow)
    await visits.when_follow_up_overdue_mark_it(overdue(commitment_id), uow)
    [c] = (await visits.public_visit(uow, visit_id, POLICY))["commitments"]
    assert c["state_label"] == "已逾期"
    await visits.when_follow_up_answered_record_it(resolved(commitment_id, on_time=False), uow)
    await visits.when_follow_up_answered_record_it(resolved(question_id, on_time=True), uow)
    page = await visits.public_visit(uow, visit_id, POLICY)
    [c] = page["commitments"]
    assert c["state_label"] == "逾期兑现" and c["answer"]["reply"] == "已完成"
    [q] = page["questions"]
    assert q["state_label"] == "已书面答复" and q["written_answer"]["outcome"] == "A"


async def test_answers_are_idempotent_a_later_round_wins_and_strangers_are_skipped(
    uow: FakeUnitOfWork,
) -> None:
    visit_id, commitment_id, _ = await held_with_follow_ups(uow)
    second = resolved(commitment_id, on_time=True, round_=2, reply="第二轮答复")
    await visits.when_follow_up_answered_record_it(second, uow)
    await visits.when_follow_up_answered_record_it(second, uow)
    await visits.when_follow_up_answered_record_it(resolved(commitment_id, on_time=False), uow)
    # Overdue arriving after the answer does not undo it.
    await visits.when_follow_up_overdue_mark_it(overdue(commitment_id), uow)
    await visits.when_follow_up_answered_record_it(resolved("someone-else", on_time=True), uow)
    await visits.when_follow_up_overdue_mark_it(overdue("someone-else"), uow)
    [c] = (await visits.public_visit(uow, visit_id, POLICY))["commitments"]
    assert c["state_label"] == "按期兑现" and c["answer"]["reply"] == "第二轮答复"


async def test_the_office_list_counts_each_visits_follow_ups(uow: FakeUnitOfWork) -> None:
    visit_id, commitment_id, _ = await held_with_follow_ups(uow)
    await visits.when_follow_up_answered_record_it(resolved(commitment_id, on_time=False), uow)
    office = await visits.office_list(uow, Actor("admin", admin=True), POLICY, UNITS)
    [item] = office["visits"]
    assert item["id"] == visit_id and item["commitments"] == 1
    assert (item["commitments_kept"], item["commitments_late"], item["written_pending"]) == (
        1,
        1,
        1,
    )
    assert {"id": "ST-1", "name": STATION.name} in office["stations"]
    mine = await visits.office_list(uow, STAFF, POLICY, UNITS)
    assert mine["stations"] == [] and mine["station_id"] == "ST-1"
