"""Cases that follow what an official's visit left (issue 17): a commitment (承诺事项), due
on the promised day, and a question left for a written answer within 5 working days. Same
machine as any case, but no return and no citizen to rate the answer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import TypeAdapter

from minyi.supervision.adapters.reference import load_policy
from minyi.supervision.domain import (
    SHANGHAI,
    Case,
    Escalated,
    IllegalTransition,
    InvalidInput,
    Kind,
    MarkedOverdue,
    ReminderIssued,
    Resolved,
    Rules,
    Status,
    WorkingCalendar,
)

RULES = Rules(load_policy(), WorkingCalendar())
ANSWER = "已完成学校门口人行横道施划及信号灯安装，并于本月起安排交警高峰时段值守。"


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, tzinfo=SHANGHAI)


MADE = local(2025, 11, 3, 10)  # a Monday
PROMISED = local(2025, 11, 14, 23, 59, 59)  # Friday of the next week


def commitment(made: datetime = MADE, promised: datetime = PROMISED) -> Case:
    return Case.open(
        case_id="cm-1:1",
        suggestion_id="cm-1",
        unit_id="jm-jtj",
        district="420881",  # 钟祥市 → 第四督导组
        kind=Kind.COMMITMENT,
        urgent=False,
        assigned_at=made,
        rules=RULES,
        title="两周内在学校门口施划人行横道并安装信号灯",
        promised=promised,
    )


def question(required: datetime = MADE) -> Case:
    return Case.open(
        case_id="vq-1:1",
        suggestion_id="vq-1",
        unit_id="jm-jtj",
        district="420881",
        kind=Kind.VISIT_QUESTION,
        urgent=False,
        assigned_at=required,
        rules=RULES,
        title="城区公交线路何时延伸到新建小区？",
    )


def test_a_commitment_is_due_at_the_end_of_the_promised_day_with_its_text_as_title() -> None:
    case = commitment()
    assert case.reply_by == PROMISED
    assert case.accept_by == local(2025, 11, 4, 23, 59, 59)
    assert case.title == "两周内在学校门口施划人行横道并安装信号灯"
    assert case.return_until is None
    assert not case.returnable and not case.awaits_feedback


def test_a_commitment_due_on_a_holiday_moves_to_the_end_of_the_next_working_day() -> None:
    case = commitment(made=local(2025, 9, 22, 10), promised=local(2025, 10, 4, 23, 59, 59))
    assert case.reply_by == local(2025, 10, 9, 23, 59, 59)  # 1–8 Oct: National Day holiday


def test_a_commitment_due_on_a_saturday_moves_to_monday() -> None:
    case = commitment(promised=local(2025, 11, 15, 23, 59, 59))
    assert case.reply_by == local(2025, 11, 17, 23, 59, 59)


def test_a_question_left_at_a_visit_is_due_in_5_working_days() -> None:
    case = question(required=local(2025, 9, 30, 16))
    assert case.reply_by == local(2025, 10, 14, 23, 59, 59)
    assert case.kind is Kind.VISIT_QUESTION and case.basis == "working"


@pytest.mark.parametrize(
    ("make", "says"),
    [(commitment, "承诺事项由本单位当场作出，不能退回"), (question, "不能退回")],
)
def test_a_follow_up_case_cannot_be_returned(make: object, says: str) -> None:
    case = make()  # type: ignore[operator]
    with pytest.raises(IllegalTransition) as info:
        case.return_("不归我单位管", "jm-zjj", MADE + timedelta(hours=1))
    assert info.value.code == "not_returnable"
    assert says in info.value.message
    assert "人大常委会办公室" in info.value.message
    assert case.status is Status.ASSIGNED and case.version == 0


def test_a_follow_up_case_cannot_be_extended() -> None:
    case = commitment()
    case.accept(MADE + timedelta(hours=1))
    with pytest.raises(IllegalTransition) as info:
        case.extend("施工需要更长时间", MADE + timedelta(days=1), RULES)
    assert info.value.code == "extension_not_allowed"


def test_the_reply_ends_the_handling_with_no_feedback_window() -> None:
    case = commitment()
    case.accept(MADE + timedelta(hours=1))
    (resolved,) = case.reply("A", ANSWER, None, None, local(2025, 11, 12, 15), RULES)
    assert isinstance(resolved, Resolved) and resolved.on_time
    assert resolved.feedback_by is None and case.feedback_by is None
    assert case.status is Status.REPLIED
    assert all(t.kind != "no_response" for t in case.timers)
    assert case.next_due_at() is None
    # Long after any feedback window: nothing closes it, nothing reminds.
    assert case.fire_timers(local(2026, 3, 1)) == []
    assert case.status is Status.REPLIED
    with pytest.raises(IllegalTransition) as info:
        case.record_feedback(True, local(2025, 11, 13), RULES)
    assert info.value.code == "no_feedback"


def test_a_short_answer_to_a_commitment_is_refused_like_any_reply() -> None:
    case = commitment()
    case.accept(MADE + timedelta(hours=1))
    with pytest.raises(InvalidInput) as info:
        case.reply("A", "已兑现", None, None, MADE + timedelta(days=1), RULES)
    assert info.value.field == "reply"


def test_a_commitment_kept_after_its_day_is_resolved_late() -> None:
    case = commitment()
    case.accept(MADE + timedelta(hours=1))
    (resolved,) = case.reply("A", ANSWER, None, None, local(2025, 11, 15, 0, 0, 0), RULES)
    assert isinstance(resolved, Resolved) and not resolved.on_time


def test_reminders_overdue_and_escalation_fire_once_as_for_any_case() -> None:
    case = commitment()
    case.accept(MADE + timedelta(hours=1))
    seen: list[tuple[str, datetime]] = []
    now = MADE
    while now < local(2025, 12, 5):
        for event in case.fire_timers(now):
            name = (
                f"reminder {event.mark}"
                if isinstance(event, ReminderIssued)
                else f"escalated {event.level} {event.target_name}"
                if isinstance(event, Escalated)
                else type(event).__name__
            )
            seen.append((name, now))
        now += timedelta(hours=1)
    assert [name for name, _ in seen] == [
        "reminder 0.5",
        "reminder 0.8",
        "MarkedOverdue",
        "escalated 1 第四督导组",
        "escalated 2 荆门市人大常委会办公室",
    ]
    at = dict(seen)
    # 50 % of the working time from Mon 3 Nov 10:00 to the end of Fri 14 Nov, weekends not
    # counted, falls on Mon 10 Nov (calendar time would put it on Sunday 9 Nov).
    assert at["reminder 0.5"].date() == local(2025, 11, 10).date()
    assert at["MarkedOverdue"] == local(2025, 11, 15)
    # Level 2: 5 working days after Fri 14 Nov → the end of Fri 21 Nov.
    assert at["escalated 2 荆门市人大常委会办公室"] == local(2025, 11, 22)


def test_a_promise_already_due_when_recorded_is_overdue_at_the_next_sweep() -> None:
    case = commitment(made=local(2025, 11, 17, 10), promised=local(2025, 11, 14, 23, 59, 59))
    assert case.accept_by == local(2025, 11, 17, 10)
    events = case.fire_timers(local(2025, 11, 17, 10, 0, 5))
    assert [type(e) for e in events] == [MarkedOverdue, Escalated]


def test_cases_stored_before_follow_up_kinds_read_back_returnable_and_rated() -> None:
    adapter = TypeAdapter(Case)
    stored = adapter.dump_python(commitment(), mode="json")
    assert stored["title"] and stored["returnable"] is False
    for key in ("title", "returnable", "awaits_feedback"):
        stored.pop(key)
    stored["kind"] = "citizen_appeal"
    old = adapter.validate_python(stored)
    assert old.title is None and old.returnable and old.awaits_feedback
    restored = adapter.validate_python(adapter.dump_python(commitment(), mode="json"))
    assert restored == commitment()
