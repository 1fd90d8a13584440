"""The dashboard's questions, answered from the pre-aggregated counters (never a scan of
suggestions, except the bounded overdue list and samples)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.contracts.reference import load_divisions
from minyi.reporting.adapters.tables import activities, clusters, counts, names, suggestions
from minyi.reporting.domain.periods import ALL_TIME, covering, covering_weeks, week_of
from minyi.reporting.domain.projection import MEASURES, STATUS_NAMES_ZH, decode_key

# Fields every counter key starts with, then the dimension's own.
# Fields every counter key starts with (the cube also has the status), then the dimension's
# own. A filter on a field a dimension lacks does not apply to it (documented per view).
HEAD = ("kind", "district_code")
DIMENSION_FIELDS: dict[str, tuple[str, ...]] = {
    "cube": ("kind", "status", "district_code", "category", "focus_area"),
    "unit": (*HEAD, "unit_id"),
    "group": (*HEAD, "group_id"),
    "station": ("station_id", "category"),
    "cluster": ("cluster_id",),
    "rep_filed": ("representative_id",),
    "rep_endorsed": ("representative_id",),
}


# (key fields, period, {measure: value}) — every asked-for measure is present.
CounterRow = tuple[dict[str, str], str, dict[str, int]]


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    district: str | None = None
    category: str | None = None
    focus_area: str | None = None
    kind: str | None = None
    status: str | None = None

    def wanted(self) -> dict[str, str]:
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


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _district_names() -> dict[str, str]:
    return {code: d.name for code, d in load_divisions().items()}


async def sum_counts(
    session: AsyncSession,
    generation: int,
    dimension: str,
    filters: Filters,
    *,
    by_week: bool = False,
    measures: tuple[str, ...] = MEASURES,
    keys: bool = True,
) -> list[CounterRow]:
    """Counter rows of ``dimension`` in the filter's range: (key fields, period, measures).

    Whole months are read from month rows and loose days from day rows; with ``by_week``
    whole weeks from week rows (for weekly series). With ``keys=False`` a caller that needs
    no key field gets the keys summed by the database, when no filter needs them."""
    fields = DIMENSION_FIELDS[dimension]
    where = [counts.c.generation == generation, counts.c.dimension == dimension]
    if filters.start and filters.end:
        cover = covering_weeks if by_week else covering
        where.append(counts.c.period.in_(cover(filters.start, filters.end)))
    elif by_week:
        # Every week: an index range, ``w:`` … ``w;`` (';' follows ':').
        where += [counts.c.period >= "w:", counts.c.period < "w;"]
    else:
        where.append(counts.c.period == ALL_TIME)
    period_col = counts.c.period if by_week else func.min(counts.c.period)
    # Only the measures asked for: summing and reading twenty columns is most of the cost.
    wanted = {f: v for f, v in filters.wanted().items() if f in fields}
    keyless = not keys and not wanted
    key_col = literal("") if keyless else counts.c.key
    columns = [key_col, period_col, *(func.sum(counts.c[m]) for m in measures)]
    # Grouped in the primary key's order (period, key) where both are wanted, so the
    # database aggregates straight off the index.
    group: tuple[Any, ...] = (counts.c.period, counts.c.key) if by_week else (counts.c.key,)
    if keyless:
        group = (counts.c.period,) if by_week else ()
    stmt = select(*columns).where(*where).group_by(*group)
    out = []
    for row in (await session.execute(stmt)).all():
        key = dict(zip(fields, decode_key(row[0] or ""), strict=False)) if row[0] else {}
        if any(key.get(f, v) != v for f, v in wanted.items()):
            continue
        if not any(row[2:]):
            continue  # a key every suggestion has moved away from
        # Plain dicts and loops, not Counter: Counter.update's type checks were most of the
        # time of a twelve-thousand-row weekly query.
        out.append((key, str(row[1]), dict(zip(measures, row[2:], strict=True))))
    return out


def _add(acc: Counter[str], measures: dict[str, int]) -> None:
    for m, v in measures.items():
        acc[m] += v or 0


def _total(rows: list[CounterRow], *fields: str) -> dict[Any, Counter[str]]:
    acc: dict[Any, Counter[str]] = defaultdict(Counter)
    for key, _period, measures in rows:
        _add(acc[tuple(key.get(f, "") for f in fields)], measures)
    return acc


async def _names(session: AsyncSession, generation: int, kind: str) -> dict[str, str]:
    rows = await session.execute(
        select(names.c.id, names.c.name).where(
            names.c.generation == generation, names.c.kind == kind
        )
    )
    return {str(r[0]): str(r[1]) for r in rows}


async def heatmap(session: AsyncSession, gen: int, f: Filters) -> dict[str, list[dict[str, Any]]]:
    dn = _district_names()
    cube = await sum_counts(session, gen, "cube", f, measures=("n",))
    stations = await sum_counts(session, gen, "station", f, measures=("n",))
    week_filters = f
    if not (f.start and f.end):
        # Weekly series default to the last twelve weeks that have data.
        latest = await session.scalar(
            select(func.max(counts.c.period)).where(
                counts.c.generation == gen,
                counts.c.dimension == "cube",
                counts.c.period >= "d:",
                counts.c.period < "d;",
            )
        )
        end = date.fromisoformat(latest[2:]) if latest else date.today()
        week_filters = Filters(end - timedelta(weeks=12), end, **_plain(f))
    daily = await sum_counts(session, gen, "cube", week_filters, by_week=True, measures=("n",))
    weeks: dict[tuple[str, str], int] = defaultdict(int)
    for key, period, m in daily:
        weeks[(week_of(period), key.get("category", ""))] += m["n"]

    def cells(totals: dict[Any, Counter[str]], a: str, b: str) -> list[dict[str, Any]]:
        rows = []
        for (x, y), m in sorted(totals.items()):
            row = {a: x or None, b: y or None, "count": m["n"]}
            if a == "district_code":
                row["district_name"] = dn.get(x, x)
            rows.append(row)
        return rows

    return {
        "district_focus": cells(
            _total(cube, "district_code", "focus_area"), "district_code", "focus_area"
        ),
        "district_category": cells(
            _total(cube, "district_code", "category"), "district_code", "category"
        ),
        "week_category": [
            {"week": w, "category": c or None, "count": n} for (w, c), n in sorted(weeks.items())
        ],
        "station_category": cells(
            _total(stations, "station_id", "category"), "station_id", "category"
        ),
    }


def _plain(f: Filters) -> dict[str, Any]:
    return {
        "district": f.district,
        "category": f.category,
        "focus_area": f.focus_area,
        "kind": f.kind,
        "status": f.status,
    }


async def trends(session: AsyncSession, gen: int, f: Filters) -> list[dict[str, Any]]:
    """Filed and answered per ISO week (answered counted by the week the item was filed)."""
    daily = await sum_counts(
        session, gen, "cube", f, by_week=True, measures=("n", "replied", "solved"), keys=False
    )
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    for _key, period, m in daily:
        _add(weeks[week_of(period)], m)
    return [
        {"week": w, "filed": m["n"], "replied": m["replied"], "solved": m["solved"]}
        for w, m in sorted(weeks.items())
    ]


HEADLINE_MEASURES = (
    "n", "solved", "replied", "closed", "replied_on_time", "satisfied", "rated", "overdue_open",
)  # fmt: skip


def _headline(total: Counter[str], f: Filters) -> dict[str, Any]:
    return {
        "from": f.start,
        "to": f.end,
        "suggestions_collected": total["n"],
        "problems_solved": total["solved"],
        "replied": total["replied"],
        "closed": total["closed"],
        "resolution_rate": _rate(total["replied"], total["n"]),
        "solved_rate": _rate(total["solved"], total["n"]),
        "on_time_reply_rate": _rate(total["replied_on_time"], total["replied"]),
        "satisfaction_rate": _rate(total["satisfied"], total["rated"]),
        "overdue_now": total["overdue_open"],
    }


async def headline(session: AsyncSession, gen: int, f: Filters) -> dict[str, Any]:
    total: Counter[str] = Counter()
    for _key, _p, m in await sum_counts(
        session, gen, "cube", f, measures=HEADLINE_MEASURES, keys=False
    ):
        _add(total, m)
    return _headline(total, f)


async def public_summary(session: AsyncSession, gen: int, f: Filters) -> dict[str, Any]:
    """Aggregates only: no titles, no replies, no people (safe to publish)."""
    dn = _district_names()
    cube = await sum_counts(session, gen, "cube", f, measures=HEADLINE_MEASURES)
    total: Counter[str] = Counter()
    for _key, _p, m in cube:
        _add(total, m)
    head = _headline(total, f)
    return {
        **{k: head[k] for k in ("from", "to", "suggestions_collected", "problems_solved")},
        **{k: head[k] for k in ("resolution_rate", "satisfaction_rate", "on_time_reply_rate")},
        "by_district": [
            {"district_code": d, "district_name": dn.get(d, d), "count": m["n"]}
            for (d,), m in sorted(_total(cube, "district_code").items())
        ],
        "by_category": [
            {"category": c or None, "count": m["n"]}
            for (c,), m in sorted(_total(cube, "category").items())
        ],
        "by_status": [
            {"status": s, "status_name": STATUS_NAMES_ZH.get(s, s), "count": m["n"]}
            for (s,), m in sorted(_total(cube, "status").items())
        ],
    }


async def units(session: AsyncSession, gen: int, f: Filters) -> list[dict[str, Any]]:
    unit_names = await _names(session, gen, "unit")
    rows = []
    for (unit_id,), m in _total(await sum_counts(session, gen, "unit", f), "unit_id").items():
        rows.append(
            {
                "unit_id": unit_id,
                "unit_name": unit_names.get(unit_id, unit_id),
                "assigned": m["n"],
                "accepted": m["accepted"],
                "accepted_on_time": m["accepted_on_time"],
                "replied": m["replied"],
                "replied_on_time": m["replied_on_time"],
                "on_time_reply_rate": _rate(m["replied_on_time"], m["replied"]),
                "overdue_now": m["overdue_open"],
                # Calendar days from assignment to the first reply (no holiday calendar here).
                "mean_days_to_reply": round(m["reply_days"] / m["replied"], 2)
                if m["replied"]
                else None,
                "outcome_a": m["outcome_a"],
                "outcome_b": m["outcome_b"],
                "outcome_c": m["outcome_c"],
                "outcome_d": m["outcome_d"],
                "satisfaction_rate": _rate(m["satisfied"], m["rated"]),
                "reopen_rate": _rate(m["reopened"], m["replied"]),
            }
        )
    rows.sort(key=lambda r: (-(r["on_time_reply_rate"] or 0), -r["replied"], r["unit_id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


async def supervision_groups(session: AsyncSession, gen: int, f: Filters) -> list[dict[str, Any]]:
    group_names = await _names(session, gen, "group")
    rows = [
        {
            "group_id": g,
            "group_name": group_names.get(g, g),
            "escalated": m["escalated"],
            "overdue_now": m["overdue_open"],
            "replied": m["replied"],
            "closed": m["closed"],
        }
        for (g,), m in _total(
            await sum_counts(
                session,
                gen,
                "group",
                f,
                measures=("escalated", "overdue_open", "replied", "closed"),
            ),
            "group_id",
        ).items()
    ]
    rows.sort(key=lambda r: (-r["overdue_now"], -r["escalated"], r["group_id"]))
    return rows


async def representatives(session: AsyncSession, gen: int, f: Filters) -> list[dict[str, Any]]:
    rep_measures = ("n", "solved")
    filed = _total(
        await sum_counts(session, gen, "rep_filed", f, measures=rep_measures), "representative_id"
    )
    endorsed = _total(
        await sum_counts(session, gen, "rep_endorsed", f, measures=rep_measures),
        "representative_id",
    )
    where = [activities.c.generation == gen]
    if f.start and f.end:
        where.append(activities.c.period.in_(covering(f.start, f.end)))
    else:
        where.append(activities.c.period == ALL_TIME)
    acts: dict[str, Counter[str]] = defaultdict(Counter)
    for rep, kind, n in (
        await session.execute(
            select(
                activities.c.representative_id, activities.c.activity_kind, func.sum(activities.c.n)
            )
            .where(*where)
            .group_by(activities.c.representative_id, activities.c.activity_kind)
        )
    ).all():
        acts[rep][kind] += int(n)
    reps = {r for (r,) in filed} | {r for (r,) in endorsed} | set(acts)
    rows: list[dict[str, Any]] = []
    for rep in reps:
        fm, em = filed.get((rep,), Counter()), endorsed.get((rep,), Counter())
        rows.append(
            {
                "representative_id": rep,
                "activities": sum(acts[rep].values()),
                "activities_by_kind": dict(sorted(acts[rep].items())),
                "suggestions_filed": fm["n"],
                "suggestions_endorsed": em["n"],
                "filed_solved": fm["solved"],
                "resolved_share": _rate(fm["solved"] + em["solved"], fm["n"] + em["n"]),
                # The ranking: every activity, filing and endorsement counts one.
                "score": sum(acts[rep].values()) + fm["n"] + em["n"],
            }
        )
    rows.sort(key=lambda r: (-int(r["score"]), str(r["representative_id"])))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


async def recurring(
    session: AsyncSession, gen: int, f: Filters, limit: int = 20
) -> list[dict[str, Any]]:
    """Clusters by size, with their growth (new members filed in the window)."""
    dn = _district_names()
    growth = _total(
        await sum_counts(session, gen, "cluster", f, measures=("n", "solved")), "cluster_id"
    )
    by_cluster: dict[str, Counter[str]] = {cid: m for (cid,), m in growth.items()}
    if not by_cluster:
        return []
    rows: list[dict[str, Any]] = []
    info = {
        r.cluster_id: r
        for r in (
            await session.execute(
                select(clusters).where(
                    clusters.c.generation == gen, clusters.c.cluster_id.in_(list(by_cluster))
                )
            )
        ).all()
    }
    for cid, m in by_cluster.items():
        c = info.get(cid)
        district = (c.district_code if c else None) or None
        rows.append(
            {
                "cluster_id": cid,
                "representative_title": c.representative_title if c else None,
                "district_code": district,
                "district_name": dn.get(district or "", district),
                "size": max(c.size if c else 0, m["n"]),
                "growth": m["n"],
                "solved": m["solved"],
            }
        )
    if f.district:  # a cluster's district is its own, not in the counter key
        rows = [r for r in rows if r["district_code"] == f.district]
    rows.sort(key=lambda r: (-int(r["size"]), -int(r["growth"]), str(r["cluster_id"])))
    rows = rows[:limit]
    for row in rows:
        row["sample_titles"] = list(
            (
                await session.execute(
                    select(suggestions.c.title)
                    .where(
                        suggestions.c.generation == gen,
                        suggestions.c.cluster_id == row["cluster_id"],
                    )
                    .order_by(suggestions.c.filed_at.desc(), suggestions.c.suggestion_id.desc())
                    .limit(3)
                )
            ).scalars()
        )
    return rows


async def overdue(
    session: AsyncSession, gen: int, f: Filters, limit: int = 100
) -> list[dict[str, Any]]:
    where = [suggestions.c.generation == gen, suggestions.c.overdue_open.is_(True)]
    if f.district:
        where.append(suggestions.c.district_code == f.district)
    if f.category:
        where.append(suggestions.c.category == f.category)
    rows = (
        await session.execute(
            select(
                suggestions.c.suggestion_id,
                suggestions.c.title,
                suggestions.c.district_code,
                suggestions.c.unit_id,
                suggestions.c.unit_name,
                suggestions.c.reply_by,
                suggestions.c.escalation_level,
                suggestions.c.status,
            )
            .where(*where)
            .order_by(suggestions.c.reply_by, suggestions.c.suggestion_id)
            .limit(limit)
        )
    ).mappings()
    return [dict(r) for r in rows]
