"""Representatives' work in intake: endorsing suggestions and logging their duties."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from minyi.contracts.intake import (
    ActivityKind,
    EndorsementMode,
    RepresentativeActivityLogged,
    SuggestionEndorsed,
)
from minyi.intake.adapters.reference import IntakeReference
from minyi.intake.adapters.tables import activities, endorsements, suggestions
from minyi.intake.domain.text import redact_phones
from minyi.intake.service_layer.errors import Conflict, Invalid, NotFound
from minyi.platform.db import insert_or_ignore
from minyi.platform.service import UnitOfWork


@dataclass(frozen=True)
class EndorseSuggestion:
    suggestion_id: str
    representative_id: str
    mode: EndorsementMode
    note: str | None = None


async def endorse(cmd: EndorseSuggestion, uow: UnitOfWork, ref: IntakeReference) -> None:
    """附议 or 转为代表建议: recorded once per representative and mode."""
    if cmd.representative_id not in ref.representatives:
        raise Invalid(f"unknown representative_id {cmd.representative_id!r}", "representative_id")
    exists = (
        await uow.session.execute(
            select(suggestions.c.id).where(suggestions.c.id == cmd.suggestion_id)
        )
    ).first()
    if exists is None:
        raise NotFound("未找到该诉求（no suggestion with this id）")
    now = uow.runtime.clock.now()
    added = await insert_or_ignore(
        uow.session,
        endorsements,
        {
            "suggestion_id": cmd.suggestion_id,
            "representative_id": cmd.representative_id,
            "mode": cmd.mode,
            "note": cmd.note,
            "endorsed_at": now,
        },
    )
    if not added:
        raise Conflict("该代表已对此诉求作过同样的操作（already endorsed in this mode）")
    uow.emit(
        SuggestionEndorsed(
            suggestion_id=cmd.suggestion_id,
            representative_id=cmd.representative_id,
            mode=cmd.mode,
            note=cmd.note,
            endorsed_at=now,
        ),
        subject=cmd.suggestion_id,
    )


@dataclass(frozen=True)
class LogActivity:
    representative_id: str
    kind: ActivityKind
    date: date
    participants: int
    station_id: str | None = None
    notes: str | None = None


async def log_activity(cmd: LogActivity, uow: UnitOfWork, ref: IntakeReference) -> str:
    """Record a duty (履职登记); phone numbers in the notes are masked before they travel."""
    if cmd.representative_id not in ref.representatives:
        raise NotFound(f"unknown representative {cmd.representative_id!r}", "representative_id")
    if cmd.station_id is not None and cmd.station_id not in ref.stations:
        raise Invalid(f"unknown station_id {cmd.station_id!r}", "station_id")
    now = uow.runtime.clock.now()
    activity_id = str(uuid.uuid4())
    notes = redact_phones(cmd.notes) if cmd.notes else None
    await uow.session.execute(
        activities.insert().values(
            id=activity_id,
            representative_id=cmd.representative_id,
            kind=cmd.kind,
            station_id=cmd.station_id,
            date=cmd.date,
            participants=cmd.participants,
            notes=notes,
            logged_at=now,
        )
    )
    uow.emit(
        RepresentativeActivityLogged(
            activity_id=activity_id,
            representative_id=cmd.representative_id,
            kind=cmd.kind,
            station_id=cmd.station_id,
            date=cmd.date,
            participants=cmd.participants,
            notes=notes,
            logged_at=now,
        ),
        subject=cmd.representative_id,
    )
    return activity_id
