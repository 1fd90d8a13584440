"""Reception days for station staff: schedule, hold or cancel one, and see its bookings,
waitlist and matters."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

from minyi.contracts.liaison import (
    BookingCancelled,
    ReceptionCancelled,
    ReceptionHeld,
    ReceptionScheduled,
)
from minyi.contracts.tracking_code import BOOKING
from minyi.liaison.domain import reception as rules
from minyi.liaison.domain.contact import mask_name
from minyi.liaison.domain.reception import Reception, ReceptionPlan, ReceptionPolicy
from minyi.liaison.domain.registry import Station
from minyi.liaison.service_layer.ports import Actor, Uow
from minyi.liaison.service_layer.views import reception_view
from minyi.platform.errors import NotFound
from minyi.platform.notifier import masked
from minyi.platform.pii_vault import PiiVault


async def station_of(uow: Uow, station_id: str) -> Station:
    found = (await uow.registry.stations([station_id])).get(station_id)
    if found is None or found.record.status != "active":
        raise NotFound("station_not_found", f"没有找到联络站 {station_id}", field="station_id")
    station: Station = found.record
    return station


async def reception_of(uow: Uow, reception_id: str, *, lock: bool = False) -> Reception:
    found = await uow.receptions.get(reception_id, lock=lock)
    if found is None:
        raise NotFound("reception_not_found", "没有找到该接待日", field="reception_id")
    return found


async def schedule(
    uow: Uow, actor: Actor, plan: ReceptionPlan, policy: ReceptionPolicy
) -> dict[str, Any]:
    actor.check_station(plan.station_id)
    station = await station_of(uow, plan.station_id)
    serving = await uow.registry.serving_deputy_ids(plan.deputy_ids)
    now = uow.now()
    starts_at, ends_at = rules.check_plan(plan, now, policy, serving)
    reception = Reception(
        id=str(uuid.uuid4()),
        station_id=plan.station_id,
        starts_at=starts_at,
        ends_at=ends_at,
        place=plan.place.strip(),
        deputy_ids=tuple(dict.fromkeys(plan.deputy_ids)),
        capacity=plan.capacity,
        topic=plan.topic,
        status="scheduled",
        scheduled_at=now,
    )
    await uow.receptions.add(reception)
    uow.emit(
        ReceptionScheduled(
            reception_id=reception.id,
            station_id=reception.station_id,
            district_codes=list(station.division_codes),
            starts_at=starts_at,
            ends_at=ends_at,
            place=reception.place,
            deputy_ids=list(reception.deputy_ids),
            capacity=reception.capacity,
            topic=reception.topic,
            scheduled_at=now,
        ),
        subject=reception.id,
    )
    return reception_view(reception, policy)


async def hold(
    uow: Uow, actor: Actor, reception_id: str, policy: ReceptionPolicy
) -> dict[str, Any]:
    reception = await reception_of(uow, reception_id, lock=True)
    actor.check_station(reception.station_id)
    now = uow.now()
    rules.may_hold(reception.status, reception.starts_at, now)
    station = await station_of(uow, reception.station_id)
    confirmed, _waiting, _seq = await uow.bookings.counts(reception_id)
    await uow.receptions.close(reception_id, "held", now)
    uow.emit(
        ReceptionHeld(
            reception_id=reception_id,
            station_id=reception.station_id,
            district_codes=list(station.division_codes),
            deputy_ids=list(reception.deputy_ids),
            booked=confirmed,
            held_at=now,
        ),
        subject=reception_id,
    )
    return reception_view(replace(reception, status="held"), policy)


async def cancel(
    uow: Uow, actor: Actor, reception_id: str, reason: str, policy: ReceptionPolicy
) -> dict[str, Any]:
    """Call a reception off: every booking is cancelled and its citizen told."""
    reception = await reception_of(uow, reception_id, lock=True)
    actor.check_station(reception.station_id)
    rules.may_cancel(reception.status)
    now = uow.now()
    station = await station_of(uow, reception.station_id)
    when = reception_view(reception, policy)
    message = (
        f"【民意直通车】很抱歉，{station.name}原定 {when['date']} {when['start']} 的接待日已取消"
        f"（{reason}）。您的预约已自动取消。"
    )
    for booking in await uow.bookings.active(reception_id):
        await uow.bookings.set_status(booking.id, "cancelled", now)
        await uow.bookings.drop_notices(booking.id)
        await uow.bookings.notify(booking.id, "cancelled", message, now)
        assert booking.status != "cancelled"
        uow.emit(
            BookingCancelled(
                booking_id=booking.id,
                reception_id=reception_id,
                station_id=reception.station_id,
                was=booking.status,
                by="reception_cancelled",
                cancelled_at=now,
            ),
            subject=booking.id,
        )
    await uow.receptions.close(reception_id, "cancelled", now, reason)
    uow.emit(
        ReceptionCancelled(
            reception_id=reception_id,
            station_id=reception.station_id,
            reason=reason,
            cancelled_at=now,
        ),
        subject=reception_id,
    )
    return reception_view(replace(reception, status="cancelled"), policy)


async def station_receptions(
    uow: Uow, actor: Actor, station_id: str, policy: ReceptionPolicy
) -> dict[str, Any]:
    """The staff's list: receptions of the last 30 days and to come, with their counts."""
    actor.check_station(station_id)
    station = await station_of(uow, station_id)
    found = await uow.receptions.of_station(station_id, uow.now() - timedelta(days=30), 200)
    items = []
    for r in found:
        confirmed, waiting, _ = await uow.bookings.counts(r.id)
        items.append({**reception_view(r, policy), "booked": confirmed, "waitlisted": waiting})
    deputies = await uow.registry.deputies_of_station(station_id)
    return {
        "station": {"id": station.id, "name": station.name},
        "receptions": items,
        "deputies": deputies,
    }


async def reception_detail(
    uow: Uow, actor: Actor, reception_id: str, policy: ReceptionPolicy, vault: PiiVault
) -> dict[str, Any]:
    """One reception for its staff: bookings and waitlist (names and phones masked), and
    the matters recorded."""
    reception = await reception_of(uow, reception_id)
    actor.check_station(reception.station_id)
    people = []
    for b in await uow.bookings.active(reception_id):
        contact = json.loads(vault.decrypt(b.contact))
        people.append(
            {
                "code": BOOKING.display(b.code),
                "status": b.status,
                "name": mask_name(contact["name"]),
                "phone": masked(contact["phone"]),
                "made_at": b.made_at.isoformat(),
            }
        )
    matters = [
        {
            "id": m["id"],
            "title": m["title"],
            "outcome": m["outcome"],
            "answer": m["answer"],
            "deputy_id": m["deputy_id"],
            "suggestion_id": m["suggestion_id"],
            "tracking_code": m["tracking_code"],
            "recorded_at": m["recorded_at"].isoformat(),
        }
        for m in await uow.matters.of_reception(reception_id)
    ]
    return {
        **reception_view(reception, policy),
        "bookings": [p for p in people if p["status"] == "confirmed"],
        "waitlist": [p for p in people if p["status"] == "waitlisted"],
        "matters": matters,
    }
