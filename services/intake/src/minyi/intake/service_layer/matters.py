"""A matter raised at a liaison station's reception and referred (转为建议) becomes a
suggestion here, under the id liaison chose; the citizen follows it with the tracking code
the station handed out (only its SHA-256 reached intake: minyi.contracts.liaison)."""

from __future__ import annotations

from minyi.contracts.envelope import RawEvent
from minyi.contracts.liaison import MatterReferred
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.suggestion import Suggestion


async def when_matter_referred_file_suggestion(event: RawEvent, uow: IntakeUnitOfWork) -> None:
    """File it and announce it as any filing (routing, supervision and reporting follow);
    the same suggestion id again (a republished event) changes nothing."""
    suggestion = Suggestion.referred(event.data_as(MatterReferred))
    if await uow.suggestions.exists(suggestion.id):
        return
    await uow.suggestions.add(suggestion)
    uow.emit(suggestion.filed_event(), subject=suggestion.id)
