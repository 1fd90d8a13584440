"""Working-day calendar on China's official holiday schedule (with 调休 make-up days).

Deadline semantics (chosen, and used everywhere in supervision):

* A deadline of *n working days* after ``start`` ends at the **end of the n-th working day
  after the local date of** ``start`` (23:59:59 Asia/Shanghai). The start day itself is never
  counted, whatever time the item arrived, as in 12345 practice ("N个工作日内").
* A deadline of *n months* ends at the end of the same day-of-month n months later (clamped
  to the month's last day). If that day is not a working day it moves to the end of the next
  working day: 《民法典》第二百零三条 (期间的最后一日是法定休假日的，以法定休假日结束的次日为
  期间的最后一日).
* "Working time" elapsed (used for 50 %/80 % reminder marks) counts whole 24-hour working
  days, not office hours, so it is simple to explain and independent of office schedules.

A case is late when ``now > deadline``. All datetimes must be timezone-aware.
"""

from __future__ import annotations

import calendar as _gregorian
import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
_WHOLE_DAY = timedelta(days=1)

# Once per process: a year without official data is a configuration problem worth one
# warning, not one line per deadline computed.
_fallback_warned = False


def _warn_fallback_once(day: date) -> None:
    global _fallback_warned
    if not _fallback_warned:
        _fallback_warned = True
        log.warning(
            "chinesecalendar has no holiday data for %s; falling back to Monday–Friday "
            "working days (upgrade chinesecalendar or add overrides to the policy)",
            day.year,
        )


def require_aware(value: datetime, name: str = "at") -> None:
    """Every instant in supervision is timezone-aware: a naive one is a bug, refused here."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


class WorkingCalendar:
    """China's official working days; ``overrides`` lets a jurisdiction mark local days."""

    def __init__(
        self,
        tz: ZoneInfo = SHANGHAI,
        overrides: Mapping[date, bool] | None = None,
    ) -> None:
        self.tz = tz
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._days: dict[date, bool] = {}
        # Remembered too: every case opened on a day asks for the same few deadlines.
        self._after: dict[tuple[date, int], datetime] = {}

    # -- days ---------------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        if d in self._overrides:
            return self._overrides[d]
        known = self._days.get(d)
        if known is None:
            # Remembered: the library scans its whole holiday table on every call (it was a
            # quarter of supervision's CPU under load).
            known = self._days[d] = self._library_says(d)
        return known

    @staticmethod
    def _library_says(d: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:  # the library raises this for years it does not know
            _warn_fallback_once(d)
            return d.weekday() < 5

    def local_date(self, at: datetime) -> date:
        require_aware(at, "at")
        return at.astimezone(self.tz).date()

    def end_of_day(self, d: date) -> datetime:
        return datetime.combine(d, END_OF_DAY, tzinfo=self.tz)

    def next_working_day_on_or_after(self, d: date) -> date:
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    # -- deadlines ----------------------------------------------------------------------
    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End (23:59:59 local) of the n-th working day after ``start``'s local date.

        ``n == 0`` means "today if a working day, else the next one".
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        d = self.local_date(start)
        found = self._after.get((d, n))
        if found is None:
            found = self._after[(d, n)] = self._end_of_nth_working_day(d, n)
        return found

    def _end_of_nth_working_day(self, d: date, n: int) -> datetime:
        if n == 0:
            return self.end_of_day(self.next_working_day_on_or_after(d))
        counted = 0
        while counted < n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                counted += 1
        return self.end_of_day(d)

    def add_months(self, start: datetime, n: int) -> datetime:
        """End of the same day-of-month n months later, rolled to a working day (民法典 203)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        d = self.local_date(start)
        month_index = d.month - 1 + n
        year, month = d.year + month_index // 12, month_index % 12 + 1
        day = min(d.day, _gregorian.monthrange(year, month)[1])
        return self.end_of_day(self.next_working_day_on_or_after(date(year, month, day)))

    def on_working_day(self, at: datetime) -> datetime:
        """A deadline given as an instant (a promised date): kept if its local day is a
        working day, else moved to the end of the next working day (as 《民法典》第二百零三条
        does for a period ending on a holiday)."""
        d = self.local_date(at)
        if self.is_working_day(d):
            return at
        return self.end_of_day(self.next_working_day_on_or_after(d))

    @staticmethod
    def add_hours(start: datetime, n: int) -> datetime:
        """Calendar hours (urgent items): holidays do not stop the clock."""
        require_aware(start, "start")
        return start + timedelta(hours=n)

    # -- working time -------------------------------------------------------------------
    def _day_bounds(self, d: date) -> tuple[datetime, datetime]:
        begin = datetime.combine(d, time(0), tzinfo=self.tz)
        return begin, datetime.combine(d + timedelta(days=1), time(0), tzinfo=self.tz)

    def working_days_between(self, a: datetime, b: datetime) -> float:
        """Working days elapsed from a to b (fractions of 24 h working days; negative if b < a)."""
        require_aware(a, "a")
        require_aware(b, "b")
        if b < a:
            return -self.working_days_between(b, a)
        total = 0.0
        first = d = self.local_date(a)
        last = self.local_date(b)
        while d <= last:
            if self.is_working_day(d):
                if d == first or d == last:
                    begin, end = self._day_bounds(d)
                    overlap = min(end, b) - max(begin, a)
                    total += max(overlap, timedelta(0)) / (end - begin)
                else:  # a day wholly between a and b: exactly one (no bounds to build)
                    total += 1.0
            d += timedelta(days=1)
        return total

    def advance_working_time(self, start: datetime, days: float) -> datetime:
        """The instant when ``days`` working days (24 h each) have elapsed after ``start``."""
        require_aware(start, "start")
        if days < 0:
            raise ValueError("days must be >= 0")
        remaining = timedelta(days=days)
        cursor = start.astimezone(self.tz)
        first = d = cursor.date()
        available = self._day_bounds(first)[1] - cursor  # the rest of the first day
        # Bounded walk: even a fallback calendar has 5 working days in any 7.
        for _ in range(int(days * 7) + 400):
            if self.is_working_day(d):
                if remaining <= available:
                    return (cursor if d == first else self._day_bounds(d)[0]) + remaining
                remaining -= available
            d += timedelta(days=1)
            available = _WHOLE_DAY  # every later day counts whole (no bounds to build)
        raise ValueError(f"no working time found after {start.isoformat()}")
