"""Event payloads (version 1). See the package docstring for the compatibility rules."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from minyi.contracts import subjects
from minyi.contracts.envelope import EventData

Outcome = Literal["A", "B", "C", "D"]


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


class AssignmentExplanation(EventData):
    event_type: ClassVar[str] = "cn.minyi.assignment.explanation.v1"
    subject_name: ClassVar[str] = ""

    reason: str = Field(description="rule | model | manual | return | cluster")
    rule: str | None = None
    model_version: str | None = None
    confidence: float | None = None
    top_features: list[str] = Field(default_factory=list)
    summary: str = ""


class AssignedToUnit(EventData):
    """Routing decided which government unit must handle the suggestion."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.assigned.v1"
    subject_name: ClassVar[str] = subjects.SUGGESTION_ASSIGNED

    suggestion_id: str
    unit_id: str
    unit_name: str
    category: str
    focus_area: str
    district_code: str
    kind: str = "citizen_appeal"
    urgent: bool = False
    attempt: int = 1
    explanation: AssignmentExplanation
    assigned_at: datetime


class Resolved(EventData):
    """The unit answered: the reply and its outcome (A solved … D kept for reference)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.resolved.v1"
    subject_name: ClassVar[str] = subjects.SUGGESTION_RESOLVED

    suggestion_id: str
    unit_id: str
    outcome: Outcome
    reply: str
    measures: str | None = None
    # Why it cannot be solved now (required with outcome C).
    reason: str | None = None
    replied_at: datetime
    on_time: bool
    # 1 for the first answer, 2 after the citizen was not satisfied with the first.
    round: int = 1
    feedback_by: datetime | None = None


class CaseAccepted(EventData):
    """The unit signed for the case (签收)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.accepted.v1"
    subject_name: ClassVar[str] = subjects.SUGGESTION_ACCEPTED

    suggestion_id: str
    unit_id: str
    accepted_at: datetime
    on_time: bool


CATALOGUE: dict[str, type[EventData]] = {
    model.event_type: model for model in (SuggestionFiled, AssignedToUnit, CaseAccepted, Resolved)
}
