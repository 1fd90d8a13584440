"""Pure rules: reception days, phone numbers (codes: tests/contract/test_tracking_code.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from minyi.liaison.domain.contact import mask_name, parse_mobile
from minyi.liaison.domain.reception import (
    ReceptionPlan,
    ReceptionPolicy,
    check_plan,
    place_for,
    reminder_due,
)
from minyi.platform.errors import Invalid
from minyi.platform.notifier import masked

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICY = ReceptionPolicy(3, "接待日至少提前3天公布", 200, 9, SHANGHAI)
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Jingmen, 1 December


def plan(day: date, **changes: object) -> ReceptionPlan:
    base = ReceptionPlan("ST-1", day, time(9), time(11, 30), "联络站一楼", ("REP-1",), 10)
    return replace(base, **changes)


def refusal(p: ReceptionPlan, known: tuple[str, ...] = ("REP-1",)) -> tuple[str, str | None, str]:
    with pytest.raises(Invalid) as caught:
        check_plan(p, NOW, POLICY, known)
    return caught.value.code, caught.value.field, caught.value.message


def test_a_reception_three_days_ahead_is_published_in_local_time() -> None:
    starts, ends = check_plan(plan(date(2026, 12, 4)), NOW, POLICY, ("REP-1",))
    assert starts == datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
    assert ends - starts == timedelta(hours=2, minutes=30)


def test_a_reception_announced_too_late_is_refused_naming_the_rule() -> None:
    code, field, message = refusal(plan(date(2026, 12, 3)))
    assert (code, field) == ("notice_too_short", "date")
    assert "至少提前 3 天" in message and "接待日至少提前3天公布" in message


def test_a_past_date_is_refused() -> None:
    assert refusal(plan(date(2026, 11, 30)))[:2] == ("reception_in_past", "date")


def test_an_end_before_the_start_an_unknown_deputy_and_a_capacity_out_of_range_are_refused() -> (
    None
):
    day = date(2026, 12, 10)
    assert refusal(plan(day, end=time(8)))[:2] == ("end_before_start", "end")
    assert refusal(plan(day, deputy_ids=("REP-X",)))[:2] == ("unknown_deputy", "deputy_ids")
    assert refusal(plan(day, capacity=201))[:2] == ("capacity_out_of_range", "capacity")
    assert refusal(plan(day, deputy_ids=()))[:2] == ("deputies_required", "deputy_ids")


def test_places_go_while_any_is_left_then_the_waitlist() -> None:
    assert place_for(0, 2) == "confirmed"
    assert place_for(1, 2) == "confirmed"
    assert place_for(2, 2) == "waitlisted"


def test_the_reminder_goes_the_day_before_at_the_policy_hour() -> None:
    starts = datetime(2026, 12, 10, 1, tzinfo=UTC)
    assert reminder_due(starts, NOW, POLICY) == datetime(2026, 12, 9, 9, tzinfo=SHANGHAI)
    # Booked on the day before, after 09:00: at once; on the day itself: none.
    late = datetime(2026, 12, 9, 6, tzinfo=UTC)
    assert reminder_due(starts, late, POLICY) == late
    assert reminder_due(starts, datetime(2026, 12, 10, 0, 30, tzinfo=UTC), POLICY) is None


@pytest.mark.parametrize(
    "raw", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "１３８１２３４５６７８"]
)
def test_mainland_mobiles_are_accepted_in_the_forms_people_type(raw: str) -> None:
    assert parse_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["1381234567", "12812345678", "0724-2345678", "abc"])
def test_anything_but_an_11_digit_mobile_is_refused_naming_the_rule(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_mobile(raw)
    assert caught.value.field == "phone" and "11 位" in caught.value.message


def test_contact_is_masked_for_the_staff() -> None:
    assert masked("13812345678") == "138****5678"
    assert mask_name("张三丰") == "张**"
