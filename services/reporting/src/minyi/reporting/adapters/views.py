"""The dashboard's reads of the live generation: the query objects behind every view.

Views read the pre-aggregated counters (never a scan of suggestions, except the bounded
overdue list, the samples and the streamed export). The use cases in
``service_layer/queries.py`` turn these rows into the dashboard's figures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, and_, case, func, literal, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from minyi.reporting.adapters.store import Generations
from minyi.reporting.adapters.tables import (
    activities,
    clusters,
    counts,
    deputy_scores,
    deputy_snapshots,
    events,
    liaison_counts,
    liaison_deputies,
    liaison_stations,
    liaison_visits,
    names,
    projects,
    public_appeals,
    suggestions,
    supports,
)
from minyi.reporting.domain import liaison
from minyi.reporting.domain.dimensions import DIMENSION_FIELDS, Filters, ItemQuery
from minyi.reporting.domain.periods import (
    ALL_TIME,
    CITY_TZ,
    covering,
    covering_weeks,
    local_day,
)
from minyi.reporting.domain.projection import FOLLOW_UPS, MEASURES, decode_key, encode_key

# (key parts in the dimension's field order, period, measure values in the asked order).
RawRow = tuple[list[str], str, tuple[int, ...]]


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _key_filter(table: Table, fields: tuple[str, ...], wanted: dict[str, str]) -> Any:
    """A condition on the encoded key that keeps (at least) the rows ``wanted`` asks for, so
    the database drops the others before they reach Python (which still checks exactly)."""
    parts = [wanted.get(f) for f in fields]
    if all(p is not None for p in parts):
        return table.c.key == encode_key(tuple(str(p) for p in parts))
    pattern = "|".join("%" if p is None else _like(encode_key((p,))) for p in parts)
    return table.c.key.like(pattern, escape="\\")


def _not_follow_up() -> Any:
    """A people's suggestion or a deputy's, not a visit's commitment or question nor a B
    answer's delivery (``FOLLOW_UPS``)."""
    return or_(suggestions.c.kind.is_(None), suggestions.c.kind.not_in(FOLLOW_UPS))


def _appeal() -> Any:
    """A people's appeal: no follow-up, and no deputy's formal suggestion (those count only
    in the formal report, ``domain/formal.py``)."""
    return and_(_not_follow_up(), suggestions.c.formal_number.is_(None))


