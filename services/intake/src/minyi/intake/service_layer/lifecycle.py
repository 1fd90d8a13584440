"""Intake follows each suggestion's lifecycle to answer citizens who track it, and tells
the citizen when an answer arrives."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import AssignedToUnit, CaseAccepted, Resolved
from minyi.contracts.supervision import SUGGESTION_CLOSED, SUGGESTION_REOPENED
from minyi.intake.adapters.tables import suggestions
from minyi.intake.domain import tracking_code
from minyi.intake.domain.status import next_status
from minyi.intake.service_layer.notifications import enqueue
from minyi.platform.service import UnitOfWork

REOPENED = "cn.minyi.suggestion.reopened.v1"
CLOSED = "cn.minyi.suggestion.closed.v1"
LIFECYCLE_TYPES = frozenset(
    {AssignedToUnit.event_type, CaseAccepted.event_type, Resolved.event_type, REOPENED, CLOSED}
)
# Their subjects: the server delivers only these (filings, clusters… never reach intake).
LIFECYCLE_SUBJECTS = (
    AssignedToUnit.subject_name,
    CaseAccepted.subject_name,
    Resolved.subject_name,
    SUGGESTION_REOPENED,
    SUGGESTION_CLOSED,
)
_STATUS_OF = {
    AssignedToUnit.event_type: "assigned",
    CaseAccepted.event_type: "accepted",
    Resolved.event_type: "replied",
    REOPENED: "reopened",
    CLOSED: "closed",
}


def _round(data: dict[str, Any]) -> int:
    value = data.get("round")
    return value if isinstance(value, int) and value >= 1 else 1


async def when_lifecycle_event_update_status(event: RawEvent, uow: UnitOfWork) -> None:
    """Fold a lifecycle event into the citizen-facing status and history; on a reply,
    queue a notification to the citizen in the same transaction."""
    row = (
        await uow.session.execute(
            select(
                suggestions.c.status,
                suggestions.c.status_round,
                suggestions.c.reply_round,
                suggestions.c.history,
                suggestions.c.tracking_code,
                suggestions.c.phone_enc,
            )
            .where(suggestions.c.id == event.subject)
            .with_for_update()
        )
    ).first()
    if row is None:
        return  # not filed here (another deployment's suggestion)
    new_status, new_round = _STATUS_OF[event.type], _round(event.data)
    changes: dict[str, object] = {}
    if event.type == AssignedToUnit.event_type:
        changes["unit_name"] = event.data_as(AssignedToUnit).unit_name
    elif event.type == Resolved.event_type:
        r = event.data_as(Resolved)
        if r.round >= (row.reply_round or 0):
            changes.update(
                outcome=r.outcome, reply=r.reply, replied_at=r.replied_at, reply_round=r.round
            )
    status, status_round = next_status(row.status, row.status_round or 1, new_status, new_round)
    entry: dict[str, Any] = {"status": new_status, "at": event.time.isoformat()}
    if new_round > 1:
        entry["round"] = new_round
    if event.type == CLOSED and isinstance(event.data.get("result"), str):
        entry["result"] = event.data["result"]
    history = sorted([*row.history, entry], key=lambda h: h["at"])
    await uow.session.execute(
        update(suggestions)
        .where(suggestions.c.id == event.subject)
        .values(status=status, status_round=status_round, history=history, **changes)
    )
    if event.type == Resolved.event_type and row.phone_enc:
        code = tracking_code.format_code(row.tracking_code)
        await enqueue(
            uow,
            event.subject,
            "replied",
            f"【民意】您反映的问题已有答复，请凭查询码 {code} 查看并评价。",
        )
