"""Routing's suggestions, assignments, triage queue and training examples in its store
(``uow.suggestions``, ``uow.assignments``, ``uow.triage``, ``uow.training_examples``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.routing import AssignmentExplanation
from minyi.platform.sql_lists import in_list
from minyi.routing.adapters.corpus import LabelledRow
from minyi.routing.adapters.events import candidates_of, explanation_of
from minyi.routing.adapters.tables import (
    assignments,
    formal_assignments,
    suggestions,
    training_examples,
)
from minyi.routing.domain.assignment import (
    ASSIGNED,
    CLOSED,
    CONFIRMED,
    PROPOSED,
    TRIAGE,
    WAITING,
    Assignment,
    FormalRecord,
    Suggestion,
)
from minyi.routing.domain.decision import Classification, Decision

# Built once, run with parameters: a statement built per event cost more CPU (its
# construction and cache key) than its execution.
_INSERT_SUGGESTIONS = insert(suggestions)
_INSERT_ASSIGNMENTS = insert(assignments)
_SUGGESTION = select(suggestions).where(suggestions.c.id == bindparam("sid"))
_ASSIGNMENT = select(assignments).where(assignments.c.suggestion_id == bindparam("sid"))
_ASSIGNMENT_EXISTS = select(assignments.c.suggestion_id).where(
    assignments.c.suggestion_id == bindparam("sid")
)
_ASSIGNMENTS_AMONG = select(assignments.c.suggestion_id).where(
    in_list(assignments.c.suggestion_id, "sids")
)
_OPEN_CASE_IN_CLUSTER = (
    select(assignments.c.unit_id, assignments.c.category, assignments.c.decided_at)
    .where(
        assignments.c.suggestion_id.in_(
            select(suggestions.c.id).where(
                suggestions.c.cluster_id == bindparam("cluster"),
                suggestions.c.id != bindparam("excluding"),
            )
        ),
        assignments.c.status == ASSIGNED,
    )
    .order_by(assignments.c.decided_at.desc())
    .limit(1)
)
_FORMAL = select(formal_assignments).where(formal_assignments.c.suggestion_id == bindparam("sid"))


class PendingRows:
    """The suggestion and first assignment rows of one transaction's filings, written
    together just before it commits (one executemany per table per group commit instead of
    two statements per filing). The repositories write them first before any other use of
    those tables in the transaction (``settle``), and look here where a filing asks."""

    def __init__(self) -> None:
        self.suggestions: dict[str, dict[str, Any]] = {}
        self.assignments: dict[str, dict[str, Any]] = {}
        # Suggestions known to have no assignment row (asked for a whole batch at once).
        self.unassigned: set[str] = set()

    async def flush(self, session: AsyncSession) -> None:
        if self.suggestions:
            await session.execute(_INSERT_SUGGESTIONS, list(self.suggestions.values()))
        if self.assignments:
            await session.execute(_INSERT_ASSIGNMENTS, list(self.assignments.values()))
        self.suggestions, self.assignments = {}, {}
        self.unassigned = set()  # from here on, ask the store

    def open_case_in_cluster(
        self, cluster_id: str, excluding: str
    ) -> tuple[str, str, datetime] | None:
        """Like ``Assignments.open_case_in_cluster``, among the pending rows (the latest)."""
        found = None
        for sid, row in self.assignments.items():
            member = self.suggestions.get(sid)
            if (
                sid != excluding
                and row["status"] == ASSIGNED
                and member is not None
                and member["cluster_id"] == cluster_id
                and (found is None or row["decided_at"] >= found[2])
            ):
                found = (row["unit_id"], row["category"], row["decided_at"])
        return found


Pending = Callable[[], PendingRows]


async def settle(session: AsyncSession, pending: Pending) -> None:
    """Write the transaction's pending rows now: what follows reads or changes them."""
    rows = pending()
    if rows.suggestions or rows.assignments:
        await rows.flush(session)


