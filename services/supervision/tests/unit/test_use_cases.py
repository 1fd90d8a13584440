"""The use cases and event handlers on a unit of work without a database (fakes.py): what
they load, save and emit, and whom they refuse."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from minyi.contracts.envelope import EventData, RawEvent, new_event
from minyi.contracts.intake import FeedbackReceived
from minyi.contracts.routing import AssignedToUnit, AssignmentExplanation
from minyi.contracts.supervision import CaseAccepted, Escalated
from minyi.supervision.adapters.reference import load_policy
from minyi.supervision.adapters.repositories import CaseFilter
from minyi.supervision.domain import SHANGHAI, Rules, Status, WorkingCalendar
from minyi.supervision.service_layer import commands as uc
from minyi.supervision.service_layer.handlers import (
    when_assigned_open_case,
    when_feedback_received_close_or_reopen,
)
from minyi.supervision.service_layer.sweep import fire_due_timers

from .fakes import FakeUnitOfWork

RULES = Rules(load_policy(), WorkingCalendar())
ASSIGNED = datetime(2025, 9, 30, 9, tzinfo=SHANGHAI)  # reply due 14 Oct, 23:59:59
UNIT = "db-zjj"
STAFF = uc.Actor(unit_id=UNIT)
REPLY = uc.ReplyToCase("s-1", "A", "经现场核查，路灯线路老化，已更换线路并恢复照明，感谢监督。")


def raw(data: EventData) -> RawEvent:
    event = new_event(data, source="minyi/test", subject=str(getattr(data, "suggestion_id", "")))
    return RawEvent.model_validate(event.model_dump(mode="json"))


def assignment(sid: str = "s-1", *, attempt: int = 1, unit: str = UNIT) -> RawEvent:
    return raw(
        AssignedToUnit(
            suggestion_id=sid,
            unit_id=unit,
            unit_name="东宝区住建局",
            category="城乡建设",
            focus_area="城市能级",
            district_code="420802",
            kind="citizen_appeal",
            urgent=False,
            attempt=attempt,
            explanation=AssignmentExplanation(reason="rule"),
            assigned_at=ASSIGNED,
        )
    )


async def opened(*sids: str, at: datetime = ASSIGNED) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(now=at)
    for sid in sids or ("s-1",):
        await when_assigned_open_case(assignment(sid), uow, RULES)
    return uow


async def test_an_assignment_opens_one_case_however_often_it_is_delivered() -> None:
    uow = await opened()
    await when_assigned_open_case(assignment(), uow, RULES)
    assert list(uow.cases.rows) == ["s-1:1"]
    assert uow.cases.rows["s-1:1"].category == "城乡建设"
    assert uow.events == []  # routing already told everyone


async def test_accepting_a_case_saves_it_and_emits_case_accepted_for_the_suggestion() -> None:
    uow = await opened(at=ASSIGNED + timedelta(hours=2))
    case = await uc.accept_case("s-1", STAFF, uow)
    assert case.status is Status.ACCEPTED
    assert uow.cases.stored("s-1:1").status is Status.ACCEPTED
    ((subject, event),) = uow.events
    assert subject == "s-1" and isinstance(event, CaseAccepted)
    assert event.on_time and event.case_version == 1


async def test_another_units_case_is_not_found_and_staff_may_not_urge() -> None:
    uow = await opened()
    with pytest.raises(uc.CaseNotFound) as missing:
        await uc.accept_case("s-1", uc.Actor(unit_id="dd-zjj"), uow)
    assert (missing.value.code, missing.value.status) == ("case_not_found", 404)
    with pytest.raises(uc.Forbidden) as refused:
        await uc.urge_case(uc.UrgeCase("s-1", "请加快"), STAFF, uow)
    assert (refused.value.code, refused.value.status) == ("supervisor_only", 403)
    with pytest.raises(uc.Forbidden):
        await uc.list_supervised(CaseFilter(), STAFF, uow, limit=10, offset=0)
    assert uow.events == [] and uow.cases.stored("s-1:1").status is Status.ASSIGNED


async def test_a_unit_lists_only_its_own_cases_and_may_not_ask_for_another_units() -> None:
    uow = await opened("s-1", "s-2")
    await when_assigned_open_case(assignment("s-3", unit="dd-zjj"), uow, RULES)
    items, total = await uc.list_cases(CaseFilter(), STAFF, uow, limit=1, offset=0)
    assert total == 2 and len(items) == 1
    with pytest.raises(uc.Forbidden) as refused:
        await uc.list_cases(CaseFilter(unit_id="dd-zjj"), STAFF, uow, limit=10, offset=0)
    assert refused.value.code == "other_unit"


async def test_a_reply_to_a_case_not_signed_for_signs_for_it_first() -> None:
    uow = await opened(at=ASSIGNED + timedelta(days=1))
    case = await uc.reply_to_case(REPLY, STAFF, uow, RULES)
    assert case.status is Status.REPLIED
    assert uow.types() == ["accepted", "resolved"]


async def test_the_sweep_fires_due_timers_once_in_batches() -> None:
    uow = await opened("s-1", "s-2", "s-3")
    uow.at = datetime(2025, 10, 16, tzinfo=SHANGHAI)  # past every reply deadline
    assert await fire_due_timers(uow, batch=2) == 2
    assert await fire_due_timers(uow, batch=2) == 1
    assert await fire_due_timers(uow, batch=2) == 0
    escalated = [e for _, e in uow.events if isinstance(e, Escalated)]
    assert sorted((e.suggestion_id, e.level) for e in escalated) == [
        ("s-1", 1),
        ("s-2", 1),
        ("s-3", 1),
    ]
    assert all(uow.cases.stored(f"s-{i}:1").overdue for i in (1, 2, 3))


async def test_feedback_for_a_case_not_yet_replied_is_ignored_not_retried() -> None:
    uow = await opened()
    feedback = FeedbackReceived(
        suggestion_id="s-1", satisfied=True, round=1, received_at=ASSIGNED + timedelta(days=1)
    )
    await when_feedback_received_close_or_reopen(raw(feedback), uow, RULES)
    assert uow.events == [] and uow.cases.stored("s-1:1").status is Status.ASSIGNED
