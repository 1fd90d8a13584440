"""Writing the read models (what the fold of one event changes, in every generation being
kept) and the generations themselves (``projection_state``)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import String, Table, bindparam, delete, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from minyi.contracts.envelope import RawEvent
from minyi.platform.db import dialect_insert, insert_or_ignore
from minyi.platform.driver_sql import (
    INSERT_CHUNK,
    DriverStatement,
    Processor,
    column_types,
    compile_for,
    insert_returning,
    padded,
    per_dialect,
)
from minyi.platform.errors import Conflict
from minyi.platform.sql_lists import ValueList, in_list
from minyi.reporting.adapters.tables import (
    GENERATIONAL,
    activities,
    clusters,
    counts,
    deputy_scores,
    deputy_snapshots,
    events,
    liaison_counts,
    liaison_deputies,
    liaison_receptions,
    liaison_stations,
    liaison_visits,
    names,
    projection_state,
    projects,
    public_appeals,
    suggestions,
    supports,
)
from minyi.reporting.domain import liaison
from minyi.reporting.domain.events import VIEWLESS_STEPS, step_of, suggestion_of
from minyi.reporting.domain.projection import (
    MEASURES,
    UNKNOWN_STATUS,
    contributions,
    delta,
    timeline_entry,
)

# The liaison read models the fold keeps a row of, each with its key column.
LiaisonRecord = Literal["reception", "station", "deputy", "visit"]
_LIAISON_TABLES: dict[str, tuple[Table, str]] = {
    "reception": (liaison_receptions, "reception_id"),
    "station": (liaison_stations, "station_id"),
    "deputy": (liaison_deputies, "deputy_id"),
    "visit": (liaison_visits, "visit_id"),
}
# Rows read (and locked) once per transaction and rewritten whole when it is flushed: the
# liaison records, and recurring-appeal clusters (a clustered event per suggestion once
# clusters form; an UPDATE built per event was 5 % of reporting's CPU after 20,000).
_BATCHED_TABLES: dict[str, tuple[Table, str]] = {
    **_LIAISON_TABLES,
    "cluster": (clusters, "cluster_id"),
}
# A deputy's score per year, and per published quarter, by the column of the period.
ScoreRecord = Literal["year", "quarter"]
_SCORE_TABLES: dict[str, Table] = {"year": deputy_scores, "quarter": deputy_snapshots}


class ViewWrites:
    """The view rows and counter changes of one transaction, written once before it commits.

    Events folded in one group commit share this (``UnitOfWork.batch``): a suggestion's row
    is read (and locked) once per transaction, and each counter row gets one upsert carrying
    the sum of every change instead of one upsert per event (the fold's main cost).
    """

    def __init__(self) -> None:
        # The suggestion views as folded, and each as it was read (what its row holds): at
        # the flush only the columns that differ are written, and the counters get the
        # difference of the two views' contributions — the sum of every event's change,
        # since folds never change a view in place (they return a new one).
        self.rows: dict[tuple[int, str], dict[str, Any]] = {}
        self.stored: dict[tuple[int, str], dict[str, Any]] = {}
        # Counter changes by (generation, dimension, period, key): the table's key order.
        self.counts: dict[tuple[int, str, str, str], dict[str, int]] = {}
        self.names: dict[tuple[int, str, str], str] = {}
        self.generations: list[int] | None = None
        # Liaison records and clusters by (record, generation, id) (``_BATCHED_TABLES``),
        # and the liaison counters (as ``counts``).
        self.records: dict[tuple[str, int, str], dict[str, Any]] = {}
        self.liaison_counts: dict[tuple[int, str, str, str], dict[str, int]] = {}

    async def flush(self, session: AsyncSession) -> None:
        dialect = session.get_bind().dialect
        statements = _statements(dialect)
        connection = await session.connection()
        if self.names:
            await statements.names.run_many(
                connection, [(g, k, i, n) for (g, k, i), n in sorted(self.names.items())]
            )
            self.names.clear()
        if self.rows:
            await self._write_views(dialect, connection)
            self.rows.clear()
            self.stored.clear()
        await statements.counts.run_many(connection, _counter_rows(self.counts, MEASURES))
        if self.records:
            for record, (table, _key) in _BATCHED_TABLES.items():
                changed = [((g, i), v) for (r, g, i), v in self.records.items() if r == record]
                if changed:
                    await session.execute(_update_row(table), _row_updates(table, changed))
            self.records.clear()
        rows = _counter_rows(self.liaison_counts, liaison.MEASURES)
        await statements.liaison_counts.run_many(connection, rows)

    async def _write_views(self, dialect: Dialect, connection: AsyncConnection) -> None:
        """The views that changed, in one UPDATE of the columns that changed in any of them
        (the others' values as stored: one statement costs more than a few columns); a view
        whose values did not change is not written. Their counter changes go to ``counts``."""
        changed: set[str] = set()
        written: list[tuple[int, str, dict[str, Any]]] = []
        for (generation, sid), view in self.rows.items():
            stored = self.stored[(generation, sid)]
            if view is stored:
                continue  # only read (a resolution's kind, say)
            # A value equal but of another type (1 and True, 1 and 1.0) is written: it may
            # be stored differently.
            differ = {
                c
                for c in view.keys() | stored.keys()
                if (new := view.get(c)) != (old := stored.get(c)) or type(new) is not type(old)
            }
            if differ:
                changed |= differ
                written.append((generation, sid, view))
                diff = delta(contributions(stored), contributions(view))
                _add_changes(self.counts, generation, diff)
        if written:
            columns = tuple(c for c in _value_columns(suggestions) if c in changed)
            rows = [(*(view.get(c) for c in columns), g, sid) for g, sid, view in written]
            await _view_update(dialect, columns).run_many(connection, rows)


class ViewStore:
    """The fold's reads and writes of the read models, in one transaction: timeline rows,
    clusters and activities at once; view rows, counters and names through ``ViewWrites``."""

    def __init__(self, session: AsyncSession, writes: ViewWrites) -> None:
        self._session = session
        self._writes = writes
        # The events of the consumer's pulled batch that the inbox claimed (``expect``):
        # their timeline rows go in at once, on the first ``add_to_timeline``, and their
        # views are read at once, on the first ``view``. Without them (a rebuild's replay),
        # one event at a time.
        self._expected: list[RawEvent] = []
        # (generation, event id) inserted with the batch, and those the insert added.
        self._planned: set[tuple[int, str]] | None = None
        self._added: set[tuple[int, str]] = set()
        # The batch's suggestion views read (and filings' views added) at once, by
        # (generation, id), until the fold takes them (``view``).
        self._read: dict[tuple[int, str], dict[str, Any]] | None = None

    def expect(self, events: Sequence[RawEvent], claimed: set[str]) -> None:
        """The batch this transaction is about to fold: those of ``events`` the inbox
        ``claimed`` (new to the consumer), the ones the handler will fold."""
        self._expected = [e for e in events if e.id in claimed]

    async def generations(self) -> list[int]:
        """The generations written to, read once per transaction. A rebuild that starts
        meanwhile loses nothing: it replays the whole stream into the generation it builds."""
        if self._writes.generations is None:
            self._writes.generations = await Generations(self._session).written()
        return self._writes.generations

    async def add_to_timeline(self, generation: int, entry: dict[str, Any]) -> bool:
        """False if ``generation`` already has this event."""
        if self._planned is None and self._expected:
            await self._add_batch_to_timeline()
        key = (generation, entry["event_id"])
        if self._planned is not None and key in self._planned:
            self._planned.discard(key)  # answered once: asked again, the insert says False
            return key in self._added
        return await insert_or_ignore(self._session, events, {"generation": generation, **entry})

    async def _add_batch_to_timeline(self) -> None:
        """Every claimed event of the batch into the timeline of every generation written,
        in one INSERT … ON CONFLICT DO NOTHING RETURNING (instead of one per event: the
        fold's largest cost). The handler folds exactly these events, in this order, right
        after; as with one insert each, the rows (and on PostgreSQL their keys, which a
        rebuild's replay waits on) are this transaction's from then on."""
        entries = {e.id: timeline_entry(e) for e in self._expected}
        generations = await self.generations()
        rows = [
            (g, *(entry[c] for c in _TIMELINE_COLUMNS[1:]))
            for entry in entries.values()
            for g in generations
        ]
        self._planned = {(row[0], row[1]) for row in rows}
        added = await _insert_rows(self._session, events, _TIMELINE_COLUMNS, rows)
        self._added = {(g, i) for g, i in added}

    async def view(self, generation: int, sid: str, *, new: bool = False) -> dict[str, Any]:
        """A suggestion's view, read (and locked) once per transaction; ``new``: most
        likely not written yet (its filing), which saves a statement."""
        key = (generation, sid)
        rows = self._writes.rows
        if key not in rows:
            if self._read is None and self._planned is not None:
                self._read = await self._read_batch_views()
            found = self._read.pop(key, None) if self._read else None
            if found is None:
                found = await _locked_row(
                    self._session, suggestions, generation, "suggestion_id", sid, new=new
                )
            rows[key] = self._writes.stored[key] = found
        return rows[key]

    async def _read_batch_views(self) -> dict[tuple[int, str], dict[str, Any]]:
        """The views the batch's events fold into, read (and locked) in one SELECT … IN per
        generation, and the filings' new views added in one INSERT … RETURNING, instead of
        a statement or two per event. Only an event the timeline took is folded (``project``);
        a filing's view is always read, so no placeholder row is added for nothing. A view
        not found here is read alone (``_locked_row``)."""
        filing: dict[tuple[int, str], bool] = {}
        generations = await self.generations()
        for event in self._expected:
            step = step_of(event.type)
            if step is None or step in VIEWLESS_STEPS:
                continue
            sid = suggestion_of(event)
            for g in generations:
                if (g, event.id) in self._added:
                    filing[(g, sid)] = filing.get((g, sid), False) or step == "filed"
        found: dict[tuple[int, str], dict[str, Any]] = {}
        dialect = self._session.get_bind().dialect
        columns, processors = _VIEW_COLUMNS, _result_processors(dialect)
        for g in generations:
            sids = sorted({sid for gen, sid in filing if gen == g})
            if not sids:
                continue
            query = _views_query(dialect)
            for row in await query.fetch(await self._session.connection(), [g, sids]):
                values = zip(columns, processors, row, strict=True)
                view = {c: v if p is None else p(v) for c, p, v in values}
                # As a read gives it back: no None values (a JSON null among them).
                found[(g, view["suggestion_id"])] = {c: v for c, v in view.items() if v is not None}
        placeholders = [
            (g, sid, UNKNOWN_STATUS)
            for (g, sid), is_filing in sorted(filing.items())
            if is_filing and (g, sid) not in found
        ]
        columns = ("generation", "suggestion_id", "status")
        # The row added is the placeholder itself (the table has no defaults).
        for g, sid in await _insert_rows(self._session, suggestions, columns, placeholders):
            found[(g, sid)] = {"generation": g, "suggestion_id": sid, "status": UNKNOWN_STATUS}
        return found

    def replace(self, generation: int, sid: str, view: dict[str, Any]) -> None:
        """The view as folded (read first, with ``view``); written, with what it changes in
        the counters, when the batch is flushed."""
        key = (generation, sid)
        if key not in self._writes.stored:
            raise KeyError(f"view {key} replaced without being read")
        # As a read would give it back (no None values), for the next event of this row.
        self._writes.rows[key] = {k: v for k, v in view.items() if v is not None}

    def name(self, generation: int, kind: str, ident: str, name: str) -> None:
        self._writes.names[(generation, kind, ident)] = name

    async def liaison_row(
        self, record: LiaisonRecord, generation: int, ident: str
    ) -> dict[str, Any]:
        """A reception's view or a station's or deputy's record, read (and locked) once per
        transaction."""
        return await self._batched_row(record, generation, ident)

    def replace_liaison_row(
        self, record: LiaisonRecord, generation: int, ident: str, row: dict[str, Any]
    ) -> None:
        self._replace_batched_row(record, generation, ident, row)

    async def _batched_row(self, record: str, generation: int, ident: str) -> dict[str, Any]:
        key = (record, generation, ident)
        rows = self._writes.records
        if key not in rows:
            table, column = _BATCHED_TABLES[record]
            rows[key] = await _locked_row(self._session, table, generation, column, ident)
        return rows[key]

    def _replace_batched_row(
        self, record: str, generation: int, ident: str, row: dict[str, Any]
    ) -> None:
        """Written when the batch is flushed; as a read would give it back (no None values)."""
        self._writes.records[(record, generation, ident)] = {
            k: v for k, v in row.items() if v is not None
        }

    def add_liaison_counts(
        self, generation: int, changes: dict[tuple[str, str, str], dict[str, int]]
    ) -> None:
        _add_changes(self._writes.liaison_counts, generation, changes)

    async def score(
        self, record: ScoreRecord, generation: int, deputy_id: str, period: int | str
    ) -> dict[str, Any]:
        """A deputy's score for a year (or a published quarter's), read and locked. Scores
        change once per deputy and period now and then: written at once, not batched."""
        table = _SCORE_TABLES[record]
        keys = {"generation": generation, "deputy_id": deputy_id, record: period}
        await insert_or_ignore(self._session, table, keys)
        row = (
            (
                await self._session.execute(
                    select(table)
                    .where(*(table.c[k] == v for k, v in keys.items()))
                    .with_for_update()
                )
            )
            .mappings()
            .one()
        )
        return {k: v for k, v in row.items() if v is not None and k not in keys}

    async def save_score(
        self,
        record: ScoreRecord,
        generation: int,
        deputy_id: str,
        period: int | str,
        row: dict[str, Any],
    ) -> None:
        table = _SCORE_TABLES[record]
        keys = {"generation": generation, "deputy_id": deputy_id, record: period}
        await self._session.execute(
            update(table)
            .where(*(table.c[k] == v for k, v in keys.items()))
            .values({k: v for k, v in row.items() if k not in keys})
        )

    async def cluster(self, generation: int, cid: str) -> dict[str, Any]:
        """A recurring-appeal cluster's row, read (and locked) once per transaction."""
        return await self._batched_row("cluster", generation, cid)

    async def save_cluster(self, generation: int, cid: str, cluster: dict[str, Any]) -> None:
        self._replace_batched_row("cluster", generation, cid, cluster)

    async def project(self, generation: int, pid: str) -> dict[str, Any]:
        """A project's folded record (``domain/projects.py``), read and locked. Projects
        change now and then: written at once, not batched."""
        row = await _locked_row(self._session, projects, generation, "project_id", pid)
        return dict(row.get("record") or {})

    async def save_project(self, generation: int, pid: str, record: dict[str, Any]) -> None:
        await self._session.execute(
            update(projects)
            .where(projects.c.generation == generation, projects.c.project_id == pid)
            .values(
                name=record.get("name"),
                focus_area=record.get("focus_area"),
                status=record.get("status"),
                percent=record.get("percent"),
                division_codes=record.get("division_codes") or [],
                record=record,
            )
        )

    async def public_appeal(self, generation: int, cid: str) -> dict[str, Any]:
        return await _locked_row(self._session, public_appeals, generation, "cluster_id", cid)

    async def save_public_appeal(self, generation: int, cid: str, appeal: dict[str, Any]) -> None:
        await self._session.execute(
            update(public_appeals)
            .where(public_appeals.c.generation == generation, public_appeals.c.cluster_id == cid)
            .values({k: v for k, v in appeal.items() if k not in ("generation", "cluster_id")})
        )

    async def add_support(self, generation: int, kind: str, target: str) -> None:
        """One more 附议 for a target (the timeline's insert already dropped a duplicate)."""
        insert = dialect_insert(self._session.get_bind().dialect.name)
        stmt = insert(supports).values(
            generation=generation, target_kind=kind, target_id=target, n=1
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=["generation", "target_kind", "target_id"],
                set_={"n": supports.c.n + 1},
            )
        )

    async def count_activity(
        self, generation: int, rep: str, kind: str, periods: Iterable[str]
    ) -> None:
        insert = dialect_insert(self._session.get_bind().dialect.name)
        for period in periods:
            stmt = insert(activities).values(
                generation=generation, representative_id=rep, activity_kind=kind, period=period, n=1
            )
            await self._session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["generation", "representative_id", "activity_kind", "period"],
                    set_={"n": activities.c.n + 1},
                )
            )


