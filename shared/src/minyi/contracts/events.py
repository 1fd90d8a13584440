"""The event catalogue: every contract, by producing service. See the package docstring
for the compatibility rules."""

from __future__ import annotations

from minyi.contracts.envelope import EventData
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
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.liaison import (
    BookingCancelled,
    BookingMade,
    BookingPromoted,
    DeputyEnded,
    DeputyRegistered,
    DeputyUpdated,
    MatterRecorded,
    MatterReferred,
    ReceptionCancelled,
    ReceptionHeld,
    ReceptionScheduled,
    StationEnded,
    StationRegistered,
    StationUpdated,
)
from minyi.contracts.performance import ActivityRecorded, DeputyScored, PerformancePublished
from minyi.contracts.projects import (
    MilestoneDelivered,
    ProjectAccepted,
    ProjectCompleted,
    ProjectInspected,
    ProjectProgressReported,
    ProjectRated,
    ProjectRegistered,
    ProjectStatusChanged,
    ProjectUpdated,
    RecurringAppealPublished,
    SupportAdded,
)
from minyi.contracts.routing import AssignedToUnit, AssignmentExplanation
from minyi.contracts.supervision import CaseAccepted, Outcome, Resolved
from minyi.contracts.visits import (
    CommitmentMade,
    VisitCancelled,
    VisitHeld,
    VisitPlanned,
    VisitQuestionPublished,
    WrittenAnswerRequired,
)


def _events(base: type[EventData]) -> list[type[EventData]]:
    found: list[type[EventData]] = []
    for sub in base.__subclasses__():
        if getattr(sub, "event_type", None):
            found.append(sub)
        found.extend(_events(sub))
    return found


# Every event type a Minyi service may publish, by CloudEvents ``type``. Importing the
# producer modules above registers their models.
CATALOGUE: dict[str, type[EventData]] = {m.event_type: m for m in _events(EventData)}

__all__ = [
    "CATALOGUE",
    "ActivityRecorded",
    "AnswerReviewed",
    "AssignedToUnit",
    "AssignmentExplanation",
    "BookingCancelled",
    "BookingMade",
    "BookingPromoted",
    "CaseAccepted",
    "CoUnitViewsSubmitted",
    "CommitmentMade",
    "DeliveryPromised",
    "DeputiesContacted",
    "DeputyEnded",
    "DeputyRegistered",
    "DeputyScored",
    "DeputyUpdated",
    "ExtensionRefused",
    "ExtensionRequested",
    "MatterRecorded",
    "MatterReferred",
    "MilestoneDelivered",
    "Outcome",
    "PerformancePublished",
    "ProjectAccepted",
    "ProjectCompleted",
    "ProjectInspected",
    "ProjectProgressReported",
    "ProjectRated",
    "ProjectRegistered",
    "ProjectStatusChanged",
    "ProjectUpdated",
    "ReceptionCancelled",
    "ReceptionHeld",
    "ReceptionScheduled",
    "RecurringAppealPublished",
    "Resolved",
    "SignerRated",
    "StationEnded",
    "StationRegistered",
    "StationUpdated",
    "SuggestionFiled",
    "SupportAdded",
    "TopicLinked",
    "TopicOpened",
    "VisitCancelled",
    "VisitHeld",
    "VisitPlanned",
    "VisitQuestionPublished",
    "WrittenAnswerRequired",
]
