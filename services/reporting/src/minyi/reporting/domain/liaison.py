"""Liaison's events as reporting reads them: a reception day as a fold over the events about
it, its contribution to the per-station, per-division and per-deputy counters, and the
registry of stations and deputies as a replica (for names).

Order and repetition change nothing. A reception's fields belong to the event that knows
them (the held event's deputies and divisions over the scheduled one's); its bookings and
matters are maps keyed by their own ids whose entries only gain facts (made, promoted,
cancelled), so a duplicate adds nothing; its status follows from the facts known. A
registry record keeps the fields of its highest ``version`` and, separately, the status of
the highest version that spoke of it (an ``…Ended`` carries no name).

Every figure of a reception counts in the day, ISO week and month of the reception itself
(a booking made on Monday for Friday's reception counts in Friday's week), so a station's
week reads as "its receptions that week and what they drew". A reception serving several
divisions counts in each of them; a matter counts in its own division and for the deputy
who took it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from minyi.contracts.envelope import EventData, RawEvent
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
from minyi.reporting.domain.events import as_datetime
from minyi.reporting.domain.periods import periods_of

View = dict[str, Any]
Contributions = dict[tuple[str, str, str], Counter[str]]
ReceptionEvent = (
    ReceptionScheduled
    | ReceptionHeld
    | ReceptionCancelled
    | BookingMade
    | BookingPromoted
    | BookingCancelled
    | MatterRecorded
    | MatterReferred
)
StationEvent = StationRegistered | StationUpdated | StationEnded
DeputyEvent = DeputyRegistered | DeputyUpdated | DeputyEnded
E = TypeVar("E", bound=EventData)

# Catalogue type → contract model, by what the event is about.
RECEPTION_EVENTS: dict[str, type[ReceptionEvent]] = {
    m.event_type: m
    for m in (
        ReceptionScheduled,
        ReceptionHeld,
        ReceptionCancelled,
        BookingMade,
        BookingPromoted,
        BookingCancelled,
        MatterRecorded,
        MatterReferred,
    )
}
STATION_EVENTS: dict[str, type[StationEvent]] = {
    m.event_type: m for m in (StationRegistered, StationUpdated, StationEnded)
}
DEPUTY_EVENTS: dict[str, type[DeputyEvent]] = {
    m.event_type: m for m in (DeputyRegistered, DeputyUpdated, DeputyEnded)
}

MEASURES = (
    "receptions_scheduled",
    "receptions_held",
    "receptions_cancelled",
    "capacity",  # places offered at receptions not called off
    "booked",  # places taken (confirmed or promoted, not cancelled)
    "bookings_made",
    "bookings_waitlisted",
    "bookings_promoted",
    "bookings_cancelled",
    "matters_answered",  # 当场答复
    "matters_referred",  # 转为建议
)
# The counters' dimensions and the fields of their keys. ``division`` carries the station
# too, so a station's figures in one division, a division's sum over its stations and a
# district filter on the stations' table all read one index range.
DIMENSION_FIELDS: dict[str, tuple[str, ...]] = {
    "station": ("station_id",),
    "division": ("district_code", "station_id"),
    "deputy": ("deputy_id",),
}

STATION_KIND_NAMES = {
    "station": "代表联络站",
    "online_station": "网上代表联络站",
    "contact_point": "代表联络点",
    "observation_point": "民情观察点",
}
DEPUTY_LEVEL_NAMES = {
    "national": "全国人大代表",
    "provincial": "省人大代表",
    "city": "市人大代表",
    "county": "县（市、区）人大代表",
    "township": "乡镇人大代表",
}


def parse(event: RawEvent, models: dict[str, type[E]]) -> E | None:
    """The event's contract model, or None if it is not one of ``models`` or its data does
    not fit (a malformed event is left out of the views rather than stopping a rebuild)."""
    model = models.get(event.type)
    if model is None:
        return None
    try:
        return model.model_validate(event.data)
    except ValidationError:
        return None


def apply_reception(view: View, data: ReceptionEvent) -> View:
    """Return the reception's view with ``data`` folded in (``view`` may be empty)."""
    view = dict(view)
    view["station_id"] = data.station_id
    if isinstance(data, ReceptionScheduled):
        view.update(
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            capacity=data.capacity,
            scheduled_at=data.scheduled_at,
        )
        if "held_at" not in view:  # the held event's lists are the ones that took place
            view.update(district_codes=list(data.district_codes), deputy_ids=list(data.deputy_ids))
    elif isinstance(data, ReceptionHeld):
        view.update(
            held_at=data.held_at,
            district_codes=list(data.district_codes),
            deputy_ids=list(data.deputy_ids),
        )
    elif isinstance(data, ReceptionCancelled):
        view["cancelled_at"] = data.cancelled_at
    elif isinstance(data, BookingMade):
        _booking(view, data.booking_id, "made", data.status)
    elif isinstance(data, BookingPromoted):
        _booking(view, data.booking_id, "promoted", True)
    elif isinstance(data, BookingCancelled):
        _booking(view, data.booking_id, "cancelled", True)
    elif isinstance(data, MatterRecorded):
        _matter(view, data.matter_id, "answered", data.district_code, data.deputy_id)
    elif isinstance(data, MatterReferred):
        _matter(view, data.matter_id, "referred", data.district_code, data.representative_id)
    return _derive(view)


