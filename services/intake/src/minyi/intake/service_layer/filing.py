"""Filing a suggestion: store it (contact data encrypted) and emit SuggestionFiled."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from minyi.contracts.events import SuggestionFiled
from minyi.intake.adapters.tables import suggestions
from minyi.intake.domain import text, tracking_code
from minyi.intake.domain.pii_vault import PiiVault
from minyi.platform.db import serialize_on
from minyi.platform.service import UnitOfWork


@dataclass(frozen=True)
class Citizen:
    name: str | None
    phone: str | None  # canonical form, already validated


@dataclass(frozen=True)
class FileSuggestion:
    title: str
    content: str
    kind: str
    channel: str
    district_code: str
    citizen: Citizen | None = None
    township: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    station_id: str | None = None
    representative_id: str | None = None
    urgent: bool = False
    # A pseudonymous reference from the channel (a chat user) when there is no phone.
    citizen_ref: str | None = None
    category_hint: str | None = None


@dataclass(frozen=True)
class Filed:
    id: str
    tracking_code: str
    status: str
    duplicate: bool = False


async def file_suggestion(cmd: FileSuggestion, uow: UnitOfWork, vault: PiiVault) -> Filed:
    """Accept a suggestion: durably stored, its event in the outbox, before we answer."""
    now = uow.runtime.clock.now()
    fingerprint = text.content_fingerprint(f"{cmd.title}\n{cmd.content}")
    citizen_ref = (
        vault.blind_index(cmd.citizen.phone)
        if cmd.citizen and cmd.citizen.phone
        else cmd.citizen_ref
    )
    if citizen_ref:
        # Several group commits may run at once (PostgreSQL): a double tap in two of them
        # would each miss the other's uncommitted row. The second waits for the first.
        await serialize_on(uow.session, f"filing:{citizen_ref}:{fingerprint}")
        earlier = (
            await uow.session.execute(
                select(suggestions.c.id, suggestions.c.tracking_code, suggestions.c.status)
                .where(
                    suggestions.c.citizen_ref == citizen_ref,
                    suggestions.c.fingerprint == fingerprint,
                    suggestions.c.created_at >= now - text.RESUBMISSION_WINDOW,
                )
                .order_by(suggestions.c.created_at)
                .limit(1)
            )
        ).first()
        if earlier:
            return Filed(
                earlier.id,
                tracking_code.format_code(earlier.tracking_code),
                earlier.status,
                duplicate=True,
            )
    sid = str(uuid.uuid4())
    code = tracking_code.new_tracking_code()
    await uow.session.execute(
        suggestions.insert(),
        dict(
            id=sid,
            tracking_code=tracking_code.normalize(code),
            title=cmd.title,
            content=cmd.content,
            kind=cmd.kind,
            channel=cmd.channel,
            district_code=cmd.district_code,
            township=cmd.township,
            address=cmd.address,
            lat=cmd.lat,
            lon=cmd.lon,
            station_id=cmd.station_id,
            representative_id=cmd.representative_id,
            urgent=cmd.urgent,
            citizen_ref=citizen_ref,
            name_enc=vault.encrypt(cmd.citizen.name) if cmd.citizen and cmd.citizen.name else None,
            phone_enc=vault.encrypt(cmd.citizen.phone)
            if cmd.citizen and cmd.citizen.phone
            else None,
            fingerprint=fingerprint,
            created_at=now,
            status="filed",
            status_round=1,
            category_hint=cmd.category_hint,
            history=[{"status": "filed", "at": now.isoformat()}],
        ),
    )
    uow.emit(
        SuggestionFiled(
            suggestion_id=sid,
            title=cmd.title,
            content=cmd.content,
            kind=cmd.kind,
            channel=cmd.channel,
            district_code=cmd.district_code,
            station_id=cmd.station_id,
            representative_id=cmd.representative_id,
            urgent=cmd.urgent,
            citizen_ref=citizen_ref,
            filed_at=now,
            category_hint=cmd.category_hint,
        ),
        subject=sid,
    )
    return Filed(sid, code, "filed")
