"""Load and save cases (the domain entity) in supervision's store."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.supervision.adapters.tables import cases
from minyi.supervision.domain import Case, Status

_CASE = TypeAdapter(Case)


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
        "state": _CASE.dump_python(case, mode="json"),
    }
    if attempt is not None:
        row["attempt"] = attempt
    if category is not None:
        row["category"] = category
    return row


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def exists(self, case_id: str) -> bool:
        found = await self.session.execute(
            select(cases.c.case_id).where(cases.c.case_id == case_id)
        )
        return found.first() is not None

    async def add(self, case: Case, *, attempt: int, category: str | None) -> None:
        await self.session.execute(
            cases.insert().values(case_id=case.case_id, **_columns(case, attempt, category))
        )

    async def current_for_suggestion(self, suggestion_id: str, *, lock: bool = True) -> Case | None:
        """The suggestion's live case: its newest attempt that was not returned."""
        query = (
            select(cases.c.state)
            .where(cases.c.suggestion_id == suggestion_id, cases.c.status != str(Status.RETURNED))
            .order_by(cases.c.attempt.desc())
            .limit(1)
        )
        if lock:
            query = query.with_for_update()
        state = (await self.session.execute(query)).scalar_one_or_none()
        return None if state is None else _CASE.validate_python(state)

    async def save(self, case: Case) -> None:
        await self.session.execute(
            update(cases).where(cases.c.case_id == case.case_id).values(**_columns(case))
        )
