"""Working-day calendar: China's official holidays with make-up days, deadline semantics."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from minyi.supervision.domain import calendar as calendar_module
from minyi.supervision.domain.calendar import SHANGHAI, WorkingCalendar

CAL = WorkingCalendar()


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, tzinfo=SHANGHAI)


def test_national_day_2025_is_off_and_its_make_up_weekend_days_are_working_days() -> None:
    for day in range(1, 9):
        assert not CAL.is_working_day(date(2025, 10, day)), f"Oct {day} should be off"
    assert CAL.is_working_day(date(2025, 9, 28))  # Sunday, 调休
    assert CAL.is_working_day(date(2025, 10, 11))  # Saturday, 调休
    assert not CAL.is_working_day(date(2025, 10, 12))  # plain Sunday


def test_the_calendar_agrees_with_the_library_on_every_day_around_national_day_2025() -> None:
    day = date(2025, 9, 15)
    while day <= date(2025, 10, 31):
        assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_one_working_day_after_the_eve_of_national_day_ends_on_october_9() -> None:
    assert CAL.add_working_days(local(2025, 9, 30, 10), 1) == local(2025, 10, 9, 23, 59, 59)


def test_five_working_days_across_national_day_count_the_make_up_saturday() -> None:
    # Oct 9, 10, 11 (Sat, 调休), 13, 14
    assert CAL.add_working_days(local(2025, 9, 30, 10), 5) == local(2025, 10, 14, 23, 59, 59)


def test_a_saturday_arrival_has_its_first_working_day_on_the_make_up_sunday() -> None:
    assert CAL.add_working_days(local(2025, 9, 27, 15), 1) == local(2025, 9, 28, 23, 59, 59)


def test_the_start_day_is_the_local_shanghai_date_even_when_given_in_utc() -> None:
    # 2025-09-29 17:00 UTC is 2025-09-30 01:00 in Shanghai.
    start = datetime(2025, 9, 29, 17, tzinfo=UTC)
    assert CAL.add_working_days(start, 1) == local(2025, 10, 9, 23, 59, 59)


def test_zero_working_days_means_the_end_of_today_or_of_the_next_working_day() -> None:
    assert CAL.add_working_days(local(2025, 9, 30, 10), 0) == local(2025, 9, 30, 23, 59, 59)
    assert CAL.add_working_days(local(2025, 10, 3, 10), 0) == local(2025, 10, 9, 23, 59, 59)


def test_three_months_ending_on_a_holiday_move_to_the_next_working_day() -> None:
    # Jul 1 + 3 months = Oct 1 (National Day) → Oct 9 (民法典 第二百零三条).
    assert CAL.add_months(local(2025, 7, 1, 9), 3) == local(2025, 10, 9, 23, 59, 59)


def test_one_month_from_the_31st_ends_on_the_last_day_of_a_shorter_month() -> None:
    assert CAL.add_months(local(2025, 1, 31, 9), 1) == local(2025, 2, 28, 23, 59, 59)


def test_months_roll_over_the_year_end() -> None:
    assert CAL.add_months(local(2025, 11, 10, 9), 3) == local(2026, 2, 10, 23, 59, 59)


def test_working_days_between_counts_only_working_time_and_is_signed() -> None:
    a, b = local(2025, 9, 30), local(2025, 10, 10)
    assert CAL.working_days_between(a, b) == pytest.approx(2.0)  # Sep 30 and Oct 9
    assert CAL.working_days_between(b, a) == pytest.approx(-2.0)
    assert CAL.working_days_between(local(2025, 10, 2), local(2025, 10, 5)) == 0.0
    assert CAL.working_days_between(local(2025, 9, 30, 12), local(2025, 9, 30, 18)) == (
        pytest.approx(0.25)
    )


def test_advancing_working_time_skips_holidays_and_inverts_working_days_between() -> None:
    start = local(2025, 9, 30, 12)
    later = CAL.advance_working_time(start, 1.25)
    assert later == local(2025, 10, 9, 18)  # half of Sep 30, holidays skipped, 3/4 of Oct 9
    assert CAL.working_days_between(start, later) == pytest.approx(1.25)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_days(datetime(2025, 9, 30, 10), 1)


def test_local_overrides_win_over_the_official_calendar() -> None:
    cal = WorkingCalendar(overrides={date(2025, 10, 9): False})
    assert cal.add_working_days(local(2025, 9, 30, 10), 1) == local(2025, 10, 10, 23, 59, 59)


def test_a_year_unknown_to_the_library_falls_back_to_weekends_and_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calendar_module, "_fallback_warned", False)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2099, 10, 1))  # the premise: no data for 2099
    with caplog.at_level(logging.WARNING, logger=calendar_module.__name__):
        assert CAL.is_working_day(date(2099, 10, 1))  # a Thursday: working by fallback
        assert not CAL.is_working_day(date(2099, 10, 3))  # a Saturday
        assert CAL.add_working_days(local(2099, 10, 2, 9), 1) == local(2099, 10, 5, 23, 59, 59)
    warnings = [r for r in caplog.records if "falling back" in r.getMessage()]
    assert len(warnings) == 1
    assert "2099" in warnings[0].getMessage()