class Suggestions:
    def __init__(self, session: AsyncSession, pending: Pending) -> None:
        self.session = session
        self._pending = pending

    async def add(
        self,
        filed: SuggestionFiled,
        cluster_id: str | None,
        signature: bytes | None,
        appeal_member: int | None,
    ) -> None:
        """A filed suggestion; a formal one has no cluster, signature or member key (it
        stays out of the recurring-appeal index). Written with the transaction's other
        pending rows."""
        self._pending().suggestions[filed.suggestion_id] = dict(
            id=filed.suggestion_id,
            title=filed.title,
            content=filed.content,
            kind=filed.kind,
            district_code=filed.district_code,
            urgent=filed.urgent,
            filed_at=filed.filed_at,
            cluster_id=cluster_id,
            signature=signature,
            appeal_member=appeal_member,
        )

    async def get(self, suggestion_id: str) -> Suggestion | None:
        await settle(self.session, self._pending)
        found = await self.session.execute(_SUGGESTION, {"sid": suggestion_id})
        r = found.mappings().first()
        if r is None:
            return None
        return Suggestion(
            r["id"], r["title"], r["content"], r["district_code"], r["kind"], r["urgent"]
        )

    async def one(self, suggestion_id: str) -> Suggestion:
        """A suggestion known to be stored (its assignment is)."""
        found = await self.get(suggestion_id)
        if found is None:
            raise LookupError(f"suggestion {suggestion_id} is not stored")
        return found


def _values(decision: Decision, now: datetime) -> dict[str, Any]:
    c = decision.classification
    return {
        "status": TRIAGE if decision.needs_triage else ASSIGNED,
        "unit_id": decision.unit.id if decision.unit else None,
        "category": c.category,
        "focus_area": decision.focus_area,
        "confidence": c.confidence,
        "reason": c.reason,
        "explanation": explanation_of(decision).model_dump(mode="json"),
        "decided_at": now,
        "triage_reason": decision.triage_reason,
        "candidates": [k.model_dump(mode="json") for k in candidates_of(decision)]
        if decision.needs_triage
        else None,
    }


def _assignment(row: RowMapping) -> Assignment:
    e = AssignmentExplanation.model_validate(row["explanation"])
    return Assignment(
        suggestion_id=row["suggestion_id"],
        attempt=row["attempt"],
        status=row["status"],
        unit_id=row["unit_id"],
        returned_by=list(row["returned_by"]),
        classification=Classification(
            category=row["category"],
            confidence=row["confidence"],
            reason=row["reason"],
            rule=e.rule,
            model_version=e.model_version,
            top_features=e.top_features,
        ),
    )


