"""Supervision's unit of work without a database: cases in a dict, events in a list. Use
cases run on it exactly as on the real one (``uow.cases``, ``uow.emit``, ``uow.now``)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from minyi.contracts.envelope import EventData
from minyi.supervision.adapters.repositories import CaseFilter, Cases, ConcurrentUpdate
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.domain import Case, Status


@dataclass
class _Row:
    case: Case
    attempt: int
    category: str | None


class FakeCases(Cases):
    """Keeps copies, as a store does: a change the use case does not save is lost."""

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}

    def stored(self, case_id: str) -> Case:
        return copy.deepcopy(self.rows[case_id].case)

    async def exists(self, case_id: str) -> bool:
        return case_id in self.rows

    async def add(self, case: Case, *, attempt: int, category: str | None) -> None:
        self.rows[case.case_id] = _Row(copy.deepcopy(case), attempt, category)

    async def add_new(self, case: Case, *, attempt: int, category: str | None) -> None:
        if case.case_id not in self.rows:
            await self.add(case, attempt=attempt, category=category)

    def _newest(self, rows: list[_Row]) -> Case | None:
        rows = sorted(rows, key=lambda r: r.attempt)
        return copy.deepcopy(rows[-1].case) if rows else None

    async def current_for_suggestion(self, suggestion_id: str, *, lock: bool = True) -> Case | None:
        return self._newest(
            [
                r
                for r in self.rows.values()
                if r.case.suggestion_id == suggestion_id and r.case.status is not Status.RETURNED
            ]
        )

    async def latest_at_unit(
        self, suggestion_id: str, unit_id: str, *, lock: bool = True
    ) -> Case | None:
        return self._newest(
            [
                r
                for r in self.rows.values()
                if r.case.suggestion_id == suggestion_id and r.case.unit_id == unit_id
            ]
        )

    async def due(self, now: datetime, limit: int) -> list[Case]:
        due = [
            r.case
            for r in self.rows.values()
            if (at := r.case.next_due_at()) is not None and at <= now
        ]
        due.sort(key=lambda c: c.next_due_at() or now)
        return [copy.deepcopy(c) for c in due[:limit]]

    async def save(self, case: Case) -> None:
        if case.case_id not in self.rows:
            raise ConcurrentUpdate(case.case_id)
        self.rows[case.case_id].case = copy.deepcopy(case)

    async def search(
        self, f: CaseFilter, *, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        found = [
            r.case
            for r in self.rows.values()
            if (f.unit_id is None or r.case.unit_id == f.unit_id)
            and (f.districts is None or r.case.district in f.districts)
            and (f.statuses is None or r.case.status in f.statuses)
            and (f.kind is None or r.case.kind is f.kind)
        ]
        found.sort(key=lambda c: (c.reply_by, c.case_id))
        page = [
            {"case_id": c.case_id, "suggestion_id": c.suggestion_id, "kind": str(c.kind)}
            for c in found
        ]
        return page[offset : offset + limit], len(found)


class FakeUnitOfWork(SupervisionUnitOfWork):
    def __init__(self, now: datetime) -> None:
        # Neither runtime nor session: nothing here reaches a store or a broker.
        self.cases: FakeCases = FakeCases()
        self.events: list[tuple[str, EventData]] = []
        self.at = now  # a test moves it

    def now(self) -> datetime:
        return self.at

    def emit(self, data: EventData, *, subject: str) -> str:
        self.events.append((subject, data))
        return f"event-{len(self.events)}"

    def types(self) -> list[str]:
        return [data.event_type.split(".")[-2] for _, data in self.events]
