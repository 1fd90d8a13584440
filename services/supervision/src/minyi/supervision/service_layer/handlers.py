"""Supervision's reactions to events."""

from __future__ import annotations

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import AssignedToUnit
from minyi.platform.service import UnitOfWork
from minyi.supervision.adapters.repository import CaseRepository
from minyi.supervision.domain import Case, Rules


def case_id_for(suggestion_id: str, attempt: int) -> str:
    # Deterministic: a republished assignment finds its case instead of opening another.
    return f"{suggestion_id}:{attempt}"


async def when_assigned_open_case(event: RawEvent, uow: UnitOfWork, rules: Rules) -> None:
    """Open the handling case, with its deadlines, at the unit routing chose."""
    a = event.data_as(AssignedToUnit)
    repo = CaseRepository(uow.session)
    case_id = case_id_for(a.suggestion_id, a.attempt)
    if await repo.exists(case_id):
        return
    case = Case.open(
        case_id=case_id,
        suggestion_id=a.suggestion_id,
        unit_id=a.unit_id,
        district=a.district_code,
        kind=a.kind,
        urgent=a.urgent,
        assigned_at=a.assigned_at,
        rules=rules,
    )
    await repo.add(case, attempt=a.attempt, category=a.category)
