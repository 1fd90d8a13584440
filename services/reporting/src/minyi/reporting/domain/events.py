"""Which step of a suggestion's life an event is, by its exact CloudEvents ``type``.

Reporting consumes every event and must not break when a producer adds an event or a
field: it keys on the catalogue's types (the contract models name them, so a typo here is
an import error, and ``cn.minyi.suggestion.reassigned.v1`` could never read as
``assigned``), not on the models' fields. Types it does not know still reach the timeline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from minyi.contracts.envelope import RawEvent
from minyi.contracts.formal import (
    AnswerReviewed,
    CoUnitViewsSubmitted,
    DeliveryPromised,
    DeputiesContacted,
    ExtensionRefused,
    ExtensionRequested,
    SignerRated,
    TopicLinked,
    TopicOpened,
)
from minyi.contracts.intake import (
    FeedbackReceived,
    RepresentativeActivityLogged,
    SuggestionEndorsed,
    SuggestionFiled,
)
from minyi.contracts.performance import ActivityRecorded
from minyi.contracts.routing import AssignedToUnit, SuggestionClustered, TriageRequired
from minyi.contracts.supervision import (
    AssignmentReturned,
    CaseAccepted,
    CaseClosed,
    CaseReopened,
    Escalated,
    ExtensionGranted,
    KeyCaseMarked,
    MarkedOverdue,
    ProgressReported,
    ReminderIssued,
    Resolved,
)
from minyi.contracts.visits import CommitmentMade, WrittenAnswerRequired

# Catalogue type → the step the timeline shows and the fold keys on (a step names what
# happened; the status it leads to comes from ``minyi.contracts.status.STATUS_AFTER``).
STEPS: dict[str, str] = {
    SuggestionFiled.event_type: "filed",
    TriageRequired.event_type: "triage",
    AssignedToUnit.event_type: "assigned",
    SuggestionClustered.event_type: "clustered",
    CaseAccepted.event_type: "accepted",
    AssignmentReturned.event_type: "returned",
    ProgressReported.event_type: "progress",
    ReminderIssued.event_type: "reminder",
    MarkedOverdue.event_type: "overdue",
    Escalated.event_type: "escalated",
    ExtensionGranted.event_type: "extended",
    KeyCaseMarked.event_type: "key_case",
    Resolved.event_type: "resolved",
    FeedbackReceived.event_type: "feedback",
    CaseReopened.event_type: "reopened",
    CaseClosed.event_type: "closed",
    SuggestionEndorsed.event_type: "endorsed",
    RepresentativeActivityLogged.event_type: "activity",
    ActivityRecorded.event_type: "activity",
    # What a visit leaves to follow: supervised as a case (``minyi.contracts.visits``), but
    # no people's appeal (``projection.FOLLOW_UPS``).
    CommitmentMade.event_type: "commitment",
    WrittenAnswerRequired.event_type: "visit_question",
    # Deputies' formal suggestions (``minyi.contracts.formal``; folded by ``domain/formal.py``).
    SignerRated.event_type: "signer_rated",
    CoUnitViewsSubmitted.event_type: "co_views",
    DeputiesContacted.event_type: "contacted",
    ExtensionRequested.event_type: "extension_requested",
    ExtensionRefused.event_type: "extension_refused",
    AnswerReviewed.event_type: "reviewed",
    DeliveryPromised.event_type: "delivery_promised",
    TopicLinked.event_type: "topic_linked",
    # About a topic, not a suggestion: its title goes to the names (kind ``topic``).
    TopicOpened.event_type: "topic_opened",
}


def step_of(event_type: str) -> str | None:
    """``cn.minyi.suggestion.reminder_issued.v1`` → ``reminder``; None if not in the catalogue."""
    return STEPS.get(event_type)


def suggestion_of(event: RawEvent) -> str:
    """The id of the suggestion (or followed item) whose view an event folds into."""
    return str(event.data.get("suggestion_id") or event.subject)


# The steps whose event is folded into no item's view (``handlers.project``).
VIEWLESS_STEPS = frozenset({"activity", "topic_opened"})


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def as_int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def attempt_of(data: dict[str, Any]) -> int:
    """The assignment attempt an event belongs to: ``attempt`` or the tail of ``case_id``."""
    if "attempt" in data:
        return as_int(data["attempt"], 1)
    case_id = data.get("case_id")
    if isinstance(case_id, str) and ":" in case_id:
        return as_int(case_id.rsplit(":", 1)[1], 1)
    return 1


def resolution_message(event: RawEvent) -> dict[str, Any]:
    """What subscribers receive of a Resolved event: no reply text, no citizen data."""
    d = event.data
    return {
        "event_id": event.id,
        "type": event.type,
        "suggestion_id": d.get("suggestion_id") or event.subject,
        "unit_id": d.get("unit_id"),
        "outcome": d.get("outcome"),
        "on_time": d.get("on_time"),
        "round": d.get("round", 1),
        "replied_at": d.get("replied_at"),
    }
