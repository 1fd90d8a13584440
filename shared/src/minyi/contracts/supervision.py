"""Events supervision publishes (version 1). See the package docstring for the rules."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from minyi.contracts import subjects
from minyi.contracts.envelope import EventData

Outcome = Literal["A", "B", "C", "D"]


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
