"""The monthly report's month, dates and the rules that write its notable changes."""

from __future__ import annotations

from datetime import date

import pytest

from minyi.platform.errors import Invalid
from minyi.reporting.domain import monthly
from minyi.reporting.domain.monthly import (
    MIN_SAMPLE,
    NOTHING_NOTABLE,
    Month,
    UnitMonth,
    change,
    cn_date,
    notable_changes,
    parse_month,
    percent,
)


def test_a_month_its_days_its_neighbours_and_its_issue_date() -> None:
    nov = parse_month("2026-11")
    assert (nov.start, nov.end, nov.label, nov.key) == (
        date(2026, 11, 1), date(2026, 11, 30), "2026年11月", "2026-11",
    )  # fmt: skip
    assert nov.previous() == Month(2026, 10) and Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 12).end == date(2026, 12, 31) and Month(2026, 12).issued == date(2027, 1, 1)
    assert Month(2028, 2).end == date(2028, 2, 29)
    assert nov.issued_at.isoformat() == "2026-12-01T09:00:00+08:00"
    assert cn_date(date(2026, 11, 30)) == "2026年11月30日（星期一）"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-11", "2026/11", "1999-01", ""])
def test_a_bad_month_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(Invalid) as e:
        parse_month(text, field="--month")
    assert e.value.field == "--month" and "YYYY-MM" in e.value.message


def test_rates_over_too_few_items_say_so_and_changes_have_signs() -> None:
    assert percent(1.0, MIN_SAMPLE - 1) == monthly.TOO_FEW
    assert percent(0.8667, MIN_SAMPLE) == "86.7%" and percent(None) == "—"
    assert change(16, 3) == "+13（+433.3%）" and change(3, 3) == "持平"
    assert change(2, 0) == "+2（上月为0）" and change(1, 4) == "-3（-75.0%）"
    assert change(0.9, 0.85, rate=True) == "+5.0个百分点" and change(None, 0.5) == "—"


def _rises(now: dict[str, int], before: dict[str, int]) -> list[str]:
    return notable_changes((now, before), ({}, {}), ({}, {}))


def test_the_biggest_rises_by_district_over_the_thresholds_largest_first() -> None:
    sentences = _rises(
        {"东宝区": 30, "掇刀区": 12, "沙洋县": 9, "钟祥市": 5, "京山市": 4},
        {"东宝区": 20, "掇刀区": 11, "沙洋县": 0, "钟祥市": 2, "京山市": 0},
    )
    assert sentences == [
        "区县“东宝区”本月受理 30 件，比上月增加 10 件（+50.0%）。",
        "区县“沙洋县”本月受理 9 件，上月没有，为新出现的集中诉求。",
        "区县“钟祥市”本月受理 5 件，比上月增加 3 件（+150.0%）。",
    ]  # 掇刀区: +1 only; 京山市: under RISE_MIN_COUNT


def test_a_small_share_or_too_many_rises_are_cut() -> None:
    # +30 on 200 is 15 %: under RISE_MIN_SHARE.
    assert _rises({"a": 230}, {"a": 200}) == []
    many = _rises({f"d{i}": 10 + i for i in range(6)}, {})
    assert len(many) == monthly.RISE_TOP and "d5" in many[0]


def test_units_that_slipped_rate_down_or_overdue_up() -> None:
    now = {
        "交通局": UnitMonth("交通局", 20, 0.6, 0),
        "住建局": UnitMonth("住建局", 20, 0.85, 4),
        "水务局": UnitMonth("水务局", 5, 0.2, 1),
        "教育局": UnitMonth("教育局", 20, 0.9, 2),
    }
    before = {
        "交通局": UnitMonth("交通局", 15, 0.8, 0),
        "住建局": UnitMonth("住建局", 20, 0.9, 1),
        "水务局": UnitMonth("水务局", 15, 0.9, 1),
    }
    assert notable_changes(({}, {}), ({}, {}), (now, before)) == [
        "“交通局”按时答复率由上月的 80.0% 降至 60.0%，需督促改进。",
        "“住建局”本月受理事项中当前逾期 4 件，上月为 1 件，逾期有所增加。",
        "“教育局”本月受理事项中当前逾期 2 件，上月为 0 件，逾期有所增加。",
    ]  # 水务局: 5 replies, too few to call its rate down


def test_nothing_notable_is_said_as_such_by_the_caller() -> None:
    assert notable_changes(({"a": 3}, {"a": 3}), ({}, {}), ({}, {})) == []
    assert "无明显变化" in NOTHING_NOTABLE
