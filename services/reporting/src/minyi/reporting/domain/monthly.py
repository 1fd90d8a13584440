"""The monthly public-sentiment report (月度民情分析报告): its month, its dates in the
office's style, and the rules that write the month's notable changes.

Pure: figures in, sentences out. Each sentence comes from one rule whose thresholds are the
named constants below (docs/reporting.md, "The monthly report")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from minyi.platform.errors import Invalid
from minyi.reporting.domain.periods import CITY_TZ

# A rate over fewer items than MIN_SAMPLE says 样本不足 (as the dashboard does).
from minyi.reporting.domain.rates import MIN_SAMPLE as MIN_SAMPLE
from minyi.reporting.domain.rates import TOO_FEW as TOO_FEW

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
WEEKDAYS = "一二三四五六日"
# The office's name on the title page.
OFFICE = "荆门市人大常委会办公室"
TITLE = "月度民情分析报告"


# Rises by district and by category: at most RISE_TOP of each, the largest first; a rise
# counts when this month has at least RISE_MIN_COUNT items and grew by at least
# RISE_MIN_ABSOLUTE items and RISE_MIN_SHARE over last month (a new one: last month none).
RISE_TOP = 3
RISE_MIN_COUNT = 5
RISE_MIN_ABSOLUTE = 3
RISE_MIN_SHARE = 0.2
# A unit slipped when its on-time reply rate fell by SLIP_RATE_DROP or more (both months
# over at least MIN_SAMPLE replies), or its items overdue now rose by SLIP_OVERDUE_RISE or
# more (items filed this month against items filed last month); at most SLIP_TOP units.
SLIP_RATE_DROP = 0.1
SLIP_OVERDUE_RISE = 2
SLIP_TOP = 5


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return self.following().start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def issued(self) -> date:
        """The report's date: the first day after the month (fixed, so that the same month
        and data give the same document)."""
        return self.end + timedelta(days=1)

    @property
    def issued_at(self) -> datetime:
        """The document's timestamps: 09:00 Beijing time on the issue date."""
        return datetime.combine(self.issued, time(9, 0), CITY_TZ)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def following(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)


def parse_month(text: str, field: str = "month") -> Month:
    """``2026-11`` as a Month; anything else is a clear 4xx naming ``field``."""
    m = MONTH_PATTERN.match(text.strip())
    if m is None or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise Invalid(
            "bad_month",
            f"月份格式应为 YYYY-MM，例如 2026-11（month must be YYYY-MM, got {text!r}）",
            field=field,
        )
    return Month(int(m.group(1)), int(m.group(2)))


def cn_date(day: date) -> str:
    """2026年11月30日（星期一）"""
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def percent(rate: float | None, sample: int | None = None) -> str:
    """A rate as the report prints it: 样本不足 over fewer than MIN_SAMPLE items, — for none."""
    if sample is not None and sample < MIN_SAMPLE:
        return TOO_FEW
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"


def change(now: float | None, before: float | None, *, rate: bool = False) -> str:
    """The change against last month: +12（+25.0%） for counts, +3.5个百分点 for rates."""
    if now is None or before is None:
        return "—"
    if rate:
        points = (now - before) * 100
        return "持平" if abs(points) < 0.05 else f"{points:+.1f}个百分点"
    diff = now - before
    if diff == 0:
        return "持平"
    share = f"（{diff / before * 100:+.1f}%）" if before else "（上月为0）"
    return f"{diff:+g}{share}"


@dataclass(frozen=True)
class UnitMonth:
    """A unit's figures in one month, as the rules read them."""

    name: str
    replied: int
    on_time_rate: float | None
    overdue: int


def _rises(now: dict[str, int], before: dict[str, int]) -> list[tuple[str, int, int]]:
    rows = []
    for name, n in now.items():
        prev = before.get(name, 0)
        grew = n - prev
        if n < RISE_MIN_COUNT or grew < RISE_MIN_ABSOLUTE:
            continue
        if prev and grew / prev < RISE_MIN_SHARE:
            continue
        rows.append((name, n, prev))
    rows.sort(key=lambda r: (-(r[1] - r[2]), r[0]))
    return rows[:RISE_TOP]


def _rise_sentence(what: str, name: str, n: int, prev: int) -> str:
    if not prev:
        return f"{what}“{name}”本月受理 {n} 件，上月没有，为新出现的集中诉求。"
    return (
        f"{what}“{name}”本月受理 {n} 件，比上月增加 {n - prev} 件"
        f"（+{(n - prev) / prev * 100:.1f}%）。"
    )


def notable_changes(
    districts: tuple[dict[str, int], dict[str, int]],
    categories: tuple[dict[str, int], dict[str, int]],
    units: tuple[dict[str, UnitMonth], dict[str, UnitMonth]],
) -> list[str]:
    """The month's notable changes against last month, one sentence per rule that fired:
    the biggest rises by district, by category, then the units that slipped. Each of the
    pairs is (this month, last month), keyed by the name a person reads."""
    sentences = [_rise_sentence("区县", *r) for r in _rises(*districts)]
    sentences += [_rise_sentence("类别", *r) for r in _rises(*categories)]
    now, before = units
    # The on-time rate's falls first, then the overdue's rises; the largest first in each.
    slipped: list[tuple[int, float, str, str]] = []
    for name in sorted(now):
        u, p = now[name], before.get(name, UnitMonth(name, 0, None, 0))
        if (
            u.on_time_rate is not None
            and p.on_time_rate is not None
            and u.replied >= MIN_SAMPLE
            and p.replied >= MIN_SAMPLE
            and p.on_time_rate - u.on_time_rate >= SLIP_RATE_DROP - 1e-9
        ):
            drop = p.on_time_rate - u.on_time_rate
            slipped.append(
                (
                    0,
                    -drop,
                    name,
                    f"“{name}”按时答复率由上月的 {p.on_time_rate * 100:.1f}% "
                    f"降至 {u.on_time_rate * 100:.1f}%，需督促改进。",
                )
            )
        elif u.overdue - p.overdue >= SLIP_OVERDUE_RISE:
            slipped.append(
                (
                    1,
                    -float(u.overdue - p.overdue),
                    name,
                    f"“{name}”本月受理事项中当前逾期 {u.overdue} 件，上月为 {p.overdue} 件，"
                    "逾期有所增加。",
                )
            )
    slipped.sort()
    sentences += [s for _rule, _size, _name, s in slipped[:SLIP_TOP]]
    return sentences


NOTHING_NOTABLE = "本月各区县、各类别受理量及各承办单位办理情况与上月相比无明显变化。"


@dataclass(frozen=True)
class Table:
    """A table of the report: its columns and rows as printed, and a note under it."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Heat:
    """Counts of a district (row) × focus area (column) matrix."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Week:
    week: str
    filed: int
    replied: int
    solved: int


@dataclass(frozen=True)
class Report:
    """Everything the monthly report prints, as plain values (rendered by adapters/word.py)."""

    month: Month
    headline: Table
    heat: Heat
    heat_note: str
    weeks: tuple[Week, ...]
    trend: Table
    recurring: Table
    units: Table
    overdue: Table
    deputies: Table
    deputy_ranking: Table
    changes: tuple[str, ...]
