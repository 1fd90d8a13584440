"""Days and months in the city's time zone, and the periods that cover a date range.

Counters are kept per day (``d:2025-09-30``), per ISO week (``w:2025-W40``) and per month
(``m:2025-09``): a range is read as its whole months (or, for weekly series, whole weeks)
plus the loose days at either end, so a year costs ~12 + ~60 rows per key, not 365; a view
without a range reads the one all-time row (``a:all``) per key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

# China has one time zone and no daylight saving; a suggestion filed at 23:30 local time
# belongs to that local day, not to the UTC one.
CITY_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def local_day(moment: datetime) -> date:
    return moment.astimezone(CITY_TZ).date()


def day_period(day: date) -> str:
    return f"d:{day.isoformat()}"


def month_period(day: date) -> str:
    return f"m:{day.year:04d}-{day.month:02d}"


def week_period(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"w:{year}-W{week:02d}"


# All time, one row per key: what a view without a range reads.
ALL_TIME = "a:all"


@functools.lru_cache(maxsize=4096)
def periods_of(moment: datetime) -> tuple[str, str, str, str]:
    # Cached: every view's counters ask it for the same filing time, twice per change.
    day = local_day(moment)
    return day_period(day), week_period(day), month_period(day), ALL_TIME


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _cover(
    start: date, end: date, whole: Callable[[date], date | None], period: Callable[[date], str]
) -> list[str]:
    """The whole units (``whole(day)``: the last day of the unit that starts on ``day``, or
    None) that fit in ``start`` … ``end``, and the loose days between them."""
    periods: list[str] = []
    day = start
    while day <= end:
        last = whole(day)
        if last is not None and last <= end:
            periods.append(period(day))
            day = last + timedelta(days=1)
        else:
            periods.append(day_period(day))
            day += timedelta(days=1)
    return periods


def _month_from(day: date) -> date | None:
    return _next_month(day) - timedelta(days=1) if day.day == 1 else None


def _week_from(day: date) -> date | None:
    return day + timedelta(days=6) if day.weekday() == 0 else None


def covering(start: date, end: date) -> list[str]:
    """Periods whose union is exactly the days ``start`` … ``end`` (both included)."""
    return _cover(start, end, _month_from, month_period)


def covering_weeks(start: date, end: date) -> list[str]:
    """Like ``covering`` but with whole ISO weeks instead of whole months."""
    return _cover(start, end, _week_from, week_period)


def week_of(period: str) -> str:
    """``d:2025-09-30`` or ``w:2025-W40`` → ISO week ``2025-W40``."""
    if period.startswith("w:"):
        return period[2:]
    year, week, _ = date.fromisoformat(period[2:]).isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(week: str) -> date:
    """ISO week ``2025-W40`` → its Monday."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def weeks_between(first: date, last: date) -> list[str]:
    """Every ISO week that has a day in ``first`` … ``last``, in order (``2025-W40`` …)."""
    day = first - timedelta(days=first.weekday())
    weeks = []
    while day <= last:
        weeks.append(week_of(day_period(day)))
        day += timedelta(weeks=1)
    return weeks


# The dashboard's periods: the whole calendar unit (Beijing time) that holds ``today``.
PERIODS = ("week", "month", "quarter", "year")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def span(period: str, today: date) -> tuple[date, date]:
    """This week (Monday–Sunday), month, quarter or year: its first and last day."""
    if period == "week":
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    first = date(today.year, 1 if months == 12 else today.month, 1)
    if months == 3:
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return first, _add_months(first, months) - timedelta(days=1)


def previous(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before: whole months shift by their number of
    months (November → October, a quarter → the quarter before), any other range by its
    number of days (a week → the week before)."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return _add_months(start, -months), start - timedelta(days=1)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)
