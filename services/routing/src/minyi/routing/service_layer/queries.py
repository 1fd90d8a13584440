"""What routing's API reads: a decision, the triage queue, the model versions. Each answer
is limited to the caller's scope."""

from __future__ import annotations

from typing import Any

from minyi.platform.auth_tokens import Principal, Role
from minyi.routing.adapters.unit_of_work import RoutingUnitOfWork
from minyi.routing.dependencies import RoutingDeps
from minyi.routing.domain.errors import AssignmentNotFound

MAX_QUEUE = 1000


async def assignment_of(
    uow: RoutingUnitOfWork, who: Principal, suggestion_id: str
) -> dict[str, Any]:
    """A unit sees the decisions that assigned to it, a supervisor those of its districts."""
    row = await uow.assignments.view(suggestion_id)
    # Out of scope answers as not found: nothing about other units' or districts' cases.
    if row is None or not _in_scope(who, row["unit_id"], row["district_code"]):
        raise AssignmentNotFound(suggestion_id)
    return {k: v for k, v in row.items() if k != "district_code"}


def _in_scope(who: Principal, unit_id: str | None, district: str | None) -> bool:
    if who.role is Role.UNIT_STAFF:
        return unit_id is not None and unit_id == who.unit
    return who.sees_district(district)


async def triage_queue(uow: RoutingUnitOfWork, who: Principal, limit: int) -> list[dict[str, Any]]:
    """Oldest first, urgent ones ahead; a supervisor's queue is its districts', the
    admin's everyone's."""
    districts = None if who.role is Role.ADMIN else frozenset(who.districts or ())
    return await uow.triage.waiting(districts, max(1, min(limit, MAX_QUEUE)))


async def model_versions(uow: RoutingUnitOfWork, deps: RoutingDeps) -> dict[str, Any]:
    return {"in_use": deps.model.current.version, "versions": await uow.model_versions.stored()}


async def formal_queue(uow: RoutingUnitOfWork, limit: int) -> list[dict[str, Any]]:
    """The 交办 queue, longest waiting first: each formal suggestion with its details as
    filed, routing's proposal and explanation, and its earlier confirmations and returns."""
    rows = await uow.formal.waiting(max(1, min(limit, MAX_QUEUE)))
    return [
        {
            "suggestion_id": r["suggestion_id"],
            "number": r["number"],
            "title": r["title"],
            "content": r["content"],
            "district_code": r["district_code"],
            "filed_at": r["filed_at"],
            "lead_deputy_id": r["lead_deputy_id"],
            "signer_ids": r["signer_ids"],
            "session": r["formal"].get("session"),
            "reasons": r["formal"].get("reasons", ""),
            "measures": r["formal"].get("measures", ""),
            "attempt": r["attempt"],
            "proposal": {k: v for k, v in r["proposal"].items() if k != "ranking"},
            "history": r["history"],
            "waiting_since": r["waiting_since"],
        }
        for r in rows
    ]
