"""Deputies' duties as reporting reads them (issue 17): officials' visits to stations, the
policy score liaison publishes, quarters, and the coverage of a quarter's activity.

Order and repetition change nothing. A visit's fields belong to the event that knows them
(the held event's deputies over the planned one's), its status follows from the facts
known. A deputy's score for a year is the one of the highest ``version`` (ties: the later
``scored_at``, then the score itself, so two copies give one answer whatever came first).
A published quarter never changes: the first publication (earliest ``published_at``)
stays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from minyi.contracts.performance import DeputyScored, PerformancePublished
from minyi.contracts.visits import VisitCancelled, VisitHeld, VisitPlanned
from minyi.platform.errors import Invalid

View = dict[str, Any]
VisitEvent = VisitPlanned | VisitHeld | VisitCancelled

VISIT_EVENTS: dict[str, type[VisitEvent]] = {
    m.event_type: m for m in (VisitPlanned, VisitHeld, VisitCancelled)
}
SCORE_EVENTS: dict[str, type[DeputyScored]] = {DeputyScored.event_type: DeputyScored}
SNAPSHOT_EVENTS: dict[str, type[PerformancePublished]] = {
    PerformancePublished.event_type: PerformancePublished
}

# Intake's activity kinds (``RepresentativeActivityLogged``, history) in liaison's terms
# (``ActivityRecorded``): both count as a deputy's activities.
OLD_ACTIVITY_KINDS = {
    "station_duty": "reception",
    "survey": "research",
    "bureau_chief_session": "visit",
    "visit": "visit",
    "other": "other",
}
ACTIVITY_KIND_NAMES = {
    "reception": "接待群众",
    "visit": "走访",
    "inspection": "视察",
    "research": "调研",
    "training": "学习培训",
    "sitting_in": "列席会议",
    "report_to_voters": "向选民述职",
    "outreach": "三进三访",
    "other": "其他",
}
LEVELS = ("national", "provincial", "city", "county", "township")
# A rate over fewer cases than this is not shown (the page says 样本不足, not 0 %).
MIN_SAMPLE = 10
TOO_FEW = "样本不足"
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def activity_kind(kind: str) -> str:
    """An activity's kind in liaison's terms (intake's old kinds mapped)."""
    return OLD_ACTIVITY_KINDS.get(kind, kind)


# ---- visits ------------------------------------------------------------------------------


def apply_visit(view: View, data: VisitEvent) -> View:
    """Return the visit's view with ``data`` folded in (``view`` may be empty)."""
    view = dict(view)
    view["station_id"] = data.station_id
    if isinstance(data, VisitPlanned):
        view.update(starts_at=data.starts_at, unit_id=data.unit_id, unit_name=data.unit_name)
        if "held_at" not in view:  # the held event's lists are the ones that took place
            view["district_codes"] = list(data.district_codes)
    elif isinstance(data, VisitHeld):
        view.update(
            held_at=data.held_at,
            unit_id=data.unit_id,
            unit_name=data.unit_name,
            district_codes=list(data.district_codes),
            deputy_ids=sorted(set(data.deputy_ids)),
            citizens=data.citizens,
            answered=data.answered,
            pending=data.pending,
            commitments=data.commitments,
        )
    elif isinstance(data, VisitCancelled):
        view["cancelled_at"] = data.cancelled_at
    if view.get("held_at"):
        view["status"] = "held"  # a visit that took place outranks a cancellation notice
    elif view.get("cancelled_at"):
        view["status"] = "cancelled"
    else:
        view["status"] = "planned" if view.get("starts_at") else "unknown"
    return view


# ---- scores and published quarters -------------------------------------------------------


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


NAME_LENGTH = 40  # the score tables' band, band_label and policy_version columns


def _named(data: DeputyScored | PerformancePublished) -> View:
    return {
        "score": data.score,
        "band": data.band[:NAME_LENGTH],
        "band_label": data.band_label[:NAME_LENGTH],
        "lines": _lines(data.lines),
        "policy_version": data.policy_version[:NAME_LENGTH],
    }


def _lines(lines: Iterable[Any]) -> list[dict[str, Any]]:
    return [line.model_dump(mode="json") for line in lines]


def apply_score(row: View, data: DeputyScored) -> View:
    """The deputy's score for the year: the newest version wins (see the module docstring)."""
    rank = [data.version, _instant(data.scored_at), data.score]
    if row.get("rank") is not None and rank <= list(row["rank"]):
        return row
    return {
        **row,
        "rank": rank,
        **_named(data),
        "version": data.version,
        "scored_at": data.scored_at,
    }


def apply_snapshot(row: View, data: PerformancePublished) -> View:
    """A published quarter: the first publication stays (see the module docstring)."""
    rank = [_instant(data.published_at), -data.score]
    if row.get("rank") is not None and rank >= list(row["rank"]):
        return row
    return {**row, "rank": rank, **_named(data), "published_at": data.published_at}


# ---- quarters and years ------------------------------------------------------------------


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def is_quarter(quarter: str) -> bool:
    return _QUARTER.match(quarter) is not None


def quarter_span(quarter: str) -> tuple[date, date]:
    """``2026-Q4`` → (1 October 2026, 31 December 2026); 422 naming ``quarter`` otherwise."""
    found = _QUARTER.match(quarter)
    if found is None:
        raise Invalid(
            "bad_quarter",
            f"季度格式应为 年-Q季度，如 2026-Q4（quarter: YYYY-Qn, got {quarter!r}）",
            field="quarter",
        )
    year, number = int(found[1]), int(found[2])
    year_span(year, "quarter")  # the same years as ``year``
    first = date(year, 3 * number - 2, 1)
    last = date(year + (number == 4), (3 * number) % 12 + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def year_span(year: int, field: str = "year") -> tuple[date, date]:
    if not 2000 <= year <= 2100:
        raise Invalid(
            "bad_year", f"年份应在 2000–2100 之间（year: 2000-2100, got {year}）", field=field
        )
    return date(year, 1, 1), date(year, 12, 31)


def held_in(view: Mapping[str, Any], start: datetime, end: datetime) -> bool:
    held = view.get("held_at")
    return view.get("status") == "held" and isinstance(held, datetime) and start <= held < end


# ---- coverage ----------------------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def coverage(
    serving: Mapping[str, tuple[str | None, str | None]], active: set[str]
) -> dict[str, Any]:
    """The share of serving deputies (id → (level, division)) with an activity (``active``),
    overall, per division and per level."""
    by_division: dict[str, Counter[str]] = {}
    by_level: dict[str, Counter[str]] = {}
    total: Counter[str] = Counter()
    for deputy, (level, division) in serving.items():
        hit = int(deputy in active)
        for acc in (
            total,
            by_division.setdefault(division or "", Counter()),
            by_level.setdefault(level or "", Counter()),
        ):
            acc["serving"] += 1
            acc["active"] += hit
    order = {level: i for i, level in enumerate(LEVELS)}

    def figures(c: Counter[str]) -> dict[str, Any]:
        return {
            "serving": c["serving"],
            "active": c["active"],
            "share": rate(c["active"], c["serving"]),
        }

    return {
        **figures(total),
        "by_division": [
            {"district_code": d or None, **figures(c)} for d, c in sorted(by_division.items())
        ],
        "by_level": [
            {"level": lv or None, **figures(c)}
            for lv, c in sorted(by_level.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
        ],
    }
