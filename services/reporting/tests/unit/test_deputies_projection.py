"""The deputies' folds (issue 17): commitments and visit questions as the units' follow-ups
(never people's appeals), visits, policy scores and published quarters, activities in
liaison's terms — whatever the order or repetition of the events."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minyi.contracts.envelope import RawEvent
from minyi.platform.errors import Invalid
from minyi.reporting.domain import deputies, liaison, projection
from minyi.reporting.domain.dimensions import deputy_filters
from minyi.reporting.domain.events import step_of
from tests.support.reporting_deputies import D1, D3, deputies_history
from tests.support.reporting_history import activity

HISTORY = deputies_history()
Folded = dict[str, Any]


def fold(events: list[RawEvent]) -> Folded:
    """What the store would keep: suggestion views and their counters, visits, scores,
    snapshots and activities (by event id, as the timeline dedupes them)."""
    views: dict[str, Any] = {}
    totals: Counter[tuple[str, str, str, str]] = Counter()
    visits: dict[str, Any] = {}
    scores: dict[tuple[str, int], Any] = {}
    snapshots: dict[tuple[str, str], Any] = {}
    acts: dict[str, tuple[str, str, Any]] = {}
    for e in events:
        step = step_of(e.type)
        if step == "activity":
            found = projection.activity_of(e)
            assert found is not None
            acts[e.id] = found
        elif step is not None:
            sid = str(e.data.get("suggestion_id") or e.subject)
            old = views.get(sid, {})
            new = projection.apply(old, e)
            change = projection.delta(projection.contributions(old), projection.contributions(new))
            for row, diff in change.items():
                for measure, value in diff.items():
                    totals[(*row, measure)] += value
            views[sid] = new
        elif (v := liaison.parse(e, deputies.VISIT_EVENTS)) is not None:
            visits[v.visit_id] = deputies.apply_visit(visits.get(v.visit_id, {}), v)
        elif (s := liaison.parse(e, deputies.SCORE_EVENTS)) is not None:
            key = (s.deputy_id, s.year)
            scores[key] = deputies.apply_score(scores.get(key, {}), s)
        elif (p := liaison.parse(e, deputies.SNAPSHOT_EVENTS)) is not None:
            snap = (p.deputy_id, p.quarter)
            snapshots[snap] = deputies.apply_snapshot(snapshots.get(snap, {}), p)
    return {
        "counters": +totals,
        "visits": visits,
        "scores": scores,
        "snapshots": snapshots,
        "activities": sorted(acts.values()),
    }


FOLDED = fold(HISTORY)


def _all_time(dimension: str) -> dict[tuple[str, str], int]:
    return {
        (key, measure): n
        for (dim, key, period, measure), n in FOLDED["counters"].items()
        if dim == dimension and period == "a:all"
    }


def test_commitments_and_visit_questions_count_only_as_their_units_follow_ups() -> None:
    followup = _all_time("followup")
    commitments, question = "commitment|420802|u-zjj", "visit_question|420802|u-zjj"
    assert followup[(commitments, "n")] == 2
    assert followup[(commitments, "replied")] == 2
    assert followup[(commitments, "replied_on_time")] == 1  # c-1 on time, c-2 late
    assert (commitments, "overdue_open") not in followup  # c-2 was overdue, then answered
    assert followup[(question, "n")] == 1 and followup[(question, "overdue_open")] == 1
    # Nowhere else: the cube, the heat map's area, the units' appeals hold people's only.
    for dim, key, _period, _measure in FOLDED["counters"]:
        if dim != "followup":
            assert not key.startswith(("commitment", "visit_question")), (dim, key)
    assert sum(n for (k, m), n in _all_time("area").items() if m == "n") == 3


def test_a_commitment_view_knows_its_unit_due_date_and_answer_whatever_came_first() -> None:
    made = [e for e in HISTORY if e.subject == "c-2"]
    for events in (made, list(reversed(made))):
        views: dict[str, Any] = {}
        for e in events:
            views = projection.apply(views, e)
        assert (views["kind"], views["unit_id"], views["status"]) == (
            "commitment", "u-zjj", "replied",
        )  # fmt: skip
        assert views["first_reply_on_time"] is False and views["overdue_open"] is False
        assert views["reply_by"].date() == date(2026, 11, 11)


def test_visits_keep_the_held_events_deputies_and_a_cancelled_one_stays_cancelled() -> None:
    visits = FOLDED["visits"]
    assert (visits["v-1"]["status"], visits["v-1"]["deputy_ids"]) == ("held", [D1])
    assert visits["v-1"]["unit_id"] == "u-zjj" and visits["v-1"]["commitments"] == 2
    assert visits["v-2"]["status"] == "cancelled"


def test_the_newest_score_version_wins_and_a_published_quarter_never_changes() -> None:
    scores = FOLDED["scores"]
    assert (scores[(D1, 2026)]["score"], scores[(D1, 2026)]["band_label"]) == (72.5, "良好")
    assert scores[(D1, 2026)]["version"] == 2 and scores[(D3, 2026)]["score"] == 55.0
    snapshot = FOLDED["snapshots"][(D1, "2026-Q3")]
    assert (snapshot["score"], snapshot["band_label"]) == (30.0, "较差")  # the first one


def test_activities_count_in_liaisons_terms_whoever_recorded_them() -> None:
    kinds = [(rep, kind) for rep, kind, _when in FOLDED["activities"]]
    assert sorted(kinds) == [(D1, "research"), (D1, "training"), ("REP-420802-102", "inspection")]
    old = [projection.activity_of(activity("rep-1", k, 10)) for k in ("station_duty", "survey")]
    assert [found[1] for found in old if found] == ["reception", "research"]
    assert projection.activity_of(activity("rep-1", "bureau_chief_session", 10)) is not None


def test_coverage_counts_serving_deputies_with_an_activity_per_division_and_level() -> None:
    serving = {"a": ("city", "420802"), "b": ("county", "420802"), "c": ("city", "420804")}
    shown = deputies.coverage(serving, {"a", "c", "not-serving"})
    assert (shown["serving"], shown["active"], shown["share"]) == (3, 2, 0.6667)
    assert [(r["district_code"], r["active"], r["serving"]) for r in shown["by_division"]] == [
        ("420802", 1, 2), ("420804", 1, 1),
    ]  # fmt: skip
    assert [(r["level"], r["share"]) for r in shown["by_level"]] == [("city", 1.0), ("county", 0.0)]
    assert deputies.coverage({}, set())["share"] is None  # no deputies: no rate, not 0 %


def test_a_quarter_or_a_year_becomes_the_range_and_bad_ones_name_their_field() -> None:
    f = deputy_filters(None, None, None, quarter="2026-Q4")
    assert (f.start, f.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert deputy_filters(None, None, None, quarter="2026-Q1").end == date(2026, 3, 31)
    assert deputy_filters(None, None, None, year=2025).start == date(2025, 1, 1)
    assert deputies.quarter_of(date(2026, 7, 1)) == "2026-Q3"
    for kwargs, field in (
        ({"quarter": "2026-Q5"}, "quarter"),
        ({"quarter": "2026-Q4", "year": 2026}, "quarter"),
        ({"year": 1999}, "year"),
        ({"quarter": "0000-Q1"}, "quarter"),
    ):
        with pytest.raises(Invalid) as raised:
            deputy_filters(None, None, None, **kwargs)
        assert raised.value.field == field
    with pytest.raises(Invalid) as raised:
        deputy_filters(date(2026, 1, 1), date(2026, 2, 1), None, year=2026)
    assert raised.value.field == "from"


@settings(max_examples=40, deadline=None)
@given(st.permutations(HISTORY), st.lists(st.sampled_from(HISTORY), max_size=12))
def test_any_order_and_any_repetition_fold_to_the_same_views(
    order: list[RawEvent], again: list[RawEvent]
) -> None:
    assert fold([*order, *again]) == FOLDED
