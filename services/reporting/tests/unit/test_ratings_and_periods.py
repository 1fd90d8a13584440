"""Issue 22's folds and rules: every rating given (first and after re-handling), the
periods and the period before, and rates that refuse to divide by a handful."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minyi.contracts.envelope import RawEvent
from minyi.platform.errors import Invalid
from minyi.reporting.domain import projection, rates
from minyi.reporting.domain.dimensions import Filters, ItemQuery
from minyi.reporting.domain.periods import previous, span
from tests.support.reporting_history import event, lifecycle


def fold(events: list[RawEvent]) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for e in events:
        view = projection.apply(view, e)
    return view


# Rated unsatisfied with the first answer (feedback, reopened), answered again, then closed
# unsatisfied with no feedback event of round 2 (the closure's result rates that round).
TWICE_UNSATISFIED = lifecycle("s-9", reopen=True)
# Rated unsatisfied first, then satisfied after re-handling (feedback of round 2 known).
REHANDLED_SATISFIED = [
    *(e for e in lifecycle("s-8", reopen=True) if "closed" not in e.type),
    event("feedback_received", "s-8", 5050, satisfied=True, round=2),
    event("closed", "s-8", 5100, result="satisfied", closed_at="2025-10-03T06:00:00+00:00"),
]


def test_every_rating_given_counts_first_and_after_re_handling() -> None:
    view = fold(TWICE_UNSATISFIED)
    assert projection.ratings_of(view) == {"1": "unsatisfied", "2": "unsatisfied"}
    assert (view["ratings"], view["ratings_satisfied"], view["first_rating"]) == (
        2,
        0,
        "unsatisfied",
    )
    m = projection._measures(view)
    assert (m.get("ratings"), m.get("first_rated"), m.get("rated")) == (2, 1, 1)
    view = fold(REHANDLED_SATISFIED)
    assert projection.ratings_of(view) == {"1": "unsatisfied", "2": "satisfied"}
    m = projection._measures(view)
    assert (m["ratings"], m["ratings_satisfied"], m["first_rated"], m["satisfied"]) == (2, 1, 1, 1)
    assert "first_satisfied" not in m


def test_a_closure_without_feedback_is_the_final_rounds_rating() -> None:
    view = fold(lifecycle("s-7"))
    assert projection.ratings_of(view) == {"1": "satisfied"}
    assert view["first_rating"] == "satisfied"


@settings(max_examples=60, deadline=None)
@given(
    st.permutations(REHANDLED_SATISFIED), st.lists(st.sampled_from(REHANDLED_SATISFIED), max_size=4)
)
def test_ratings_fold_the_same_in_any_order_and_repetition(
    order: list[RawEvent], repeats: list[RawEvent]
) -> None:
    view = fold([*order, *repeats])
    expected = fold(REHANDLED_SATISFIED)
    for field in ("ratings", "ratings_satisfied", "first_rating"):
        assert view[field] == expected[field]


def test_this_week_month_quarter_and_year_in_whole_calendar_units() -> None:
    today = date(2026, 11, 18)  # a Wednesday
    assert span("week", today) == (date(2026, 11, 16), date(2026, 11, 22))
    assert span("month", today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert span("quarter", today) == (date(2026, 10, 1), date(2026, 12, 31))
    assert span("year", today) == (date(2026, 1, 1), date(2026, 12, 31))
    assert span("month", date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_the_period_before_has_the_same_length() -> None:
    assert previous(date(2026, 11, 16), date(2026, 11, 22)) == (
        date(2026, 11, 9),
        date(2026, 11, 15),
    )
    assert previous(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert previous(date(2026, 1, 1), date(2026, 12, 31)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert previous(date(2026, 1, 1), date(2026, 3, 31)) == (date(2025, 10, 1), date(2025, 12, 31))
    # Ten loose days: the ten days before.
    assert previous(date(2026, 11, 5), date(2026, 11, 14)) == (
        date(2026, 10, 26),
        date(2026, 11, 4),
    )


def test_a_rate_over_fewer_than_ten_is_sample_insufficient_never_100_percent() -> None:
    few = rates.rates({"ratings": 9, "ratings_satisfied": 9}, "satisfaction_rate")
    assert few["satisfaction_rate"] is None
    assert few["notes"]["satisfaction_rate"].startswith("样本不足")
    enough = rates.rates({"ratings": 181, "ratings_satisfied": 157}, "satisfaction_rate")
    assert enough["satisfaction_rate"] == pytest.approx(157 / 181, abs=1e-4)
    assert enough["notes"] == {} and enough["samples"] == {"satisfaction_rate": 181}


def test_a_drill_down_names_the_field_it_refuses() -> None:
    for kwargs, field in (
        ({"measure": "reply_days"}, "measure"),
        ({"sort": "password"}, "sort"),
        ({"limit": 201}, "limit"),
        ({"offset": -1}, "offset"),
    ):
        with pytest.raises(Invalid) as refused:
            ItemQuery(Filters(), **kwargs)
        assert refused.value.field == field