class Assignments:
    def __init__(self, session: AsyncSession, pending: Pending) -> None:
        self.session = session
        self._pending = pending

    async def exists(self, suggestion_id: str) -> bool:
        pending = self._pending()
        if suggestion_id in pending.assignments:
            return True
        if suggestion_id in pending.unassigned:
            return False
        found = await self.session.execute(_ASSIGNMENT_EXISTS, {"sid": suggestion_id})
        return found.first() is not None

    async def ask_ahead(self, suggestion_ids: Sequence[str]) -> None:
        """Learn in one statement which of a batch's suggestions have no assignment yet, so
        that ``exists`` need not ask the store for each."""
        if not suggestion_ids:
            return
        found = await self.session.execute(_ASSIGNMENTS_AMONG, {"sids": list(suggestion_ids)})
        pending = self._pending()
        pending.unassigned |= set(suggestion_ids) - set(found.scalars())

    async def get(self, suggestion_id: str) -> Assignment | None:
        await settle(self.session, self._pending)
        found = await self.session.execute(_ASSIGNMENT, {"sid": suggestion_id})
        row = found.mappings().first()
        return _assignment(row) if row else None

    async def add(self, suggestion_id: str, decision: Decision, now: datetime) -> None:
        """The first attempt's decision (written with the transaction's pending rows)."""
        self._pending().unassigned.discard(suggestion_id)
        self._pending().assignments[suggestion_id] = dict(
            suggestion_id=suggestion_id, attempt=1, returned_by=[], **_values(decision, now)
        )

    async def record(
        self,
        suggestion_id: str,
        decision: Decision,
        now: datetime,
        *,
        attempt: int | None = None,
        returned_by: list[str] | None = None,
    ) -> None:
        """A later decision: a person's (same attempt) or after a return (the next one)."""
        values = _values(decision, now)
        if attempt is not None:
            values["attempt"] = attempt
        if returned_by is not None:
            values["returned_by"] = returned_by
        await settle(self.session, self._pending)
        await self.session.execute(
            update(assignments).where(assignments.c.suggestion_id == suggestion_id).values(**values)
        )

    async def propose(
        self,
        suggestion_id: str,
        decision: Decision,
        now: datetime,
        *,
        attempt: int,
        returned_by: list[str],
    ) -> None:
        """A formal suggestion waits for the office: no unit until it confirms (the
        classification is kept, a return's next proposal starts from it)."""
        values = _values(decision, now) | {
            "status": PROPOSED,
            "unit_id": None,
            "attempt": attempt,
            "returned_by": returned_by,
            "candidates": None,
        }
        if attempt == 1:
            self._pending().unassigned.discard(suggestion_id)
            self._pending().assignments[suggestion_id] = dict(suggestion_id=suggestion_id, **values)
        else:
            await settle(self.session, self._pending)
            await self.session.execute(
                update(assignments)
                .where(assignments.c.suggestion_id == suggestion_id)
                .values(**values)
            )

    async def close(self, suggestion_id: str, unit_id: str) -> None:
        """The unit's case is closed (a no-op unless that unit holds the assignment)."""
        await settle(self.session, self._pending)
        await self.session.execute(
            update(assignments)
            .where(
                assignments.c.suggestion_id == suggestion_id,
                assignments.c.unit_id == unit_id,
                assignments.c.status == ASSIGNED,
            )
            .values(status=CLOSED)
        )

    async def open_case_in_cluster(self, cluster_id: str, excluding: str) -> tuple[str, str] | None:
        """(unit id, category) of the latest open assignment of another cluster member,
        stored or pending."""
        found = await self.session.execute(
            _OPEN_CASE_IN_CLUSTER, {"cluster": cluster_id, "excluding": excluding}
        )
        row = found.first()
        pending = self._pending().open_case_in_cluster(cluster_id, excluding)
        if pending is not None and (row is None or pending[2] >= row.decided_at):
            return pending[0], pending[1]
        return (row.unit_id, row.category) if row else None

    async def view(self, suggestion_id: str) -> dict[str, Any] | None:
        """The stored decision as the API shows it, with the suggestion's district."""
        await settle(self.session, self._pending)
        found = await self.session.execute(
            select(assignments, suggestions.c.district_code)
            .join(suggestions, suggestions.c.id == assignments.c.suggestion_id)
            .where(assignments.c.suggestion_id == suggestion_id)
        )
        row = found.mappings().first()
        return dict(row) if row else None


class TriageQueue:
    def __init__(self, session: AsyncSession, pending: Pending) -> None:
        self.session = session
        self._pending = pending

    async def waiting(self, districts: frozenset[str] | None, limit: int) -> list[dict[str, Any]]:
        """Suggestions waiting for a person, urgent first, then oldest; ``districts`` None
        means every district."""
        await settle(self.session, self._pending)
        query = (
            select(
                assignments.c.suggestion_id,
                assignments.c.attempt,
                assignments.c.triage_reason.label("reason"),
                assignments.c.candidates,
                assignments.c.explanation,
                assignments.c.returned_by,
                assignments.c.decided_at.label("since"),
                suggestions.c.title,
                suggestions.c.content,
                suggestions.c.district_code,
                suggestions.c.urgent,
            )
            .join(suggestions, suggestions.c.id == assignments.c.suggestion_id)
            .where(assignments.c.status == TRIAGE)
            .order_by(suggestions.c.urgent.desc(), assignments.c.decided_at)
            .limit(limit)
        )
        if districts is not None:
            query = query.where(suggestions.c.district_code.in_(sorted(districts)))
        return [dict(r) for r in (await self.session.execute(query)).mappings()]