class Generations:
    """``projection_state``: the live generation and the one a rebuild is filling."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure(self) -> None:
        await insert_or_ignore(
            self._session,
            projection_state,
            {"id": 1, "live_generation": 1, "building_generation": None},
        )

    async def live(self) -> int:
        gen = await self._session.scalar(select(projection_state.c.live_generation))
        return int(gen or 1)

    async def written(self) -> list[int]:
        """The live generation and, during a rebuild, the one being built (read in every
        transaction that folds: a plain statement, two integers)."""
        dialect = self._session.get_bind().dialect
        rows = await _generations_query(dialect).fetch(await self._session.connection())
        if not rows:
            return [1]
        live, building = rows[0]
        return [live, *([building] if building else [])]

    async def begin_rebuild(self) -> tuple[int, int]:
        """Mark the next generation as being built (emptied of an interrupted rebuild's
        leftovers); returns (live, new)."""
        await self.ensure()
        row = (
            await self._session.execute(
                select(projection_state).where(projection_state.c.id == 1).with_for_update()
            )
        ).one()
        if row.building_generation:
            raise Conflict(
                "rebuild_running",
                f"generation {row.building_generation} 正在重建（a rebuild is already running; "
                "if it died, clear projection_state.building_generation）",
            )
        new = row.live_generation + 1
        for table in GENERATIONAL:
            await self._session.execute(delete(table).where(table.c.generation >= new))
        await self._session.execute(update(projection_state).values(building_generation=new))
        return row.live_generation, new

    async def abandon_rebuild(self) -> None:
        await self._session.execute(update(projection_state).values(building_generation=None))

    async def swap(self, new: int) -> None:
        """Readers see generation ``new`` from this commit on."""
        await self._session.execute(
            update(projection_state).values(live_generation=new, building_generation=None)
        )

    async def drop(self, generation: int) -> None:
        for table in GENERATIONAL:
            await self._session.execute(delete(table).where(table.c.generation == generation))


def _add_changes(
    into: dict[tuple[int, str, str, str], dict[str, int]],
    generation: int,
    changes: dict[tuple[str, str, str], dict[str, int]],
) -> None:
    for (dimension, key, period), diff in changes.items():
        row = (generation, dimension, period, key)
        found = into.get(row)
        if found is None:
            into[row] = dict(diff)
        else:
            for measure, n in diff.items():  # a plain dict: Counter.update is far slower
                found[measure] = found.get(measure, 0) + n


def _counter_rows(
    changes: dict[tuple[int, str, str, str], dict[str, int]], measures: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The batch's counter changes as upsert rows (``_add_up``: the key in the table's
    column order, then ``measures``), emptying it. Sorted: replicas on PostgreSQL then lock
    counter rows in one order (no deadlock)."""
    zeros = (0,) * len(measures)
    rows = [
        (*row, *map(c.get, measures, zeros))
        for row, c in sorted(changes.items())
        if any(c.values())
    ]
    changes.clear()
    return rows


