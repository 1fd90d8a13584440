"""Citizens book a place at a reception (预约): a booking code, or the waitlist when it
is full; cancelling with the code frees the place for the first on the waitlist."""

from __future__ import annotations

import json
import uuid
from typing import Any

from minyi.contracts.liaison import BookingCancelled, BookingMade, BookingPromoted
from minyi.contracts.tracking_code import BOOKING
from minyi.liaison.domain import reception as rules
from minyi.liaison.domain.contact import parse_mobile
from minyi.liaison.domain.reception import Booking, Reception, ReceptionPolicy
from minyi.liaison.service_layer.ports import Uow
from minyi.liaison.service_layer.receptions import reception_of, station_of
from minyi.liaison.service_layer.views import reception_view
from minyi.platform.errors import Conflict, Invalid, NotFound
from minyi.platform.pii_vault import PiiVault


def _shown(code: str) -> str:
    return BOOKING.display(code)


async def _remind(
    uow: Uow, booking_id: str, code: str, reception: Reception, policy: ReceptionPolicy
) -> None:
    due = rules.reminder_due(reception.starts_at, uow.now(), policy)
    if due is None:
        return
    station = await station_of(uow, reception.station_id)
    when = reception_view(reception, policy)
    await uow.bookings.notify(
        booking_id,
        "reminder",
        f"【民意直通车】提醒：您预约的{station.name}接待日将于 {when['date']} {when['start']}"
        f" 在{reception.place}举行，预约码 {_shown(code)}。如不能参加，请凭预约码取消。",
        due,
    )


async def book(
    uow: Uow,
    reception_id: str,
    name: str,
    phone: str,
    vault: PiiVault,
    policy: ReceptionPolicy,
) -> dict[str, Any]:
    mobile = parse_mobile(phone)
    name = " ".join(name.split())
    if not 1 <= len(name) <= 50:
        raise Invalid("invalid_name", "请填写姓名（1–50 个字）", field="name")
    reception = await reception_of(uow, reception_id, lock=True)
    now = uow.now()
    rules.bookable(reception.status, reception.starts_at, now)
    citizen_ref = vault.blind_index(mobile)
    if await uow.bookings.has_active(reception_id, citizen_ref):
        raise Conflict("already_booked", "该手机号已预约本场接待，无需重复预约", field="phone")
    confirmed, waiting, seq = await uow.bookings.counts(reception_id)
    status = rules.place_for(confirmed, reception.capacity)
    code = BOOKING.compact(BOOKING.new())
    assert code is not None
    booking = Booking(
        id=str(uuid.uuid4()),
        code=code,
        reception_id=reception_id,
        status=status,
        seq=seq + 1,
        contact=vault.encrypt(json.dumps({"name": name, "phone": mobile}, ensure_ascii=False)),
        citizen_ref=citizen_ref,
        made_at=now,
    )
    await uow.bookings.add(booking)
    if status == "confirmed":
        await _remind(uow, booking.id, code, reception, policy)
    uow.emit(
        BookingMade(
            booking_id=booking.id,
            reception_id=reception_id,
            station_id=reception.station_id,
            status=status,
            citizen_ref=citizen_ref,
            made_at=now,
        ),
        subject=booking.id,
    )
    return {
        "code": _shown(code),
        "status": status,
        "position": waiting + 1 if status == "waitlisted" else None,
        "reception": reception_view(reception, policy),
    }


async def _booking_of(uow: Uow, code: str, *, lock: bool = False) -> Booking:
    normal = BOOKING.compact(code)
    if normal is None:
        raise Invalid(
            "invalid_booking_code", "预约码格式不正确（如 YY-XXXX-XXXX-X），请核对", field="code"
        )
    booking = await uow.bookings.by_code(normal, lock=lock)
    if booking is None:
        raise NotFound("booking_not_found", "没有找到该预约码", field="code")
    return booking


async def status_of(uow: Uow, code: str, policy: ReceptionPolicy) -> dict[str, Any]:
    """What a citizen sees with the code: the booking, its place on the waitlist, and what
    became of the matters raised (with the tracking code of a referred one)."""
    booking = await _booking_of(uow, code)
    reception = await reception_of(uow, booking.reception_id)
    station = await station_of(uow, reception.station_id)
    position = None
    if booking.status == "waitlisted":
        waiting = await uow.bookings.active(booking.reception_id)
        position = 1 + sum(1 for b in waiting if b.status == "waitlisted" and b.seq < booking.seq)
    matters = [
        {
            "title": m["title"],
            "outcome": m["outcome"],
            "answer": m["answer"],
            "tracking_code": m["tracking_code"],
        }
        for m in await uow.matters.of_booking(booking.id)
    ]
    return {
        "code": _shown(booking.code),
        "status": booking.status,
        "position": position,
        "reception": reception_view(reception, policy),
        "station": {"id": station.id, "name": station.name, "address": station.address},
        "matters": matters,
    }


async def cancel(uow: Uow, code: str, policy: ReceptionPolicy) -> dict[str, Any]:
    booking = await _booking_of(uow, code, lock=True)
    if booking.status == "cancelled":
        raise Conflict("booking_cancelled", "该预约已取消", field="code")
    reception = await reception_of(uow, booking.reception_id, lock=True)
    now = uow.now()
    rules.bookable(reception.status, reception.starts_at, now)
    await uow.bookings.set_status(booking.id, "cancelled", now)
    await uow.bookings.drop_notices(booking.id)
    uow.emit(
        BookingCancelled(
            booking_id=booking.id,
            reception_id=reception.id,
            station_id=reception.station_id,
            was=booking.status,
            cancelled_at=now,
        ),
        subject=booking.id,
    )
    promoted = None
    if booking.status == "confirmed":
        promoted = await _promote(uow, reception, policy)
    return {"code": _shown(booking.code), "status": "cancelled", "promoted": promoted is not None}


async def _promote(uow: Uow, reception: Reception, policy: ReceptionPolicy) -> Booking | None:
    """The first on the waitlist gets the freed place, and is told."""
    nxt = await uow.bookings.first_waitlisted(reception.id)
    if nxt is None:
        return None
    now = uow.now()
    await uow.bookings.set_status(nxt.id, "confirmed", now)
    station = await station_of(uow, reception.station_id)
    when = reception_view(reception, policy)
    await uow.bookings.notify(
        nxt.id,
        "promoted",
        f"【民意直通车】您候补的{station.name} {when['date']} {when['start']} 接待日已有名额，"
        f"预约成功，预约码 {_shown(nxt.code)}。",
        now,
    )
    await _remind(uow, nxt.id, nxt.code, reception, policy)
    uow.emit(
        BookingPromoted(
            booking_id=nxt.id,
            reception_id=reception.id,
            station_id=reception.station_id,
            promoted_at=now,
        ),
        subject=nxt.id,
    )
    return nxt
