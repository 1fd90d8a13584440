"""The handling case: transitions, refusals, idempotency, reminders, escalation, feedback."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from minyi.supervision.adapters.reference import load_policy
from minyi.supervision.domain import (
    SHANGHAI,
    AssignmentReturned,
    Case,
    CaseAccepted,
    CaseClosed,
    CaseReopened,
    CloseResult,
    Escalated,
    ExtensionGranted,
    IllegalTransition,
    InvalidInput,
    MarkedOverdue,
    ProgressReported,
    ReminderIssued,
    Resolved,
    Rules,
    Status,
    WorkingCalendar,
)

RULES = Rules(load_policy(), WorkingCalendar())
REPLY = "经现场核查，已安排施工队修复路灯并恢复照明，后续纳入日常巡查。"  # ≥ 20 characters


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, tzinfo=SHANGHAI)


ASSIGNED = local(2025, 9, 30, 10)  # the eve of National Day 2025
SUGGESTED = local(2025, 3, 14, 10)
REPLIED = local(2025, 10, 13, 9)


def appeal(**kw: object) -> Case:
    args: dict[str, object] = {
        "case_id": "c1",
        "suggestion_id": "s1",
        "unit_id": "unit-water",
        "district": "420881",  # 钟祥市 → 第四督导组
        "kind": "citizen_appeal",
        "urgent": False,
        "assigned_at": ASSIGNED,
        "rules": RULES,
    }
    args.update(kw)
    return Case.open(**args)  # type: ignore[arg-type]


def suggestion(assigned_at: datetime = SUGGESTED) -> Case:
    return appeal(kind="representative_suggestion", assigned_at=assigned_at)


def replied(case: Case, at: datetime = REPLIED) -> Case:
    case.accept(at - timedelta(hours=1))
    case.reply("A", REPLY, "修复路灯", None, at, RULES)
    return case


# -- opening and accepting ----------------------------------------------------------------
def test_a_new_case_gets_its_deadlines_on_the_working_day_calendar() -> None:
    case = appeal()
    assert case.status is Status.ASSIGNED
    assert case.accept_by == local(2025, 10, 9, 23, 59, 59)
    assert case.reply_by == local(2025, 10, 14, 23, 59, 59)
    assert case.next_due_at() is not None


def test_accepting_emits_case_accepted_once_and_a_repeat_is_a_no_op() -> None:
    case = appeal()
    events = case.accept(local(2025, 10, 9, 9))
    assert len(events) == 1 and isinstance(events[0], CaseAccepted)
    assert events[0].on_time and events[0].version == 1 and events[0].case_id == "c1"
    assert case.accept(local(2025, 10, 9, 10)) == []
    assert case.status is Status.ACCEPTED and case.version == 1


def test_a_late_acceptance_is_recorded_as_not_on_time() -> None:
    (event,) = appeal().accept(local(2025, 10, 10, 9))
    assert isinstance(event, CaseAccepted) and not event.on_time


def test_a_case_cannot_be_replied_before_it_is_accepted() -> None:
    case = appeal()
    with pytest.raises(IllegalTransition) as info:
        case.reply("A", REPLY, None, None, local(2025, 10, 9), RULES)
    assert info.value.code == "not_accepted"
    assert "签收" in info.value.message
    assert case.status is Status.ASSIGNED and case.version == 0


def test_progress_moves_an_accepted_case_in_progress_and_needs_a_note() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    with pytest.raises(InvalidInput):
        case.report_progress("  ", local(2025, 10, 9, 10))
    (event,) = case.report_progress("已派员现场查看", local(2025, 10, 9, 10))
    assert isinstance(event, ProgressReported) and case.status is Status.IN_PROGRESS


# -- replying -----------------------------------------------------------------------------
def test_a_reply_shorter_than_20_characters_is_refused() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    with pytest.raises(InvalidInput) as info:
        case.reply("A", "已处理。", None, None, local(2025, 10, 9, 10), RULES)
    assert info.value.code == "reply_too_short"


def test_outcome_c_needs_a_reason_and_unknown_outcomes_are_refused() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    with pytest.raises(InvalidInput, match="reason_required"):
        case.reply("C", REPLY, None, " ", local(2025, 10, 9, 10), RULES)
    with pytest.raises(InvalidInput, match="invalid_outcome"):
        case.reply("E", REPLY, None, None, local(2025, 10, 9, 10), RULES)
    (event,) = case.reply("C", REPLY, None, "资金未列入本年度预算", local(2025, 10, 9, 10), RULES)
    assert isinstance(event, Resolved) and event.reason == "资金未列入本年度预算"


def test_a_reply_sets_the_feedback_window_and_a_second_reply_is_refused() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    (event,) = case.reply("A", REPLY, "修复路灯", None, local(2025, 10, 13, 9), RULES)
    assert isinstance(event, Resolved)
    assert event.on_time and event.round == 1 and event.measures == "修复路灯"
    assert event.feedback_by == local(2025, 10, 27, 23, 59, 59)  # 10 working days
    with pytest.raises(IllegalTransition, match="already_replied"):
        case.reply("A", REPLY, None, None, local(2025, 10, 13, 10), RULES)


# -- feedback -----------------------------------------------------------------------------
def test_a_satisfied_citizen_closes_the_case() -> None:
    case = replied(appeal())
    (event,) = case.record_feedback(True, local(2025, 10, 14), RULES)
    assert isinstance(event, CaseClosed) and event.result is CloseResult.SATISFIED
    assert case.status is Status.CLOSED and not case.needs_review
    assert case.record_feedback(False, local(2025, 10, 15), RULES) == []  # stale


def test_an_unsatisfied_citizen_reopens_the_case_for_the_same_unit_with_5_working_days() -> None:
    case = replied(appeal())
    (event,) = case.record_feedback(False, local(2025, 10, 14, 9), RULES)
    assert isinstance(event, CaseReopened)
    assert event.reply_by == local(2025, 10, 21, 23, 59, 59)
    assert case.status is Status.REOPENED and case.round == 2 and case.unit_id == "unit-water"
    assert case.reply_text is None
    with pytest.raises(IllegalTransition, match="rehandling_same_unit"):
        case.return_("不属于本单位", "unit-power", local(2025, 10, 14, 10))


def test_the_second_unsatisfied_answer_closes_the_case_for_supervisor_review() -> None:
    case = replied(appeal())
    case.record_feedback(False, local(2025, 10, 14, 9), RULES)
    case.reply("B", REPLY, "列入明年改造计划", None, local(2025, 10, 20, 9), RULES)
    (event,) = case.record_feedback(False, local(2025, 10, 21, 9), RULES)
    assert isinstance(event, CaseClosed)
    assert event.result is CloseResult.UNSATISFIED and event.needs_review
    assert case.status is Status.CLOSED


def test_feedback_for_an_earlier_round_is_ignored() -> None:
    case = replied(appeal())
    case.record_feedback(False, local(2025, 10, 14, 9), RULES)
    case.reply("B", REPLY, None, None, local(2025, 10, 20, 9), RULES)
    assert case.record_feedback(False, local(2025, 10, 20, 10), RULES, for_round=1) == []
    assert case.status is Status.REPLIED


def test_feedback_before_any_reply_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="not_replied"):
        appeal().record_feedback(True, local(2025, 10, 9), RULES)


def test_a_representative_suggestion_is_rehandled_within_1_month() -> None:
    case = suggestion()
    replied(case, local(2025, 5, 6, 9))
    (event,) = case.record_feedback(False, local(2025, 5, 7, 9), RULES)
    assert isinstance(event, CaseReopened) and event.reply_by == local(2025, 6, 9, 23, 59, 59)


def test_no_feedback_within_10_working_days_closes_the_case_as_no_response() -> None:
    case = replied(appeal())
    with pytest.raises(IllegalTransition, match="feedback_window_open"):
        case.close_without_response(local(2025, 10, 27, 12))
    assert case.fire_timers(local(2025, 10, 27, 23)) == []
    (event,) = case.fire_timers(local(2025, 10, 28, 0, 0, 1))
    assert isinstance(event, CaseClosed) and event.result is CloseResult.NO_RESPONSE
    assert case.fire_timers(local(2025, 10, 29)) == []
    assert case.close_without_response(local(2025, 10, 29)) == []


# -- reminders and escalation -------------------------------------------------------------
def test_the_50_percent_reminder_counts_working_time_not_the_holiday() -> None:
    case = appeal()
    # Half the calendar span falls in the holiday; half the working time is on Oct 11.
    assert case.due_timer_actions(local(2025, 10, 8, 12)) == []
    (event,) = case.fire_timers(local(2025, 10, 11, 12))
    assert isinstance(event, ReminderIssued) and event.mark == 0.5 and event.stage == "reply"


def test_each_reminder_and_escalation_fires_exactly_once() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    seen: list[str] = []
    now = local(2025, 10, 9)
    while now < local(2025, 11, 5):
        for event in case.fire_timers(now):
            seen.append(
                f"reminder {event.mark}"
                if isinstance(event, ReminderIssued)
                else f"escalated {event.level} {event.target_name}"
                if isinstance(event, Escalated)
                else type(event).__name__
            )
        now += timedelta(hours=1)
    assert seen == [
        "reminder 0.5",
        "reminder 0.8",
        "MarkedOverdue",
        "escalated 1 第四督导组",
        "escalated 2 荆门市人大常委会办公室",
    ]
    assert case.overdue and case.escalation_level == 2
    assert case.next_due_at() is None


def test_overdue_and_level_1_escalation_come_the_second_after_the_deadline() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    case.fire_timers(local(2025, 10, 14, 23, 59, 59))
    assert not case.overdue
    events = case.fire_timers(local(2025, 10, 15, 0, 0, 0))
    assert [type(e) for e in events] == [MarkedOverdue, Escalated]
    assert case.overdue and case.escalation_level == 1
    # Level 2: 5 more working days after Oct 14 → end of Oct 21.
    assert case.fire_timers(local(2025, 10, 21, 23)) == []
    (level2,) = case.fire_timers(local(2025, 10, 22, 0, 0, 0))
    assert isinstance(level2, Escalated) and level2.level == 2


def test_a_late_sweep_skips_superseded_reminders() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    events = case.fire_timers(local(2025, 10, 16))
    assert [type(e) for e in events] == [MarkedOverdue, Escalated]
    assert case.fire_timers(local(2025, 10, 16, 1)) == []


def test_an_unaccepted_case_gets_an_acceptance_reminder_once_its_accept_deadline_passes() -> None:
    case = appeal()
    assert case.fire_timers(local(2025, 10, 9, 23)) == []
    (event,) = case.fire_timers(local(2025, 10, 10, 1))
    assert isinstance(event, ReminderIssued) and event.stage == "accept"
    assert case.fire_timers(local(2025, 10, 10, 2)) == []


def test_a_replied_case_gets_no_more_reminders_or_escalations() -> None:
    case = replied(appeal())
    assert [t.kind for t in case.due_timer_actions(local(2025, 10, 27))] == []


def test_a_key_case_is_reminded_at_30_60_and_90_percent() -> None:
    case = appeal(key_case=True)
    case.accept(local(2025, 10, 9, 9))
    marks = [
        e.mark
        for h in range(0, 24 * 15)
        for e in case.fire_timers(local(2025, 10, 9) + timedelta(hours=h))
        if isinstance(e, ReminderIssued)
    ]
    assert marks == [0.3, 0.6, 0.9]


def test_marking_a_key_case_midway_skips_marks_already_past_and_is_idempotent() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    case.fire_timers(local(2025, 10, 11, 12))  # 50 % issued
    assert len(case.mark_key_case(local(2025, 10, 11, 13), RULES)) == 1
    assert case.mark_key_case(local(2025, 10, 11, 14), RULES) == []
    marks = [
        e.mark
        for h in range(0, 24 * 4)
        for e in case.fire_timers(local(2025, 10, 11, 14) + timedelta(hours=h))
        if isinstance(e, ReminderIssued)
    ]
    assert marks == [0.6, 0.9]  # 30 % was already past when the case became key
    skipped = [t.key for t in case.timers if t.skipped]
    assert skipped == ["reminder:0.3"]


def test_an_urgent_appeal_is_reminded_at_half_of_24_calendar_hours_even_on_a_holiday() -> None:
    case = appeal(urgent=True, assigned_at=local(2025, 10, 2, 8))
    case.accept(local(2025, 10, 2, 9))
    assert case.fire_timers(local(2025, 10, 2, 19, 59)) == []
    (event,) = case.fire_timers(local(2025, 10, 2, 20))
    assert isinstance(event, ReminderIssued) and event.mark == 0.5


def test_a_supervisor_can_urge_an_open_case_but_not_a_closed_one() -> None:
    case = appeal()
    (event,) = case.urge("请尽快签收", local(2025, 10, 9, 9))
    assert isinstance(event, ReminderIssued) and event.manual and event.stage == "accept"
    case = replied(appeal())
    case.record_feedback(True, local(2025, 10, 14), RULES)
    with pytest.raises(IllegalTransition, match="case_not_open"):
        case.urge("请尽快办理", local(2025, 10, 15))


# -- returning ----------------------------------------------------------------------------
def test_a_unit_may_return_a_wrong_assignment_within_5_working_days_naming_a_unit() -> None:
    case = appeal()
    with pytest.raises(InvalidInput, match="suggested_unit_required"):
        case.return_("不属于本单位职责", "", local(2025, 10, 14, 9))
    (event,) = case.return_("不属于本单位职责", "unit-power", local(2025, 10, 14, 9))
    assert isinstance(event, AssignmentReturned)
    assert event.suggested_unit == "unit-power" and event.within_window
    assert case.status is Status.RETURNED
    assert case.return_("不属于本单位职责", "unit-power", local(2025, 10, 14, 10)) == []
    with pytest.raises(IllegalTransition, match="case_returned"):
        case.accept(local(2025, 10, 14, 11))


def test_a_return_after_5_working_days_needs_a_supervisors_consent() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    late = local(2025, 10, 15, 9)
    with pytest.raises(IllegalTransition) as info:
        case.return_("不属于本单位职责", "unit-power", late)
    assert info.value.code == "return_window_passed"
    assert case.status is Status.ACCEPTED
    (event,) = case.return_("不属于本单位职责", "unit-power", late, supervisor_consent=True)
    assert isinstance(event, AssignmentReturned)
    assert not event.within_window and event.supervisor_consent


def test_a_replied_case_cannot_be_returned() -> None:
    with pytest.raises(IllegalTransition, match="not_returnable"):
        replied(appeal()).return_("不属于本单位", "unit-power", local(2025, 10, 13, 10))


# -- extension ----------------------------------------------------------------------------
def test_a_representative_suggestion_may_be_extended_once_to_at_most_6_months() -> None:
    case = suggestion()
    case.accept(local(2025, 3, 17, 9))
    with pytest.raises(InvalidInput, match="reason_required"):
        case.extend("", local(2025, 5, 1), RULES)
    with pytest.raises(InvalidInput, match="extension_too_long"):
        case.extend("涉及多部门", local(2025, 5, 1), RULES, until=local(2025, 10, 1))
    (event,) = case.extend("涉及面广，需多部门协调", local(2025, 5, 6), RULES)
    assert isinstance(event, ExtensionGranted)
    assert event.previous_reply_by == local(2025, 6, 16, 23, 59, 59)
    assert event.reply_by == case.reply_by == local(2025, 9, 15, 23, 59, 59)
    with pytest.raises(IllegalTransition, match="extension_used"):
        case.extend("仍需时间", local(2025, 6, 1), RULES)


def test_an_extended_case_is_not_overdue_at_the_original_deadline() -> None:
    case = suggestion()
    case.accept(local(2025, 3, 17, 9))
    case.extend("涉及面广，需多部门协调", local(2025, 5, 6), RULES)
    events = case.fire_timers(local(2025, 6, 17))
    assert not any(isinstance(e, MarkedOverdue) for e in events) and not case.overdue
    assert any(isinstance(e, MarkedOverdue) for e in case.fire_timers(local(2025, 9, 16)))


def test_citizen_appeals_cannot_be_extended() -> None:
    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    with pytest.raises(IllegalTransition, match="extension_not_allowed"):
        case.extend("情况复杂", local(2025, 10, 9, 10), RULES)


def test_an_extension_needs_an_accepted_case_still_within_its_deadline() -> None:
    case = suggestion()
    with pytest.raises(IllegalTransition, match="not_accepted"):
        case.extend("涉及面广", local(2025, 4, 1), RULES)
    case.accept(local(2025, 3, 17, 9))
    with pytest.raises(IllegalTransition, match="deadline_passed"):
        case.extend("涉及面广", local(2025, 6, 17), RULES)


# -- general ------------------------------------------------------------------------------
def test_a_closed_case_refuses_further_handling() -> None:
    case = replied(appeal())
    case.record_feedback(True, local(2025, 10, 14), RULES)
    with pytest.raises(IllegalTransition, match="case_closed"):
        case.report_progress("补充说明", local(2025, 10, 15))


def test_every_change_raises_the_version_and_is_kept_in_the_history() -> None:
    case = replied(appeal())
    events = case.record_feedback(True, local(2025, 10, 14), RULES)
    assert case.version == 3 and events[0].version == 3
    assert [h.action for h in case.history] == [
        "CaseOpened",
        "CaseAccepted",
        "Resolved",
        "CaseClosed",
    ]


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        appeal().accept(datetime(2025, 10, 9, 9))


def test_a_case_survives_a_json_round_trip_for_storage() -> None:
    from pydantic import TypeAdapter

    case = appeal()
    case.accept(local(2025, 10, 9, 9))
    case.fire_timers(local(2025, 10, 16))
    adapter = TypeAdapter(Case)
    restored = adapter.validate_json(adapter.dump_json(case))
    assert restored == case
    assert restored.fire_timers(local(2025, 10, 16, 1)) == []  # issued timers stay issued


def test_stored_cases_keep_the_day_basis_under_its_old_key_clock() -> None:
    from pydantic import TypeAdapter

    adapter = TypeAdapter(Case)
    stored = adapter.dump_python(appeal(), mode="json")
    assert stored["clock"] == "working" and "basis" not in stored
    # A case written before the rename reads back.
    assert adapter.validate_python(stored).basis == "working"


def test_every_case_status_is_a_word_of_the_one_status_vocabulary() -> None:
    from minyi.contracts.status import LABELS, SuggestionStatus

    assert {str(s) for s in Status} <= set(SuggestionStatus)
    assert LABELS[Status.ACCEPTED] == "办理中"