def _row_updates(
    table: Table, rows: Iterable[tuple[tuple[int, str], dict[str, Any]]]
) -> list[dict[str, Any]]:
    columns = _value_columns(table)
    return [
        {"b_generation": g, "b_key": key, **{c: v.get(c) for c in columns}} for (g, key), v in rows
    ]


@functools.cache
def _value_columns(table: Table) -> tuple[str, ...]:
    """Every column but the primary key's (``generation`` and the row's own id)."""
    return tuple(c.name for c in table.columns if not c.primary_key)


@functools.cache
def _update_row(table: Table) -> Any:
    """Rewrites a whole view row, by (generation, id), with the batch's values."""
    generation, key = table.primary_key.columns
    return (
        update(table)
        .where(generation == bindparam("b_generation"), key == bindparam("b_key"))
        .values({c: bindparam(c) for c in _value_columns(table)})
    )


# The counters' key, in the tables' column order (the rows then need no reordering).
_COUNTER_KEY = ("generation", "dimension", "period", "key")


def _add_up(insert: Any, table: Table, measures: tuple[str, ...]) -> Any:
    """Upsert that adds each measure to the row's. Adds commute: N replicas adding to one
    row need no lock beyond the row's own."""
    to_table = insert(table).values({c: bindparam(c) for c in (*_COUNTER_KEY, *measures)})
    excluded = to_table.excluded  # built anew on each access
    return to_table.on_conflict_do_update(
        index_elements=list(_COUNTER_KEY),
        set_={m: table.c[m] + excluded[m] for m in measures},
    )


