"""Events routing publishes (version 1). See the package docstring for the rules."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from minyi.contracts import subjects
from minyi.contracts.envelope import EventData
from minyi.contracts.formal import CoUnit

# Subjects of routing's later events (``SUGGESTION_ASSIGNED`` lives in ``subjects``).
SUGGESTION_TRIAGE_REQUIRED = "minyi.suggestion.triage_required"
SUGGESTION_CLUSTERED = "minyi.suggestion.clustered"


class AssignmentExplanation(BaseModel):
    """Why routing chose this category and unit, in words people read on the timeline."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    reason: str = Field(description="rule | model | manual | return | cluster")
    rule: str | None = None
    model_version: str | None = None
    confidence: float | None = None
    top_features: list[str] = Field(default_factory=list)
    summary: str = ""
    # Set with reason "cluster": the recurring-appeal cluster handled together (并案).
    cluster_id: str | None = None


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
    # Added in v1 (optional), for a formal suggestion (代表建议) once the office confirmed
    # the assignment: the co-handling units (协办), the yearly number, every signer (lead
    # deputy first), and the text the units answer (supervision's workbench shows it).
    co_units: list[CoUnit] = Field(default_factory=list)
    number: str | None = None
    signer_ids: list[str] = Field(default_factory=list)
    title: str | None = None
    content: str | None = None


class TriageCandidate(BaseModel):
    """One category (and the unit that would get it) a person may choose in triage."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    category: str
    confidence: float
    unit_id: str | None = None
    unit_name: str | None = None


class TriageRequired(EventData):
    """A person in the manual triage queue (人工分办) must choose the unit.

    Routing could not decide alone: low confidence, returned twice, or no unit left."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.triage_required.v1"
    subject_name: ClassVar[str] = SUGGESTION_TRIAGE_REQUIRED

    suggestion_id: str
    reason: str = Field(description="low_confidence | returned | no_unit")
    candidates: list[TriageCandidate] = Field(default_factory=list)
    explanation: AssignmentExplanation
    district_code: str | None = None
    # The assignment attempt the triage decision will open.
    attempt: int = 1
    required_at: datetime | None = None


class SuggestionClustered(EventData):
    """The suggestion joined a cluster of near-duplicates in its district (高频诉求).

    ``size`` counts the cluster's members in the window, this one included."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.clustered.v1"
    subject_name: ClassVar[str] = SUGGESTION_CLUSTERED

    suggestion_id: str
    cluster_id: str
    size: int
    representative_title: str
    district_code: str
