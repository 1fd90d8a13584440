"""One status vocabulary for a suggestion, with its labels: every service shows these words
(intake to the citizen, supervision on the workbench, reporting on the dashboard), and the
event that moves a suggestion into each status is named here, once.

A service may track finer states of its own (supervision's case is ``in_progress`` after a
progress report), but what it shows a person comes from ``LABELS``.
"""

from __future__ import annotations

from enum import StrEnum

from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.routing import AssignedToUnit, TriageRequired
from minyi.contracts.supervision import (
    AssignmentReturned,
    CaseAccepted,
    CaseClosed,
    CaseReopened,
    ProgressReported,
    Resolved,
)


class SuggestionStatus(StrEnum):
    FILED = "filed"
    TRIAGE = "triage"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    REPLIED = "replied"
    REOPENED = "reopened"
    CLOSED = "closed"


# What a person reads (Simplified Chinese), in lifecycle order.
LABELS: dict[str, str] = {
    SuggestionStatus.FILED: "已受理",
    SuggestionStatus.TRIAGE: "待人工分办",
    SuggestionStatus.ASSIGNED: "已交办",
    SuggestionStatus.ACCEPTED: "办理中",
    SuggestionStatus.IN_PROGRESS: "办理中",
    SuggestionStatus.RETURNED: "已退回",
    SuggestionStatus.REPLIED: "已答复",
    SuggestionStatus.REOPENED: "重新办理中",
    SuggestionStatus.CLOSED: "已办结",
}
UNKNOWN_LABEL = "未知"

# The event whose arrival puts a suggestion in each status (exact catalogue types).
STATUS_AFTER: dict[str, SuggestionStatus] = {
    SuggestionFiled.event_type: SuggestionStatus.FILED,
    TriageRequired.event_type: SuggestionStatus.TRIAGE,
    AssignedToUnit.event_type: SuggestionStatus.ASSIGNED,
    CaseAccepted.event_type: SuggestionStatus.ACCEPTED,
    ProgressReported.event_type: SuggestionStatus.IN_PROGRESS,
    AssignmentReturned.event_type: SuggestionStatus.RETURNED,
    Resolved.event_type: SuggestionStatus.REPLIED,
    CaseReopened.event_type: SuggestionStatus.REOPENED,
    CaseClosed.event_type: SuggestionStatus.CLOSED,
}


def label(status: str) -> str:
    """The label of ``status``; unknown statuses read 未知 rather than an internal name."""
    return LABELS.get(status, UNKNOWN_LABEL)
