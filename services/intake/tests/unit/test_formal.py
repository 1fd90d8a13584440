"""The rules of a deputy's formal suggestion (代表建议), without a store: the draft and its
co-signers (联名), the yearly number, and the signers' ratings of each answer round."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from minyi.intake.domain.formal import (
    CONFIRMED,
    DECLINED,
    PENDING,
    SUBMITTED,
    FormalDraft,
    FormalText,
    RatingState,
    number,
    rating_round,
    year_of,
)
from minyi.platform.errors import Conflict, Forbidden, Invalid

NOW = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)
LEAD, CO1, CO2 = "REP-1", "REP-2", "REP-3"


def draft(*co: str) -> FormalDraft:
    text = FormalText(
        "加快金泉路改造", "金泉路路面破损严重，建议纳入年度计划。", session="in_session"
    )
    return FormalDraft.start(
        "s-1", LEAD, list(co), text, district_code="420802", converted_from=None, now=NOW
    )


def test_the_number_is_the_beijing_year_and_a_four_digit_sequence() -> None:
    assert number(2026, 123) == "2026-0123"
    assert number(2026, 12345) == "2026-12345"
    # 31 December 17:00 UTC is already 1 January in Beijing: next year's sequence.
    assert year_of(datetime(2025, 12, 31, 17, 0, tzinfo=UTC)) == 2026
    assert year_of(datetime(2025, 12, 31, 15, 59, tzinfo=UTC)) == 2025


def test_a_draft_has_its_lead_confirmed_and_every_co_signer_pending() -> None:
    d = draft(CO1, CO2)
    assert [(s.deputy_id, s.role, s.state) for s in d.signers] == [
        (LEAD, "lead", CONFIRMED),
        (CO1, "co", PENDING),
        (CO2, "co", PENDING),
    ]


@pytest.mark.parametrize(("co", "code"), [((LEAD,), "lead_among_co_signers"),
                                          ((CO1, CO1), "duplicate_co_signer")])  # fmt: skip
def test_co_signers_are_distinct_and_never_the_lead(co: tuple[str, ...], code: str) -> None:
    with pytest.raises(Invalid) as refused:
        draft(*co)
    assert refused.value.code == code and refused.value.field == "co_signer_ids"


def test_the_lead_submits_only_when_every_co_signer_confirmed() -> None:
    d = draft(CO1, CO2)
    with pytest.raises(Conflict, match=CO1):
        d.submit(LEAD, 1, NOW)
    d = d.answer(CO1, CONFIRMED, NOW).answer(CO2, CONFIRMED, NOW)
    with pytest.raises(Forbidden):
        d.submit(CO1, 1, NOW)  # only the lead
    submitted = d.submit(LEAD, 7, NOW)
    assert (submitted.state, submitted.number) == (SUBMITTED, "2026-0007")
    details = submitted.details()
    assert details.co_signer_ids == [CO1, CO2] and details.lead_deputy_id == LEAD
    assert details.session == "in_session"
    with pytest.raises(Conflict):
        submitted.submit(LEAD, 8, NOW)  # once
    with pytest.raises(Conflict):
        submitted.remove(LEAD, CO1)  # nothing changes after submission


def test_a_declined_co_signer_is_removed_by_the_lead_before_submitting() -> None:
    d = draft(CO1, CO2).answer(CO1, CONFIRMED, NOW).answer(CO2, DECLINED, NOW)
    with pytest.raises(Conflict, match=CO2):
        d.check_submittable(LEAD)
    with pytest.raises(Conflict):
        d.answer(CO2, CONFIRMED, NOW)  # a decline stands
    with pytest.raises(Forbidden):
        d.remove(CO1, CO2)  # only the lead removes
    d = d.remove(LEAD, CO2)
    assert d.submit(LEAD, 1, NOW).details().co_signer_ids == [CO1]


def test_only_a_co_signer_answers_an_invitation_and_twice_the_same_is_harmless() -> None:
    d = draft(CO1)
    with pytest.raises(Forbidden):
        d.answer("REP-9", CONFIRMED, NOW)
    with pytest.raises(Forbidden):
        d.answer(LEAD, CONFIRMED, NOW)
    once = d.answer(CO1, CONFIRMED, NOW)
    assert once.answer(CO1, CONFIRMED, NOW) is once


def state(**changes: object) -> RatingState:
    base: dict[str, object] = {
        "signer_ids": frozenset({LEAD, CO1}),
        "answered_rounds": frozenset({1}),
        "closed": False,
    }
    return RatingState(**(base | changes))  # type: ignore[arg-type]


def test_a_signer_rates_the_latest_answer_round_once() -> None:
    assert rating_round(state(), CO1, None) == 1
    assert rating_round(state(answered_rounds=frozenset({1, 2})), CO1, None) == 2
    assert rating_round(state(answered_rounds=frozenset({1, 2})), CO1, 1) == 1
    with pytest.raises(Conflict) as again:
        rating_round(state(rated=frozenset({(CO1, 1)})), CO1, None)
    assert again.value.code == "already_rated"
    # Another signer's rating of the round is no obstacle.
    assert rating_round(state(rated=frozenset({(LEAD, 1)})), CO1, None) == 1


@pytest.mark.parametrize(
    ("who", "changes", "error", "code"),
    [
        ("REP-9", {}, Forbidden, "not_a_signer"),
        (CO1, {"closed": True}, Conflict, "closed"),
        (CO1, {"answered_rounds": frozenset()}, Conflict, "not_answered"),
    ],
)
def test_ratings_are_refused_to_non_signers_after_closing_and_before_an_answer(
    who: str, changes: dict[str, object], error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as refused:
        rating_round(state(**changes), who, None)
    assert refused.value.code == code  # type: ignore[attr-defined]


def test_a_round_not_answered_yet_is_an_invalid_field() -> None:
    with pytest.raises(Invalid) as refused:
        rating_round(state(), CO1, 2)
    assert refused.value.field == "round"
