"""Events routing publishes (version 1). See the package docstring for the rules."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from minyi.contracts import subjects
from minyi.contracts.envelope import EventData


class AssignmentExplanation(BaseModel):
    """Why routing chose this category and unit, in words people read on the timeline."""

    model_config = ConfigDict(extra="ignore", frozen=True)

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
