"""What routing keeps of a suggestion and of its current assignment."""

from __future__ import annotations

from dataclasses import dataclass

from minyi.routing.domain.decision import Classification

# An assignment's status: with a unit, waiting for a person (人工分办), or its case closed
# (it no longer attracts merged handling).
ASSIGNED = "assigned"
TRIAGE = "triage"
CLOSED = "closed"


@dataclass(frozen=True)
class Suggestion:
    """The fields of a filed suggestion that routing's decisions and events need."""

    suggestion_id: str
    title: str
    content: str
    district_code: str
    kind: str
    urgent: bool


@dataclass(frozen=True)
class Assignment:
    """A suggestion's current routing: the attempt (one per unit that got it), the units
    that returned it, and the classification it was decided on."""

    suggestion_id: str
    attempt: int
    status: str
    unit_id: str | None
    returned_by: list[str]
    classification: Classification

    def is_returned_by(self, unit_id: str, attempt: int) -> bool:
        """Whether a return names this assignment; a stale or repeated one (another event
        id for an attempt already re-routed) does not."""
        return self.status == ASSIGNED and self.attempt == attempt and self.unit_id == unit_id
