"""Events liaison publishes (version 1): the registry of deputies and stations, reception
days, bookings and the matters raised at a reception. See the package docstring for the
rules.

CloudEvents ``subject``: the deputy, station, reception or booking id; for a referred
matter, the id of the suggestion it becomes.

Registry events carry the whole record (``Registered`` / ``Updated``) with a ``version``
that grows with every change, so a replica (intake's endorsements and station filings,
reporting's views) upserts the newest and drops a stale one whatever the order of arrival.

Who holds a citizen's contact, and how a referred matter reaches intake
------------------------------------------------------------------------
Liaison keeps the name and phone of a citizen who booked a reception, encrypted at rest
(the platform's PII vault), and nobody else receives them: events carry only
``citizen_ref``, the vault's keyed blind index of the phone number (the same pseudonym
intake uses, so one citizen's appeals stay linked across channels).

A matter the station refers becomes a suggestion in intake through ``MatterReferred``
(channel ``station``, with station and deputy). Liaison chooses the suggestion's id and
its tracking code when the staff record the matter, so the station can hand the code to
the citizen on the spot (and liaison can follow the suggestion's later events by id) with
no round trip through intake. The code is a bearer secret (whoever holds it follows and
rates the suggestion), so the event carries only ``tracking_code_sha256``, the SHA-256 of
its normalised form (``MY`` + 17 symbols, no separators): 80 random bits cannot be found
from their hash, and intake, filing the suggestion under ``suggestion_id``, recognises the
code when the citizen types it by hashing what was typed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from minyi.contracts import subjects
from minyi.contracts.envelope import EventData

DeputyLevel = Literal["national", "provincial", "city", "county", "township"]
DeputyStatus = Literal["serving", "ended"]
StationKind = Literal["station", "online_station", "contact_point", "observation_point"]
StationStatus = Literal["active", "ended"]
UnitKind = Literal["division", "township", "community"]
BookingStatus = Literal["confirmed", "waitlisted"]


class ElectoralUnit(BaseModel):
    """What a deputy was elected from: a division (区县), a township (乡镇街道) in it, or
    a community or village (社区/村) in a township."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: UnitKind
    division_code: str
    township: str | None = None
    community: str | None = None


class DeputyState(EventData):
    """A deputy's public record (no event type of its own)."""

    deputy_id: str
    name: str
    level: DeputyLevel
    electoral_unit: ElectoralUnit
    station_ids: list[str] = Field(default_factory=list)
    term_start: date | None = None
    term_end: date | None = None
    status: DeputyStatus = "serving"
    sector: str | None = None
    occupation: str | None = None
    photo_url: str | None = None
    version: int
    changed_at: datetime


class DeputyRegistered(DeputyState):
    """A deputy entered the registry (an office's roster or the admin page)."""

    event_type: ClassVar[str] = "cn.minyi.deputy.registered.v1"
    subject_name: ClassVar[str] = subjects.DEPUTY_REGISTERED


class DeputyUpdated(DeputyState):
    """A deputy's record changed; the event carries the whole new record."""

    event_type: ClassVar[str] = "cn.minyi.deputy.updated.v1"
    subject_name: ClassVar[str] = subjects.DEPUTY_UPDATED


class DeputyEnded(EventData):
    """A deputy's term ended or was ended (resignation, recall): no longer listed."""

    event_type: ClassVar[str] = "cn.minyi.deputy.ended.v1"
    subject_name: ClassVar[str] = subjects.DEPUTY_ENDED

    deputy_id: str
    ended_on: date
    reason: str | None = None
    version: int
    changed_at: datetime


class StationState(EventData):
    """A station's public record (no event type of its own)."""

    station_id: str
    name: str
    kind: StationKind
    address: str | None = None
    # The places it serves: whole divisions, or townships and communities in them.
    division_codes: list[str]
    townships: list[str] = Field(default_factory=list)
    communities: list[str] = Field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: str | None = None
    phone: str | None = None  # the station's public phone, not a citizen's
    status: StationStatus = "active"
    version: int
    changed_at: datetime


class StationRegistered(StationState):
    """A liaison station, online station, contact point or observation point opened."""

    event_type: ClassVar[str] = "cn.minyi.station.registered.v1"
    subject_name: ClassVar[str] = subjects.STATION_REGISTERED


