"""The dashboard's questions, answered from the pre-aggregated counters (never a scan of
suggestions, except the bounded overdue list and samples)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.contracts.reference import load_divisions
from minyi.reporting.adapters.tables import activities, clusters, counts, names, suggestions
from minyi.reporting.domain.periods import ALL_TIME, covering, covering_weeks, week_of
from minyi.reporting.domain.projection import MEASURES, STATUS_NAMES_ZH, decode_key, encode_key

# Fields every counter key starts with, then the dimension's own.
# Fields every counter key starts with (the cube also has the status), then the dimension's
# own. A filter on a field a dimension lacks does not apply to it (documented per view).
HEAD = ("kind", "district_code")
DIMENSION_FIELDS: dict[str, tuple[str, ...]] = {
    "cube": ("kind", "status", "district_code", "category", "focus_area"),
    "area": (*HEAD, "category", "focus_area"),
    "unit": (*HEAD, "unit_id"),
    "group": (*HEAD, "group_id"),
    "station": ("station_id", "category"),
    "cluster": ("cluster_id",),
    "rep_filed": ("representative_id",),
    "rep_endorsed": ("representative_id",),
}


# The cube and its coarser copies, smallest first: a view reads the first one that has
# every field it groups by or is filtered on (the status only the cube has).
CUBES = ("area", "cube")


def cube_for(f: Filters, *fields: str) -> str:
    need = {*fields, *f.wanted()}
    return next(d for d in CUBES if need <= set(DIMENSION_FIELDS[d]))


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _key_filter(dimension: str, wanted: dict[str, str]) -> Any:
    """A condition on the encoded key that keeps (at least) the rows ``wanted`` asks for, so
    the database drops the others before they reach Python (which still checks exactly)."""
    fields = DIMENSION_FIELDS[dimension]
    parts = [wanted.get(f) for f in fields]
    if all(p is not None for p in parts):
        return counts.c.key == encode_key(tuple(str(p) for p in parts))
    pattern = "|".join("%" if p is None else _like(encode_key((p,))) for p in parts)
    return counts.c.key.like(pattern, escape="\\")


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


# (key parts in the dimension's field order, period, measure values in the asked order).
RawRow = tuple[list[str], str, tuple[int, ...]]


async def counter_rows(
    session: AsyncSession,
    generation: int,
    dimension: str,
    filters: Filters,
    *,
    by_week: bool = False,
    measures: tuple[str, ...] = MEASURES,
    keys: bool = True,
) -> list[RawRow]:
    """Counter rows of ``dimension`` in the filter's range, as plain lists and tuples (views
    with thousands of rows build their cells straight from these).

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
    if wanted:
        where.append(_key_filter(dimension, wanted))
    checks = [(fields.index(f), v) for f, v in wanted.items()]
    keyless = not keys and not wanted
    key_col = literal("") if keyless else counts.c.key
    columns = [key_col, period_col, *(func.sum(counts.c[m]) for m in measures)]
    # Grouped in the primary key's order (period, key) where both are wanted, so the
    # database aggregates straight off the index.
    group: tuple[Any, ...] = (counts.c.period, counts.c.key) if by_week else (counts.c.key,)
    if keyless:
        group = (counts.c.period,) if by_week else ()
    stmt = select(*columns).where(*where).group_by(*group)
    out: list[RawRow] = []
    for key, period, *values in (await session.execute(stmt)).all():
        if not any(values):
            continue  # a key every suggestion has moved away from
        parts = decode_key(key) if key else []
        # The database's LIKE is a superset (case-insensitive on SQLite): check exactly.
        if any(i < len(parts) and parts[i] != v for i, v in checks):
            continue
        out.append((parts, str(period), tuple(v or 0 for v in values)))
    return out


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
    """``counter_rows`` as (key fields, period, {measure: value})."""
    fields = DIMENSION_FIELDS[dimension]
    return [
        (dict(zip(fields, parts, strict=False)), period, dict(zip(measures, values, strict=True)))
        for parts, period, values in await counter_rows(
            session, generation, dimension, filters, by_week=by_week, measures=measures, keys=keys
        )
    ]


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
    dim = cube_for(f, "district_code", "category", "focus_area")
    at = {field: i for i, field in enumerate(DIMENSION_FIELDS[dim])}
    district, category, focus = at["district_code"], at["category"], at["focus_area"]
    by_focus: dict[tuple[str, str], int] = defaultdict(int)
    by_category: dict[tuple[str, str], int] = defaultdict(int)
    for parts, _period, (n,) in await counter_rows(session, gen, dim, f, measures=("n",)):
        by_focus[(parts[district], parts[focus])] += n
        by_category[(parts[district], parts[category])] += n
    stations: dict[tuple[str, str], int] = defaultdict(int)
    for parts, _period, (n,) in await counter_rows(session, gen, "station", f, measures=("n",)):
        stations[(parts[0], parts[1] if len(parts) > 1 else "")] += n
    week_filters = f
    if not (f.start and f.end):
        # Weekly series default to the twelve ISO weeks up to the latest day with data.
        latest = await session.scalar(
            select(func.max(counts.c.period)).where(
                counts.c.generation == gen,
                counts.c.dimension == dim,
                counts.c.period >= "d:",
                counts.c.period < "d;",
            )
        )
        end = date.fromisoformat(latest[2:]) if latest else date.today()
        monday = end - timedelta(days=end.weekday())
        # Whole weeks (the latest one has no data after ``end``): 12 week rows per key.
        week_filters = Filters(
            monday - timedelta(weeks=11), monday + timedelta(days=6), **_plain(f)
        )
    weeks: dict[tuple[str, str], int] = defaultdict(int)
    for parts, period, (n,) in await counter_rows(
        session, gen, dim, week_filters, by_week=True, measures=("n",)
    ):
        weeks[(week_of(period), parts[category])] += n

    def cells(totals: dict[tuple[str, str], int], a: str, b: str) -> list[dict[str, Any]]:
        rows = []
        for (x, y), n in sorted(totals.items()):
            if not n:
                continue
            row = {a: x or None, b: y or None, "count": n}
            if a == "district_code":
                row["district_name"] = dn.get(x, x)
            rows.append(row)
        return rows

    return {
        "district_focus": cells(by_focus, "district_code", "focus_area"),
        "district_category": cells(by_category, "district_code", "category"),
        "week_category": [
            {"week": w, "category": c or None, "count": n} for (w, c), n in sorted(weeks.items())
        ],
        "station_category": cells(stations, "station_id", "category"),
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
        session, gen, cube_for(f), f, by_week=True, measures=("n", "replied", "solved"), keys=False
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
        session, gen, cube_for(f), f, measures=HEADLINE_MEASURES, keys=False
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


def _period_where(table: Any, f: Filters) -> Any:
    if f.start and f.end:
        return table.c.period.in_(covering(f.start, f.end))
    return table.c.period == ALL_TIME


async def _sums_by_key(
    session: AsyncSession, gen: int, dimension: str, f: Filters, measures: tuple[str, ...]
) -> dict[str, tuple[int, ...]]:
    """A one-field dimension's measures summed per key in the filter's range (no filter but
    the range applies to it)."""
    stmt = (
        select(counts.c.key, *(func.sum(counts.c[m]) for m in measures))
        .where(
            counts.c.generation == gen,
            counts.c.dimension == dimension,
            _period_where(counts, f),
        )
        .group_by(counts.c.key)
    )
    return {
        str(key): tuple(int(v or 0) for v in values)
        for key, *values in (await session.execute(stmt)).all()
        if any(values)
    }


async def representatives(session: AsyncSession, gen: int, f: Filters) -> list[dict[str, Any]]:
    rep_measures = ("n", "solved")
    filed = await _sums_by_key(session, gen, "rep_filed", f, rep_measures)
    endorsed = await _sums_by_key(session, gen, "rep_endorsed", f, rep_measures)
    acts: dict[str, dict[str, int]] = defaultdict(dict)
    for rep, kind, n in (
        await session.execute(
            select(
                activities.c.representative_id, activities.c.activity_kind, func.sum(activities.c.n)
            )
            .where(activities.c.generation == gen, _period_where(activities, f))
            .group_by(activities.c.representative_id, activities.c.activity_kind)
        )
    ).all():
        acts[rep][kind] = acts[rep].get(kind, 0) + int(n)
    none = (0, 0)
    rows: list[dict[str, Any]] = []
    for rep in filed.keys() | endorsed.keys() | acts.keys():
        (fn, fs), (en, es) = filed.get(rep, none), endorsed.get(rep, none)
        by_kind = acts.get(rep, {})
        done = sum(by_kind.values())
        rows.append(
            {
                "representative_id": rep,
                "activities": done,
                "activities_by_kind": dict(sorted(by_kind.items())),
                "suggestions_filed": fn,
                "suggestions_endorsed": en,
                "filed_solved": fs,
                "resolved_share": _rate(fs + es, fn + en),
                # The ranking: every activity, filing and endorsement counts one.
                "score": done + fn + en,
            }
        )
    rows.sort(key=lambda r: (-int(r["score"]), str(r["representative_id"])))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


async def recurring(
    session: AsyncSession, gen: int, f: Filters, limit: int = 20
) -> list[dict[str, Any]]:
    """Clusters by size, with their growth (new members filed in the window).

    Summed, joined, ranked and cut to ``limit`` by the database: thousands of clusters
    grow in a month, twenty are shown."""
    dn = _district_names()
    n, solved = func.sum(counts.c.n), func.sum(counts.c.solved)
    growth = (
        select(counts.c.key.label("cluster_id"), n.label("n"), solved.label("solved"))
        .where(
            counts.c.generation == gen,
            counts.c.dimension == "cluster",
            _period_where(counts, f),
        )
        .group_by(counts.c.key)
        .having(or_(n != 0, solved != 0))  # not a key every member has moved away from
        .subquery()
    )
    known = func.coalesce(clusters.c.size, 0)
    size = case((known > growth.c.n, known), else_=growth.c.n)
    cluster_id: Any = growth.c.cluster_id
    if session.get_bind().dialect.name == "postgresql":
        cluster_id = cluster_id.collate("C")  # ties by code point, as Python sorts
    stmt = (
        select(
            growth.c.cluster_id,
            growth.c.n,
            growth.c.solved,
            size.label("size"),
            clusters.c.representative_title,
            clusters.c.district_code,
        )
        .select_from(
            growth.outerjoin(
                clusters,
                and_(clusters.c.generation == gen, clusters.c.cluster_id == growth.c.cluster_id),
            )
        )
        .order_by(size.desc(), growth.c.n.desc(), cluster_id)
        .limit(limit)
    )
    if f.district:  # a cluster's district is its own, not in the counter key
        stmt = stmt.where(clusters.c.district_code == f.district)
    rows: list[dict[str, Any]] = []
    for r in (await session.execute(stmt)).all():
        district = r.district_code or None
        rows.append(
            {
                "cluster_id": r.cluster_id,
                "representative_title": r.representative_title,
                "district_code": district,
                "district_name": dn.get(district or "", district),
                "size": int(r.size),
                "growth": int(r.n),
                "solved": int(r.solved or 0),
            }
        )
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
