"""A deputies' formal suggestion (代表建议, issue 18) on its case: co-units' views, the
contact required before replying, the extension the office decides, B's promised delivery
followed as its own item, the signers' ratings with one re-handling, the C review."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from minyi.supervision.adapters.reference import load_policy
from minyi.supervision.domain import (
    SHANGHAI,
    AnswerReviewed,
    Case,
    CaseClosed,
    CaseReopened,
    CloseResult,
    CoViewsSubmitted,
    DeliveryPromised,
    DeputiesContacted,
    Escalated,
    ExtensionGranted,
    ExtensionRefused,
    ExtensionRequested,
    IllegalTransition,
    InvalidInput,
    KeyCaseMarked,
    MarkedOverdue,
    Resolved,
    Rules,
    SignerRating,
    Status,
    WorkingCalendar,
)

RULES = Rules(load_policy(), WorkingCalendar())
CAL = RULES.calendar
ANSWER = "经研究，老旧小区加装电梯已列入明年民生实事计划，将分批实施并给予财政补贴。"


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, tzinfo=SHANGHAI)


ASSIGNED = local(2026, 3, 16, 10)  # a Monday after the session
SIGNERS = ["dep-lead", "dep-2", "dep-3"]


def formal(**kw: object) -> Case:
    args: dict[str, object] = {
        "case_id": "s1:1",
        "suggestion_id": "s1",
        "unit_id": "zjj",
        "district": "420802",
        "kind": "representative_suggestion",
        "urgent": False,
        "assigned_at": ASSIGNED,
        "rules": RULES,
        "title": "关于加快老旧小区加装电梯的建议",
        "content": "建议加大财政补贴力度……",
        "number": "2026-0123",
        "signer_ids": [*SIGNERS, "dep-2"],
        "co_units": [("czj", "市财政局"), ("zjj", "市住建局"), ("ghj", "市自然资源和规划局")],
    }
    args.update(kw)
    return Case.open(**args)  # type: ignore[arg-type]


def contacted(case: Case, at: datetime) -> Case:
    case.accept(at)
    case.record_contact(CAL.local_date(at), "meeting", "座谈", at, RULES)
    return case


def replied(case: Case, at: datetime, outcome: str = "A", **kw: Any) -> list[Any]:
    return list(
        case.reply(outcome, ANSWER, None, kw.get("reason"), at, RULES, kw.get("delivery_by"))
    )


def rating(deputy: str, at: datetime, result: str = "satisfied", round_: int = 1) -> SignerRating:
    return SignerRating(deputy, round_, "satisfied", "basically_satisfied", result, None, at)  # type: ignore[arg-type]


# -- opening ---------------------------------------------------------------------------
def test_a_formal_suggestion_opens_with_its_signers_and_co_units_views_due_in_a_month() -> None:
    case = formal()
    assert case.formal is not None
    assert case.formal.number == "2026-0123"
    assert case.formal.signer_ids == SIGNERS  # the repeated signer once
    # The lead unit is no co-unit of its own case.
    assert [c.unit_id for c in case.formal.co_units] == ["czj", "ghj"]
    assert all(c.views_by == local(2026, 4, 16, 23, 59, 59) for c in case.formal.co_units)
    assert case.title == "关于加快老旧小区加装电梯的建议" and case.content
    # Still the law's three months to reply.
    assert case.reply_by == local(2026, 6, 16, 23, 59, 59)


def test_a_representative_suggestion_without_a_number_is_no_formal_one() -> None:
    assert formal(number=None).formal is None


def test_the_formal_details_survive_the_store_round_trip() -> None:
    case = contacted(formal(), ASSIGNED + timedelta(days=1))
    adapter = TypeAdapter(Case)
    again = adapter.validate_python(adapter.dump_python(case, mode="json"))
    assert again.formal == case.formal


# -- co-units' views -------------------------------------------------------------------
def test_a_co_unit_sends_its_views_once_and_on_time_is_recorded() -> None:
    case = formal()
    (event,) = case.submit_views("czj", "财政可安排专项补贴资金", ASSIGNED + timedelta(days=10))
    assert isinstance(event, CoViewsSubmitted) and event.on_time and event.co_unit_id == "czj"
    with pytest.raises(IllegalTransition) as again:
        case.submit_views("czj", "再次提交", ASSIGNED + timedelta(days=11))
    assert again.value.code == "views_submitted"
    (late,) = case.submit_views("ghj", "规划可行", local(2026, 4, 17, 9))
    assert isinstance(late, CoViewsSubmitted) and not late.on_time


def test_only_a_co_unit_sends_views_and_views_are_not_empty() -> None:
    case = formal()
    with pytest.raises(IllegalTransition) as lead:
        case.submit_views("zjj", "主办单位意见", ASSIGNED)
    assert lead.value.code == "not_co_unit"
    with pytest.raises(InvalidInput) as empty:
        case.submit_views("czj", "  ", ASSIGNED)
    assert empty.value.field == "views"


# -- contact before reply --------------------------------------------------------------
def test_a_reply_is_refused_until_the_lead_has_recorded_a_contact_with_the_deputies() -> None:
    case = formal()
    at = ASSIGNED + timedelta(days=20)
    case.accept(at)
    with pytest.raises(IllegalTransition) as refused:
        replied(case, at)
    assert refused.value.code == "contact_required"
    (event,) = case.record_contact(date(2026, 4, 2), "phone", "电话沟通", at, RULES)
    assert isinstance(event, DeputiesContacted) and event.mode == "phone"
    assert isinstance(replied(case, at)[0], Resolved)


def test_a_contact_cannot_be_dated_in_the_future_nor_have_an_unknown_mode() -> None:
    case = formal()
    with pytest.raises(InvalidInput) as future:
        case.record_contact(date(2026, 3, 17), "phone", None, ASSIGNED, RULES)
    assert future.value.field == "contacted_on"
    with pytest.raises(InvalidInput) as mode:
        case.record_contact(date(2026, 3, 16), "pigeon", None, ASSIGNED, RULES)
    assert mode.value.field == "mode"


# -- the extension the office decides --------------------------------------------------
def test_a_formal_suggestion_asks_the_office_for_its_extension() -> None:
    case = formal()
    at = ASSIGNED + timedelta(days=30)
    case.accept(at)
    with pytest.raises(IllegalTransition) as direct:
        case.extend("涉及面广", at, RULES)
    assert direct.value.code == "extension_needs_approval"
    with pytest.raises(InvalidInput) as too_long:
        case.request_extension("涉及面广", local(2026, 9, 17, 23, 59, 59), at, RULES)
    assert too_long.value.field == "until"
    (asked,) = case.request_extension("涉及面广", local(2026, 9, 16, 23, 59, 59), at, RULES)
    assert isinstance(asked, ExtensionRequested)
    assert case.extension_pending and case.reply_by == local(2026, 6, 16, 23, 59, 59)
    with pytest.raises(IllegalTransition) as twice:
        case.request_extension("再申请", local(2026, 8, 1, 23, 59, 59), at, RULES)
    assert twice.value.code == "extension_requested"
    (granted,) = case.decide_extension(True, "同意", at + timedelta(days=2), RULES)
    assert isinstance(granted, ExtensionGranted)
    assert case.reply_by == local(2026, 9, 16, 23, 59, 59) and not case.extension_pending
    with pytest.raises(IllegalTransition) as decided:
        case.decide_extension(False, "不同意", at + timedelta(days=3), RULES)
    assert decided.value.code == "no_pending_request"


def test_the_office_refuses_with_a_note_and_the_deadline_stays() -> None:
    case = formal()
    at = ASSIGNED + timedelta(days=30)
    case.accept(at)
    case.request_extension("涉及面广", local(2026, 8, 1, 23, 59, 59), at, RULES)
    with pytest.raises(InvalidInput) as no_note:
        case.decide_extension(False, "", at, RULES)
    assert no_note.value.field == "note"
    (refused,) = case.decide_extension(False, "理由不充分", at, RULES)
    assert isinstance(refused, ExtensionRefused)
    assert case.reply_by == local(2026, 6, 16, 23, 59, 59)
    assert case.formal and case.formal.extension_request
    assert case.formal.extension_request.status == "refused"


# -- B: the promised delivery ----------------------------------------------------------
def test_a_b_answer_needs_a_delivery_date_after_today_and_promises_it() -> None:
    at = local(2026, 5, 6, 10)
    case = contacted(formal(), at)
    with pytest.raises(InvalidInput) as missing:
        replied(case, at, "B")
    assert missing.value.field == "delivery_by" and missing.value.code == "delivery_by_required"
    with pytest.raises(InvalidInput) as today:
        replied(case, at, "B", delivery_by=date(2026, 5, 6))
    assert today.value.code == "delivery_by_not_future"
    resolved, promised = replied(case, at, "B", delivery_by=date(2026, 12, 31))
    assert isinstance(resolved, Resolved) and resolved.delivery_by == date(2026, 12, 31)
    assert isinstance(promised, DeliveryPromised)
    assert promised.delivery_id == "s1~B" and promised.promised_by == date(2026, 12, 31)
    assert case.formal and case.formal.delivery and case.formal.delivery.status == "pending"


def test_the_delivery_item_opens_in_hand_is_due_on_the_promised_day_and_goes_overdue() -> None:
    promised = CAL.end_of_day(date(2026, 12, 31))
    item = Case.open(
        case_id="s1~B:1",
        suggestion_id="s1~B",
        unit_id="zjj",
        district="420802",
        kind="delivery",
        urgent=False,
        assigned_at=local(2026, 5, 6, 10),
        rules=RULES,
        promised=promised,
        delivery_of="s1",
    )
    assert item.status is Status.ACCEPTED and item.reply_by == promised
    assert not item.returnable and not item.awaits_feedback
    assert all(t.kind != "accept_reminder" for t in item.timers)
    with pytest.raises(IllegalTransition):
        item.return_("不归我们", "other", local(2026, 5, 7), supervisor_consent=True)
    events = item.fire_timers(promised + timedelta(seconds=1))
    assert [type(e) for e in events] == [MarkedOverdue, Escalated]
    with pytest.raises(InvalidInput) as outcome:
        item.reply("B", ANSWER, None, None, local(2027, 1, 4, 9), RULES)
    assert outcome.value.field == "outcome"
    (done,) = item.reply("A", ANSWER, None, None, local(2027, 1, 4, 9), RULES)
    assert isinstance(done, Resolved) and not done.on_time and done.feedback_by is None


def test_a_b_given_again_moves_the_one_delivery_item_to_the_new_date_unless_delivered() -> None:
    first, second = CAL.end_of_day(date(2026, 12, 31)), CAL.end_of_day(date(2026, 10, 30))
    item = Case.open(
        case_id="s1~B:1",
        suggestion_id="s1~B",
        unit_id="zjj",
        district="420802",
        kind="delivery",
        urgent=False,
        assigned_at=local(2026, 5, 6, 10),
        rules=RULES,
        promised=first,
        delivery_of="s1",
    )
    (moved,) = item.repromise(second, local(2026, 7, 1, 9), RULES)
    assert isinstance(moved, ExtensionGranted) and moved.reply_by == second
    assert item.reply_by == second and not item.overdue
    assert item.repromise(second, local(2026, 7, 2, 9), RULES) == []  # the same date again
    item.reply("A", ANSWER, None, None, local(2026, 8, 3, 9), RULES)
    assert item.repromise(first, local(2026, 8, 4, 9), RULES) == []  # delivered stays so
    assert item.reply_by == second


# -- the signers' ratings --------------------------------------------------------------
def test_one_unsatisfied_signer_brings_one_rehandling_then_satisfied_ratings_close_it() -> None:
    at = local(2026, 5, 6, 10)
    case = contacted(formal(), at)
    (resolved,) = replied(case, at)
    assert isinstance(resolved, Resolved)
    assert resolved.feedback_by == local(2026, 6, 8, 23, 59, 59)  # a month, next working day
    assert case.record_rating(rating("dep-lead", at), RULES) == []
    assert case.record_rating(rating("dep-2", at, "unsatisfied"), RULES) == []
    (reopened,) = case.record_rating(rating("dep-3", at), RULES)
    assert isinstance(reopened, CaseReopened) and reopened.round == 2
    assert case.reply_by == local(2026, 6, 8, 23, 59, 59)  # a month to handle it again
    # Round 2: the contact recorded before still counts; a form of round 1 is stale.
    second = at + timedelta(days=20)
    replied(case, second)
    assert case.record_rating(rating("dep-2", second, "unsatisfied", round_=1), RULES) == []
    for deputy in SIGNERS[:-1]:
        assert case.record_rating(rating(deputy, second, round_=2), RULES) == []
    (closed,) = case.record_rating(rating("dep-3", second, round_=2), RULES)
    assert isinstance(closed, CaseClosed) and closed.result is CloseResult.SATISFIED


def test_unsatisfied_after_the_rehandling_closes_it_for_review() -> None:
    at = local(2026, 5, 6, 10)
    case = contacted(formal(signer_ids=["dep-lead"]), at)
    replied(case, at)
    case.record_rating(rating("dep-lead", at, "unsatisfied"), RULES)
    replied(case, at + timedelta(days=10))
    (closed,) = case.record_rating(rating("dep-lead", at, "unsatisfied", round_=2), RULES)
    assert isinstance(closed, CaseClosed)
    assert closed.result is CloseResult.UNSATISFIED and closed.needs_review


def test_the_rating_window_ends_the_round_with_the_forms_in() -> None:
    at = local(2026, 5, 6, 10)
    silent = contacted(formal(), at)
    replied(silent, at)
    after = local(2026, 6, 9, 0)
    (closed,) = silent.fire_timers(after, RULES)
    assert isinstance(closed, CaseClosed) and closed.result is CloseResult.NO_RESPONSE
    one_unhappy = contacted(formal(), at)
    replied(one_unhappy, at)
    one_unhappy.record_rating(rating("dep-2", at, "unsatisfied"), RULES)
    (reopened,) = one_unhappy.fire_timers(after, RULES)
    assert isinstance(reopened, CaseReopened)


def test_a_rating_from_someone_who_did_not_sign_is_refused_and_a_repeat_ignored() -> None:
    at = local(2026, 5, 6, 10)
    case = contacted(formal(), at)
    replied(case, at)
    with pytest.raises(InvalidInput) as stranger:
        case.record_rating(rating("dep-x", at), RULES)
    assert stranger.value.field == "deputy_id"
    case.record_rating(rating("dep-2", at), RULES)
    assert case.record_rating(rating("dep-2", at, "unsatisfied"), RULES) == []
    assert case.formal and len(case.formal.ratings) == 1


def test_citizen_feedback_does_not_apply_to_a_formal_suggestion() -> None:
    at = local(2026, 5, 6, 10)
    case = contacted(formal(), at)
    replied(case, at)
    with pytest.raises(IllegalTransition) as refused:
        case.record_feedback(False, at, RULES)
    assert refused.value.code == "rated_by_signers"


# -- the C review ----------------------------------------------------------------------
def test_a_c_answer_waits_for_its_review_before_the_ratings_close_it() -> None:
    at = local(2026, 5, 6, 10)
    case = contacted(formal(signer_ids=["dep-lead"]), at)
    replied(case, at, "C", reason="受财力限制，近期难以实施")
    assert case.awaiting_review
    assert case.record_rating(rating("dep-lead", at), RULES) == []
    reviewed, closed = case.review_answer("upheld", "理由充分", "sup:g1", at, RULES)
    assert isinstance(reviewed, AnswerReviewed) and reviewed.reviewer == "sup:g1"
    assert isinstance(closed, CaseClosed) and not case.awaiting_review


def test_the_group_sends_a_c_answer_back_to_the_unit() -> None:
    at = local(2026, 5, 6, 10)
    case = contacted(formal(), at)
    replied(case, at, "C", reason="受财力限制，近期难以实施")
    with pytest.raises(InvalidInput) as no_note:
        case.review_answer("rehandle", "", "sup:g1", at, RULES)
    assert no_note.value.field == "note"
    reviewed, reopened = case.review_answer("rehandle", "可分步实施", "sup:g1", at, RULES)
    assert isinstance(reviewed, AnswerReviewed) and isinstance(reopened, CaseReopened)
    assert case.status is Status.REOPENED and case.round == 2


def test_only_a_c_answer_is_reviewed() -> None:
    at = local(2026, 5, 6, 10)
    case = contacted(formal(), at)
    replied(case, at, "A")
    with pytest.raises(IllegalTransition) as refused:
        case.review_answer("upheld", "", "sup:g1", at, RULES)
    assert refused.value.code == "not_c_answer"


# -- key topics ------------------------------------------------------------------------
def test_linking_an_open_suggestion_to_a_topic_makes_it_a_key_case_once() -> None:
    case = formal()
    (marked,) = case.link_topic("topic-1", ASSIGNED, RULES)
    assert isinstance(marked, KeyCaseMarked) and case.key_case
    assert case.link_topic("topic-2", ASSIGNED, RULES) == []
    assert case.formal and case.formal.topic_ids == ["topic-1", "topic-2"]
    assert case.unlink_topic("topic-1") and not case.unlink_topic("topic-1")
