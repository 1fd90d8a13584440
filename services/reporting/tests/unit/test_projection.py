from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import CATALOGUE
from minyi.contracts.routing import AssignedToUnit
from minyi.contracts.status import STATUS_AFTER, SuggestionStatus, label
from minyi.contracts.supervision import CaseAccepted, CaseClosed, ProgressReported, Resolved
from minyi.reporting.domain import projection
from minyi.reporting.domain.events import STEPS, step_of
from minyi.reporting.domain.periods import covering
from tests.support.reporting_history import activity, event, history, iso, lifecycle

HISTORY = [e for e in history() if step_of(e.type) != "activity"]


def fold(events: list[RawEvent]) -> dict[str, dict[str, Any]]:
    views: dict[str, dict[str, Any]] = {}
    for e in events:
        views[e.subject] = projection.apply(views.get(e.subject, {}), e)
    return views


def clusters(events: list[RawEvent]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for e in events:
        if step_of(e.type) == "clustered":
            cid = e.data["cluster_id"]
            found[cid] = projection.apply_cluster(found.get(cid, {}), e)
    return found


CLUSTER_REPORTS = [
    event("clustered", f"s-{i}", i, cluster_id="c-1", size=size, representative_title=title,
          district_code=district)
    for i, (size, title, district) in enumerate(
        [(2, "路灯不亮", "420802"), (3, "路灯不亮", "420804"), (3, "路灯不亮", "420802"),
         (3, "路灯坏了", "420802")]
    )
]  # fmt: skip


@given(st.permutations(CLUSTER_REPORTS))
def test_a_cluster_reads_the_same_whatever_order_its_reports_came_in(
    order: list[RawEvent],
) -> None:
    assert clusters(order) == clusters(CLUSTER_REPORTS)
    assert clusters(order)["c-1"]["size"] == 3


def counters(events: list[RawEvent]) -> Counter[tuple[str, str, str, str]]:
    """The counters as the store keeps them: every change applied as new minus old."""
    views: dict[str, dict[str, Any]] = {}
    totals: Counter[tuple[str, str, str, str]] = Counter()
    for e in events:
        old = views.get(e.subject, {})
        new = projection.apply(old, e)
        for row, diff in projection.delta(
            projection.contributions(old), projection.contributions(new)
        ).items():
            for measure, value in diff.items():
                totals[(*row, measure)] += value
        views[e.subject] = new
    return +totals


def test_the_view_follows_the_lifecycle_in_order() -> None:
    view = fold(lifecycle("s-1"))["s-1"]
    assert view["status"] == "closed"
    assert view["unit_id"] == "u-zjj"
    assert view["outcome"] == "A"
    assert view["close_result"] == "satisfied"


def test_a_reopened_case_answered_again_counts_its_second_reply() -> None:
    view = fold(lifecycle("s-3", reopen=True))["s-3"]
    assert view["round"] == 2 and view["reply"] == "再次修复"
    assert view["reopen_count"] == 1
    assert view["close_result"] == "unsatisfied"


def test_an_overdue_unanswered_case_is_overdue_now_and_escalated_to_its_group() -> None:
    view = fold(lifecycle("s-4", late=True, outcome=""))["s-4"]
    assert view["overdue_open"] is True
    assert view["supervision_group"] == "grp-dongbao"
    assert view["reminder_count"] == 1


@settings(max_examples=150, deadline=None)
@given(st.permutations(HISTORY), st.lists(st.sampled_from(HISTORY), max_size=8))
def test_any_order_and_any_repetition_gives_the_same_views(
    order: list[RawEvent], repeats: list[RawEvent]
) -> None:
    assert fold([*order, *repeats]) == fold(HISTORY)


@settings(max_examples=150, deadline=None)
@given(st.permutations(HISTORY))
def test_counters_folded_in_any_order_equal_the_counters_of_the_final_views(
    order: list[RawEvent],
) -> None:
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for view in fold(HISTORY).values():
        for row, measures in projection.contributions(view).items():
            for measure, value in measures.items():
                expected[(*row, measure)] += value
    assert counters(order) == +expected


def test_a_status_change_moves_the_suggestion_between_counter_keys() -> None:
    events = lifecycle("s-1")
    totals = counters(events[:2])  # filed, assigned
    assert any(k[1].startswith("citizen_appeal|assigned|") for k in totals)
    totals = counters(events)
    assert not any("|assigned|" in k[1] for k in totals)
    assert totals[("cube", "citizen_appeal|closed|420802|城乡建设|城市能级", "m:2025-09", "n")] == 1


def test_the_area_counters_are_the_cube_summed_over_the_status() -> None:
    totals = counters(HISTORY)
    from_cube: Counter[tuple[str, str, str, str]] = Counter()
    for (dimension, key, period, measure), value in totals.items():
        if dimension == "cube":
            kind, _status, *rest = key.split("|")
            from_cube[("area", "|".join([kind, *rest]), period, measure)] += value
    area = Counter({k: v for k, v in totals.items() if k[0] == "area"})
    assert area and area == +from_cube


def test_every_type_reporting_knows_is_a_catalogue_type() -> None:
    assert set(STEPS) <= set(CATALOGUE)
    assert set(STATUS_AFTER) <= set(STEPS)


def test_types_are_matched_exactly_not_by_a_word_inside_them() -> None:
    assert step_of(AssignedToUnit.event_type) == "assigned"
    assert step_of("cn.minyi.suggestion.reassigned.v1") is None
    assert step_of("cn.minyi.suggestion.assigned.v2") is None
    view = fold(lifecycle("s-1")[:1])["s-1"]
    reassigned = event("reassigned", "s-1", 5, unit_id="u-other", attempt=2)
    assert projection.apply(view, reassigned) == view


def test_a_reply_leaves_the_view_replied_with_the_common_label() -> None:
    answered = [e for e in lifecycle("s-1") if e.type != CaseClosed.event_type]
    view = fold(answered)["s-1"]
    assert view["status"] == SuggestionStatus.REPLIED == STATUS_AFTER[Resolved.event_type]
    assert label(view["status"]) == "已答复"


def test_signing_for_a_case_or_reporting_progress_is_no_status_of_its_own() -> None:
    events = lifecycle("s-1")[:3]  # filed, assigned, accepted
    assert [e.type for e in events][-1] == CaseAccepted.event_type
    progress = event("progress_reported", "s-1", 100)
    assert progress.type == ProgressReported.event_type
    view = fold([*events, progress])["s-1"]
    assert view["status"] == SuggestionStatus.ASSIGNED and view["accepted_at"] is not None
    assert label(view["status"]) == "已交办"


def test_unknown_event_types_are_ignored_by_the_fold() -> None:
    view = fold(lifecycle("s-1"))["s-1"]
    odd = event("something_new", "s-1", 99999, whatever=1)
    assert projection.apply(view, odd) == view


def test_a_representative_activity_counts_on_the_day_it_took_place() -> None:
    rep, kind, when = projection.activity_of(activity("rep-9", "visit", 0))  # type: ignore[misc]
    assert (rep, kind) == ("rep-9", "visit")
    assert when.date().isoformat() == "2025-09-29" and when.utcoffset() is not None


def test_a_range_is_covered_by_whole_months_and_loose_days() -> None:
    from datetime import date

    periods = covering(date(2025, 8, 30), date(2025, 10, 2))
    assert periods == ["d:2025-08-30", "d:2025-08-31", "m:2025-09", "d:2025-10-01", "d:2025-10-02"]


def test_iso_helper_is_aware() -> None:
    assert iso(0).endswith("+00:00")
