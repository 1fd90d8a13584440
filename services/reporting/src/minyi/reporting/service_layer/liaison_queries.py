"""The liaison views (联络站接待): per station, per ISO week and per deputy, from the liaison
counters and the registry replica that ``handlers.project_liaison`` keeps.

Names come from the replica (a station or deputy it has not heard of shows its id). The
stations' and deputies' lists also show the active ones with nothing counted yet: a station
that held no reception is a figure too.
"""

from __future__ import annotations

from typing import Any

from minyi.platform.errors import Invalid
from minyi.reporting.adapters.views import ViewQueries
from minyi.reporting.domain import liaison
from minyi.reporting.domain.dimensions import Filters
from minyi.reporting.domain.periods import monday_of, week_of, weeks_between

# A deputy's own figures beside ``receptions_attended`` (the held ones).
DEPUTY_MEASURES = ("receptions_scheduled", "receptions_cancelled")
# What a deputy's counters hold (bookings are the station's).
DEPUTY_COUNTED = (*DEPUTY_MEASURES, "receptions_held", "matters_answered", "matters_referred")
# What the public summary tells of liaison: counts only.
PUBLIC_FIGURES = (
    "receptions_held",
    "bookings_made",
    "matters_raised",
    "matters_answered",
    "matters_referred",
    "answered_share",
)


def check(q: ViewQueries, f: Filters) -> None:
    """A district filter names a known division (else 422: no silent empty table)."""
    if f.district and f.district not in q.district_names:
        raise Invalid(
            "unknown_district",
            f"未知的区县代码 {f.district!r}（district: one of {sorted(q.district_names)}）",
            field="district",
        )


Measures = dict[str, int]
NOTHING: Measures = dict.fromkeys(liaison.MEASURES, 0)
# A registry record the replica has not heard of: (name, kind or level, divisions, status).
UNKNOWN: tuple[Any, ...] = (None, None, None, None)


# A station's or week's own measures (then the matters, with what follows from them).
ROW_MEASURES = tuple(m for m in liaison.MEASURES if not m.startswith("matters_"))


def figures(m: Measures, measures: tuple[str, ...] = ROW_MEASURES) -> dict[str, Any]:
    """``measures`` of a row's counters, then the matters raised (answered + referred) and
    the share of them answered on the spot."""
    answered, referred = m["matters_answered"], m["matters_referred"]
    out: dict[str, Any] = {k: m[k] for k in measures}
    out.update(
        matters_raised=answered + referred,
        matters_answered=answered,
        matters_referred=referred,
        answered_share=liaison.share(answered, answered + referred),
    )
    return out


def _sum(
    rows: list[tuple[str, tuple[int, ...]]], measures: tuple[str, ...] = liaison.MEASURES
) -> dict[str, Measures]:
    """``measures`` per key; a key that comes in several rows (weeks) summed."""
    totals: dict[str, Measures] = {}
    for key, values in rows:
        found = totals.get(key)
        if found is None:
            totals[key] = dict(zip(measures, values, strict=True))
        else:
            for measure, value in zip(measures, values, strict=True):
                found[measure] += value
    return totals


async def _by_key(
    q: ViewQueries,
    dimension: str,
    f: Filters,
    wanted: dict[str, str],
    field: str,
    measures: tuple[str, ...] = liaison.MEASURES,
) -> dict[str, Measures]:
    """The dimension's ``measures`` in the filter's range, summed per ``field`` of the key."""
    at = liaison.DIMENSION_FIELDS[dimension].index(field)
    rows = await q.liaison_rows(dimension, f, wanted, measures=measures)
    return _sum([(parts[at], values) for parts, _period, values in rows], measures)


async def stations(q: ViewQueries, f: Filters) -> list[dict[str, Any]]:
    """Per station: what it is, its receptions, bookings and matters (with a district: what
    the station did in that division)."""
    check(q, f)
    if f.district:
        counted = await _by_key(q, "division", f, {"district_code": f.district}, "station_id")
    else:
        counted = await _by_key(q, "station", f, {}, "station_id")
    registry = await q.stations()
    rows = []
    for sid, (_name, _kind, divisions, status) in registry.items():
        if status == "active" and sid not in counted:
            if not f.district or f.district in (divisions or ()):
                counted[sid] = NOTHING
    for sid, m in counted.items():
        name, kind, divisions, status = registry.get(sid, UNKNOWN)
        divisions = list(divisions or ())
        rows.append(
            {
                "station_id": sid,
                "station_name": name or sid,
                "station_kind": kind,
                "station_kind_name": liaison.STATION_KIND_NAMES.get(kind or ""),
                "district_codes": divisions,
                "district_names": "、".join(q.district_names.get(d, d) for d in divisions),
                "status": status,
                **figures(m),
            }
        )
    rows.sort(key=lambda r: (-r["receptions_held"], -r["matters_raised"], r["station_id"]))
    return rows


async def weekly(q: ViewQueries, f: Filters) -> list[dict[str, Any]]:
    """Per ISO week (of the reception day): the city's, a division's, a station's or a
    station's in one division; the weeks in the range (or from the first to the last week
    with a reception) all listed, the empty ones with zeros."""
    check(q, f)
    wanted = {k: v for k, v in (("district_code", f.district), ("station_id", f.station_id)) if v}
    dimension = "division" if f.district else "station"
    rows = await q.liaison_rows(dimension, f, wanted, by_week=True, keys=False)
    weeks = _sum([(week_of(period), values) for _parts, period, values in rows])
    if f.start and f.end:
        span = weeks_between(f.start, f.end)
    elif weeks:
        span = weeks_between(monday_of(min(weeks)), monday_of(max(weeks)))
    else:
        span = []
    return [{"week": w, "week_start": monday_of(w), **figures(weeks.get(w, NOTHING))} for w in span]


async def deputies(q: ViewQueries, f: Filters) -> list[dict[str, Any]]:
    """Per deputy: receptions attended (held with the deputy there), scheduled and called
    off, and the matters the deputy took. A district filter keeps the deputies elected
    there (by the replica: a deputy it has not heard of is left out then)."""
    check(q, f)
    counted = await _by_key(q, "deputy", f, {}, "deputy_id", DEPUTY_COUNTED)
    registry = await q.deputies()
    for did, (_name, _level, _division, status) in registry.items():
        if status == "serving" and did not in counted:
            counted[did] = NOTHING
    dn, levels = q.district_names, liaison.DEPUTY_LEVEL_NAMES
    rows = []
    for did, m in counted.items():
        name, level, division, status = registry.get(did, UNKNOWN)
        if f.district and division != f.district:
            continue  # elected elsewhere, or not known to the replica
        rows.append(
            {
                "deputy_id": did,
                "deputy_name": name or did,
                "level": level,
                "level_name": levels.get(level or ""),
                "district_code": division,
                "district_name": dn.get(division or "", division),
                "status": status,
                "receptions_attended": m["receptions_held"],
                **figures(m, DEPUTY_MEASURES),
            }
        )
    rows.sort(key=lambda r: (-r["receptions_attended"], -r["matters_raised"], r["deputy_id"]))
    return rows


async def totals(q: ViewQueries, f: Filters) -> dict[str, Any]:
    """The city's (or a division's) figures in the range: aggregates only, for the public."""
    if f.district:
        rows = await q.liaison_rows("division", f, {"district_code": f.district})
    else:
        rows = await q.liaison_rows("station", f, {}, keys=False)
    total = _sum([("", values) for _parts, _period, values in rows]).get("", NOTHING)
    shown = figures(total)
    return {k: shown[k] for k in PUBLIC_FIGURES}
