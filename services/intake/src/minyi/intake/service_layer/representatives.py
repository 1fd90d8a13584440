"""Representatives' work in intake: endorsing suggestions. Their duties (履职登记) are
recorded in liaison (``POST /v1/deputies/{id}/activities``)."""

from __future__ import annotations

from dataclasses import dataclass

from minyi.contracts.intake import EndorsementMode, SuggestionEndorsed
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.errors import UnknownSuggestion
from minyi.intake.service_layer.registry import require_listed
from minyi.platform.errors import Conflict


@dataclass(frozen=True)
class EndorseSuggestion:
    suggestion_id: str
    representative_id: str
    mode: EndorsementMode
    note: str | None = None


async def endorse(cmd: EndorseSuggestion, uow: IntakeUnitOfWork) -> None:
    """附议 or 转为代表建议: recorded once per representative and mode, by a serving one."""
    await require_listed(uow, representative_id=cmd.representative_id)
    if not await uow.suggestions.exists(cmd.suggestion_id):
        raise UnknownSuggestion()
    endorsed = SuggestionEndorsed(
        suggestion_id=cmd.suggestion_id,
        representative_id=cmd.representative_id,
        mode=cmd.mode,
        note=cmd.note,
        endorsed_at=uow.now(),
    )
    if not await uow.endorsements.add(endorsed):
        raise Conflict(
            "already_endorsed", "该代表已对此诉求作过同样的操作（already endorsed in this mode）"
        )
    uow.emit(endorsed, subject=cmd.suggestion_id)
