"""The dashboard's questions, answered from the query objects of ``adapters/views.py``: the
figures, rates and rankings of each view, and who may see what of them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from minyi.contracts.status import label
from minyi.platform.auth_tokens import Principal, Role
from minyi.platform.errors import Forbidden, NotFound
from minyi.reporting.adapters.views import LiveViews, ViewQueries
from minyi.reporting.domain import rates as rate_rules
from minyi.reporting.domain.dimensions import (
    DIMENSION_FIELDS,
    MAX_PAGE,
    Filters,
    ItemQuery,
    cube_for,
)
from minyi.reporting.domain.periods import local_day, previous, week_of
from minyi.reporting.domain.projection import MEASURES, sort_key
from minyi.reporting.service_layer import deputy_queries, liaison_queries

# (key fields, period, {measure: value}) — every asked-for measure is present.
CounterRow = tuple[dict[str, str], str, dict[str, int]]
# Free text a citizen or a unit wrote: an analyst sees none of it.
FREE_TEXT = frozenset({"title"})
# What a case's view says in words (an analyst's timeline leaves it out), and the fields of a
# timeline entry's summary that are figures, codes or names of offices, never free text.
CASE_FREE_TEXT = frozenset({"title", "reply", "feedback", "explanation"})
# The same in a formal suggestion's part (``domain/formal.py``): the assignment's title.
FORMAL_FREE_TEXT = frozenset({"assigned_title", "ranks"})
TIMELINE_FIGURES = frozenset({
    "unit_id", "unit_name", "category", "focus_area", "district_code", "channel", "kind",
    "outcome", "on_time", "round", "attempt", "level", "target_name", "result", "satisfied",
    "score", "stage", "deadline", "reply_by", "filed_at", "assigned_at", "accepted_at",
    "replied_at", "closed_at", "reopened_at", "escalated_at", "marked_at", "issued_at",
    "received_at", "urgent",
})  # fmt: skip


async def sum_counts(
    q: ViewQueries,
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
        for parts, period, values in await q.counter_rows(
            dimension, filters, by_week=by_week, measures=measures, keys=keys
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


async def heatmap(q: ViewQueries, f: Filters) -> dict[str, list[dict[str, Any]]]:
    dn = q.district_names
    dim = cube_for(f, "district_code", "category", "focus_area")
    at = {field: i for i, field in enumerate(DIMENSION_FIELDS[dim])}
    district, category, focus = at["district_code"], at["category"], at["focus_area"]
    by_focus: dict[tuple[str, str], int] = defaultdict(int)
    by_category: dict[tuple[str, str], int] = defaultdict(int)
    for parts, _period, (n,) in await q.counter_rows(dim, f, measures=("n",)):
        by_focus[(parts[district], parts[focus])] += n
        by_category[(parts[district], parts[category])] += n
    stations: dict[tuple[str, str], int] = defaultdict(int)
    for parts, _period, (n,) in await q.counter_rows("station", f, measures=("n",)):
        stations[(parts[0], parts[1] if len(parts) > 1 else "")] += n
    week_filters = f
    if not (f.start and f.end):
        # Weekly series default to the twelve ISO weeks up to the latest day with data.
        end = await q.latest_day(dim) or date.today()
        monday = end - timedelta(days=end.weekday())
        # Whole weeks (the latest one has no data after ``end``): 12 week rows per key.
        week_filters = f.over(monday - timedelta(weeks=11), monday + timedelta(days=6))
    weeks: dict[tuple[str, str], int] = defaultdict(int)
    for parts, period, (n,) in await q.counter_rows(
        dim, week_filters, by_week=True, measures=("n",)
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


async def trends(q: ViewQueries, f: Filters) -> list[dict[str, Any]]:
    """Filed and answered per ISO week (answered counted by the week the item was filed)."""
    daily = await sum_counts(
        q, cube_for(f), f, by_week=True, measures=("n", "replied", "solved"), keys=False
    )
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    for _key, period, m in daily:
        _add(weeks[week_of(period)], m)
    return [
        {"week": w, "filed": m["n"], "replied": m["replied"], "solved": m["solved"]}
        for w, m in sorted(weeks.items())
    ]


HEADLINE_MEASURES = (
    "n", "solved", "replied", "closed", "accepted", "accepted_on_time", "replied_on_time",
    "satisfied", "rated", "ratings", "ratings_satisfied", "first_rated", "first_satisfied",
    "reopened", "overdue_open",
)  # fmt: skip
HEADLINE_RATES = (
    "resolution_rate", "solved_rate", "on_time_accept_rate", "on_time_reply_rate",
    "satisfaction_rate", "first_satisfaction_rate", "rehandled_satisfaction_rate",
    "closure_satisfaction_rate",
)  # fmt: skip
# The headline's counts (its rates are compared in points).
HEADLINE_COUNTS = ("suggestions_collected", "problems_solved", "replied", "closed", "overdue_now")


def _headline(total: Counter[str], f: Filters) -> dict[str, Any]:
    return {
        "from": f.start,
        "to": f.end,
        "suggestions_collected": total["n"],
        "problems_solved": total["solved"],
        "replied": total["replied"],
        "closed": total["closed"],
        "overdue_now": total["overdue_open"],
        # The ratings citizens gave (first, after re-handling) and the rated closures.
        "ratings": total["ratings"],
        "ratings_satisfied": total["ratings_satisfied"],
        "ratings_unsatisfied": total["ratings"] - total["ratings_satisfied"],
        "first_rated": total["first_rated"],
        "first_satisfied": total["first_satisfied"],
        "rated_closures": total["rated"],
        "satisfied_closures": total["satisfied"],
        **rate_rules.rates(total, *HEADLINE_RATES),
    }


async def headline(q: ViewQueries, f: Filters) -> dict[str, Any]:
    total: Counter[str] = Counter()
    for _key, _p, m in await sum_counts(q, cube_for(f), f, measures=HEADLINE_MEASURES, keys=False):
        _add(total, m)
    return _headline(total, f)


def _change(now: Any, before: Any, *, rate: bool) -> dict[str, Any]:
    """A figure against the previous period: the difference (in points for a rate) and,
    for a count, the relative change (None when the previous is 0 or a rate is missing)."""
    if now is None or before is None:
        return {"previous": before, "delta": None, "percent": None}
    delta = round(now - before, 4)
    percent = None if rate or not before else round((now - before) / before, 4)
    return {"previous": before, "delta": delta, "percent": percent}


async def headline_compared(q: ViewQueries, f: Filters) -> dict[str, Any]:
    """The headline, and with a range each figure against the period of the same length
    just before (``periods.previous``)."""
    now = await headline(q, f)
    if not (f.start and f.end):
        return {**now, "previous_from": None, "previous_to": None, "change": {}}
    start, end = previous(f.start, f.end)
    before = await headline(q, f.over(start, end))
    change = {k: _change(now[k], before[k], rate=False) for k in HEADLINE_COUNTS}
    change |= {k: _change(now[k], before[k], rate=True) for k in HEADLINE_RATES}
    return {**now, "previous_from": start, "previous_to": end, "change": change}


def _scalars(row: dict[str, Any]) -> dict[str, Any]:
    """A row for a sheet: its nested figures (samples, notes, changes) left out."""
    return {k: v for k, v in row.items() if not isinstance(v, dict | list)}


async def public_summary(q: ViewQueries, f: Filters) -> dict[str, Any]:
    """Aggregates only: no titles, no replies, no people (safe to publish)."""
    dn = q.district_names
    cube = await sum_counts(q, "cube", f, measures=HEADLINE_MEASURES)
    total: Counter[str] = Counter()
    for _key, _p, m in cube:
        _add(total, m)
    head = _headline(total, f)
    return {
        **{k: head[k] for k in ("from", "to", "suggestions_collected", "problems_solved")},
        "notes": head["notes"],
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
            {"status": s, "status_name": label(s), "count": m["n"]}
            for (s,), m in sorted(_total(cube, "status").items())
        ],
        # Receptions at liaison stations and what was raised there: counts only.
        "liaison": await liaison_queries.totals(q, f),
    }


FOLLOW_UP_MEASURES = ("n", "replied", "replied_on_time", "overdue_open")


def _follow_ups(rows: list[CounterRow]) -> dict[str, dict[str, int]]:
    """Per unit: commitments made, kept on time, kept late, overdue now; visit questions
    owed a written answer, answered on time, late, overdue now (first answers)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FOLLOW_UP_COLUMNS, 0))
    for (kind, unit_id), m in _total(rows, "kind", "unit_id").items():
        prefix, done = FOLLOW_UP_NAMES.get(kind, (None, ""))
        if prefix is None:
            continue
        figures = out[unit_id]
        figures[prefix] += m["n"]
        figures[f"{prefix}_{done}_on_time"] += m["replied_on_time"]
        figures[f"{prefix}_{done}_late"] += m["replied"] - m["replied_on_time"]
        figures[f"{prefix}_overdue_now"] += m["overdue_open"]
    return out


