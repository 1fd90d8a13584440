"""What routing keeps of a suggestion and of its current assignment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from minyi.routing.domain.decision import Classification

# An assignment's status: with a unit, waiting for a person (人工分办), or its case closed
# (it no longer attracts merged handling).
ASSIGNED = "assigned"
TRIAGE = "triage"
CLOSED = "closed"
# A formal suggestion (代表建议) waiting for the congress office to confirm its units.
PROPOSED = "proposed"

# A formal suggestion's place in the 交办 queue.
WAITING = "waiting"
CONFIRMED = "assigned"
REPRESENTATIVE_SUGGESTION = "representative_suggestion"


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


@dataclass(frozen=True)
class FormalRecord:
    """A formal suggestion in the 交办 queue: its details as filed, routing's current
    proposal (JSON, as the office sees it) and each confirmation and return so far."""

    suggestion_id: str
    number: str
    lead_deputy_id: str
    signer_ids: list[str]
    status: str  # WAITING | CONFIRMED
    attempt: int
    proposal: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def confirmed_co_unit_ids(self) -> list[str]:
        """The co-units of the last confirmation (none before the first)."""
        last = self.history[-1] if self.history else {}
        return [c["unit_id"] for c in last.get("co_units", [])]
