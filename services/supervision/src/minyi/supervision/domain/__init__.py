"""Supervision's pure domain: working-day calendar, deadline policy, the handling case.

No I/O here: the policy file is read by ``adapters/reference.py``.
"""

from minyi.supervision.domain.calendar import SHANGHAI, WorkingCalendar
from minyi.supervision.domain.case import (
    AssignmentReturned,
    Case,
    CaseAccepted,
    CaseClosed,
    CaseEvent,
    CaseReopened,
    CloseResult,
    Escalated,
    ExtensionGranted,
    HistoryEntry,
    IllegalTransition,
    InvalidInput,
    KeyCaseMarked,
    MarkedOverdue,
    Outcome,
    ProgressReported,
    ReminderIssued,
    Resolved,
    Status,
    TimerAction,
)
from minyi.supervision.domain.policy import (
    DayBasis,
    DeadlinePolicy,
    Deadlines,
    Kind,
    PolicyError,
    Rules,
)

__all__ = [
    "SHANGHAI",
    "AssignmentReturned",
    "Case",
    "CaseAccepted",
    "CaseClosed",
    "CaseEvent",
    "CaseReopened",
    "CloseResult",
    "DayBasis",
    "DeadlinePolicy",
    "Deadlines",
    "Escalated",
    "ExtensionGranted",
    "HistoryEntry",
    "IllegalTransition",
    "InvalidInput",
    "KeyCaseMarked",
    "Kind",
    "MarkedOverdue",
    "Outcome",
    "PolicyError",
    "ProgressReported",
    "ReminderIssued",
    "Resolved",
    "Rules",
    "Status",
    "TimerAction",
    "WorkingCalendar",
]
