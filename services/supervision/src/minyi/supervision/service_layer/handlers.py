"""Supervision's reactions to events."""

from __future__ import annotations

import logging
from datetime import datetime

from minyi.contracts.envelope import RawEvent
from minyi.contracts.routing import AssignedToUnit
from minyi.platform.errors import DomainError
from minyi.supervision.adapters.events import case_id_for, to_contract
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.domain import Case, Rules

log = logging.getLogger(__name__)


def _aware(value: object) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


async def when_assigned_open_case(
    event: RawEvent, uow: SupervisionUnitOfWork, rules: Rules
) -> None:
    """Open the handling case, with its deadlines, at the unit routing chose."""
    a = event.data_as(AssignedToUnit)
    case_id = case_id_for(a.suggestion_id, a.attempt)
    if await uow.cases.exists(case_id):
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
    await uow.cases.add(case, attempt=a.attempt, category=a.category)


async def when_feedback_received_close_or_reopen(
    event: RawEvent, uow: SupervisionUnitOfWork, rules: Rules
) -> None:
    """满意 closes the case; 不满意 reopens it once for the same unit, then closes it
    unsatisfied for review. Stale or duplicate feedback changes nothing.

    Intake's ``FeedbackReceived`` is read tolerantly from ``event.data`` (only the fields
    below), so a change elsewhere in intake's model never stops this consumer."""
    data = event.data
    suggestion_id = str(data["suggestion_id"])
    satisfied = bool(data["satisfied"])
    raw_round = data.get("round")
    for_round = int(raw_round) if raw_round is not None else None
    at = _aware(data.get("received_at")) or event.time
    case = await uow.cases.current_for_suggestion(suggestion_id)
    if case is None:
        log.warning("feedback %s for %s: no case here; ignored", event.id, suggestion_id)
        return
    try:
        events = case.record_feedback(satisfied, at, rules, for_round=for_round)
    except DomainError as exc:
        # Feedback on a case that is not waiting for it (e.g. a citizen rating twice)
        # cannot succeed on retry: record it as handled and move on.
        log.warning("feedback %s for %s ignored: %s", event.id, suggestion_id, exc)
        return
    await uow.cases.save(case)
    for e in events:
        uow.emit(to_contract(e, case), subject=suggestion_id)