FOLLOW_UP_NAMES = {
    "commitment": ("commitments", "kept"),
    "visit_question": ("visit_questions", "answered"),
}
FOLLOW_UP_COLUMNS = tuple(
    column
    for prefix, done in FOLLOW_UP_NAMES.values()
    for column in (
        prefix,
        f"{prefix}_{done}_on_time",
        f"{prefix}_{done}_late",
        f"{prefix}_overdue_now",
    )
)


UNIT_RATES = (
    "on_time_reply_rate", "satisfaction_rate", "first_satisfaction_rate",
    "rehandled_satisfaction_rate", "closure_satisfaction_rate", "reopen_rate",
)  # fmt: skip


async def units(q: ViewQueries, f: Filters) -> list[dict[str, Any]]:
    unit_names = await q.names("unit")
    follow_ups = _follow_ups(await sum_counts(q, "followup", f, measures=FOLLOW_UP_MEASURES))
    appeals = _total(await sum_counts(q, "unit", f), "unit_id")
    for unit_id in follow_ups.keys() - {u for (u,) in appeals}:
        appeals[(unit_id,)] = Counter()  # a unit with commitments only
    rows = []
    for (unit_id,), m in appeals.items():
        rows.append(
            {
                "unit_id": unit_id,
                "unit_name": unit_names.get(unit_id, unit_id),
                "assigned": m["n"],
                "accepted": m["accepted"],
                "accepted_on_time": m["accepted_on_time"],
                "replied": m["replied"],
                "replied_on_time": m["replied_on_time"],
                "overdue_now": m["overdue_open"],
                # Calendar days from assignment to the first reply (no holiday calendar here).
                "mean_days_to_reply": round(m["reply_days"] / m["replied"], 2)
                if m["replied"]
                else None,
                "outcome_a": m["outcome_a"],
                "outcome_b": m["outcome_b"],
                "outcome_c": m["outcome_c"],
                "outcome_d": m["outcome_d"],
                # Every rating citizens gave (first and after re-handling), the first
                # ones, and the rated closures: satisfaction on each (``domain/rates.py``).
                "ratings": m["ratings"],
                "ratings_satisfied": m["ratings_satisfied"],
                "ratings_unsatisfied": m["ratings"] - m["ratings_satisfied"],
                "first_rated": m["first_rated"],
                "first_satisfied": m["first_satisfied"],
                "rated_closures": m["rated"],
                "satisfied_closures": m["satisfied"],
                **rate_rules.rates(m, *UNIT_RATES),
                # What officials of the unit promised at visits to stations, and how it went.
                **follow_ups.get(unit_id, dict.fromkeys(FOLLOW_UP_COLUMNS, 0)),
            }
        )
    rows.sort(key=lambda r: (-(r["on_time_reply_rate"] or 0), -r["replied"], r["unit_id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


async def supervision_groups(q: ViewQueries, f: Filters) -> list[dict[str, Any]]:
    group_names = await q.names("group")
    measures = ("escalated", "overdue_open", "replied", "closed")
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
            await sum_counts(q, "group", f, measures=measures), "group_id"
        ).items()
    ]
    rows.sort(key=lambda r: (-r["overdue_now"], -r["escalated"], r["group_id"]))
    return rows


async def recurring(q: ViewQueries, f: Filters, limit: int = 20) -> list[dict[str, Any]]:
    """Clusters by size, with their growth (new members filed in the window) and the titles
    of their newest members."""
    dn = q.district_names
    rows: list[dict[str, Any]] = []
    for r in await q.growing_clusters(f, limit):
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
    # Citizens' support (附议) of the appeals the office published (issue 19).
    supports = await q.support_counts("appeal", [str(r["cluster_id"]) for r in rows])
    for row in rows:
        row["sample_titles"] = await q.newest_titles(row["cluster_id"])
        row["supports"] = supports.get(str(row["cluster_id"]), 0)
    return rows


OUTCOME_NAMES = {
    "A": "已解决或基本解决",
    "B": "正在解决或列入计划",
    "C": "因条件限制暂不能解决",
    "D": "留作参考",
}
RATING_NAMES = {"satisfied": "满意", "unsatisfied": "不满意"}


def _item(q: ViewQueries, row: dict[str, Any]) -> dict[str, Any]:
    """A drill-down row as a person reads it: names and Chinese labels beside the codes, and
    how many days it is overdue (calendar days in Beijing time since the reply deadline,
    which supervision sets on the working-day calendar)."""
    district = row.get("district_code")
    reply_by = row.get("reply_by")
    days = None
    if row.get("overdue_open") and reply_by is not None:
        days = max(0, (local_day(q.now()) - local_day(reply_by)).days)
    return {
        **row,
        "district_name": q.district_names.get(district or "", district),
        "status_name": label(row["status"]),
        "outcome_name": OUTCOME_NAMES.get(row.get("outcome") or ""),
        "first_rating_name": RATING_NAMES.get(row.get("first_rating") or ""),
        "days_overdue": days,
    }


async def items(q: ViewQueries, query: ItemQuery) -> dict[str, Any]:
    """The items behind a figure (a drill-down), one page of them, and how many there are."""
    total, rows = await q.items(query)
    return {
        "total": total,
        "limit": query.limit,
        "offset": query.offset,
        "sort": query.sort,
        "measure": query.measure,
        "rows": [_item(q, r) for r in rows],
    }


async def overdue(q: ViewQueries, f: Filters, limit: int = 100) -> list[dict[str, Any]]:
    """Cases overdue now, the oldest deadline first, with title, district, unit and days."""
    page = await items(
        q, ItemQuery(f, measure="overdue_open", sort="reply_by", limit=min(limit, 200))
    )
    return list(page["rows"])


def _visible(who: Principal | None, row: dict[str, Any]) -> dict[str, Any]:
    """A drill-down row as ``who`` may see it: no title for an analyst, nor for a
    supervisor outside the group's districts."""
    if who is None or who.role is Role.ADMIN:
        return row
    if who.role is Role.SUPERVISOR and who.sees_district(row.get("district_code")):
        return row
    return {k: v for k, v in row.items() if k not in FREE_TEXT}


async def item_page(views: LiveViews, query: ItemQuery, who: Principal | None) -> dict[str, Any]:
    """``items`` as ``who`` may see them."""
    async with views.reading() as q:
        page = await items(q, query)
    page["rows"] = [_visible(who, r) for r in page["rows"]]
    return page


ITEM_EXPORT_COLUMNS = (
    "title", "district_name", "unit_name", "status_name", "category", "focus_area",
    "filed_at", "reply_by", "days_overdue", "replied_at", "outcome_name", "first_rating_name",
    "ratings", "ratings_satisfied", "closed_at", "suggestion_id",
)  # fmt: skip


def item_export(views: LiveViews, query: ItemQuery, who: Principal | None) -> Export:
    """Every item of a drill-down (all pages, in its order), as ``who`` may see them."""
    columns = list(ITEM_EXPORT_COLUMNS)
    if who is not None and who.role is Role.ANALYST:
        columns = [c for c in columns if c not in FREE_TEXT]

    async def rows() -> AsyncIterator[dict[str, Any]]:
        offset = 0
        while True:
            page = await item_page(views, replace(query, limit=MAX_PAGE, offset=offset), who)
            for row in page["rows"]:
                yield {c: row.get(c) for c in columns}
            offset += MAX_PAGE
            if offset >= page["total"] or not page["rows"]:
                return

    return Export(columns, rows())


async def latest_replies(
    views: LiveViews, limit: int, who: Principal | None
) -> list[dict[str, Any]]:
    """The newest answers (最新办结), newest first, as ``who`` may see them."""
    async with views.reading() as q:
        rows = [_item(q, r) for r in await q.latest_replies(limit)]
    return [_visible(who, r) for r in rows]


Query = Callable[[ViewQueries, Filters], Awaitable[Any]]


def _flat_heatmap(result: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    axes = {
        "district_focus": ("district_code", "focus_area"),
        "district_category": ("district_code", "category"),
        "week_category": ("week", "category"),
        "station_category": ("station_id", "category"),
    }
    return [
        {"matrix": name, "x": row[axes[name][0]], "y": row[axes[name][1]], "count": row["count"]}
        for name, rows in result.items()
        for row in rows
    ]


def _representative_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a sheet: the score's lines and the activities by kind as one cell each."""
    return [
        {
            **r,
            "score_lines": "；".join(
                f"{line['kind']} {line['entries']} 项 {line['points']} 分"
                for line in r["score_lines"]
            ),
            "activities_by_kind": "；".join(f"{k} {n}" for k, n in r["activities_by_kind"].items()),
        }
        for r in rows
    ]


def _lists_joined(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a sheet: a list (a station's divisions, a deputy's stations) as one cell."""
    return [{k: "、".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in rows]


@dataclass(frozen=True)
class Table:
    """A view that can be read as JSON and exported: its query, and its rows for a sheet."""

    query: Query
    rows: Callable[[Any], list[dict[str, Any]]]


TABLES: dict[str, Table] = {
    "heatmap": Table(heatmap, _flat_heatmap),
    "trends": Table(trends, list),
    "recurring": Table(recurring, list),
    "units": Table(units, lambda rows: [_scalars(r) for r in rows]),
    "supervision-groups": Table(supervision_groups, list),
    "representatives": Table(deputy_queries.representatives, _representative_rows),
    "representatives-coverage": Table(deputy_queries.coverage, deputy_queries.coverage_rows),
    "year-headline": Table(deputy_queries.year_headline, lambda h: [h]),
    "overdue": Table(overdue, list),
    "headline": Table(headline_compared, lambda h: [_scalars(h)]),
    "public-summary": Table(public_summary, lambda p: p["by_district"]),
    "liaison-stations": Table(liaison_queries.stations, _lists_joined),
    "liaison-weekly": Table(liaison_queries.weekly, list),
    "liaison-deputies": Table(liaison_queries.deputies, _lists_joined),
}
SUGGESTIONS = "suggestions"
EXPORTS = (*TABLES, SUGGESTIONS)
SUGGESTION_EXPORT_COLUMNS = (
    "suggestion_id", "status", "kind", "channel", "district_code", "station_id", "category",
    "focus_area", "unit_id", "unit_name", "outcome", "round", "on_time", "close_result",
    "escalation_level", "reopen_count", "reminder_count", "filed_at", "assigned_at",
    "replied_at", "closed_at", "title",
)  # fmt: skip


async def read(views: LiveViews, query: Query, f: Filters) -> Any:
    async with views.reading() as q:
        return await query(q, f)


def _without_free_text(who: Principal | None, result: Any) -> Any:
    """Rows of a view as ``who`` may see them: no free text for an analyst."""
    if who is None or who.role is not Role.ANALYST or not isinstance(result, list):
        return result
    return [
        {k: v for k, v in row.items() if k not in FREE_TEXT} if isinstance(row, dict) else row
        for row in result
    ]


async def table(views: LiveViews, name: str, f: Filters, who: Principal | None) -> Any:
    """View ``name`` as ``who`` may see it (``who`` None: the public)."""
    return _without_free_text(who, await read(views, TABLES[name].query, f))


@dataclass(frozen=True)
class Export:
    columns: list[str]
    rows: AsyncIterator[dict[str, Any]]


def suggestion_export(views: LiveViews, f: Filters, who: Principal | None) -> Export:
    """Every suggestion in the filter's range, as ``who`` may see it: no free text for an
    analyst, a supervisor only their group's districts."""
    if who is not None and who.role is Role.SUPERVISOR and not who.sees_district(f.district):
        raise Forbidden(
            "district_required",
            "请用 district 参数选择本督导组的区县（district outside your group）",
            field="district",
        )
    columns = list(SUGGESTION_EXPORT_COLUMNS)
    if who is not None and who.role is Role.ANALYST:
        columns = [c for c in columns if c not in FREE_TEXT]
    return Export(columns, views.suggestions(f, SUGGESTION_EXPORT_COLUMNS))


def check_export(name: str, fmt: str) -> None:
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise NotFound(
            "no_such_export",
            f"没有这个导出（export one of {list(EXPORTS)} as .csv or .xlsx, e.g. units.csv）",
        )


async def suggestion(views: LiveViews, sid: str, who: Principal) -> dict[str, Any]:
    """One suggestion with its timeline, if ``who`` may see it: its unit's staff and its
    districts' supervisors. Out of scope answers as not found: nothing about other units' or
    districts' cases."""
    async with views.reading() as q:
        view, timeline = await q.suggestion(sid)
    analyst = who.role is Role.ANALYST
    in_scope = view is not None and (
        analyst
        or (
            view["unit_id"] == who.unit
            if who.role is Role.UNIT_STAFF
            else who.sees_district(view["district_code"])
        )
    )
    if view is None or not in_scope:
        raise NotFound(
            "suggestion_not_found",
            f"报表中还没有事项 {sid}（suggestion {sid} is not known to reporting yet）",
        )
    hidden = {"generation", "position", "marks", "ranks"}
    result = {k: v for k, v in view.items() if k not in hidden}
    result["status_name"] = label(view["status"])
    entries = sorted((dict(e) for e in timeline), key=sort_key)
    result["timeline"] = [
        {k: v for k, v in e.items() if k not in ("suggestion_id", "generation")} for e in entries
    ]
    result["district_name"] = q.district_names.get(view["district_code"] or "")
    if isinstance(result.get("formal"), dict):  # the fold's ranks are no reader's business
        left_out = FORMAL_FREE_TEXT if analyst else {"ranks"}
        result["formal"] = {k: v for k, v in result["formal"].items() if k not in left_out}
    if analyst:
        # The steps, times and actors of a case, none of its free text (titles, replies,
        # comments, explanations): an analyst reads the path, not the words.
        result = {k: v for k, v in result.items() if k not in CASE_FREE_TEXT}
        for entry in result["timeline"]:
            entry["summary"] = {k: v for k, v in entry["summary"].items() if k in TIMELINE_FIGURES}
    return result


async def stats(views: LiveViews, f: Filters) -> dict[str, Any]:
    """Counts by status and by district."""
    summary = await read(views, public_summary, f)
    by_status = {r["status"]: r["count"] for r in summary["by_status"] if r["count"]}
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_district": [
            {k: r[k] for k in ("district_code", "district_name", "count")}
            for r in summary["by_district"]
            if r["count"] and r["district_code"]
        ],
    }
