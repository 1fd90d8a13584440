"""A suggestion as intake files it. Its fields are listed once, here: a channel fills a
``Submission``, filing makes the ``Suggestion`` (id, tracking code, the citizen only as a
keyed index and sealed contact), the store keeps its fields as columns and
``SuggestionFiled`` is made from it. A matter a liaison station referred becomes one too
(``Suggestion.referred``), under the id and tracking code liaison chose."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from minyi.contracts.formal import FormalDetails
from minyi.contracts.ids import new_id
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.liaison import MatterReferred
from minyi.intake.domain import text
from minyi.intake.domain.status import FILED, history_entry


@dataclass(frozen=True)
class Submission:
    """What a channel passes on (validated and cleaned): the same for web, chat, Open311…"""

    title: str
    content: str
    kind: str
    channel: str
    district_code: str
    township: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    station_id: str | None = None
    representative_id: str | None = None
    urgent: bool = False
    category_hint: str | None = None
    # The citizen agreed, when filing, that the text may be shown in public (never the
    # contact data). Every channel asks; the default is no.
    publish_consent: bool = False

    def fingerprint(self) -> str:
        """The same for the same words (a resubmission), whatever the spacing or width."""
        return text.content_fingerprint(f"{self.title}\n{self.content}")


_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Suggestion:
    id: str
    # Display form, MY-XXXX-XXXX-XXXX-XXXX-C; None for a referred matter: liaison handed
    # the code to the citizen and sent intake only its SHA-256 (``tracking_digest``).
    tracking_code: str | None
    submission: Submission
    fingerprint: str
    filed_at: datetime
    # The keyed index of the citizen's phone (or a channel's pseudonymous user): links one
    # citizen's appeals without the number.
    citizen_ref: str | None
    # Fernet tokens: contact data exists only sealed.
    sealed_name: str | None
    sealed_phone: str | None
    status: str = FILED
    history: list[dict[str, Any]] = field(default_factory=list)
    tracking_digest: str | None = None
    # A deputy's formal suggestion (代表建议): its number and signers (kept in intake's
    # ``formal_suggestions``; only the event carries them from here).
    formal: FormalDetails | None = None

    @classmethod
    def file(
        cls,
        submission: Submission,
        *,
        tracking_code: str,
        fingerprint: str,
        citizen_ref: str | None,
        sealed_name: str | None,
        sealed_phone: str | None,
        now: datetime,
        id: str | None = None,
        formal: FormalDetails | None = None,
    ) -> Suggestion:
        """``id``: chosen beforehand (a formal suggestion keeps its draft's), else new."""
        return cls(
            id or new_id(),
            tracking_code,
            submission,
            fingerprint,
            now,
            citizen_ref,
            sealed_name,
            sealed_phone,
            history=[history_entry(FILED, now)],
            formal=formal,
        )

    @classmethod
    def referred(cls, matter: MatterReferred) -> Suggestion:
        """A matter raised at a reception and referred (channel ``station``, with station and
        deputy): filed under liaison's id, tracked by the digest of liaison's code, with the
        citizen only as ``citizen_ref`` and no contact (liaison keeps it)."""
        digest = matter.tracking_code_sha256.lower()
        if not _SHA256.fullmatch(digest):
            raise ValueError("tracking_code_sha256 is not a SHA-256 in hex")
        submission = Submission(
            title=text.clean_line(matter.title)[:100],
            content=text.clean_text(matter.content)[:5000],
            kind="citizen_appeal",
            channel=matter.channel,
            district_code=matter.district_code,
            township=matter.township,
            station_id=matter.station_id,
            representative_id=matter.representative_id,
            publish_consent=matter.publish_consent,
        )
        return cls(
            matter.suggestion_id,
            None,
            submission,
            submission.fingerprint(),
            matter.referred_at,
            matter.citizen_ref,
            None,
            None,
            history=[history_entry(FILED, matter.referred_at)],
            tracking_digest=digest,
        )

    def filed_event(self) -> SuggestionFiled:
        s = self.submission
        return SuggestionFiled(
            suggestion_id=self.id,
            title=s.title,
            content=s.content,
            kind=s.kind,
            channel=s.channel,
            district_code=s.district_code,
            station_id=s.station_id,
            representative_id=s.representative_id,
            urgent=s.urgent,
            citizen_ref=self.citizen_ref,
            filed_at=self.filed_at,
            category_hint=s.category_hint,
            formal=self.formal,
            township=s.township,
            publish_consent=s.publish_consent,
        )


class FiledBefore(NamedTuple):
    """A suggestion the same citizen filed with the same words a moment ago."""

    id: str
    tracking_code: str  # stored (normalised) form
    status: str
