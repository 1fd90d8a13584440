"""The deputies' views (履职): the ranking by the evaluation policy's score, the coverage of a
quarter's activity, and the year's headline in the practice's own terms.

Scores are liaison's (``DeputyScored``, ``PerformancePublished``); reporting only shows them.
Activities are liaison's ``ActivityRecorded`` and intake's older ``RepresentativeActivityLogged``
(kinds mapped, ``deputies.OLD_ACTIVITY_KINDS``). Names, levels and divisions come from the
registry replica (a deputy it has not heard of shows the id).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from minyi.reporting.adapters.views import ViewQueries
from minyi.reporting.domain import deputies, liaison
from minyi.reporting.domain.dimensions import Filters, deputy_filters
from minyi.reporting.domain.periods import CITY_TZ

# A registry record the replica has not heard of: (name, level, division, status).
UNKNOWN: tuple[Any, ...] = (None, None, None, None)


async def _latest_day(q: ViewQueries) -> date:
    """The latest day with anything counted (the default year or quarter), else today."""
    return await q.latest_deputy_day() or datetime.now(CITY_TZ).date()


async def _with_quarter(q: ViewQueries, f: Filters) -> Filters:
    if f.quarter is not None:
        return f
    if f.start or f.end or f.year is not None:
        # A range or a year names no one quarter: the quarter of its last day.
        day = f.end or date(f.year or 2000, 12, 31)
    else:
        day = await _latest_day(q)
    return deputy_filters(None, None, f.district, quarter=deputies.quarter_of(day))


async def _with_year(q: ViewQueries, f: Filters) -> Filters:
    if f.year is not None and f.quarter is None:
        return f
    day = f.end or await _latest_day(q)
    return deputy_filters(None, None, f.district, year=day.year)


def _who(registry: dict[str, tuple[Any, ...]], did: str, q: ViewQueries) -> dict[str, Any]:
    name, level, division, _status = registry.get(did, UNKNOWN)
    return {
        "deputy_name": name or did,
        "level": level,
        "level_name": liaison.DEPUTY_LEVEL_NAMES.get(level or ""),
        "district_code": division,
        "district_name": q.district_names.get(division or "", division),
    }


async def activities(q: ViewQueries, f: Filters) -> dict[str, dict[str, int]]:
    """Per deputy, activities by kind (in liaison's terms) in the filter's range."""
    acts: dict[str, dict[str, int]] = defaultdict(dict)
    for rep, kind, n in await q.activities(f):
        kind = deputies.activity_kind(kind)  # rows folded before the kinds were mapped
        acts[rep][kind] = acts[rep].get(kind, 0) + n
    return acts


async def representatives(q: ViewQueries, f: Filters) -> list[dict[str, Any]]:
    """Deputies ranked by the policy score: a year's live score (``year``; with a range, the
    year of its last day; with nothing, each deputy's latest year scored) or a published
    quarter's snapshot (``quarter``), with band and per-kind lines; beside it the activities,
    suggestions filed and endorsed in the range. A district keeps the deputies elected there."""
    if f.quarter is not None:
        scores = await q.snapshots(f.quarter)
    else:
        scores = await q.scores(f.year if f.year is not None else (f.end.year if f.end else None))
    rep_measures = ("n", "solved")
    filed = await q.sums_by_key("rep_filed", f, rep_measures)
    endorsed = await q.sums_by_key("rep_endorsed", f, rep_measures)
    acts = await activities(q, f)
    registry = await q.deputies()
    none = (0, 0)
    rows: list[dict[str, Any]] = []
    for rep in filed.keys() | endorsed.keys() | acts.keys() | scores.keys():
        who = _who(registry, rep, q)
        if f.district and who["district_code"] != f.district:
            continue
        (fn, fs), (en, es) = filed.get(rep, none), endorsed.get(rep, none)
        by_kind = acts.get(rep, {})
        score = scores.get(rep, {})
        cases = fn + en
        rows.append(
            {
                "representative_id": rep,
                **who,
                "score": score.get("score"),
                "band": score.get("band"),
                "band_label": score.get("band_label"),
                "score_lines": score.get("lines") or [],
                "policy_version": score.get("policy_version"),
                "score_year": score.get("year"),
                "quarter": f.quarter if score else None,
                "activities": sum(by_kind.values()),
                "activities_by_kind": dict(sorted(by_kind.items())),
                "suggestions_filed": fn,
                "suggestions_endorsed": en,
                "filed_solved": fs,
                # A rate over fewer than MIN_SAMPLE cases says so instead of a number.
                "resolved_share": deputies.rate(fs + es, cases)
                if cases >= deputies.MIN_SAMPLE
                else None,
                "resolved_share_note": deputies.TOO_FEW if cases < deputies.MIN_SAMPLE else None,
            }
        )
    rows.sort(
        key=lambda r: (
            r["score"] is None,
            -(r["score"] or 0.0),
            -int(r["activities"]),
            str(r["representative_id"]),
        )
    )
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


async def active_deputies(q: ViewQueries, f: Filters) -> set[str]:
    """Deputies with an activity recorded, or present at a reception or a visit held, in
    the filter's range."""
    active = {rep for rep, _kind, n in await q.activities(f) if n}
    for parts, _period, (held,) in await q.liaison_rows(
        "deputy", f, {}, measures=("receptions_held",)
    ):
        if held:
            active.add(parts[0])
    assert f.start and f.end
    for _visit, present in await q.visits_held(f.start, f.end):
        active.update(present)
    return active


async def coverage(q: ViewQueries, f: Filters) -> dict[str, Any]:
    """The share of serving deputies with at least one activity in the quarter (default: the
    latest quarter with data), overall, per division (where elected) and per level."""
    f = await _with_quarter(q, f)
    registry = await q.deputies()
    serving = {
        did: (level, division)
        for did, (_name, level, division, status) in registry.items()
        if status == "serving" and (not f.district or division == f.district)
    }
    shown = deputies.coverage(serving, await active_deputies(q, f))
    for row in shown["by_division"]:
        code = row["district_code"]
        row["district_name"] = q.district_names.get(code or "", code)
    for row in shown["by_level"]:
        row["level_name"] = liaison.DEPUTY_LEVEL_NAMES.get(row["level"] or "")
    return {"quarter": f.quarter, "from": f.start, "to": f.end, **shown}


def coverage_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A sheet of the coverage: the city, then each division, then each level."""
    figures = ("serving", "active", "share")
    head = {"quarter": result["quarter"]}
    rows = [
        {**head, "scope": "all", "code": None, "name": "全部", **{k: result[k] for k in figures}}
    ]
    for r in result["by_division"]:
        rows.append(
            {**head, "scope": "division", "code": r["district_code"], "name": r["district_name"],
             **{k: r[k] for k in figures}}
        )  # fmt: skip
    for r in result["by_level"]:
        rows.append(
            {**head, "scope": "level", "code": r["level"], "name": r["level_name"],
             **{k: r[k] for k in figures}}
        )  # fmt: skip
    return rows


async def year_headline(q: ViewQueries, f: Filters) -> dict[str, Any]:
    """The year's figures as the practice reports them (default: the latest year with
    data): deputy-outings (人次) = deputies present at receptions held + at visits held +
    activities recorded; suggestions filed that year (people's, of every kind: no visit's
    commitment or question); problems solved = of those, the ones answered A."""
    f = await _with_year(q, f)
    assert f.start and f.end
    activities_n = sum(n for _rep, _kind, n in await q.activities(f))
    receptions = sum(
        held
        for _parts, _period, (held,) in await q.liaison_rows(
            "deputy", f, {}, measures=("receptions_held",), keys=False
        )
    )
    visits = sum(len(present) for _visit, present in await q.visits_held(f.start, f.end))
    filed = solved = 0
    for _parts, _period, (n, s) in await q.counter_rows(
        "area", f, measures=("n", "solved"), keys=False
    ):
        filed, solved = filed + n, solved + s
    return {
        "year": f.year,
        "from": f.start,
        "to": f.end,
        "deputy_outings": receptions + visits + activities_n,
        "outings": {
            "reception_attendance": receptions,
            "visit_attendance": visits,
            "activities": activities_n,
        },
        "suggestions": filed,
        "problems_solved": solved,
    }