@dataclass(frozen=True)
class _Statements:
    names: DriverStatement
    counts: DriverStatement
    liaison_counts: DriverStatement


_NAME_COLUMNS = ("generation", "kind", "id", "name")


@per_dialect
def _statements(dialect: Dialect) -> _Statements:
    """The fold's write statements (building them took a tenth of reporting's CPU when
    built per transaction)."""
    insert = dialect_insert(dialect.name)
    to_names = insert(names).values({c: bindparam(c) for c in _NAME_COLUMNS})
    return _Statements(
        names=compile_for(
            to_names.on_conflict_do_update(
                index_elements=["generation", "kind", "id"],
                set_={"name": to_names.excluded.name},
            ),
            dialect,
            _NAME_COLUMNS,
        ),
        counts=compile_for(_add_up(insert, counts, MEASURES), dialect, (*_COUNTER_KEY, *MEASURES)),
        liaison_counts=compile_for(
            _add_up(insert, liaison_counts, liaison.MEASURES),
            dialect,
            (*_COUNTER_KEY, *liaison.MEASURES),
        ),
    )


_VIEW_UPDATES: dict[tuple[str, tuple[str, ...]], DriverStatement] = {}
_VIEW_TYPES = column_types(suggestions)


def _view_update(dialect: Dialect, columns: tuple[str, ...]) -> DriverStatement:
    """Writes ``columns`` of a suggestion's view, by (generation, id): the values of the
    columns in that order, then the generation and the id. Built once per set of columns
    (batches of the same kinds of events change the same sets)."""
    key = (dialect.name, columns)
    found = _VIEW_UPDATES.get(key)
    if found is None:
        if len(_VIEW_UPDATES) > 1024:
            _VIEW_UPDATES.clear()  # keep the cache bounded
        statement = (
            update(suggestions)
            .where(
                suggestions.c.generation == bindparam("b_generation"),
                suggestions.c.suggestion_id == bindparam("b_key"),
            )
            .values({c: bindparam(c) for c in columns})
        )
        names = (*columns, "b_generation", "b_key")
        found = _VIEW_UPDATES[key] = compile_for(statement, dialect, names, _VIEW_TYPES)
    return found