def _measure_where(measure: str) -> Any:
    """The items that count in ``measure`` (``projection._measures``, row by row)."""
    s = suggestions.c
    replied = or_(s.first_replied_at.is_not(None), s.replied_at.is_not(None))
    rated = s.close_result.in_(("satisfied", "unsatisfied"))
    conditions: dict[str, Any] = {
        "n": literal(True),
        "assigned": s.unit_id.is_not(None),
        "accepted": s.accepted_at.is_not(None),
        "accepted_on_time": s.accepted_on_time.is_(True),
        "replied": replied,
        "replied_on_time": s.first_reply_on_time.is_(True),
        "replied_late": and_(replied, or_(s.first_reply_on_time.is_(None), ~s.first_reply_on_time)),
        "solved": s.outcome == "A",
        "outcome_a": s.outcome == "A",
        "outcome_b": s.outcome == "B",
        "outcome_c": s.outcome == "C",
        "outcome_d": s.outcome == "D",
        "closed": s.status == "closed",
        "rated": rated,
        "satisfied": s.close_result == "satisfied",
        "unsatisfied": s.close_result == "unsatisfied",
        "ratings": s.ratings > 0,
        "ratings_satisfied": s.ratings_satisfied > 0,
        "ratings_unsatisfied": s.ratings > s.ratings_satisfied,
        "first_rated": s.first_rating.is_not(None),
        "first_satisfied": s.first_rating == "satisfied",
        "first_unsatisfied": s.first_rating == "unsatisfied",
        "reopened": s.reopen_count > 0,
        "escalated": s.escalation_level > 0,
        "reminded": s.reminder_count > 0,
        "overdue_open": s.overdue_open.is_(True),
        "endorsements": s.endorsement_count > 0,
    }
    return conditions[measure]


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Beijing days ``start`` … ``end`` as [first instant, instant after)."""
    return (
        datetime.combine(start, time(), CITY_TZ),
        datetime.combine(end + timedelta(days=1), time(), CITY_TZ),
    )


ITEM_COLUMNS = (
    "suggestion_id", "title", "kind", "status", "district_code", "category", "focus_area",
    "unit_id", "unit_name", "filed_at", "reply_by", "replied_at", "closed_at", "outcome",
    "overdue_open", "escalation_level", "first_rating", "close_result", "ratings",
    "ratings_satisfied", "cluster_id", "station_id", "supervision_group_name",
)  # fmt: skip


# What the formal report reads of a formal suggestion's view (``formal.row``).
FORMAL_COLUMNS = (
    "suggestion_id", "title", "representative_id", "district_code", "unit_id", "unit_name",
    "filed_at", "assigned_at", "first_replied_at", "replied_at", "first_reply_on_time",
    "on_time", "outcome", "round", "status", "overdue_open", "formal_number", "formal_year",
    "formal",
)  # fmt: skip


def _period_where(table: Any, f: Filters) -> Any:
    if f.start and f.end:
        return table.c.period.in_(covering(f.start, f.end))
    return table.c.period == ALL_TIME


class ViewQueries:
    """Reads of one generation in one session (a view's queries see one snapshot of which
    generation is live)."""

    def __init__(
        self,
        session: AsyncSession,
        generation: int,
        district_names: Mapping[str, str],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session = session
        self.generation = generation
        # Reference data, not stored views: district code → name.
        self.district_names = district_names
        # The service's clock (simulations shift it): what "overdue by N days" counts to.
        self.now = now

    async def counter_rows(
        self,
        dimension: str,
        filters: Filters,
        *,
        by_week: bool = False,
        measures: tuple[str, ...] = MEASURES,
        keys: bool = True,
    ) -> list[RawRow]:
        """Counter rows of ``dimension`` in the filter's range, as plain lists and tuples
        (views with thousands of rows build their cells straight from these).

        Whole months are read from month rows and loose days from day rows; with ``by_week``
        whole weeks from week rows (for weekly series). With ``keys=False`` a caller that
        needs no key field gets the keys summed by the database, when no filter needs them."""
        fields = DIMENSION_FIELDS[dimension]
        wanted = {f: v for f, v in filters.wanted().items() if f in fields}
        return await self._rows(counts, dimension, fields, wanted, filters, by_week, measures, keys)

    async def liaison_rows(
        self,
        dimension: str,
        filters: Filters,
        wanted: dict[str, str],
        *,
        by_week: bool = False,
        measures: tuple[str, ...] = liaison.MEASURES,
        keys: bool = True,
    ) -> list[RawRow]:
        """``counter_rows`` of the liaison counters (``liaison.DIMENSION_FIELDS``), the key
        fields ``wanted`` (district_code, station_id) picked by the caller."""
        fields = liaison.DIMENSION_FIELDS[dimension]
        wanted = {f: v for f, v in wanted.items() if f in fields}
        return await self._rows(
            liaison_counts, dimension, fields, wanted, filters, by_week, measures, keys
        )

    async def _rows(
        self,
        table: Table,
        dimension: str,
        fields: tuple[str, ...],
        wanted: dict[str, str],
        filters: Filters,
        by_week: bool,
        measures: tuple[str, ...],
        keys: bool,
    ) -> list[RawRow]:
        where = [table.c.generation == self.generation, table.c.dimension == dimension]
        if filters.start and filters.end:
            cover = covering_weeks if by_week else covering
            where.append(table.c.period.in_(cover(filters.start, filters.end)))
        elif by_week:
            # Every week: an index range, ``w:`` … ``w;`` (';' follows ':').
            where += [table.c.period >= "w:", table.c.period < "w;"]
        else:
            where.append(table.c.period == ALL_TIME)
        period_col = table.c.period if by_week else func.min(table.c.period)
        # Only the measures asked for: summing and reading twenty columns is most of the cost.
        if wanted:
            where.append(_key_filter(table, fields, wanted))
        checks = [(fields.index(f), v) for f, v in wanted.items()]
        keyless = not keys and not wanted
        key_col = literal("") if keyless else table.c.key
        if not (keyless or by_week or (filters.start and filters.end)):
            # Each key's one all-time row: nothing to sum (2-3× faster over thousands of keys).
            stmt = select(key_col, table.c.period, *(table.c[m] for m in measures)).where(*where)
        else:
            columns = [key_col, period_col, *(func.sum(table.c[m]) for m in measures)]
            # Grouped in the primary key's order (period, key) where both are wanted, so the
            # database aggregates straight off the index.
            group: tuple[Any, ...] = (table.c.period, table.c.key) if by_week else (table.c.key,)
            if keyless:
                group = (table.c.period,) if by_week else ()
            stmt = select(*columns).where(*where).group_by(*group)
        out: list[RawRow] = []
        for key, period, *values in (await self._session.execute(stmt)).all():
            if not any(values):
                continue  # a key every suggestion has moved away from
            parts = decode_key(key) if key else []
            # The database's LIKE is a superset (case-insensitive on SQLite): check exactly.
            if any(i < len(parts) and parts[i] != v for i, v in checks):
                continue
            out.append((parts, str(period), tuple(v or 0 for v in values)))
        return out

    async def latest_day(self, dimension: str) -> date | None:
        """The latest day with a counter row of ``dimension``."""
        latest = await self._session.scalar(
            select(func.max(counts.c.period)).where(
                counts.c.generation == self.generation,
                counts.c.dimension == dimension,
                counts.c.period >= "d:",
                counts.c.period < "d;",
            )
        )
        return date.fromisoformat(latest[2:]) if latest else None

    async def names(self, kind: str) -> dict[str, str]:
        rows = await self._session.execute(
            select(names.c.id, names.c.name).where(
                names.c.generation == self.generation, names.c.kind == kind
            )
        )
        return {str(r[0]): str(r[1]) for r in rows}

    async def stations(self) -> dict[str, tuple[Any, ...]]:
        """The station replica: id → (name, kind, division_codes, status)."""
        t = liaison_stations
        return await self._registry(
            t.c.station_id, t.c.name, t.c.kind, t.c.division_codes, t.c.status
        )

    async def deputies(self) -> dict[str, tuple[Any, ...]]:
        """The deputy replica: id → (name, level, division_code, status)."""
        t = liaison_deputies
        return await self._registry(
            t.c.deputy_id, t.c.name, t.c.level, t.c.division_code, t.c.status
        )

    async def _registry(self, key: Any, *columns: Any) -> dict[str, tuple[Any, ...]]:
        # Plain tuples of the columns a view shows (thousands of deputies: no whole rows).
        table = key.table
        rows = await self._session.execute(
            select(key, *columns).where(table.c.generation == self.generation)
        )
        return {str(r[0]): tuple(r[1:]) for r in rows.all()}

    async def sums_by_key(
        self, dimension: str, f: Filters, measures: tuple[str, ...]
    ) -> dict[str, tuple[int, ...]]:
        """A one-field dimension's measures summed per key in the filter's range (no filter
        but the range applies to it)."""
        stmt = (
            select(counts.c.key, *(func.sum(counts.c[m]) for m in measures))
            .where(
                counts.c.generation == self.generation,
                counts.c.dimension == dimension,
                _period_where(counts, f),
            )
            .group_by(counts.c.key)
        )
        return {
            str(key): tuple(int(v or 0) for v in values)
            for key, *values in (await self._session.execute(stmt)).all()
            if any(values)
        }

    async def activities(self, f: Filters) -> list[tuple[str, str, int]]:
        """(representative, activity kind, count) in the filter's range."""
        rows = await self._session.execute(
            select(
                activities.c.representative_id, activities.c.activity_kind, func.sum(activities.c.n)
            )
            .where(activities.c.generation == self.generation, _period_where(activities, f))
            .group_by(activities.c.representative_id, activities.c.activity_kind)
        )
        return [(str(rep), str(kind), int(n)) for rep, kind, n in rows.all()]

    async def latest_deputy_day(self) -> date | None:
        """The latest day with a deputy's activity, reception or filing counted (the default
        year and quarter of the deputies' views)."""
        found: list[str] = []
        for table, where in (
            (activities, []),
            (liaison_counts, [liaison_counts.c.dimension == "deputy"]),
            (counts, [counts.c.dimension == "area"]),
        ):
            latest = await self._session.scalar(
                select(func.max(table.c.period)).where(
                    table.c.generation == self.generation,
                    table.c.period >= "d:",
                    table.c.period < "d;",
                    *where,
                )
            )
            if latest:
                found.append(latest)
        return date.fromisoformat(max(found)[2:]) if found else None

    async def scores(self, year: int | None) -> dict[str, dict[str, Any]]:
        """Each deputy's policy score for ``year`` (None: for the latest year scored)."""
        t = deputy_scores
        stmt = select(
            t.c.deputy_id, t.c.year, t.c.score, t.c.band, t.c.band_label, t.c.lines,
            t.c.policy_version, t.c.version, t.c.scored_at,
        ).where(t.c.generation == self.generation, t.c.score.is_not(None))  # fmt: skip
        if year is not None:
            stmt = stmt.where(t.c.year == year)
        out: dict[str, dict[str, Any]] = {}
        for row in (await self._session.execute(stmt)).mappings():
            found = out.get(row["deputy_id"])
            if found is None or row["year"] > found["year"]:
                out[str(row["deputy_id"])] = dict(row)
        return out

    async def snapshots(self, quarter: str) -> dict[str, dict[str, Any]]:
        """Each deputy's published snapshot of ``quarter``."""
        t = deputy_snapshots
        rows = await self._session.execute(
            select(
                t.c.deputy_id, t.c.quarter, t.c.score, t.c.band, t.c.band_label, t.c.lines,
                t.c.policy_version, t.c.published_at,
            ).where(
                t.c.generation == self.generation, t.c.quarter == quarter, t.c.score.is_not(None)
            )
        )  # fmt: skip
        return {str(r["deputy_id"]): dict(r) for r in rows.mappings()}

    async def visits_held(self, start: date, end: date) -> list[tuple[str, list[str]]]:
        """(visit, deputies present) of the visits held from ``start`` to ``end`` (Beijing
        days, both included)."""
        t = liaison_visits
        first = datetime.combine(start, time(), CITY_TZ)
        after = datetime.combine(end + timedelta(days=1), time(), CITY_TZ)
        rows = await self._session.execute(
            select(t.c.visit_id, t.c.deputy_ids).where(
                t.c.generation == self.generation,
                t.c.held_at >= first,
                t.c.held_at < after,
                t.c.status == "held",
            )
        )
        return [(str(v), list(ids or ())) for v, ids in rows.all()]

    async def growing_clusters(self, f: Filters, limit: int) -> Sequence[Any]:
        """Clusters by size, with their growth (new members filed in the window): rows of
        cluster_id, n, solved, size, representative_title, district_code.

        Summed, joined, ranked and cut to ``limit`` by the database: thousands of clusters
        grow in a month, twenty are shown."""
        gen = self.generation
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
        if self._session.get_bind().dialect.name == "postgresql":
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
                    and_(
                        clusters.c.generation == gen, clusters.c.cluster_id == growth.c.cluster_id
                    ),
                )
            )
            .order_by(size.desc(), growth.c.n.desc(), cluster_id)
            .limit(limit)
        )
        if f.district:  # a cluster's district is its own, not in the counter key
            stmt = stmt.where(clusters.c.district_code == f.district)
        return (await self._session.execute(stmt)).all()

    async def newest_titles(self, cluster_id: str, limit: int = 3) -> list[str]:
        """A cluster's newest members' titles (straight off ``ix_suggestions_cluster_filed``)."""
        return list(
            (
                await self._session.execute(
                    select(suggestions.c.title)
                    .where(
                        suggestions.c.generation == self.generation,
                        suggestions.c.cluster_id == cluster_id,
                    )
                    .order_by(suggestions.c.filed_at.desc(), suggestions.c.suggestion_id.desc())
                    .limit(limit)
                )
            ).scalars()
        )

    async def overdue(self, f: Filters, limit: int) -> list[dict[str, Any]]:
        """Cases overdue now, the oldest deadline first."""
        where = [
            suggestions.c.generation == self.generation,
            suggestions.c.overdue_open.is_(True),
            _appeal(),
        ]
        if f.district:
            where.append(suggestions.c.district_code == f.district)
        if f.category:
            where.append(suggestions.c.category == f.category)
        rows = (
            await self._session.execute(
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

    async def items(self, q: ItemQuery) -> tuple[int, list[dict[str, Any]]]:
        """A drill-down list: how many items match, and the page asked for. The items are
        those the counters count for the same filters: filed (Beijing day) in the range,
        keyed by their current district, category, unit…, counted in ``q.measure``."""
        s, f = suggestions.c, q.filters
        where = [
            s.generation == self.generation,
            s.filed_at.is_not(None),
            _measure_where(q.measure),
        ]
        # As the counters: a deputy's own list (``rep_filed``) has his or her formal
        # suggestions too, every other figure none (a kind names the follow-ups asked for).
        if f.kind:
            where.append(s.kind == f.kind)
        else:
            where.append(_not_follow_up())
        if not q.representative_id:
            where.append(s.formal_number.is_(None))
        for column, value in (
            (s.district_code, f.district),
            (s.category, f.category),
            (s.focus_area, f.focus_area),
            (s.status, f.status),
            (s.unit_id, q.unit_id),
            (s.supervision_group, q.group_id),
            (s.station_id, q.station_id),
            (s.cluster_id, q.cluster_id),
            (s.representative_id, q.representative_id),
        ):
            if value:
                where.append(column == value)
        if f.start and f.end:
            first, after = _day_bounds(f.start, f.end)
            where += [s.filed_at >= first, s.filed_at < after]
        total = await self._session.scalar(select(func.count()).where(*where)) or 0
        field = q.sort.removeprefix("-")
        column = s[field]
        order = column.desc() if q.sort.startswith("-") else column.asc()
        stmt = (
            select(*(s[c] for c in ITEM_COLUMNS))
            .where(*where)
            .order_by(order.nulls_last(), s.suggestion_id)
            .limit(q.limit)
            .offset(q.offset)
        )
        rows = (await self._session.execute(stmt)).mappings()
        return int(total), [dict(r) for r in rows]

    async def latest_replies(self, limit: int) -> list[dict[str, Any]]:
        """The newest answers (最新办结), newest first (straight off ``ix_suggestions_replied``)."""
        s = suggestions.c
        stmt = (
            select(*(s[c] for c in ITEM_COLUMNS), s.on_time, s.round)
            .where(s.generation == self.generation, s.replied_at.is_not(None), _appeal())
            .order_by(s.replied_at.desc(), s.suggestion_id.desc())
            .limit(limit)
        )
        return [dict(r) for r in (await self._session.execute(stmt)).mappings()]

    async def formal_views(self, year: int) -> list[dict[str, Any]]:
        """A year's formal suggestions' views, by number (off ``ix_suggestions_formal_year``)."""
        s = suggestions.c
        stmt = (
            select(*(s[c] for c in FORMAL_COLUMNS))
            .where(s.generation == self.generation, s.formal_year == year)
            .order_by(s.formal_number, s.suggestion_id)
        )
        return [dict(r) for r in (await self._session.execute(stmt)).mappings()]

    async def views_of(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Items' views by id (B answers' deliveries), read in chunks."""
        s = suggestions.c
        out: dict[str, dict[str, Any]] = {}
        unique = sorted(set(ids))
        for i in range(0, len(unique), 500):
            stmt = select(s.suggestion_id, s.replied_at, s.on_time, s.overdue_open).where(
                s.generation == self.generation, s.suggestion_id.in_(unique[i : i + 500])
            )
            for r in (await self._session.execute(stmt)).mappings():
                out[str(r["suggestion_id"])] = dict(r)
        return out

    async def suggestion(self, sid: str) -> tuple[RowMapping | None, Sequence[RowMapping]]:
        """One suggestion's view row (None if unknown) and its timeline rows."""
        view = (
            (
                await self._session.execute(
                    select(suggestions).where(
                        suggestions.c.generation == self.generation,
                        suggestions.c.suggestion_id == sid,
                    )
                )
            )
            .mappings()
            .first()
        )
        timeline = (
            (
                await self._session.execute(
                    select(events).where(
                        events.c.generation == self.generation, events.c.suggestion_id == sid
                    )
                )
            )
            .mappings()
            .all()
        )
        return view, timeline

    # ---- projects in public (issue 19) --------------------------------------------------

    async def project_records(self, focus_area: str | None = None) -> list[dict[str, Any]]:
        """Every project's folded record (a city has tens), optionally of one focus area."""
        where = [projects.c.generation == self.generation, projects.c.name.is_not(None)]
        if focus_area:
            where.append(projects.c.focus_area == focus_area)
        rows = await self._session.execute(
            select(projects.c.record).where(*where).order_by(projects.c.project_id)
        )
        return [dict(r or {}) for r in rows.scalars()]

    async def project_record(self, pid: str) -> dict[str, Any] | None:
        record = await self._session.scalar(
            select(projects.c.record).where(
                projects.c.generation == self.generation,
                projects.c.project_id == pid,
                projects.c.name.is_not(None),
            )
        )
        return dict(record) if record else None

    async def published_appeals(self, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The recurring appeals the office published (withdrawn ones left out)."""
        t = public_appeals
        where = [t.c.generation == self.generation, t.c.public.is_(True)]
        if ids is not None:
            where.append(t.c.cluster_id.in_(list(ids)))
        rows = await self._session.execute(
            select(
                t.c.cluster_id, t.c.title, t.c.division_codes, t.c.focus_area, t.c.published_at
            ).where(*where)
        )
        return [dict(r) for r in rows.mappings()]

    async def support_counts(self, kind: str, ids: Sequence[str]) -> dict[str, int]:
        if not ids:
            return {}
        rows = await self._session.execute(
            select(supports.c.target_id, supports.c.n).where(
                supports.c.generation == self.generation,
                supports.c.target_kind == kind,
                supports.c.target_id.in_(list(ids)),
            )
        )
        return {str(i): int(n) for i, n in rows.all()}

    async def cluster_sizes(self, ids: Sequence[str]) -> dict[str, int]:
        """Suggestions in each cluster: its members' all-time count, or the size routing
        reported, whichever is greater (as the recurring view)."""
        if not ids:
            return {}
        members = await self._session.execute(
            select(counts.c.key, counts.c.n).where(
                counts.c.generation == self.generation,
                counts.c.dimension == "cluster",
                counts.c.period == ALL_TIME,
                counts.c.key.in_([encode_key((i,)) for i in ids]),
            )
        )
        out = {decode_key(k)[0]: int(n or 0) for k, n in members.all()}
        reported = await self._session.execute(
            select(clusters.c.cluster_id, clusters.c.size).where(
                clusters.c.generation == self.generation, clusters.c.cluster_id.in_(list(ids))
            )
        )
        for cid, size in reported.all():
            out[str(cid)] = max(out.get(str(cid), 0), int(size or 0))
        return out

    async def linked_suggestions(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """A project's linked suggestions: status and answer, and the title (the caller
        shows it only where the citizen agreed)."""
        if not ids:
            return []
        s = suggestions.c
        rows = await self._session.execute(
            select(s.suggestion_id, s.status, s.outcome, s.title, s.publish_consent).where(
                s.generation == self.generation,
                s.suggestion_id.in_(list(ids)),
                s.filed_at.is_not(None),
            )
        )
        return [dict(r) for r in rows.mappings()]

    async def station_points(self) -> list[dict[str, Any]]:
        """Stations with coordinates (the map's points); ended ones left out."""
        t = liaison_stations
        rows = await self._session.execute(
            select(t.c.station_id, t.c.name, t.c.kind, t.c.division_codes, t.c.latitude,
                   t.c.longitude)
            .where(
                t.c.generation == self.generation,
                t.c.latitude.is_not(None),
                t.c.longitude.is_not(None),
                or_(t.c.status.is_(None), t.c.status != "ended"),
            )
            .order_by(t.c.station_id)
        )  # fmt: skip
        return [dict(r) for r in rows.mappings()]


class LiveViews:
    """What routes read through: each read opens a session for just as long as its queries
    run (the one SQLite connection is shared with the consumer's writes)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        district_names: Mapping[str, str],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self.district_names = district_names
        self.now = now

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[ViewQueries]:
        async with self._sessions() as s:
            live = await Generations(s).live()
            yield ViewQueries(s, live, self.district_names, self.now)

    async def suggestions(
        self, f: Filters, columns: Sequence[str]
    ) -> AsyncIterator[dict[str, Any]]:
        """Every suggestion filed in the filter's range, streamed from the database in chunks
        (exports of any size)."""
        async with self._sessions() as s:
            gen = await Generations(s).live()
            where = [
                suggestions.c.generation == gen,
                suggestions.c.filed_at.is_not(None),
                _appeal(),
            ]
            for column, value in f.wanted().items():
                where.append(suggestions.c[column] == value)
            stmt = select(*(suggestions.c[c] for c in columns)).where(*where)
            result = await s.stream(
                stmt.order_by(suggestions.c.suggestion_id).execution_options(yield_per=1000)
            )
            async for row in result.mappings():
                if f.start and f.end and row["filed_at"]:
                    if not f.start <= local_day(row["filed_at"]) <= f.end:
                        continue
                yield dict(row)
