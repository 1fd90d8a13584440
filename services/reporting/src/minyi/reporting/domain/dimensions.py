"""The counters' dimensions (the fields of each key, in the order ``projection.contributions``
writes them) and the filters a dashboard view applies to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from minyi.platform.errors import Invalid
from minyi.reporting.domain import deputies
from minyi.reporting.domain.projection import MEASURES, STATUSES, UNKNOWN_STATUS

# Fields every counter key starts with (the cube also has the status), then the dimension's
# own. A filter on a field a dimension lacks does not apply to it (documented per view).
HEAD = ("kind", "district_code")
DIMENSION_FIELDS: dict[str, tuple[str, ...]] = {
    "cube": ("kind", "status", "district_code", "category", "focus_area"),
    "area": (*HEAD, "category", "focus_area"),
    "unit": (*HEAD, "unit_id"),
    # The map's drill-down (issue 19): a district's townships.
    "township": (*HEAD, "township"),
    "group": (*HEAD, "group_id"),
    "station": ("station_id", "category"),
    "cluster": ("cluster_id",),
    "rep_filed": ("representative_id",),
    "rep_endorsed": ("representative_id",),
    # Commitments and visit questions (``projection.FOLLOW_UPS``): their own dimension, so
    # no appeal figure reads them.
    "followup": ("kind", "district_code", "unit_id"),
}
# The cube and its coarser copies, smallest first: a view reads the first one that has
# every field it groups by or is filtered on (the status only the cube has).
CUBES = ("area", "cube")
FILTER_STATUSES = (*STATUSES, UNKNOWN_STATUS)


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    district: str | None = None
    category: str | None = None
    focus_area: str | None = None
    kind: str | None = None
    status: str | None = None
    # Liaison views only (a station is no field of the suggestion counters' keys).
    station_id: str | None = None
    # Deputies' views: the policy score's year, or a published quarter ("2026-Q4"); the
    # range (start, end) is then the year's or the quarter's.
    year: int | None = None
    quarter: str | None = None

    def __post_init__(self) -> None:
        if (self.start is None) != (self.end is None):
            raise Invalid(
                "incomplete_range",
                "请同时给出 from 和 to，或都不给（give both 'from' and 'to', or neither）",
                field="from",
            )
        if self.start and self.end and self.start > self.end:
            raise Invalid(
                "inverted_range", "from 不能晚于 to（'from' must not be after 'to'）", field="from"
            )
        if self.status and self.status not in FILTER_STATUSES:
            raise Invalid(
                "unknown_status",
                f"未知状态 {self.status!r}（one of {sorted(FILTER_STATUSES)}）",
                field="status",
            )

    def wanted(self) -> dict[str, str]:
        """The key fields asked for, by their name in the counter keys."""
        return {
            k: v
            for k, v in {
                "district_code": self.district,
                "category": self.category,
                "focus_area": self.focus_area,
                "kind": self.kind,
                "status": self.status,
            }.items()
            if v
        }

    def over(self, start: date, end: date) -> Filters:
        """The same filters over another range."""
        return Filters(
            start,
            end,
            self.district,
            self.category,
            self.focus_area,
            self.kind,
            self.status,
            self.station_id,
            self.year,
            self.quarter,
        )


def cube_for(f: Filters, *fields: str) -> str:
    need = {*fields, *f.wanted()}
    return next(d for d in CUBES if need <= set(DIMENSION_FIELDS[d]))


def deputy_filters(
    start: date | None,
    end: date | None,
    district: str | None,
    year: int | None = None,
    quarter: str | None = None,
) -> Filters:
    """The deputies' views' filters: a year (the policy score's) or a published quarter, whose
    days become the range; or a plain range. Never two of them."""
    if year is not None and quarter is not None:
        raise Invalid(
            "year_and_quarter",
            "year 和 quarter 只能给一个（give 'year' or 'quarter', not both）",
            field="quarter",
        )
    if (year is not None or quarter is not None) and (start or end):
        raise Invalid(
            "period_and_range",
            "给了 year 或 quarter 就不要再给 from/to（'year' or 'quarter' replaces 'from'/'to'）",
            field="from",
        )
    if quarter is not None:
        start, end = deputies.quarter_span(quarter)
    elif year is not None:
        start, end = deputies.year_span(year)
    return Filters(start, end, district, year=year, quarter=quarter)


# What a drill-down list may be narrowed to: a counter measure (the items that count in
# it: ``measure=overdue_open`` lists those behind an overdue figure), or a rating's other
# side. ``reply_days`` is a sum of days, not a count of items.
DRILL_MEASURES = (
    *(m for m in MEASURES if m != "reply_days"),
    "replied_late",
    "unsatisfied",
    "ratings_unsatisfied",
    "first_unsatisfied",
)
SORTS = ("filed_at", "reply_by", "replied_at", "title", "district_code", "unit_name", "status")
MAX_PAGE = 200


@dataclass(frozen=True)
class ItemQuery:
    """A drill-down list: the dashboard's filters, the one object a figure belongs to (a
    unit, a supervision group, a station, a recurring appeal), the measure it counts, and
    the page asked for (a deputy's suggestions: the deputy who filed them)."""

    filters: Filters
    unit_id: str | None = None
    group_id: str | None = None
    station_id: str | None = None
    cluster_id: str | None = None
    measure: str = "n"
    sort: str = "-filed_at"
    limit: int = 50
    offset: int = 0
    representative_id: str | None = None

    def __post_init__(self) -> None:
        if self.measure not in DRILL_MEASURES:
            raise Invalid(
                "unknown_measure",
                f"未知的统计口径 {self.measure!r}（measure: one of {list(DRILL_MEASURES)}）",
                field="measure",
            )
        if self.sort.removeprefix("-") not in SORTS:
            raise Invalid(
                "unknown_sort",
                f"不能按 {self.sort!r} 排序（sort: one of {list(SORTS)}, '-' for descending）",
                field="sort",
            )
        if not 1 <= self.limit <= MAX_PAGE:
            raise Invalid(
                "bad_limit", f"每页 1 至 {MAX_PAGE} 条（limit: 1…{MAX_PAGE}）", field="limit"
            )
        if self.offset < 0:
            raise Invalid("bad_offset", "offset 不能为负数（offset ≥ 0）", field="offset")