class StationUpdated(StationState):
    """A station's record changed; the event carries the whole new record."""

    event_type: ClassVar[str] = "cn.minyi.station.updated.v1"
    subject_name: ClassVar[str] = subjects.STATION_UPDATED


class StationEnded(EventData):
    """A station closed: no longer listed, no new receptions."""

    event_type: ClassVar[str] = "cn.minyi.station.ended.v1"
    subject_name: ClassVar[str] = subjects.STATION_ENDED

    station_id: str
    ended_on: date
    reason: str | None = None
    version: int
    changed_at: datetime


class ReceptionScheduled(EventData):
    """A station announced a reception day (接待日): when, where, which deputies."""

    event_type: ClassVar[str] = "cn.minyi.reception.scheduled.v1"
    subject_name: ClassVar[str] = subjects.RECEPTION_SCHEDULED

    reception_id: str
    station_id: str
    district_codes: list[str]  # the station's divisions, for per-division counts
    starts_at: datetime
    ends_at: datetime
    place: str
    deputy_ids: list[str]
    capacity: int = Field(ge=1)
    topic: str | None = None
    scheduled_at: datetime


class ReceptionHeld(EventData):
    """The reception took place."""

    event_type: ClassVar[str] = "cn.minyi.reception.held.v1"
    subject_name: ClassVar[str] = subjects.RECEPTION_HELD

    reception_id: str
    station_id: str
    district_codes: list[str]
    deputy_ids: list[str]
    booked: int = Field(ge=0)  # confirmed bookings at the time
    held_at: datetime


class ReceptionCancelled(EventData):
    """The reception was called off; its bookings are cancelled with it."""

    event_type: ClassVar[str] = "cn.minyi.reception.cancelled.v1"
    subject_name: ClassVar[str] = subjects.RECEPTION_CANCELLED

    reception_id: str
    station_id: str
    reason: str
    cancelled_at: datetime


class BookingMade(EventData):
    """A citizen booked a place at a reception (or joined its waitlist). No name, no
    phone: ``citizen_ref`` is the pseudonymous blind index."""

    event_type: ClassVar[str] = "cn.minyi.booking.made.v1"
    subject_name: ClassVar[str] = subjects.BOOKING_MADE

    booking_id: str
    reception_id: str
    station_id: str
    status: BookingStatus
    citizen_ref: str | None = None
    made_at: datetime


class BookingPromoted(EventData):
    """A waitlisted booking got a place because someone cancelled."""

    event_type: ClassVar[str] = "cn.minyi.booking.promoted.v1"
    subject_name: ClassVar[str] = subjects.BOOKING_PROMOTED

    booking_id: str
    reception_id: str
    station_id: str
    promoted_at: datetime


class BookingCancelled(EventData):
    """A booking was cancelled by the citizen (with the booking code) or with its
    reception."""

    event_type: ClassVar[str] = "cn.minyi.booking.cancelled.v1"
    subject_name: ClassVar[str] = subjects.BOOKING_CANCELLED

    booking_id: str
    reception_id: str
    station_id: str
    was: BookingStatus
    by: Literal["citizen", "reception_cancelled"] = "citizen"
    cancelled_at: datetime


class MatterRecorded(EventData):
    """A matter raised at a reception was answered on the spot (当场答复)."""

    event_type: ClassVar[str] = "cn.minyi.matter.recorded.v1"
    subject_name: ClassVar[str] = subjects.MATTER_RECORDED

    matter_id: str
    reception_id: str
    station_id: str
    district_code: str
    deputy_id: str | None = None
    title: str
    answer: str
    citizen_ref: str | None = None
    recorded_at: datetime


class MatterReferred(EventData):
    """A matter raised at a reception becomes a suggestion (转为建议): intake files it
    under ``suggestion_id`` on channel ``station``. No contact data: see the module
    docstring for the tracking code."""

    event_type: ClassVar[str] = "cn.minyi.matter.referred.v1"
    subject_name: ClassVar[str] = subjects.MATTER_REFERRED

    matter_id: str
    suggestion_id: str
    reception_id: str
    station_id: str
    channel: Literal["station"] = "station"
    district_code: str
    township: str | None = None
    representative_id: str | None = None
    title: str
    content: str
    citizen_ref: str | None = None
    tracking_code_sha256: str
    referred_at: datetime
    # Added in v1 (optional): the citizen agreed, when the matter was recorded, that the
    # text may be shown in public (default no).
    publish_consent: bool = False
