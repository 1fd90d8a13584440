"""Events supervision publishes (version 1). See the package docstring for the rules.

Every event's CloudEvents ``subject`` is the suggestion id. ``case_id`` is
``<suggestion_id>:<attempt>`` (one case per assignment attempt) and ``case_version`` is the
case's version after the change, so a consumer can order one case's events and drop stale
ones. Both are optional on the two events published before they were added.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from minyi.contracts import subjects
from minyi.contracts.envelope import EventData

Outcome = Literal["A", "B", "C", "D"]
CloseResult = Literal["satisfied", "unsatisfied", "no_response"]

# Subjects of the events below (``SUGGESTION_ACCEPTED`` and ``SUGGESTION_RESOLVED`` live in
# ``subjects``; the rest are declared beside their events).
SUGGESTION_RETURNED = "minyi.suggestion.returned"
SUGGESTION_PROGRESS_REPORTED = "minyi.suggestion.progress_reported"
SUGGESTION_REMINDER_ISSUED = "minyi.suggestion.reminder_issued"
SUGGESTION_MARKED_OVERDUE = "minyi.suggestion.overdue"
SUGGESTION_ESCALATED = "minyi.suggestion.escalated"
SUGGESTION_EXTENDED = "minyi.suggestion.extended"
SUGGESTION_KEY_CASE_MARKED = "minyi.suggestion.key_case_marked"
SUGGESTION_REOPENED = "minyi.suggestion.reopened"
SUGGESTION_CLOSED = "minyi.suggestion.closed"


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
    case_id: str | None = None
    case_version: int | None = None
    # Added in v1 (optional): with outcome B of a formal suggestion, the date the unit
    # itself promises delivery by (followed as its own item, see ``DeliveryPromised``).
    delivery_by: date | None = None


class CaseAccepted(EventData):
    """The unit signed for the case (签收)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.accepted.v1"
    subject_name: ClassVar[str] = subjects.SUGGESTION_ACCEPTED

    suggestion_id: str
    unit_id: str
    accepted_at: datetime
    on_time: bool
    case_id: str | None = None
    case_version: int | None = None


class AssignmentReturned(EventData):
    """The unit sent the case back (退回) with a reason and the unit it suggests; routing
    re-routes and the next assignment (attempt + 1) opens a new case."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.returned.v1"
    subject_name: ClassVar[str] = SUGGESTION_RETURNED

    suggestion_id: str
    unit_id: str
    reason: str
    suggested_unit: str
    # The assignment attempt that was returned (AssignedToUnit.attempt).
    attempt: int
    returned_at: datetime
    # False when returned after the return window, with a supervisor's consent.
    within_window: bool = True
    supervisor_consent: bool = False
    case_id: str
    case_version: int


class ProgressReported(EventData):
    """The unit reported how handling goes (办理进展)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.progress_reported.v1"
    subject_name: ClassVar[str] = SUGGESTION_PROGRESS_REPORTED

    suggestion_id: str
    unit_id: str
    note: str
    reported_at: datetime
    case_id: str
    case_version: int


class ReminderIssued(EventData):
    """A reminder (催办) to the unit: automatic at a share of the handling time, or manual
    by a supervisor (``manual``, ``mark`` None)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.reminder_issued.v1"
    subject_name: ClassVar[str] = SUGGESTION_REMINDER_ISSUED

    suggestion_id: str
    unit_id: str
    # "accept": the case is not signed for yet; "reply": the answer is due.
    stage: Literal["accept", "reply"]
    mark: float | None = None
    deadline: datetime
    manual: bool = False
    note: str = ""
    issued_at: datetime
    case_id: str
    case_version: int


class MarkedOverdue(EventData):
    """The reply deadline passed without an answer (逾期). Kept apart from Escalated so
    on-time rates need not infer lateness from escalation levels."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.overdue.v1"
    subject_name: ClassVar[str] = SUGGESTION_MARKED_OVERDUE

    suggestion_id: str
    unit_id: str
    reply_by: datetime
    round: int = 1
    marked_at: datetime
    case_id: str
    case_version: int


class Escalated(EventData):
    """Overdue case raised to a supervisor (督办): level 1 the district's supervision group
    (督导组), level 2 the congress office."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.escalated.v1"
    subject_name: ClassVar[str] = SUGGESTION_ESCALATED

    suggestion_id: str
    unit_id: str
    level: int
    target_id: str
    target_name: str
    # The supervision group whose districts include the case (equals the target at level 1).
    group_id: str
    district_code: str
    reply_by: datetime
    escalated_at: datetime
    case_id: str
    case_version: int


class ExtensionGranted(EventData):
    """A representative suggestion's reply deadline was extended once (延期, 代表法 51)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.extended.v1"
    subject_name: ClassVar[str] = SUGGESTION_EXTENDED

    suggestion_id: str
    unit_id: str
    reason: str
    previous_reply_by: datetime
    reply_by: datetime
    granted_at: datetime
    case_id: str
    case_version: int


class KeyCaseMarked(EventData):
    """A supervisor made the case a key case (重点督办): reminders come more often."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.key_case_marked.v1"
    subject_name: ClassVar[str] = SUGGESTION_KEY_CASE_MARKED

    suggestion_id: str
    unit_id: str
    marked_at: datetime
    case_id: str
    case_version: int


class CaseReopened(EventData):
    """The citizen was not satisfied: the same unit handles the case again (重新办理)."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.reopened.v1"
    subject_name: ClassVar[str] = SUGGESTION_REOPENED

    suggestion_id: str
    unit_id: str
    reply_by: datetime
    round: int
    reopened_at: datetime
    case_id: str
    case_version: int


class CaseClosed(EventData):
    """The case is finished (办结): satisfied, unsatisfied after re-handling (then
    ``needs_review`` for a supervisor), or no feedback within the window."""

    event_type: ClassVar[str] = "cn.minyi.suggestion.closed.v1"
    subject_name: ClassVar[str] = SUGGESTION_CLOSED

    suggestion_id: str
    unit_id: str
    result: CloseResult
    needs_review: bool = False
    closed_at: datetime
    case_id: str
    case_version: int
