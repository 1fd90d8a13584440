"""A visit's commitment or unanswered question opens a case (handlers on the fake unit of
work), which the unit answers through the same use cases as any case."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from minyi.contracts.envelope import EventData, RawEvent, new_event
from minyi.contracts.intake import FeedbackReceived
from minyi.contracts.supervision import CaseAccepted, Resolved
from minyi.contracts.visits import CommitmentMade, WrittenAnswerRequired
from minyi.supervision.adapters.reference import load_policy
from minyi.supervision.adapters.repositories import CaseFilter
from minyi.supervision.domain import (
    SHANGHAI,
    IllegalTransition,
    Kind,
    Rules,
    Status,
    WorkingCalendar,
)
from minyi.supervision.service_layer import commands as uc
from minyi.supervision.service_layer.handlers import (
    when_commitment_made_open_case,
    when_feedback_received_close_or_reopen,
    when_written_answer_required_open_case,
)

from .fakes import FakeUnitOfWork

RULES = Rules(load_policy(), WorkingCalendar())
UNIT = "jm-jtj"
STAFF = uc.Actor(unit_id=UNIT)
MADE = datetime(2025, 11, 3, 11, tzinfo=SHANGHAI)
DUE = datetime(2025, 11, 14, 23, 59, 59, tzinfo=SHANGHAI)
ANSWER = "已完成学校门口人行横道施划及信号灯安装，并安排交警高峰时段值守。"


def raw(data: EventData, subject: str) -> RawEvent:
    event = new_event(data, source="minyi/test", subject=subject)
    return RawEvent.model_validate(event.model_dump(mode="json"))


def made(cid: str = "cm-1", *, due_at: datetime = DUE) -> RawEvent:
    return raw(
        CommitmentMade(
            commitment_id=cid,
            visit_id="v-1",
            station_id="st-1",
            district_code="420802",
            unit_id=UNIT,
            unit_name="荆门市交通运输局",
            text="两周内在学校门口施划人行横道并安装信号灯",
            due_on=due_at.astimezone(SHANGHAI).date(),
            due_at=due_at,
            deputy_ids=["d-1"],
            made_at=MADE,
        ),
        cid,
    )


def left(qid: str = "vq-1") -> RawEvent:
    return raw(
        WrittenAnswerRequired(
            question_id=qid,
            visit_id="v-1",
            station_id="st-1",
            district_code="420802",
            unit_id=UNIT,
            unit_name="荆门市交通运输局",
            text="城区公交线路何时延伸到新建小区？",
            required_at=datetime(2025, 9, 30, 16, tzinfo=SHANGHAI),
        ),
        qid,
    )


async def test_a_commitment_opens_one_case_at_the_unit_however_often_it_arrives() -> None:
    uow = FakeUnitOfWork(now=MADE)
    await when_commitment_made_open_case(made(), uow, RULES)
    await when_commitment_made_open_case(made(), uow, RULES)
    assert list(uow.cases.rows) == ["cm-1:1"]
    row = uow.cases.rows["cm-1:1"]
    case = row.case
    assert (case.suggestion_id, case.unit_id, case.district) == ("cm-1", UNIT, "420802")
    assert case.kind is Kind.COMMITMENT and case.status is Status.ASSIGNED
    assert case.title == "两周内在学校门口施划人行横道并安装信号灯"
    assert case.reply_by == DUE and row.attempt == 1 and row.category is None
    assert uow.events == []  # liaison already told everyone


async def test_a_commitment_due_on_a_sunday_is_due_at_the_end_of_monday() -> None:
    uow = FakeUnitOfWork(now=MADE)
    await when_commitment_made_open_case(
        made(due_at=datetime(2025, 11, 16, 23, 59, 59, tzinfo=SHANGHAI)), uow, RULES
    )
    assert uow.cases.stored("cm-1:1").reply_by.date() == date(2025, 11, 17)


async def test_a_question_left_at_a_visit_opens_a_case_due_in_5_working_days() -> None:
    uow = FakeUnitOfWork(now=MADE)
    await when_written_answer_required_open_case(left(), uow, RULES)
    await when_written_answer_required_open_case(left(), uow, RULES)
    (case_id,) = uow.cases.rows
    case = uow.cases.stored(case_id)
    assert case_id == "vq-1:1" and case.suggestion_id == "vq-1"
    assert case.kind is Kind.VISIT_QUESTION and case.title == "城区公交线路何时延伸到新建小区？"
    # From the visit on 30 Sep: 9, 10, 11 (make-up Saturday), 13, 14 Oct.
    assert case.reply_by == datetime(2025, 10, 14, 23, 59, 59, tzinfo=SHANGHAI)


async def test_the_unit_answers_a_commitment_late_and_resolved_says_so() -> None:
    uow = FakeUnitOfWork(now=MADE)
    await when_commitment_made_open_case(made(), uow, RULES)
    uow.at = DUE + timedelta(days=3)
    cmd = uc.ReplyToCase("cm-1", "A", ANSWER)
    case = await uc.reply_to_case(cmd, STAFF, uow, RULES)
    assert case.status is Status.REPLIED and case.feedback_by is None
    (s1, accepted), (s2, resolved) = uow.events
    assert s1 == s2 == "cm-1"
    assert isinstance(accepted, CaseAccepted) and not accepted.on_time
    assert isinstance(resolved, Resolved)
    assert resolved.on_time is False and resolved.feedback_by is None
    assert resolved.suggestion_id == "cm-1" and resolved.case_id == "cm-1:1"
    assert uow.cases.stored("cm-1:1").next_due_at() is None


async def test_the_unit_cannot_return_a_commitment_and_nothing_is_emitted() -> None:
    uow = FakeUnitOfWork(now=MADE)
    await when_commitment_made_open_case(made(), uow, RULES)
    with pytest.raises(IllegalTransition) as info:
        await uc.return_case(uc.ReturnCase("cm-1", "不归我单位", "jm-zjj"), STAFF, uow)
    assert info.value.code == "not_returnable" and info.value.status == 409
    assert uow.events == [] and uow.cases.stored("cm-1:1").status is Status.ASSIGNED


async def test_the_workbench_lists_follow_up_cases_by_kind() -> None:
    uow = FakeUnitOfWork(now=MADE)
    await when_commitment_made_open_case(made(), uow, RULES)
    await when_written_answer_required_open_case(left(), uow, RULES)
    page, total = await uc.list_cases(
        CaseFilter(kind=Kind.COMMITMENT), STAFF, uow, limit=10, offset=0
    )
    assert total == 1 and page[0]["suggestion_id"] == "cm-1"


async def test_stray_feedback_on_a_follow_up_case_changes_nothing() -> None:
    uow = FakeUnitOfWork(now=MADE)
    await when_commitment_made_open_case(made(), uow, RULES)
    await uc.reply_to_case(uc.ReplyToCase("cm-1", "A", ANSWER), STAFF, uow, RULES)
    uow.events.clear()
    feedback = FeedbackReceived(suggestion_id="cm-1", satisfied=False, received_at=MADE)
    event = raw(feedback, "cm-1")
    await when_feedback_received_close_or_reopen(event, uow, RULES)
    assert uow.events == [] and uow.cases.stored("cm-1:1").status is Status.REPLIED
