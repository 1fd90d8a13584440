"""Load and save cases (the domain entity) in supervision's store: all of its SQL.

``Cases`` is what the use cases see (``uow.cases``); ``CaseRepository`` is its SQL
implementation, and a test may give a unit of work an in-memory one instead. ``Topics``
(``uow.topics``) keeps the key topics, their links and the candidates for new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import TypeAdapter
from sqlalchemy import Select, and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.db import dialect_insert
from minyi.platform.driver_sql import DriverStatement, column_types, compile_for, per_dialect
from minyi.platform.errors import Conflict
from minyi.platform.sql_lists import in_list
from minyi.supervision.adapters.tables import (
    case_co_units,
    cases,
    project_evidence,
    projects,
    published_appeals,
    supports,
    topic_candidates,
    topic_links,
    topics,
)
from minyi.supervision.domain import Case, Kind, Status
from minyi.supervision.domain.project import Project

_CASE = TypeAdapter(Case)
_PROJECT = TypeAdapter(Project)


class ConcurrentUpdate(Conflict):
    """The case changed since it was loaded (another request or sweeper won the race)."""

    def __init__(self, case_id: str) -> None:
        super().__init__("concurrent_update", "案件刚被其他操作修改，请刷新后重试")
        self.case_id = case_id


@dataclass(frozen=True)
class CaseFilter:
    unit_id: str | None = None
    districts: frozenset[str] | None = None  # a supervision group's districts
    statuses: frozenset[Status] | None = None
    overdue: bool | None = None
    due_before: datetime | None = None
    category: str | None = None
    min_escalation: int | None = None
    needs_review: bool | None = None
    kind: Kind | None = None
    # With ``unit_id``: "lead" its own cases, "co" those it co-handles, None both.
    role: Literal["lead", "co"] | None = None
    awaiting_review: bool | None = None
    extension_pending: bool | None = None


def _columns(case: Case, attempt: int | None = None, category: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "suggestion_id": case.suggestion_id,
        "unit_id": case.unit_id,
        "district": case.district,
        "kind": str(case.kind),
        "status": str(case.status),
        "overdue": case.overdue,
        "reply_by": case.reply_by,
        "next_due_at": case.next_due_at(),
        "version": case.version,
        "escalation_level": case.escalation_level,
        "key_case": case.key_case,
        "needs_review": case.needs_review,
        "round": case.round,
        "title": case.title,
        "number": None if case.formal is None else case.formal.number,
        "delivery_of": case.delivery_of,
        "awaiting_review": case.awaiting_review,
        "extension_pending": case.extension_pending,
        "state": _CASE.dump_python(case, mode="json"),
    }
    if attempt is not None:
        row["attempt"] = attempt
    if category is not None:
        row["category"] = category
    return row


class Cases(Protocol):
    """The store of cases, as the use cases use it."""

    async def exists(self, case_id: str) -> bool: ...

    async def add(self, case: Case, *, attempt: int, category: str | None) -> None: ...

    async def add_new(self, case: Case, *, attempt: int, category: str | None) -> None:
        """``add`` unless a case of that id exists by the commit (then nothing)."""
        ...

    async def current_for_suggestion(
        self, suggestion_id: str, *, lock: bool = True
    ) -> Case | None: ...

    async def latest_at_unit(
        self, suggestion_id: str, unit_id: str, *, lock: bool = True
    ) -> Case | None: ...

    async def due(self, now: datetime, limit: int) -> list[Case]: ...

    async def save(self, case: Case) -> None: ...

    async def search(
        self, f: CaseFilter, *, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]: ...


# Built once: every assignment runs these, and building a statement (and its cache key)
# per call cost more than executing it.
_CASE_EXISTS = select(cases.c.case_id).where(cases.c.case_id == bindparam("case_id"))
_EXISTING_CASES = select(cases.c.case_id).where(in_list(cases.c.case_id, "case_ids"))
_INSERT_CASE = cases.insert()
_INSERT_CO_UNIT = case_co_units.insert()


def _co_unit_rows(case: Case) -> list[dict[str, Any]]:
    if case.formal is None:
        return []
    return [
        {
            "case_id": case.case_id,
            "unit_id": co.unit_id,
            "suggestion_id": case.suggestion_id,
            "views_by": co.views_by,
        }
        for co in case.formal.co_units
    ]


class NewCases:
    """Cases opened in this transaction (``add_new``), written together: one SELECT for
    those that exist already, one executemany for the rest and their co-units — where
    each assignment took an existence check and an INSERT of its own. Written before the
    commit, and before anything in the transaction reads cases (``CaseRepository._settle``)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}

    async def flush(self, session: AsyncSession) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, {}
        found = await session.execute(_EXISTING_CASES, {"case_ids": list(rows)})
        for (case_id,) in found:
            del rows[case_id]  # a republished assignment: its case stays as it is
        if rows:
            await session.execute(_INSERT_CASE, [row for row, _ in rows.values()])
        co_units = [co for _, cos in rows.values() for co in cos]
        if co_units:
            await session.execute(_INSERT_CO_UNIT, co_units)


