"""Filing a suggestion: store it (contact data sealed) and emit SuggestionFiled."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from minyi.contracts import tracking_code
from minyi.contracts.formal import FormalDetails
from minyi.contracts.gazetteer import Gazetteer
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain import text
from minyi.intake.domain.suggestion import Submission, Suggestion
from minyi.intake.service_layer.registry import require_listed
from minyi.platform.pii_vault import PiiVault


def with_township(submission: Submission, places: Gazetteer) -> Submission:
    """The township the filing's words name, when it named none and the place matched lies
    in its district (the heat map's drill-down); else the submission as it is."""
    if submission.township:
        return submission
    words = " ".join(x for x in (submission.address, submission.title, submission.content) if x)
    match = places.find_district(words)
    if match is None or match.code != submission.district_code or not match.township:
        return submission
    return replace(submission, township=match.township)


@dataclass(frozen=True)
class Citizen:
    name: str | None
    phone: str | None  # canonical form, already validated


@dataclass(frozen=True)
class FileSuggestion:
    submission: Submission
    citizen: Citizen | None = None
    # A pseudonymous reference from the channel (a chat user) when there is no phone.
    citizen_ref: str | None = None
    # A deputy's formal suggestion: filed under its draft's id, with its details.
    suggestion_id: str | None = None
    formal: FormalDetails | None = None


@dataclass(frozen=True)
class Filed:
    id: str
    tracking_code: str  # display form
    status: str
    duplicate: bool = False

    def body(self) -> dict[str, Any]:
        """The answer to the channel (``FiledOut``)."""
        return dict(vars(self))


async def file_suggestion(cmd: FileSuggestion, uow: IntakeUnitOfWork, vault: PiiVault) -> Filed:
    """Accept a suggestion: durably stored, its event in the outbox, before we answer. The
    same words from the same citizen within the resubmission window give the first one back.
    A deputy or station it is addressed to must be listed (serving, open)."""
    s = cmd.submission
    await require_listed(uow, representative_id=s.representative_id, station_id=s.station_id)
    now = uow.now()
    citizen = cmd.citizen
    citizen_ref = vault.blind_index(citizen.phone) if citizen and citizen.phone else cmd.citizen_ref
    # A resubmission is recognised by citizen_ref and fingerprint together: an anonymous
    # filing's fingerprint would never be looked up (and costs a twentieth of a filing).
    fingerprint = cmd.submission.fingerprint() if citizen_ref else ""
    if citizen_ref:
        # Several group commits may run at once (PostgreSQL): a double tap in two of them
        # would each miss the other's uncommitted row. The second waits for the first.
        await uow.suggestions.serialize_filing(citizen_ref, fingerprint)
        earlier = await uow.suggestions.filed_since(
            citizen_ref, fingerprint, now - text.RESUBMISSION_WINDOW
        )
        if earlier:
            code = tracking_code.format_code(earlier.tracking_code)
            return Filed(earlier.id, code, earlier.status, duplicate=True)
    code = tracking_code.new_tracking_code()
    suggestion = Suggestion.file(
        cmd.submission,
        tracking_code=code,
        fingerprint=fingerprint,
        citizen_ref=citizen_ref,
        sealed_name=vault.encrypt(citizen.name) if citizen and citizen.name else None,
        sealed_phone=vault.encrypt(citizen.phone) if citizen and citizen.phone else None,
        now=now,
        id=cmd.suggestion_id,
        formal=cmd.formal,
    )
    await uow.suggestions.add(suggestion)
    uow.emit(suggestion.filed_event(), subject=suggestion.id)
    return Filed(suggestion.id, code, suggestion.status)
