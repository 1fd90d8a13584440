"""Load and save cases (the domain entity) in supervision's store: all of its SQL.

``Cases`` is what the use cases see (``uow.cases``); ``CaseRepository`` is its SQL
implementation, and a test may give a unit of work an in-memory one instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import TypeAdapter
from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.errors import Conflict
from minyi.supervision.adapters.tables import cases
from minyi.supervision.domain import Case, Kind, Status

_CASE = TypeAdapter(Case)


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


class CaseRepository(Cases):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._loaded: dict[str, int] = {}  # case_id → version when loaded

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
        found = await self.session.execute(
            select(cases.c.case_id).where(cases.c.case_id == case_id)
        )
        return found.first() is not None

    async def add(self, case: Case, *, attempt: int, category: str | None) -> None:
        await self.session.execute(
            cases.insert(), {"case_id": case.case_id, **_columns(case, attempt, category)}
        )

    async def current_for_suggestion(self, suggestion_id: str, *, lock: bool = True) -> Case | None:
        """The suggestion's live case: its newest attempt that was not returned."""
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
        conditions = []
        if f.unit_id is not None:
            conditions.append(cases.c.unit_id == f.unit_id)
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
        return [dict(r._mapping) for r in page], int(total)
