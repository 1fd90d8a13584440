"""Liaison's HTTP API, part two: reception days (public lists and calendar feed; the
staff's scheduling, holding, cancelling and matters) and citizens' bookings."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from minyi.liaison.adapters import printables
from minyi.liaison.domain.reception import ReceptionPlan
from minyi.liaison.entrypoints.dependencies import PUBLIC_LIMIT, Deps, Rt, Staff
from minyi.liaison.service_layer import bookings, matters, public, receptions
from minyi.liaison.service_layer.views import reception_view
from minyi.platform.auth import public as public_access

PUBLIC = Depends(public_access("reception days are announced publicly"))
BOOKING = Depends(public_access("citizens book without an account; the booking code is the secret"))
router = APIRouter(prefix="/v1", tags=["receptions"])


class ReceptionBody(BaseModel):
    day: date = Field(alias="date", description="接待日期（北京时间）")
    start: time = Field(description="开始时间，如 09:00")
    end: time = Field(description="结束时间，如 11:30")
    place: str = Field(min_length=1, max_length=200, description="接待地点")
    deputy_ids: list[str] = Field(min_length=1, max_length=30, description="参加接待的代表编号")
    capacity: int = Field(ge=1, le=10_000, description="预约名额")
    topic: str | None = Field(default=None, max_length=200, description="接待主题")


class CancelBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="取消原因（告知已预约的群众）")


class BookingBody(BaseModel):
    name: str = Field(min_length=1, max_length=50, description="姓名（加密保存）")
    phone: str = Field(min_length=1, max_length=30, description="手机号（加密保存，用于提醒）")


class MatterBody(BaseModel):
    title: str = Field(min_length=1, max_length=100, description="事项标题")
    content: str = Field(min_length=1, max_length=5000, description="群众反映的内容")
    outcome: Literal["answered", "referred"] = Field(
        description="answered 当场答复；referred 转为建议办理"
    )
    answer: str | None = Field(default=None, max_length=5000, description="当场答复的内容")
    deputy_id: str | None = Field(default=None, max_length=64, description="接待的代表")
    booking_code: str | None = Field(default=None, max_length=30, description="群众的预约码")
    publish_consent: bool = Field(
        default=False,
        description="群众同意公开反映的内容（不含个人信息）；转为建议时随之转交，默认不同意",
    )


# Public ------------------------------------------------------------------------------------


@router.get("/receptions", dependencies=[PUBLIC])
async def upcoming(
    runtime: Rt,
    deps: Deps,
    division: Annotated[str | None, Query(max_length=20)] = None,
    station_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """Upcoming reception days, of a division or a station."""
    async with runtime.unit_of_work() as uow:
        return await public.upcoming_receptions(
            uow, deps.policy, station_id=station_id, division=division
        )


@router.get("/stations/{station_id}/receptions", dependencies=[PUBLIC])
async def station_upcoming(runtime: Rt, deps: Deps, station_id: str) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        await receptions.station_of(uow, station_id)
        return await public.upcoming_receptions(
            uow, deps.policy, station_id=station_id, division=None
        )


@router.get("/stations/{station_id}/receptions.ics", dependencies=[PUBLIC])
async def station_calendar(runtime: Rt, deps: Deps, station_id: str) -> Response:
    """The station's reception days as an iCalendar feed a phone subscribes to."""
    async with runtime.unit_of_work() as uow:
        station = await receptions.station_of(uow, station_id)
        found = await uow.receptions.upcoming(uow.now(), station_id=station_id, limit=200)
        now = uow.now()
    url = f"{deps.settings.public_base_url.rstrip('/')}/stations/{station_id}"
    body = printables.reception_calendar(station.id, station.name, found, url, now)
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/receptions/{reception_id}", dependencies=[PUBLIC])
async def reception(runtime: Rt, deps: Deps, reception_id: str) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await receptions.reception_of(uow, reception_id)
        confirmed, waiting, _ = await uow.bookings.counts(reception_id)
    view = reception_view(found, deps.policy)
    return {**view, "booked": confirmed, "waitlisted": waiting}


@router.post(
    "/receptions/{reception_id}/bookings", status_code=201, dependencies=[BOOKING, PUBLIC_LIMIT]
)
async def book(runtime: Rt, deps: Deps, reception_id: str, body: BookingBody) -> dict[str, Any]:
    """预约: a place (and a booking code), or a place on the waitlist when full."""
    async with runtime.unit_of_work() as uow:
        return await bookings.book(
            uow, reception_id, body.name, body.phone, deps.vault, deps.policy
        )


@router.get("/bookings/{code}", dependencies=[BOOKING, PUBLIC_LIMIT])
async def booking(runtime: Rt, deps: Deps, code: str) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await bookings.status_of(uow, code, deps.policy)


@router.post("/bookings/{code}/cancel", dependencies=[BOOKING, PUBLIC_LIMIT])
async def cancel_booking(runtime: Rt, deps: Deps, code: str) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await bookings.cancel(uow, code, deps.policy)


# Station staff -----------------------------------------------------------------------------


@router.post("/stations/{station_id}/receptions", status_code=201)
async def schedule(
    runtime: Rt, deps: Deps, actor: Staff, station_id: str, body: ReceptionBody
) -> dict[str, Any]:
    """Announce a reception day (at least the policy's days ahead)."""
    plan = ReceptionPlan(
        station_id,
        body.day,
        body.start,
        body.end,
        body.place,
        tuple(body.deputy_ids),
        body.capacity,
        body.topic,
    )
    async with runtime.unit_of_work() as uow:
        return await receptions.schedule(uow, actor, plan, deps.policy)


@router.get("/staff/stations/{station_id}/receptions")
async def staff_receptions(
    runtime: Rt, deps: Deps, actor: Staff, station_id: str
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await receptions.station_receptions(uow, actor, station_id, deps.policy)


@router.get("/staff/receptions/{reception_id}")
async def staff_reception(
    runtime: Rt, deps: Deps, actor: Staff, reception_id: str
) -> dict[str, Any]:
    """Bookings, waitlist (masked) and matters of one reception."""
    async with runtime.unit_of_work() as uow:
        return await receptions.reception_detail(uow, actor, reception_id, deps.policy, deps.vault)


@router.post("/receptions/{reception_id}/held")
async def hold(runtime: Rt, deps: Deps, actor: Staff, reception_id: str) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await receptions.hold(uow, actor, reception_id, deps.policy)


@router.post("/receptions/{reception_id}/cancel")
async def cancel_reception(
    runtime: Rt, deps: Deps, actor: Staff, reception_id: str, body: CancelBody
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await receptions.cancel(uow, actor, reception_id, body.reason, deps.policy)


@router.post("/receptions/{reception_id}/matters", status_code=201)
async def record_matter(
    runtime: Rt, deps: Deps, actor: Staff, reception_id: str, body: MatterBody
) -> dict[str, Any]:
    """A matter raised: answered on the spot, or referred (becomes a suggestion)."""
    matter = matters.Matter(
        body.title,
        body.content,
        body.outcome,
        body.answer,
        body.deputy_id,
        body.booking_code,
        body.publish_consent,
    )
    async with runtime.unit_of_work() as uow:
        return await matters.record(uow, actor, reception_id, matter, deps.policy)
