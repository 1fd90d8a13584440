"""What a deputies' formal suggestion (代表建议 with signers) keeps on its case, beside the
handling every case shares: the co-units and their written views (协办意见), the lead's
contacts with the deputies (办前沟通), the extension asked of the office, every signer's
rating per round (征询意见表), a B answer's promised delivery and the C review.

Plain data only (stored in the case's JSON); the rules that change it are the case's
methods (``case.py``), so one state machine guards every transition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

# The three questions of the opinion form and its three answers (满意 / 基本满意 / 不满意).
Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]
ContactMode = Literal["meeting", "visit", "phone", "video", "letter", "other"]
CONTACT_MODES: frozenset[str] = frozenset({"meeting", "visit", "phone", "video", "letter", "other"})
ReviewVerdict = Literal["upheld", "rehandle"]
ExtensionStatus = Literal["pending", "granted", "refused"]
DeliveryStatus = Literal["pending", "delivered_on_time", "delivered_late", "overdue"]


@dataclass
class CoUnitViews:
    """A co-handling unit (协办单位) and the views it owes the lead unit."""

    unit_id: str
    unit_name: str
    views_by: datetime
    views: str | None = None
    submitted_at: datetime | None = None
    on_time: bool | None = None


@dataclass(frozen=True)
class Contact:
    """The lead unit met or called the deputies (before replying)."""

    contacted_on: date
    mode: ContactMode
    note: str | None
    recorded_at: datetime


@dataclass
class ExtensionRequest:
    """The one extension the lead unit asked the office for, and the office's decision."""

    reason: str
    requested_reply_by: datetime
    requested_at: datetime
    status: ExtensionStatus = "pending"
    note: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class SignerRating:
    """One signer's opinion form for one answer round."""

    deputy_id: str
    round: int
    contact: Rating
    attitude: Rating
    result: Rating
    comment: str | None
    rated_at: datetime

    @property
    def unsatisfied(self) -> bool:
        return "unsatisfied" in (self.contact, self.attitude, self.result)


@dataclass
class Delivery:
    """A B answer's promise, followed as its own case (kind ``delivery``, id
    ``delivery_id``). ``status`` is read from that case when the suggestion is shown."""

    delivery_id: str
    promised_by: date
    round: int
    status: DeliveryStatus = "pending"


@dataclass(frozen=True)
class Review:
    """The supervision group's review of a C answer (of ``round``)."""

    verdict: ReviewVerdict
    note: str
    reviewer: str
    reviewed_at: datetime
    round: int


@dataclass
class Formal:
    number: str
    signer_ids: list[str]
    co_units: list[CoUnitViews] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    extension_request: ExtensionRequest | None = None
    ratings: list[SignerRating] = field(default_factory=list)
    rating_by: datetime | None = None  # the current answer's rating window ends
    delivery: Delivery | None = None
    review: Review | None = None
    topic_ids: list[str] = field(default_factory=list)

    def co_unit(self, unit_id: str) -> CoUnitViews | None:
        return next((c for c in self.co_units if c.unit_id == unit_id), None)

    def ratings_of(self, round_: int) -> list[SignerRating]:
        return [r for r in self.ratings if r.round == round_]

    def all_rated(self, round_: int) -> bool:
        return set(self.signer_ids) <= {r.deputy_id for r in self.ratings_of(round_)}


def delivery_id_for(suggestion_id: str) -> str:
    """The delivery item's id, ``<sid>~B``: one per suggestion. A B given again after a
    re-handling replaces the earlier promise (the item's deadline moves to the new date),
    so a superseded promise never turns overdue on the unit's list."""
    return f"{suggestion_id}~B"
