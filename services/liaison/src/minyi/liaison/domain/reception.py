"""Reception days (接待日): the rules a schedule keeps, who gets a place, and when a
booked citizen is reminded. Times are the station's local time (Asia/Shanghai by policy)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from minyi.contracts.liaison import BookingStatus
from minyi.platform.errors import Conflict, Invalid

ReceptionStatus = Literal["scheduled", "held", "cancelled"]
STATUS_LABELS: dict[ReceptionStatus, str] = {
    "scheduled": "已公布",
    "held": "已举行",
    "cancelled": "已取消",
}


@dataclass(frozen=True)
class ReceptionPolicy:
    """From ``reference/policy.json``: each number with the rule it comes from."""

    notice_days: int
    notice_source: str
    max_capacity: int
    reminder_hour: int
    timezone: ZoneInfo

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    def at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.timezone)


@dataclass(frozen=True)
class ReceptionPlan:
    """What station staff ask for."""

    station_id: str
    day: date
    start: time
    end: time
    place: str
    deputy_ids: tuple[str, ...]
    capacity: int
    topic: str | None = None


def check_plan(
    plan: ReceptionPlan, now: datetime, policy: ReceptionPolicy, known_deputies: Collection[str]
) -> tuple[datetime, datetime]:
    """The reception's start and end, or 422 naming the field and the rule."""
    today = policy.local_day(now)
    if plan.day < today:
        raise Invalid("reception_in_past", f"接待日期 {plan.day} 已经过去", field="date")
    if (plan.day - today).days < policy.notice_days:
        raise Invalid(
            "notice_too_short",
            f"接待日须至少提前 {policy.notice_days} 天公布（{policy.notice_source}）；"
            f"最早可安排在 {today + timedelta(days=policy.notice_days)}",
            field="date",
        )
    if plan.end <= plan.start:
        raise Invalid("end_before_start", "结束时间须晚于开始时间", field="end")
    if not 1 <= plan.capacity <= policy.max_capacity:
        raise Invalid(
            "capacity_out_of_range",
            f"预约名额应在 1 到 {policy.max_capacity} 之间",
            field="capacity",
        )
    if not plan.deputy_ids:
        raise Invalid("deputies_required", "至少安排一位参加接待的代表", field="deputy_ids")
    unknown = [d for d in plan.deputy_ids if d not in known_deputies]
    if unknown:
        raise Invalid(
            "unknown_deputy", f"未知或已离任的代表编号：{'、'.join(unknown)}", field="deputy_ids"
        )
    if not plan.place.strip():
        raise Invalid("place_required", "请填写接待地点", field="place")
    return policy.at(plan.day, plan.start), policy.at(plan.day, plan.end)


def place_for(confirmed: int, capacity: int) -> BookingStatus:
    """A booking gets a place while any is left, else joins the waitlist."""
    return "confirmed" if confirmed < capacity else "waitlisted"


def bookable(status: ReceptionStatus, starts_at: datetime, now: datetime) -> None:
    """Bookings close when the reception starts (or is no longer on)."""
    if status != "scheduled":
        raise Conflict("reception_not_open", f"该接待日{STATUS_LABELS[status]}，不能预约")
    if now >= starts_at:
        raise Conflict("reception_started", "该接待日已开始或已结束，不能再预约")


def may_hold(status: ReceptionStatus, starts_at: datetime, now: datetime) -> None:
    if status != "scheduled":
        raise Conflict("reception_not_scheduled", f"该接待日{STATUS_LABELS[status]}")
    if now < starts_at:
        raise Conflict("reception_not_started", "接待尚未开始，不能标记为已举行")


def may_record(
    status: ReceptionStatus, starts_at: datetime, now: datetime, policy: ReceptionPolicy
) -> None:
    """Matters are recorded on the reception's day or after it, never for a cancelled one."""
    if status == "cancelled":
        raise Conflict("reception_cancelled", "该接待日已取消")
    if policy.local_day(now) < policy.local_day(starts_at):
        raise Conflict("reception_not_started", "接待日尚未到来，不能登记事项")


def may_cancel(status: ReceptionStatus) -> None:
    if status != "scheduled":
        raise Conflict("reception_not_scheduled", f"该接待日{STATUS_LABELS[status]}，不能取消")


def reminder_due(starts_at: datetime, now: datetime, policy: ReceptionPolicy) -> datetime | None:
    """When a confirmed citizen is reminded: at ``reminder_hour`` the day before; at once
    if that moment has passed but the day before has not; never when booked on the day."""
    day = policy.local_day(starts_at)
    due = policy.at(day - timedelta(days=1), time(policy.reminder_hour))
    if due > now:
        return due
    return now if policy.local_day(now) < day else None


@dataclass(frozen=True)
class Reception:
    id: str
    station_id: str
    starts_at: datetime
    ends_at: datetime
    place: str
    deputy_ids: tuple[str, ...]
    capacity: int
    topic: str | None
    status: ReceptionStatus
    scheduled_at: datetime


@dataclass(frozen=True)
class Booking:
    id: str
    code: str  # normalised
    reception_id: str
    status: BookingStatus | Literal["cancelled"]
    seq: int
    contact: str  # encrypted
    citizen_ref: str
    made_at: datetime
