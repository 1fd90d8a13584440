"""Domain events of a case → wire contracts."""

from __future__ import annotations

from minyi.contracts import events as wire
from minyi.contracts.envelope import EventData
from minyi.supervision import domain


def to_contract(event: domain.CaseEvent) -> EventData:
    match event:
        case domain.CaseAccepted():
            return wire.CaseAccepted(
                suggestion_id=event.suggestion_id,
                unit_id=event.unit_id,
                accepted_at=event.at,
                on_time=event.on_time,
            )
        case domain.Resolved():
            return wire.Resolved(
                suggestion_id=event.suggestion_id,
                unit_id=event.unit_id,
                outcome=event.outcome.value,
                reply=event.reply,
                measures=event.measures,
                reason=event.reason,
                replied_at=event.at,
                on_time=event.on_time,
                round=event.round,
                feedback_by=event.feedback_by,
            )
    raise NotImplementedError(f"no contract for {type(event).__name__} yet")
