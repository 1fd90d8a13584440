"""Representatives' work in intake: endorsing suggestions and logging their duties."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from minyi.contracts.intake import (
    ActivityKind,
    EndorsementMode,
    RepresentativeActivityLogged,
    SuggestionEndorsed,
)
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.errors import UnknownSuggestion
from minyi.intake.domain.text import redact_phones
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


@dataclass(frozen=True)
class LogActivity:
    representative_id: str
    kind: ActivityKind
    date: date
    participants: int
    station_id: str | None = None
    notes: str | None = None


async def log_activity(cmd: LogActivity, uow: IntakeUnitOfWork) -> str:
    """Record a duty (履职登记) of a serving deputy, at an open station if one is named;
    phone numbers in the notes are masked before they travel."""
    await require_listed(
        uow,
        representative_id=cmd.representative_id,
        station_id=cmd.station_id,
        representative_in_path=True,
    )
    logged = RepresentativeActivityLogged(
        activity_id=str(uuid.uuid4()),
        representative_id=cmd.representative_id,
        kind=cmd.kind,
        station_id=cmd.station_id,
        date=cmd.date,
        participants=cmd.participants,
        notes=redact_phones(cmd.notes) if cmd.notes else None,
        logged_at=uow.now(),
    )
    await uow.activities.add(logged)
    uow.emit(logged, subject=cmd.representative_id)
    return logged.activity_id
