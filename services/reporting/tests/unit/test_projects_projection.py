"""The ledger's folds (issue 19): a project's record, a published appeal, a milestone's item
and a filing's township and consent, whatever the events' order or repetition."""

from __future__ import annotations

import random

from minyi.reporting.domain import projection, projects
from services.reporting.tests.ledger_history import (
    P1,
    P2,
    filed,
    item,
    ledger_history,
    p1_events,
    p2_events,
    published,
)


def _fold(events: list) -> dict:
    record: dict = {}
    for e in events:
        record = projects.apply_project(record, e)
    return record


def _without_order(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("timeline",)}


def test_a_projects_record_is_the_same_in_any_order_and_with_duplicates() -> None:
    events = [e for e in p1_events() if e.type in projects.PROJECT_EVENTS]
    expected = _fold(events)
    for seed in range(5):
        shuffled = [*events, *events[:3]]
        random.Random(seed).shuffle(shuffled)
        got = _fold(shuffled)
        assert got == expected
    assert expected["status"] == "late"
    assert expected["percent"] == 60
    assert [m["state"] for m in projects.milestones_of(expected)] == [
        "delivered",
        "overdue",
        "pending",
    ]
    kinds = [e["kind"] for e in expected["timeline"]]
    assert kinds == ["registered", "milestone_delivered", "progress", "status", "inspected"]


def test_a_finished_project_is_accepted_with_its_ratings_counted_once() -> None:
    events = p2_events()
    record = _fold([*events, *events])  # every event twice
    assert record["status"] == "accepted"
    assert projects.rating_counts(record) == {
        "satisfied": 2,
        "basically_satisfied": 1,
        "unsatisfied": 0,
    }
    assert record["acceptance"]["result_label"] == "满意"
    assert [e["kind"] for e in record["timeline"]] == [
        "registered",
        "milestone_delivered",
        "completed",
        "accepted",
    ]


def test_a_milestone_item_is_the_projects_and_counts_in_no_appeal_figure() -> None:
    assert projects.milestone_item(item(P1, "m2")) == (P1, "m2")
    assert projects.milestone_item("F1~B") is None  # a formal B delivery
    assert projects.milestone_item("A1") is None
    reminder, overdue = [e for e in p1_events() if e.subject == item(P1, "m2")]
    view: dict = {}
    for e in (reminder, overdue):
        view = projection.apply_milestone(view, e)
    assert view["kind"] == "milestone" and view["overdue_open"]
    assert "milestone" in projection.FOLLOW_UPS
    assert projection.contributions(view) == {}  # no filing: nothing in any counter
    record = projects.apply_milestone_item({}, "m2", "reminder", reminder)
    record = projects.apply_milestone_item(record, "m2", "overdue", overdue)
    record = projects.apply_milestone_item(record, "m2", "overdue", overdue)  # again
    assert [e["kind"] for e in record["timeline"]] == ["milestone_reminder", "milestone_overdue"]
    assert record["items"]["m2"] == {"reminders": 1, "overdue": True}


def test_a_withdrawn_appeal_stays_withdrawn_whatever_the_order() -> None:
    first, withdrawn = published("C3", "临时标题", 1, 11), published("C3", "临时", 2, 12, False)
    for order in ([first, withdrawn], [withdrawn, first], [first, withdrawn, first]):
        appeal: dict = {}
        for e in order:
            appeal = projects.apply_appeal(appeal, e)
        assert appeal["public"] is False and appeal["version"] == 2


def test_a_filing_keeps_its_township_and_consent_and_counts_per_township() -> None:
    view = projection.apply({}, filed("X", "420802", "龙泉街道", 1, consent=True))
    assert view["township"] == "龙泉街道" and view["publish_consent"] is True
    keys = {(d, k) for d, k, _p in projection.contributions(view)}
    assert ("township", "citizen_appeal|420802|龙泉街道") in keys
    unnamed = projection.apply({}, filed("Y", "420802", None, 1))
    assert unnamed["publish_consent"] is False
    keys = {(d, k) for d, k, _p in projection.contributions(unnamed)}
    assert ("township", "citizen_appeal|420802|") in keys


def test_a_projects_inspection_commitment_has_no_station() -> None:
    made = next(e for e in p1_events() if e.subject == "CM-I-1-1")
    view = projection.apply({}, made)
    assert view["kind"] == "commitment" and "station_id" not in {
        k for k, v in view.items() if v is not None
    }
    assert all(d == "followup" for d, _k, _p in projection.contributions(view))


def test_the_history_names_both_projects() -> None:
    subjects = {e.subject for e in ledger_history()}
    assert {P1, P2} <= subjects