class TrainingExamples:
    """People's triage choices, kept to train the next model version."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, suggestion: Suggestion, *, category: str, unit_id: str, source: str, now: datetime
    ) -> None:
        await self.session.execute(
            training_examples.insert().values(
                suggestion_id=suggestion.suggestion_id,
                title=suggestion.title,
                content=suggestion.content,
                category=category,
                unit_id=unit_id,
                source=source,
                created_at=now,
            )
        )

    async def labelled(self) -> list[LabelledRow]:
        rows = await self.session.execute(select(training_examples))
        return [LabelledRow(m.title, m.content, m.category, m.unit_id) for m in rows]


def _formal(row: RowMapping) -> FormalRecord:
    return FormalRecord(
        suggestion_id=row["suggestion_id"],
        number=row["number"],
        lead_deputy_id=row["lead_deputy_id"],
        signer_ids=list(row["signer_ids"]),
        status=row["status"],
        attempt=row["attempt"],
        proposal=dict(row["proposal"]),
        history=list(row["history"]),
    )


class FormalQueue:
    """The 交办 queue of deputies' formal suggestions (``uow.formal``)."""

    def __init__(self, session: AsyncSession, pending: Pending) -> None:
        self.session = session
        self._pending = pending

    async def add(self, filed: SuggestionFiled, proposal: dict[str, Any], now: datetime) -> None:
        assert filed.formal is not None
        f = filed.formal
        await self.session.execute(
            formal_assignments.insert(),
            dict(
                suggestion_id=filed.suggestion_id,
                number=f.number,
                lead_deputy_id=f.lead_deputy_id,
                signer_ids=[
                    f.lead_deputy_id,
                    *(i for i in f.co_signer_ids if i != f.lead_deputy_id),
                ],
                formal=f.model_dump(mode="json"),
                status=WAITING,
                attempt=1,
                proposal=proposal,
                history=[],
                waiting_since=now,
            ),
        )

    async def get(self, suggestion_id: str) -> FormalRecord | None:
        found = await self.session.execute(_FORMAL, {"sid": suggestion_id})
        row = found.mappings().first()
        return _formal(row) if row else None

    async def confirmed(self, record: FormalRecord, entry: dict[str, Any]) -> None:
        """The office confirmed the units of the current attempt."""
        await self.session.execute(
            update(formal_assignments)
            .where(formal_assignments.c.suggestion_id == record.suggestion_id)
            .values(status=CONFIRMED, history=[*record.history, entry])
        )

    async def returned(
        self,
        record: FormalRecord,
        returned: dict[str, Any],
        proposal: dict[str, Any],
        now: datetime,
    ) -> None:
        """A unit returned it: back in the queue for the next attempt, the return noted on
        the confirmation it undoes."""
        history = [*record.history]
        if history:
            history[-1] = {**history[-1], "returned": returned}
        await self.session.execute(
            update(formal_assignments)
            .where(formal_assignments.c.suggestion_id == record.suggestion_id)
            .values(
                status=WAITING,
                attempt=record.attempt + 1,
                proposal=proposal,
                history=history,
                waiting_since=now,
            )
        )

    async def waiting(self, limit: int) -> list[dict[str, Any]]:
        """The queue, longest waiting first, with the suggestion's text."""
        await settle(self.session, self._pending)
        query = (
            select(
                formal_assignments,
                suggestions.c.title,
                suggestions.c.content,
                suggestions.c.district_code,
                suggestions.c.filed_at,
            )
            .join(suggestions, suggestions.c.id == formal_assignments.c.suggestion_id)
            .where(formal_assignments.c.status == WAITING)
            .order_by(formal_assignments.c.waiting_since, formal_assignments.c.suggestion_id)
            .limit(limit)
        )
        return [dict(r) for r in (await self.session.execute(query)).mappings()]