async def _locked_row(
    session: AsyncSession,
    table: Table,
    generation: int,
    key_column: str,
    key: str,
    *,
    new: bool = False,
) -> dict[str, Any]:
    # The row, locked (FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), or a
    # placeholder row added (and so held) by this transaction: two replicas folding events
    # of one suggestion take turns. One statement in the usual case: a row read is locked at
    # once, an added row comes back from its INSERT; a placeholder another transaction adds
    # meanwhile is read (and locked) after all. ``new``: the row is most likely not there
    # yet (a filing), so it is added first.
    params = {"g": generation, "k": key}
    placeholder: dict[str, Any] = {"generation": generation, key_column: key}
    if table is suggestions:
        placeholder["status"] = UNKNOWN_STATUS
    add = _insert_returning(session.get_bind().dialect.name, table)
    read = _row_query(table, key_column)
    row = None
    if new:
        row = (await session.execute(add, placeholder)).mappings().first()
    if row is None:
        row = (await session.execute(read, params)).mappings().first()
    if row is None and not new:
        row = (await session.execute(add, placeholder)).mappings().first()
    if row is None:
        row = (await session.execute(read, params)).mappings().one()
    return {k: v for k, v in row.items() if v is not None}


@functools.cache
def _row_query(table: Table, key_column: str) -> Any:
    return (
        select(table)
        .where(table.c.generation == bindparam("g"), table.c[key_column] == bindparam("k"))
        .with_for_update()
    )


