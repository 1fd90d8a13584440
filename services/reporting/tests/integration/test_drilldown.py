"""Issue 22: every dashboard figure opens the items behind it (and their total is the figure),
periods with the change against the period before, and rates that say 样本不足 rather
than 100 % over a handful of items."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from minyi.contracts.envelope import RawEvent
from minyi.platform.auth import Principal, Role, bearer
from minyi.reporting.domain import rates
from minyi.reporting.domain.periods import local_day, previous, span
from services.reporting.tests.integration.conftest import Reporting
from tests.support.reporting_history import history
from tests.support.reporting_month import office_month

DOCS = Path(__file__).resolve().parents[4] / "docs" / "reporting.md"
# Three weeks from Monday 2025-09-29 (T0), Beijing days.
WEEK_1, WEEK_2 = ("2025-09-29", "2025-10-05"), ("2025-10-06", "2025-10-12")


def month() -> list[RawEvent]:
    return office_month()


async def _items(reporting: Reporting, **params: Any) -> dict[str, Any]:
    page: dict[str, Any] = await reporting.get("/v1/items", **params)
    return page


async def test_each_figure_opens_a_list_whose_total_is_the_figure(reporting: Reporting) -> None:
    await reporting.deliver(month())
    for span_ in ({}, {"from": WEEK_2[0], "to": WEEK_2[1]}):
        # The heat map's darkest cell (district × focus area).
        heat = await reporting.get("/v1/heatmap", **span_)
        cell = max(heat["district_focus"], key=lambda c: c["count"])
        page = await _items(
            reporting, district=cell["district_code"], focus_area=cell["focus_area"], **span_
        )
        assert page["total"] == cell["count"] > 0
        # A unit's row: its assigned items, its overdue ones, its ratings.
        unit = {u["unit_id"]: u for u in await reporting.get("/v1/units", **span_)}["u-jtj"]
        for measure, figure in (("n", "assigned"), ("overdue_open", "overdue_now")):
            page = await _items(reporting, unit="u-jtj", measure=measure, **span_)
            assert page["total"] == unit[figure] > 0
        zjj = {u["unit_id"]: u for u in await reporting.get("/v1/units", **span_)}["u-zjj"]
        for measure, figure in (("replied", "replied"), ("first_rated", "first_rated")):
            page = await _items(reporting, unit="u-zjj", measure=measure, **span_)
            assert page["total"] == zjj[figure] > 0
        # The headline's overdue count.
        head = await reporting.get("/v1/headline", **span_)
        page = await _items(reporting, measure="overdue_open", **span_)
        assert page["total"] == head["overdue_now"] > 0
        # A recurring appeal: the members filed in the window.
        for appeal in await reporting.get("/v1/recurring", **span_):
            page = await _items(reporting, cluster=appeal["cluster_id"], **span_)
            assert page["total"] == appeal["growth"] > 0


async def test_a_list_pages_sorts_and_exports_with_the_same_filters(reporting: Reporting) -> None:
    await reporting.deliver(month())
    everything = await _items(reporting, sort="filed_at", limit=200)
    assert everything["total"] == 18
    filed = [r["filed_at"] for r in everything["rows"]]
    assert filed == sorted(filed)
    page = await _items(reporting, sort="filed_at", limit=5, offset=5)
    assert page["total"] == 18
    assert [r["suggestion_id"] for r in page["rows"]] == [
        r["suggestion_id"] for r in everything["rows"][5:10]
    ]
    newest = await _items(reporting, sort="-filed_at", limit=1)
    assert newest["rows"][0]["suggestion_id"] == everything["rows"][-1]["suggestion_id"]

    r = await reporting.http.get("/v1/items", params={"unit": "u-jtj", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 6 and {row["unit_name"] for row in rows} == {"u-jtj 名称"}
    r = await reporting.http.get("/v1/items", params={"measure": "overdue_open", "format": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"

    for params, field in (
        ({"sort": "suggestion_id; drop table"}, "sort"),
        ({"measure": "reply_days"}, "measure"),
        ({"limit": "0"}, "limit"),
    ):
        r = await reporting.http.get("/v1/items", params=params)
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"][-1] == field


async def test_rows_carry_titles_names_and_days_overdue_not_ids(reporting: Reporting) -> None:
    await reporting.deliver(month())
    overdue = await reporting.get("/v1/overdue")
    assert len(overdue) == 6
    today = local_day(reporting.h.runtime.clock.now())
    for row in overdue:
        assert row["title"].endswith("路灯不亮")
        assert row["district_name"] == "掇刀区" and row["unit_name"] == "u-jtj 名称"
        assert row["status_name"] == "已交办"
        # Calendar days in Beijing time since the deadline.
        deadline = local_day(datetime.fromisoformat(row["reply_by"]))
        assert row["days_overdue"] == (today - deadline).days > 0
    # An analyst reads the same rows without their free text, and the timeline's path.
    analyst = bearer(reporting.h.runtime.keyring, Principal(Role.ANALYST, "analyst:test"))
    r = await reporting.http.get("/v1/overdue", headers=analyst)
    assert r.status_code == 200 and all("title" not in row for row in r.json())
    assert all(row["district_name"] == "掇刀区" for row in r.json())
    r = await reporting.http.get("/v1/suggestions/z-09", headers=analyst)
    assert r.status_code == 200, r.text
    case = r.json()
    assert "title" not in case and "reply" not in case and case["district_name"] == "东宝区"
    assert [e["step"] for e in case["timeline"]][:2] == ["filed", "assigned"]
    text = r.text
    assert "路灯" not in text and "修复" not in text  # titles, replies, explanations


async def test_periods_compare_with_the_period_of_the_same_length_before(
    reporting: Reporting,
) -> None:
    await reporting.deliver(month())
    week = await reporting.get("/v1/headline", **{"from": WEEK_2[0], "to": WEEK_2[1]})
    before = await reporting.get("/v1/headline", **{"from": WEEK_1[0], "to": WEEK_1[1]})
    assert (week["previous_from"], week["previous_to"]) == WEEK_1
    collected = week["change"]["suggestions_collected"]
    assert collected["previous"] == before["suggestions_collected"] == 7
    assert week["suggestions_collected"] == 11  # 5 at 住建局, 6 at 交通局
    assert collected["delta"] == 4 and collected["percent"] == pytest.approx(4 / 7, abs=1e-4)
    # Nothing the week before the first: the change has no percentage ("—").
    first = await reporting.get("/v1/headline", **{"from": WEEK_1[0], "to": WEEK_1[1]})
    assert first["change"]["overdue_now"]["previous"] == 0
    assert first["change"]["overdue_now"]["percent"] is None
    # Whole months compare with the months before; a quarter with the quarter before.
    assert previous(date(2026, 11, 1), date(2026, 11, 30)) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert previous(date(2026, 10, 1), date(2026, 12, 31)) == (date(2026, 7, 1), date(2026, 9, 30))
    # period=… is this week / month / quarter / year on the service's clock, Beijing time.
    today = local_day(reporting.h.runtime.clock.now())
    for period in ("week", "month", "quarter", "year"):
        head = await reporting.get("/v1/headline", period=period)
        first_day, last_day = span(period, today)
        assert (head["from"], head["to"]) == (first_day.isoformat(), last_day.isoformat())
        assert first_day <= today <= last_day
    r = await reporting.http.get("/v1/headline", params={"period": "month", "from": "2025-10-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "period"


async def test_satisfaction_counts_every_rating_given_and_few_items_are_sample_insufficient(
    reporting: Reporting,
) -> None:
    await reporting.deliver(month())
    zjj = {u["unit_id"]: u for u in await reporting.get("/v1/units")}["u-zjj"]
    # 8 satisfied at the first answer; 4 unsatisfied with it and again after re-handling.
    assert (zjj["ratings"], zjj["ratings_satisfied"], zjj["ratings_unsatisfied"]) == (16, 8, 8)
    assert zjj["satisfaction_rate"] == 0.5
    assert zjj["first_satisfaction_rate"] == pytest.approx(8 / 12, abs=1e-4)
    assert zjj["closure_satisfaction_rate"] == pytest.approx(8 / 12, abs=1e-4)
    # Four ratings after re-handling: too few for a rate, never 0 % or 100 %.
    assert zjj["rehandled_satisfaction_rate"] is None
    assert zjj["notes"]["rehandled_satisfaction_rate"].startswith(rates.TOO_FEW)
    jtj = {u["unit_id"]: u for u in await reporting.get("/v1/units")}["u-jtj"]
    assert jtj["satisfaction_rate"] is None and jtj["samples"]["satisfaction_rate"] == 0
    # The lists behind the rating figures.
    unsatisfied = await _items(reporting, unit="u-zjj", measure="ratings_unsatisfied")
    assert unsatisfied["total"] == 4
    assert {r["first_rating_name"] for r in unsatisfied["rows"]} == {"不满意"}


async def test_the_latest_answers_come_from_the_store_newest_first(reporting: Reporting) -> None:
    await reporting.deliver(month())
    latest = await reporting.get("/v1/replies/latest", limit=5)
    assert len(latest) == 5
    replied = [r["replied_at"] for r in latest]
    assert replied == sorted(replied, reverse=True)
    assert latest[0]["suggestion_id"] == "z-11" and latest[0]["title"] == "z-11 路灯不亮"
    assert latest[0]["unit_name"] == "u-zjj 名称" and latest[0]["outcome_name"]


async def test_each_rate_is_defined_once_in_the_docs_and_served_for_the_page(
    reporting: Reporting,
) -> None:
    served = await reporting.get("/v1/definitions")
    assert served["min_sample"] == rates.MIN_SAMPLE == 10
    docs = DOCS.read_text(encoding="utf-8")
    section = docs.split("## Definitions", 1)[1].split("\n## ", 1)[0]
    for rate in served["rates"]:
        line = next((ln for ln in section.splitlines() if f"`{rate['name']}`" in ln), None)
        assert line is not None, f"{rate['name']} is not defined in docs/reporting.md"
        assert rate["label"] in line
        assert rate["numerator"] in line and rate["denominator"] in line
    assert re.search(r"样本不足", section)


async def test_a_deputys_suggestions_and_the_years_figures_open_their_items(
    reporting: Reporting,
) -> None:
    await reporting.deliver(history())
    reps = {r["representative_id"]: r for r in await reporting.get("/v1/representatives")}
    page = await _items(reporting, representative="rep-1")
    assert page["total"] == reps["rep-1"]["suggestions_filed"] == 1
    year = await reporting.get("/v1/headline/year")
    span_ = {"from": year["from"], "to": year["to"]}
    assert (await _items(reporting, **span_))["total"] == year["suggestions"]
    solved = await _items(reporting, measure="solved", **span_)
    assert solved["total"] == year["problems_solved"] > 0
