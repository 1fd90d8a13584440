"""Events intake publishes (version 1). See the package docstring for the rules."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from minyi.contracts import subjects
from minyi.contracts.envelope import EventData


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