class CaseRepository(Cases):
    def __init__(self, session: AsyncSession, new: NewCases | None = None) -> None:
        self.session = session
        self._new = new or NewCases()
        self._loaded: dict[str, int] = {}  # case_id → version when loaded

    async def _settle(self) -> None:
        # Every statement on cases sees the ones opened earlier in the transaction.
        await self._new.flush(self.session)

    def _rehydrate(self, state: Any) -> Case:
        case = _CASE.validate_python(state)
        self._loaded[case.case_id] = case.version
        return case

    def _lock(self, query: Select[Any], *, skip_locked: bool = False) -> Select[Any]:
        # SQLite has no row locks (SQLAlchemy would drop the clause anyway): its writers are
        # serialised by the file lock, and ``save`` checks the version.
        if self.session.get_bind().dialect.name == "sqlite":
            return query
        return query.with_for_update(skip_locked=skip_locked)

    async def exists(self, case_id: str) -> bool:
        await self._settle()
        found = await self.session.execute(_CASE_EXISTS, {"case_id": case_id})
        return found.first() is not None

    async def add(self, case: Case, *, attempt: int, category: str | None) -> None:
        await self._settle()
        await self.session.execute(
            _INSERT_CASE, {"case_id": case.case_id, **_columns(case, attempt, category)}
        )
        if co_units := _co_unit_rows(case):
            await self.session.execute(_INSERT_CO_UNIT, co_units)

    async def add_new(self, case: Case, *, attempt: int, category: str | None) -> None:
        if case.case_id not in self._new.rows:  # the first of two in one transaction wins
            row = {"case_id": case.case_id, **_columns(case, attempt, category)}
            self._new.rows[case.case_id] = (row, _co_unit_rows(case))

    async def current_for_suggestion(self, suggestion_id: str, *, lock: bool = True) -> Case | None:
        """The suggestion's live case: its newest attempt that was not returned."""
        await self._settle()
        query = (
            select(cases.c.state)
            .where(cases.c.suggestion_id == suggestion_id, cases.c.status != str(Status.RETURNED))
            .order_by(cases.c.attempt.desc())
            .limit(1)
        )
        state = (await self.session.execute(self._lock(query) if lock else query)).scalar()
        return None if state is None else self._rehydrate(state)

    async def latest_at_unit(
        self, suggestion_id: str, unit_id: str, *, lock: bool = True
    ) -> Case | None:
        """The newest case of the suggestion at ``unit_id`` (returned ones included)."""
        await self._settle()
        query = (
            select(cases.c.state)
            .where(cases.c.suggestion_id == suggestion_id, cases.c.unit_id == unit_id)
            .order_by(cases.c.attempt.desc())
            .limit(1)
        )
        state = (await self.session.execute(self._lock(query) if lock else query)).scalar()
        return None if state is None else self._rehydrate(state)

    async def due(self, now: datetime, limit: int) -> list[Case]:
        """Cases with a timer due, locked for this transaction; rows another replica holds
        are skipped (``FOR UPDATE SKIP LOCKED``), so N sweepers never fire one timer twice."""
        await self._settle()
        query = (
            select(cases.c.state)
            .where(cases.c.next_due_at <= now)
            .order_by(cases.c.next_due_at)
            .limit(limit)
        )
        rows = (await self.session.execute(self._lock(query, skip_locked=True))).scalars()
        return [self._rehydrate(state) for state in rows]

    async def save(self, case: Case) -> None:
        """Write the case back; refuses if someone else saved it since it was loaded."""
        await self._settle()
        query = update(cases).where(cases.c.case_id == case.case_id)
        if case.case_id in self._loaded:
            query = query.where(cases.c.version == self._loaded[case.case_id])
        result = await self.session.execute(query.values(**_columns(case)))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(case.case_id)
        self._loaded[case.case_id] = case.version

    async def search(
        self, f: CaseFilter, *, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of case summaries (newest assignment first) and the total count."""
        await self._settle()
        conditions = []
        if f.unit_id is not None:
            conditions.append(_unit_condition(f.unit_id, f.role))
        if f.districts is not None:
            conditions.append(cases.c.district.in_(sorted(f.districts)))
        if f.statuses is not None:
            conditions.append(cases.c.status.in_(sorted(str(s) for s in f.statuses)))
        if f.overdue is not None:
            conditions.append(cases.c.overdue == f.overdue)
        if f.due_before is not None:
            conditions.append(cases.c.reply_by <= f.due_before)
        if f.category is not None:
            conditions.append(cases.c.category == f.category)
        if f.min_escalation is not None:
            conditions.append(cases.c.escalation_level >= f.min_escalation)
        if f.needs_review is not None:
            conditions.append(cases.c.needs_review == f.needs_review)
        if f.kind is not None:
            conditions.append(cases.c.kind == str(f.kind))
        if f.awaiting_review is not None:
            conditions.append(cases.c.awaiting_review == f.awaiting_review)
        if f.extension_pending is not None:
            conditions.append(cases.c.extension_pending == f.extension_pending)
        total = (
            await self.session.execute(select(func.count()).select_from(cases).where(*conditions))
        ).scalar_one()
        summary = [c for c in cases.c if c.name != "state"]
        page = await self.session.execute(
            select(*summary)
            .where(*conditions)
            .order_by(cases.c.reply_by, cases.c.case_id)
            .limit(limit)
            .offset(offset)
        )
        items = [dict(r._mapping) for r in page]
        await self._with_roles(items, f.unit_id)
        return items, int(total)

    async def _with_roles(self, items: list[dict[str, Any]], unit_id: str | None) -> None:
        """Each item's ``role`` for the calling unit, and a co-unit's ``views_by``."""
        views_by: dict[str, Any] = {}
        co_ids = [i["case_id"] for i in items if unit_id is not None and i["unit_id"] != unit_id]
        if co_ids:
            rows = await self.session.execute(
                select(case_co_units.c.case_id, case_co_units.c.views_by).where(
                    case_co_units.c.unit_id == unit_id, case_co_units.c.case_id.in_(co_ids)
                )
            )
            views_by = {r.case_id: r.views_by for r in rows}
        for item in items:
            co = item["case_id"] in views_by
            item["role"] = None if unit_id is None else ("co" if co else "lead")
            item["views_by"] = views_by.get(item["case_id"])


def _unit_condition(unit_id: str, role: str | None) -> Any:
    """A unit's cases: those it leads, and the live ones it co-handles."""
    lead = cases.c.unit_id == unit_id
    co = and_(
        cases.c.case_id.in_(
            select(case_co_units.c.case_id).where(case_co_units.c.unit_id == unit_id)
        ),
        cases.c.status != str(Status.RETURNED),
    )
    if role == "lead":
        return lead
    if role == "co":
        return co
    return or_(lead, co)


class Topics(Protocol):
    """Key topics, their links, and candidates for new ones, as the use cases use them."""

    async def add(self, row: dict[str, Any]) -> None: ...

    async def get(self, topic_id: str) -> dict[str, Any] | None: ...

    async def all(self) -> list[dict[str, Any]]: ...

    async def link(self, topic_id: str, suggestion_id: str, at: datetime) -> bool: ...

    async def unlink(self, topic_id: str, suggestion_id: str) -> bool: ...

    async def linked(self, topic_id: str) -> list[str]: ...

    async def count_cluster(
        self, cluster_id: str, size: int, title: str, district: str, at: datetime
    ) -> None: ...

    async def count_endorsement(self, suggestion_id: str, at: datetime) -> None: ...

    async def candidates(self, limit: int, min_size: int) -> list[dict[str, Any]]: ...

    async def cluster_exists(self, cluster_id: str) -> bool: ...

    async def count_support(self, cluster_id: str) -> None: ...


_CLUSTER_COLUMNS = ("source", "ref", "size", "title", "district", "updated_at")


@per_dialect
def _count_clusters(dialect: Dialect) -> DriverStatement:
    """Upsert of a cluster's candidate row: its size only grows (events may come out of
    order), its title, district and time are the last counted."""
    row = dialect_insert(dialect.name)(topic_candidates).values(
        {c: bindparam(c) for c in _CLUSTER_COLUMNS}
    )
    new, old = row.excluded.size, topic_candidates.c.size
    upsert = row.on_conflict_do_update(
        index_elements=["source", "ref"],
        set_={
            "size": case((new > old, new), else_=old),
            "title": row.excluded.title,
            "district": row.excluded.district,
            "updated_at": row.excluded.updated_at,
        },
    )
    return compile_for(upsert, dialect, _CLUSTER_COLUMNS, column_types(topic_candidates))


class ClusterCounts:
    """Clusters' sizes counted in this transaction (``count_cluster``), written together
    before the commit or a read of the candidates: one upsert row per cluster in one
    executemany. Three statements per event, each built anew, were a third of
    supervision's CPU once clusters formed (after 25,000 suggestions, issue 21)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, str, str, datetime]] = {}

    def add(self, cluster_id: str, size: int, title: str, district: str, at: datetime) -> None:
        earlier = self.rows.get(cluster_id)
        if earlier is not None:
            size = max(size, earlier[0])
        self.rows[cluster_id] = (size, title, district, at)

    async def flush(self, session: AsyncSession) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, {}
        connection = await session.connection()
        # In one order: two replicas' upserts of the same clusters never deadlock.
        await _count_clusters(connection.dialect).run_many(
            connection, [("cluster", cid, *rows[cid]) for cid in sorted(rows)]
        )


class TopicRepository(Topics):
    def __init__(
        self,
        session: AsyncSession,
        new_cases: NewCases | None = None,
        clusters: ClusterCounts | None = None,
    ) -> None:
        self.session = session
        self._new_cases = new_cases or NewCases()
        self._clusters = clusters or ClusterCounts()

    async def add(self, row: dict[str, Any]) -> None:
        await self.session.execute(topics.insert(), row)

    async def get(self, topic_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(select(topics).where(topics.c.topic_id == topic_id))
        ).first()
        return None if row is None else dict(row._mapping)

    async def all(self) -> list[dict[str, Any]]:
        """Every topic, newest year first, with how many suggestions it links."""
        links = (
            select(topic_links.c.topic_id, func.count().label("linked"))
            .group_by(topic_links.c.topic_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(topics, func.coalesce(links.c.linked, 0).label("linked"))
            .outerjoin(links, links.c.topic_id == topics.c.topic_id)
            .order_by(topics.c.year.desc(), topics.c.opened_at)
        )
        return [dict(r._mapping) for r in rows]

    async def link(self, topic_id: str, suggestion_id: str, at: datetime) -> bool:
        found = await self.session.execute(
            select(topic_links.c.topic_id).where(
                topic_links.c.topic_id == topic_id, topic_links.c.suggestion_id == suggestion_id
            )
        )
        if found.first() is not None:
            return False
        await self.session.execute(
            topic_links.insert(),
            {"topic_id": topic_id, "suggestion_id": suggestion_id, "linked_at": at},
        )
        return True

    async def unlink(self, topic_id: str, suggestion_id: str) -> bool:
        result = await self.session.execute(
            delete(topic_links).where(
                topic_links.c.topic_id == topic_id, topic_links.c.suggestion_id == suggestion_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def linked(self, topic_id: str) -> list[str]:
        rows = await self.session.execute(
            select(topic_links.c.suggestion_id)
            .where(topic_links.c.topic_id == topic_id)
            .order_by(topic_links.c.linked_at, topic_links.c.suggestion_id)
        )
        return list(rows.scalars())

    async def _size(self, source: str, ref: str) -> int | None:
        await self._clusters.flush(self.session)
        found = await self.session.execute(
            select(topic_candidates.c.size).where(
                topic_candidates.c.source == source, topic_candidates.c.ref == ref
            )
        )
        return found.scalar()

    async def _put(self, source: str, ref: str, size: int, values: dict[str, Any]) -> None:
        if await self._size(source, ref) is None:
            await self.session.execute(
                topic_candidates.insert(), {"source": source, "ref": ref, "size": size, **values}
            )
            return
        await self.session.execute(
            update(topic_candidates)
            .where(topic_candidates.c.source == source, topic_candidates.c.ref == ref)
            .values(size=size, **values)
        )

    async def count_cluster(
        self, cluster_id: str, size: int, title: str, district: str, at: datetime
    ) -> None:
        self._clusters.add(cluster_id, size, title, district, at)

    async def count_endorsement(self, suggestion_id: str, at: datetime) -> None:
        # The appeal's title, if supervision holds its case (routing sent it), perhaps
        # opened earlier in this transaction.
        await self._new_cases.flush(self.session)
        title = (
            await self.session.execute(
                select(cases.c.title, cases.c.district)
                .where(cases.c.suggestion_id == suggestion_id)
                .order_by(cases.c.attempt.desc())
                .limit(1)
            )
        ).first()
        size = (await self._size("endorsed", suggestion_id) or 0) + 1
        values: dict[str, Any] = {"updated_at": at}
        if title is not None:
            values.update(title=title.title, district=title.district)
        await self._put("endorsed", suggestion_id, size, values)

    async def candidates(self, limit: int, min_size: int) -> list[dict[str, Any]]:
        # Citizens' support of a published appeal counts beside the cluster's size.
        await self._clusters.flush(self.session)
        weight = topic_candidates.c.size + topic_candidates.c.supports
        rows = await self.session.execute(
            select(topic_candidates)
            .where(weight >= min_size)
            .order_by(weight.desc(), topic_candidates.c.updated_at.desc())
            .limit(limit)
        )
        return [dict(r._mapping) for r in rows]

    async def cluster_exists(self, cluster_id: str) -> bool:
        return await self._size("cluster", cluster_id) is not None

    async def count_support(self, cluster_id: str) -> None:
        await self._clusters.flush(self.session)
        await self.session.execute(
            update(topic_candidates)
            .where(topic_candidates.c.source == "cluster", topic_candidates.c.ref == cluster_id)
            .values(supports=topic_candidates.c.supports + 1)
        )


class Projects(Protocol):
    """Improvement projects, their evidence files, published appeals and supports."""

    async def add(self, project: Project, next_check_at: datetime | None) -> None: ...

    async def get(self, project_id: str, *, lock: bool = True) -> Project | None: ...

    async def save(self, project: Project, next_check_at: datetime | None) -> None: ...

    async def all(self) -> list[Project]: ...

    async def due(self, now: datetime, limit: int) -> list[Project]: ...

    async def add_evidence(self, project_id: str, row: dict[str, Any]) -> None: ...

    async def evidence(self, project_id: str, file_id: str) -> dict[str, Any] | None: ...

    async def add_support(self, row: dict[str, Any]) -> bool: ...

    async def support_counts(self, target_kind: str) -> dict[str, int]: ...

    async def appeal(self, cluster_id: str) -> dict[str, Any] | None: ...

    async def put_appeal(self, row: dict[str, Any]) -> None: ...

    async def appeals(self) -> list[dict[str, Any]]: ...


class ProjectRepository(Projects):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._loaded: dict[str, int] = {}

    def _rehydrate(self, state: Any) -> Project:
        project = _PROJECT.validate_python(state)
        self._loaded[project.project_id] = project.version
        return project

    def _lock(self, query: Select[Any], *, skip_locked: bool = False) -> Select[Any]:
        if self.session.get_bind().dialect.name == "sqlite":
            return query
        return query.with_for_update(skip_locked=skip_locked)

    @staticmethod
    def _columns(project: Project, next_check_at: datetime | None) -> dict[str, Any]:
        return {
            "name": project.name,
            "focus_area": project.focus_area,
            "lead_unit_id": project.lead_unit,
            "status": project.status,
            "version": project.version,
            "next_check_at": next_check_at,
            "registered_at": project.registered_at,
            "state": _PROJECT.dump_python(project, mode="json"),
        }

    async def add(self, project: Project, next_check_at: datetime | None) -> None:
        await self.session.execute(
            projects.insert(),
            {"project_id": project.project_id, **self._columns(project, next_check_at)},
        )
        self._loaded[project.project_id] = project.version

    async def get(self, project_id: str, *, lock: bool = True) -> Project | None:
        query = select(projects.c.state).where(projects.c.project_id == project_id)
        state = (await self.session.execute(self._lock(query) if lock else query)).scalar()
        return None if state is None else self._rehydrate(state)

    async def save(self, project: Project, next_check_at: datetime | None) -> None:
        query = update(projects).where(projects.c.project_id == project.project_id)
        if project.project_id in self._loaded:
            query = query.where(projects.c.version == self._loaded[project.project_id])
        result = await self.session.execute(query.values(**self._columns(project, next_check_at)))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("concurrent_update", "项目刚被其他操作修改，请刷新后重试")
        self._loaded[project.project_id] = project.version

    async def all(self) -> list[Project]:
        """Every project (a programme has dozens, not thousands), newest first."""
        rows = await self.session.execute(
            select(projects.c.state).order_by(
                projects.c.registered_at.desc(), projects.c.project_id
            )
        )
        return [_PROJECT.validate_python(state) for state in rows.scalars()]

    async def due(self, now: datetime, limit: int) -> list[Project]:
        query = (
            select(projects.c.state)
            .where(projects.c.next_check_at <= now)
            .order_by(projects.c.next_check_at)
            .limit(limit)
        )
        rows = (await self.session.execute(self._lock(query, skip_locked=True))).scalars()
        return [self._rehydrate(state) for state in rows]

    async def add_evidence(self, project_id: str, row: dict[str, Any]) -> None:
        await self.session.execute(project_evidence.insert(), {"project_id": project_id, **row})

    async def evidence(self, project_id: str, file_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                select(project_evidence).where(
                    project_evidence.c.project_id == project_id,
                    project_evidence.c.file_id == file_id,
                )
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def add_support(self, row: dict[str, Any]) -> bool:
        found = await self.session.execute(
            select(supports.c.support_id).where(supports.c.support_id == row["support_id"])
        )
        if found.first() is not None:
            return False
        await self.session.execute(supports.insert(), row)
        return True

    async def support_counts(self, target_kind: str) -> dict[str, int]:
        rows = await self.session.execute(
            select(supports.c.target_id, func.count())
            .where(supports.c.target_kind == target_kind)
            .group_by(supports.c.target_id)
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def appeal(self, cluster_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                select(published_appeals).where(published_appeals.c.cluster_id == cluster_id)
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def put_appeal(self, row: dict[str, Any]) -> None:
        if await self.appeal(row["cluster_id"]) is None:
            await self.session.execute(published_appeals.insert(), row)
            return
        await self.session.execute(
            update(published_appeals)
            .where(published_appeals.c.cluster_id == row["cluster_id"])
            .values(**{k: v for k, v in row.items() if k != "cluster_id"})
        )

    async def appeals(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(published_appeals).order_by(
                published_appeals.c.published_at.desc(), published_appeals.c.cluster_id
            )
        )
        return [dict(r._mapping) for r in rows]
