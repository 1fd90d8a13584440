"""The liaison fold (``domain/liaison.py``): reception views, their counters and the
registry replica, whatever the order or repetition of the events."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import CATALOGUE
from minyi.contracts.liaison import DeputyEnded, DeputyUpdated, ElectoralUnit, ReceptionHeld
from minyi.reporting.domain import liaison
from minyi.reporting.domain.periods import monday_of, weeks_between
from minyi.reporting.domain.projection import delta
from tests.support.reporting_history import T0, liaison_event, liaison_history

HISTORY = liaison_history()
Folded = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


def fold(events: list[RawEvent]) -> Folded:
    """(receptions, stations, deputies) as the store keeps them, by id."""
    receptions: dict[str, Any] = {}
    stations: dict[str, Any] = {}
    deputies: dict[str, Any] = {}
    for e in events:
        if (r := liaison.parse(e, liaison.RECEPTION_EVENTS)) is not None:
            receptions[r.reception_id] = liaison.apply_reception(
                receptions.get(r.reception_id, {}), r
            )
        elif (s := liaison.parse(e, liaison.STATION_EVENTS)) is not None:
            stations[s.station_id] = liaison.apply_station(stations.get(s.station_id, {}), s)
        elif (d := liaison.parse(e, liaison.DEPUTY_EVENTS)) is not None:
            deputies[d.deputy_id] = liaison.apply_deputy(deputies.get(d.deputy_id, {}), d)
    return receptions, stations, deputies


def counters(events: list[RawEvent]) -> Counter[tuple[str, str, str, str]]:
    """The counters as the store keeps them: every change applied as new minus old."""
    views: dict[str, dict[str, Any]] = {}
    totals: Counter[tuple[str, str, str, str]] = Counter()
    for e in events:
        r = liaison.parse(e, liaison.RECEPTION_EVENTS)
        if r is None:
            continue
        old = views.get(r.reception_id, {})
        new = liaison.apply_reception(old, r)
        for row, diff in delta(liaison.contributions(old), liaison.contributions(new)).items():
            for measure, value in diff.items():
                totals[(*row, measure)] += value
        views[r.reception_id] = new
    return +totals


def test_every_liaison_type_reporting_folds_is_a_catalogue_type() -> None:
    folded = {**liaison.RECEPTION_EVENTS, **liaison.STATION_EVENTS, **liaison.DEPUTY_EVENTS}
    assert set(folded) <= set(CATALOGUE)
    assert all(CATALOGUE[t] is model for t, model in folded.items())
    assert {CATALOGUE[e.type] for e in HISTORY} <= set(folded.values())


@settings(max_examples=150, deadline=None)
@given(st.permutations(HISTORY), st.lists(st.sampled_from(HISTORY), max_size=8))
def test_any_order_and_any_repetition_gives_the_same_receptions_and_registry(
    order: list[RawEvent], repeats: list[RawEvent]
) -> None:
    assert fold([*order, *repeats]) == fold(HISTORY)


@settings(max_examples=150, deadline=None)
@given(st.permutations(HISTORY))
def test_counters_folded_in_any_order_equal_the_counters_of_the_final_receptions(
    order: list[RawEvent],
) -> None:
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for view in fold(HISTORY)[0].values():
        for row, measures in liaison.contributions(view).items():
            for measure, value in measures.items():
                expected[(*row, measure)] += value
    assert counters(order) == +expected


def test_a_reception_counts_in_its_station_its_divisions_and_for_its_deputies() -> None:
    totals = counters(HISTORY)
    week = "w:2025-W40"
    station = {
        m: v for (d, k, p, m), v in totals.items() if (d, k, p) == ("station", "ST-420802-01", week)
    }
    assert station == {
        "receptions_scheduled": 1, "receptions_held": 1, "capacity": 3, "booked": 3,
        "bookings_made": 4, "bookings_waitlisted": 1, "bookings_promoted": 1,
        "bookings_cancelled": 1, "matters_answered": 2, "matters_referred": 1,
    }  # fmt: skip
    division = {
        m: v
        for (d, k, p, m), v in totals.items()
        if (d, k, p) == ("division", "420802|ST-420802-01", week)
    }
    assert division == station
    deputy = {
        m: v
        for (d, k, p, m), v in totals.items()
        if (d, k, p) == ("deputy", "REP-420802-001", week)
    }
    # Bookings are the station's, not a deputy's; the matters the deputy took are.
    assert deputy == {"receptions_scheduled": 1, "receptions_held": 1, "matters_answered": 1,
                      "matters_referred": 1}  # fmt: skip
    # Every figure of r-1 counts in the reception's week, none in the week bookings opened.
    assert not any(k[2] == "w:2025-W39" for k in totals)


def test_the_deputies_who_were_there_replace_those_announced_whatever_came_first() -> None:
    r1 = [e for e in HISTORY if e.subject == "r-1"]
    assert [e.type for e in r1][-1] == ReceptionHeld.event_type
    for order in (r1, r1[::-1]):
        view, _, _ = fold(order)
        assert view["r-1"]["deputy_ids"] == ["REP-420802-001"]
        assert view["r-1"]["status"] == "held"


def test_a_booking_heard_before_its_reception_counts_once_the_reception_is_known() -> None:
    bookings = [e for e in HISTORY if e.subject in ("b-1", "b-2")]
    assert counters(bookings) == Counter()  # no day yet: nowhere to count
    schedule = next(e for e in HISTORY if e.subject == "r-1")
    totals = counters([*bookings, schedule])
    assert totals[("station", "ST-420802-01", "a:all", "bookings_made")] == 2
    assert totals[("station", "ST-420802-01", "a:all", "bookings_cancelled")] == 1
    assert totals[("station", "ST-420802-01", "a:all", "booked")] == 1


def test_a_cancelled_reception_offers_no_places_and_keeps_its_cancelled_bookings() -> None:
    receptions, _, _ = fold(HISTORY)
    r2 = receptions["r-2"]
    assert (r2["status"], r2["booked"]) == ("cancelled", 0)
    totals = counters(HISTORY)
    assert totals[("station", "ST-420802-01", "w:2025-W41", "capacity")] == 0
    assert totals[("station", "ST-420802-01", "w:2025-W41", "bookings_cancelled")] == 1


def test_the_registry_keeps_the_newest_record_and_the_newest_status() -> None:
    stations = fold(HISTORY)[1]
    assert stations["ST-420802-01"]["name"] == "东宝区龙泉街道代表联络站"  # v2 over v1
    assert stations["ST-420802-09"]["status"] == "ended"
    unit = ElectoralUnit(kind="division", division_code="420804")
    moved = liaison_event(
        DeputyUpdated(deputy_id="REP-420802-001", name="王建国", level="provincial",
                      electoral_unit=unit, version=2, changed_at=T0),
        "REP-420802-001", 99,
    )  # fmt: skip
    ended = liaison_event(
        DeputyEnded(deputy_id="REP-420802-001", ended_on=date(2025, 12, 1), version=3,
                    changed_at=T0),
        "REP-420802-001", 100,
    )  # fmt: skip
    for order in ([ended, moved, *HISTORY], [*HISTORY, ended, moved], [moved, *HISTORY, ended]):
        wang = fold(order)[2]["REP-420802-001"]
        # The end (v3) carries no record: the fields stay those of v2, the status is v3's.
        assert (wang["level"], wang["division_code"], wang["record_version"]) == (
            "provincial", "420804", 2,
        )  # fmt: skip
        assert (wang["name"], wang["status"], wang["status_version"]) == ("王建国", "ended", 3)


def test_an_event_whose_data_does_not_fit_its_contract_is_left_out() -> None:
    schedule = next(e for e in HISTORY if e.subject == "r-1")
    broken = schedule.model_copy(update={"data": {**schedule.data, "capacity": "many"}})
    assert liaison.parse(broken, liaison.RECEPTION_EVENTS) is None
    assert liaison.parse(schedule, liaison.STATION_EVENTS) is None  # another kind of event


def test_weeks_are_listed_from_the_first_to_the_last_whole_iso_week() -> None:
    assert weeks_between(date(2025, 10, 1), date(2025, 10, 13)) == [
        "2025-W40", "2025-W41", "2025-W42",
    ]  # fmt: skip
    assert weeks_between(date(2025, 12, 29), date(2026, 1, 4)) == ["2026-W01"]
    assert monday_of("2025-W40") == date(2025, 9, 29)
