"""Intake follows each suggestion's lifecycle to answer citizens who track it."""

from __future__ import annotations

from sqlalchemy import select, update

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import AssignedToUnit, CaseAccepted, Resolved
from minyi.intake.adapters.tables import suggestions
from minyi.intake.domain.status import advanced
from minyi.platform.service import UnitOfWork

LIFECYCLE_TYPES = frozenset(
    {AssignedToUnit.event_type, CaseAccepted.event_type, Resolved.event_type}
)


async def when_lifecycle_event_update_status(event: RawEvent, uow: UnitOfWork) -> None:
    """Fold a lifecycle event into the citizen-facing status and history."""
    row = (
        await uow.session.execute(
            select(suggestions.c.status, suggestions.c.history)
            .where(suggestions.c.id == event.subject)
            .with_for_update()
        )
    ).first()
    if row is None:
        return  # not filed here (another deployment's suggestion)
    changes: dict[str, object] = {}
    if event.type == AssignedToUnit.event_type:
        a = event.data_as(AssignedToUnit)
        new_status, changes["unit_name"] = "assigned", a.unit_name
    elif event.type == CaseAccepted.event_type:
        new_status = "accepted"
    else:
        r = event.data_as(Resolved)
        new_status = "replied"
        changes.update(outcome=r.outcome, reply=r.reply, replied_at=r.replied_at)
    history = [*row.history, {"status": new_status, "at": event.time.isoformat()}]
    history.sort(key=lambda h: h["at"])
    await uow.session.execute(
        update(suggestions)
        .where(suggestions.c.id == event.subject)
        .values(status=advanced(row.status, new_status), history=history, **changes)
    )