_VIEW_COLUMNS = tuple(c.name for c in suggestions.columns)


@per_dialect
def _views_query(dialect: Dialect) -> DriverStatement:
    """Suggestion views of a generation (the generation, then the list of ids), locked in
    the order of their ids; one statement whatever the number of ids (``in_list``)."""
    query = (
        select(suggestions)
        .where(
            suggestions.c.generation == bindparam("g"),
            in_list(suggestions.c.suggestion_id, "ids"),
        )
        .order_by(suggestions.c.suggestion_id)
        .with_for_update()
    )
    return compile_for(query, dialect, ("g", "ids"), {"ids": ValueList(String())})


@per_dialect
def _result_processors(dialect: Dialect) -> tuple[Processor | None, ...]:
    """How SQLAlchemy turns each stored value of a view (by column) into Python's."""
    return tuple(
        c.type.dialect_impl(dialect).result_processor(dialect, None) for c in suggestions.columns
    )


# The timeline's columns, in the order ``_add_batch_to_timeline`` gives them.
_TIMELINE_COLUMNS = tuple(c.name for c in events.columns)


@per_dialect
def _generations_query(dialect: Dialect) -> DriverStatement:
    query = select(projection_state.c.live_generation, projection_state.c.building_generation)
    return compile_for(query, dialect, ())


async def _insert_rows(
    session: AsyncSession, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> list[Any]:
    """``rows`` (values of ``columns``) added unless there (ON CONFLICT DO NOTHING); the
    (generation, id) of those added."""
    if not rows:
        return []
    dialect = session.get_bind().dialect
    connection = await session.connection()
    key = tuple(c.name for c in table.primary_key.columns)
    added: list[Any] = []
    for i in range(0, len(rows), INSERT_CHUNK):
        chunk = padded(rows[i : i + INSERT_CHUNK])
        statement = insert_returning(dialect, table, columns, key, len(chunk))
        added += await statement.fetch(connection, [v for row in chunk for v in row])
    return added


@functools.cache
def _insert_returning(dialect: str, table: Table) -> Any:
    """A placeholder row and, if it was added, the whole row as a read gives it."""
    return dialect_insert(dialect)(table).on_conflict_do_nothing().returning(*table.columns)