def _booking(view: View, booking_id: str, fact: str, value: Any) -> None:
    bookings = {k: dict(v) for k, v in (view.get("bookings") or {}).items()}
    bookings.setdefault(booking_id, {})[fact] = value
    view["bookings"] = bookings


def _matter(view: View, matter_id: str, outcome: str, district: str, deputy_id: str | None) -> None:
    matters = dict(view.get("matters") or {})
    matters[matter_id] = [outcome, district, deputy_id]
    view["matters"] = matters


def _derive(view: View) -> View:
    """The status and the places taken, from the facts known (kept as columns to read)."""
    if view.get("held_at"):
        status = "held"  # a reception that took place outranks a cancellation notice
    elif view.get("cancelled_at"):
        status = "cancelled"
    elif view.get("starts_at"):
        status = "scheduled"
    else:
        status = "unknown"
    view["status"] = status
    view["booked"] = sum(
        1
        for b in (view.get("bookings") or {}).values()
        if not b.get("cancelled") and (b.get("made") == "confirmed" or b.get("promoted"))
    )
    return view


def contributions(view: View) -> Contributions:
    """What one reception adds to the liaison counters, by (dimension, key, period); as with
    suggestions, a change is applied as ``contributions(new) - contributions(old)``. Nothing
    until the reception's day is known."""
    day = as_datetime(view.get("starts_at")) or as_datetime(view.get("held_at"))
    if not isinstance(day, datetime):
        return {}
    status = view.get("status")
    bookings = list((view.get("bookings") or {}).values())
    attendance = Counter(
        {
            "receptions_scheduled": int(bool(view.get("starts_at"))),
            "receptions_held": int(status == "held"),
            "receptions_cancelled": int(status == "cancelled"),
        }
    )
    reception = attendance + Counter(
        {
            "capacity": 0 if status == "cancelled" else int(view.get("capacity") or 0),
            "booked": int(view.get("booked") or 0),
            "bookings_made": sum(1 for b in bookings if "made" in b),
            "bookings_waitlisted": sum(1 for b in bookings if b.get("made") == "waitlisted"),
            "bookings_promoted": sum(1 for b in bookings if b.get("promoted")),
            "bookings_cancelled": sum(1 for b in bookings if b.get("cancelled")),
        }
    )
    station = str(view["station_id"])
    rows: dict[tuple[str, tuple[str, ...]], Counter[str]] = {("station", (station,)): +reception}
    for district in view.get("district_codes") or ():
        rows[("division", (district, station))] = +reception
    for deputy in view.get("deputy_ids") or ():
        rows[("deputy", (deputy,))] = +attendance
    for outcome, district, deputy in (view.get("matters") or {}).values():
        measure = Counter({f"matters_{outcome}": 1})
        targets = [("station", (station,)), ("division", (district, station))]
        if deputy:
            targets.append(("deputy", (deputy,)))
        for target in targets:
            rows[target] = rows.get(target, Counter()) + measure
    out: Contributions = {}
    for period in periods_of(day):
        for (dimension, key), measures in rows.items():
            if measures:
                out[(dimension, encode(key), period)] = Counter(measures)
    return out


def encode(parts: tuple[str, ...]) -> str:
    return "|".join(p.replace("|", "/") for p in parts)


def apply_station(row: View, data: StationEvent) -> View:
    """A station's record in the replica (see the module docstring for the ranks)."""
    if isinstance(data, StationEnded):
        return _record(row, data.version, "ended")
    fields = {
        "name": data.name,
        "kind": data.kind,
        "division_codes": list(data.division_codes),
        "latitude": data.latitude,
        "longitude": data.longitude,
    }
    return _record(row, data.version, data.status, fields)


def apply_deputy(row: View, data: DeputyEvent) -> View:
    """A deputy's record in the replica (see the module docstring for the ranks)."""
    if isinstance(data, DeputyEnded):
        return _record(row, data.version, "ended")
    fields = {
        "name": data.name,
        "level": data.level,
        "division_code": data.electoral_unit.division_code,
        "station_ids": list(data.station_ids),
    }
    return _record(row, data.version, data.status, fields)


def _record(row: View, version: int, status: str, fields: View | None = None) -> View:
    """``row`` with the fields of a record of ``version`` (an end carries none) and its
    status, each only if newer than what the row has."""
    row = dict(row)
    if fields is not None and version > int(row.get("record_version") or 0):
        row.update(fields, record_version=version)
    if version > int(row.get("status_version") or 0):
        row.update(status=status, status_version=version)
    return row


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
