"""Events intake publishes (version 1). See the package docstring for the rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from minyi.contracts import subjects
from minyi.contracts.envelope import EventData
from minyi.contracts.formal import FormalDetails


class SuggestionFiled(EventData):
    """A citizen's appeal or a representative's suggestion was accepted by intake."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.filed.v1"
    subject_name: ClassVar[str] = subjects.SUGGESTION_FILED

    suggestion_id: str
    title: str
    content: str
    kind: str = "citizen_appeal"
    channel: str
    district_code: str
    station_id: str | None = None
    representative_id: str | None = None
    urgent: bool = False
    # Pseudonymous, keyed reference to the citizen (never a name or a phone number).
    citizen_ref: str | None = None
    filed_at: datetime
    # Added in v1 (optional): the first-level category a channel already named (an Open311
    # service_code); routing may take it as a hint or ignore it.
    category_hint: str | None = None
    # Added in v1 (optional): a deputy's formal suggestion (代表建议) — its number, signers,
    # session; None for everything else (see ``minyi.contracts.formal``).
    formal: FormalDetails | None = None
    # Added in v1 (optional): the township (乡镇街道) in the district, when the filing named
    # one (the heat map's drill-down), and whether the citizen agreed, when filing, that
    # the text may be shown in public (default no: only counts and the office's titles are).
    township: str | None = None
    publish_consent: bool = False


# Subjects of the events below, declared beside them (``subjects`` holds the shared ones).
SUGGESTION_FEEDBACK_RECEIVED = "minyi.suggestion.feedback_received"
SUGGESTION_ENDORSED = "minyi.suggestion.endorsed"
REPRESENTATIVE_ACTIVITY_LOGGED = "minyi.representative.activity_logged"

EndorsementMode = Literal["endorse", "convert"]
ActivityKind = Literal["station_duty", "visit", "bureau_chief_session", "survey", "other"]


class FeedbackReceived(EventData):
    """The citizen rated the unit's answer (满意度): supervision closes or reopens the case."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.feedback_received.v1"
    subject_name: ClassVar[str] = SUGGESTION_FEEDBACK_RECEIVED

    suggestion_id: str
    satisfied: bool
    score: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = None
    # The reply round rated (Resolved.round); None when intake did not know it.
    round: int | None = None
    received_at: datetime


class SuggestionEndorsed(EventData):
    """A representative seconded a citizen's suggestion (附议, ``endorse``) or took it up as
    his or her own representative suggestion (转为代表建议, ``convert``)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.endorsed.v1"
    subject_name: ClassVar[str] = SUGGESTION_ENDORSED

    suggestion_id: str
    representative_id: str
    mode: EndorsementMode
    note: str | None = None
    endorsed_at: datetime


class RepresentativeActivityLogged(EventData):
    """A representative's duty was logged (履职登记). The CloudEvents ``subject`` is the
    representative id; ``notes`` never hold a citizen's contact data. No longer published:
    duties are recorded by liaison (``minyi.contracts.performance.ActivityRecorded``); the
    class stays for the history in the stream, which reporting reads."""

    event_type: ClassVar[str] = "cn.minyi.representative.activity_logged.v1"
    subject_name: ClassVar[str] = REPRESENTATIVE_ACTIVITY_LOGGED

    activity_id: str
    representative_id: str
    kind: ActivityKind
    station_id: str | None = None
    date: date
    participants: int = Field(ge=0)
    notes: str | None = None
    logged_at: datetime
