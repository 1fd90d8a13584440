"""At the reception, staff record each matter raised: answered on the spot, or referred
to become a suggestion in intake (see ``minyi.contracts.liaison`` for who holds what)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from minyi.contracts import tracking_code
from minyi.contracts.ids import new_id
from minyi.contracts.liaison import MatterRecorded, MatterReferred
from minyi.contracts.tracking_code import BOOKING
from minyi.liaison.domain import reception as rules
from minyi.liaison.domain.reception import ReceptionPolicy
from minyi.liaison.service_layer.ports import Actor, Uow
from minyi.liaison.service_layer.receptions import reception_of, station_of
from minyi.platform.errors import Invalid


@dataclass(frozen=True)
class Matter:
    title: str
    content: str
    outcome: Literal["answered", "referred"]
    answer: str | None = None
    deputy_id: str | None = None
    booking_code: str | None = None  # the citizen who raised it, if they had booked
    # The citizen agreed that the text may be shown in public (no contact data); carried
    # to intake with a referred matter (MatterReferred.publish_consent). Default no.
    publish_consent: bool = False


async def record(
    uow: Uow, actor: Actor, reception_id: str, matter: Matter, policy: ReceptionPolicy
) -> dict[str, Any]:
    reception = await reception_of(uow, reception_id)
    actor.check_station(reception.station_id)
    now = uow.now()
    rules.may_record(reception.status, reception.starts_at, now, policy)
    answer = (matter.answer or "").strip() or None
    if matter.outcome == "answered" and answer is None:
        raise Invalid("answer_required", "当场答复的事项须填写答复内容", field="answer")
    if matter.deputy_id and matter.deputy_id not in reception.deputy_ids:
        raise Invalid("unknown_deputy", "该代表未参加本场接待", field="deputy_id")
    booking = None
    if matter.booking_code:
        normal = BOOKING.compact(matter.booking_code)
        booking = await uow.bookings.by_code(normal) if normal else None
        if booking is None or booking.reception_id != reception_id:
            raise Invalid("unknown_booking", "本场接待没有该预约码", field="booking_code")
    station = await station_of(uow, reception.station_id)
    matter_id = str(uuid.uuid4())
    row: dict[str, Any] = {
        "id": matter_id,
        "reception_id": reception_id,
        "station_id": reception.station_id,
        "booking_id": booking.id if booking else None,
        "deputy_id": matter.deputy_id,
        "title": matter.title,
        "content": matter.content,
        "outcome": matter.outcome,
        "answer": answer,
        "recorded_at": now,
        "recorded_by": actor.subject,
    }
    citizen_ref = booking.citizen_ref if booking else None
    district = station.division_codes[0]
    if matter.outcome == "answered":
        await uow.matters.add(row)
        uow.emit(
            MatterRecorded(
                matter_id=matter_id,
                reception_id=reception_id,
                station_id=station.id,
                district_code=district,
                deputy_id=matter.deputy_id,
                title=matter.title,
                answer=answer or "",
                citizen_ref=citizen_ref,
                recorded_at=now,
            ),
            subject=matter_id,
        )
        return {"id": matter_id, "outcome": "answered"}
    suggestion_id, tracking = new_id(), tracking_code.new_tracking_code()
    await uow.matters.add({**row, "suggestion_id": suggestion_id, "tracking_code": tracking})
    uow.emit(
        MatterReferred(
            matter_id=matter_id,
            suggestion_id=suggestion_id,
            reception_id=reception_id,
            station_id=station.id,
            district_code=district,
            township=station.townships[0] if len(station.townships) == 1 else None,
            representative_id=matter.deputy_id,
            title=matter.title,
            content=matter.content,
            citizen_ref=citizen_ref,
            tracking_code_sha256=tracking_code.digest(tracking),
            referred_at=now,
            publish_consent=matter.publish_consent,
        ),
        subject=suggestion_id,
    )
    if booking is not None:
        await uow.bookings.notify(
            booking.id,
            "referred",
            f"【民意直通车】您在{station.name}反映的“{matter.title}”已转为建议办理，"
            f"查询码 {tracking}，可在民意直通车“进度查询”中查看办理进度。",
            now,
        )
    return {
        "id": matter_id,
        "outcome": "referred",
        "suggestion_id": suggestion_id,
        "tracking_code": tracking,
    }
