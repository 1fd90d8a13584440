"""Reporting's liaison views in-process: liaison's contract events delivered through
FastStream's test broker to ``reporting__all``, a real SQLite store, the API read back."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from minyi.contracts.envelope import RawEvent
from minyi.platform.auth import Principal, Role, bearer
from minyi.reporting.adapters.tables import liaison_counts
from minyi.reporting.service_layer import rebuild
from minyi.reporting.service_layer.handlers import project
from services.reporting.tests.integration.conftest import Reporting
from tests.support.reporting_history import history, liaison_history

DONGBAO, DUODAO = "ST-420802-01", "ST-420804-01"
VIEWS = ("/v1/liaison/stations", "/v1/liaison/weekly", "/v1/liaison/deputies")


def shuffled(events: list[RawEvent], seed: int = 7) -> list[RawEvent]:
    return random.Random(seed).sample(events, len(events))


async def test_stations_show_receptions_bookings_and_matters_by_name(
    reporting: Reporting,
) -> None:
    events = liaison_history()
    # Out of order (bookings and matters before their reception, the rename before the
    # registration) and partly twice.
    await reporting.deliver(shuffled(events) + events[:9])

    stations = await reporting.get("/v1/liaison/stations")
    assert [s["station_id"] for s in stations] == [DONGBAO, DUODAO]  # the ended one is gone
    dongbao = stations[0]
    assert dongbao["station_name"] == "东宝区龙泉街道代表联络站"  # version 2's name
    assert (dongbao["station_kind_name"], dongbao["district_names"]) == ("代表联络站", "东宝区")
    figures = {k: v for k, v in dongbao.items() if isinstance(v, int)}
    assert figures == {
        "receptions_scheduled": 2, "receptions_held": 1, "receptions_cancelled": 1,
        "capacity": 3, "booked": 3, "bookings_made": 5, "bookings_waitlisted": 1,
        "bookings_promoted": 1, "bookings_cancelled": 2, "matters_raised": 3,
        "matters_answered": 2, "matters_referred": 1,
    }  # fmt: skip
    assert dongbao["answered_share"] == 0.6667
    assert stations[1]["station_kind_name"] == "代表联络点"
    assert stations[1]["matters_referred"] == 1 and stations[1]["answered_share"] == 0.0

    in_duodao = await reporting.get("/v1/liaison/stations", district="420804")
    assert [s["station_id"] for s in in_duodao] == [DUODAO]
    first_week = await reporting.get(
        "/v1/liaison/stations", **{"from": "2025-09-29", "to": "2025-10-05"}
    )
    assert [(s["station_id"], s["receptions_held"], s["bookings_made"]) for s in first_week] == [
        (DONGBAO, 1, 4),  # r-1 only: r-2's booking counts in r-2's week
        (DUODAO, 0, 0),  # an active station with nothing that week is listed with zeros
    ]


async def test_weeks_are_those_of_the_reception_days_for_the_city_a_division_or_a_station(
    reporting: Reporting,
) -> None:
    await reporting.deliver(shuffled(liaison_history(), seed=3))

    weeks = await reporting.get("/v1/liaison/weekly")
    assert [w["week"] for w in weeks] == ["2025-W40", "2025-W41", "2025-W42"]
    assert [w["week_start"] for w in weeks] == ["2025-09-29", "2025-10-06", "2025-10-13"]
    assert [(w["receptions_held"], w["receptions_cancelled"]) for w in weeks] == [
        (1, 0), (0, 1), (1, 0),
    ]  # fmt: skip
    assert [w["matters_raised"] for w in weeks] == [3, 0, 1]

    duodao = await reporting.get("/v1/liaison/weekly", station_id=DUODAO)
    assert [(w["week"], w["bookings_made"]) for w in duodao] == [("2025-W42", 1)]
    dongbao = await reporting.get("/v1/liaison/weekly", district="420802")
    assert [w["bookings_made"] for w in dongbao] == [4, 1]
    both = await reporting.get("/v1/liaison/weekly", district="420802", station_id=DUODAO)
    assert both == []
    # A range lists each of its weeks, the empty ones with zeros.
    october = await reporting.get(
        "/v1/liaison/weekly", station_id=DONGBAO, **{"from": "2025-10-01", "to": "2025-10-26"}
    )
    assert [w["week"] for w in october] == ["2025-W40", "2025-W41", "2025-W42", "2025-W43"]
    assert [w["receptions_scheduled"] for w in october] == [1, 1, 0, 0]


async def test_deputies_show_the_receptions_they_attended_and_the_matters_they_took(
    reporting: Reporting,
) -> None:
    await reporting.deliver(shuffled(liaison_history(), seed=11))
    deputies = {d["deputy_id"]: d for d in await reporting.get("/v1/liaison/deputies")}
    wang = deputies["REP-420802-001"]
    assert (wang["deputy_name"], wang["level_name"], wang["district_name"]) == (
        "王建国", "市人大代表", "东宝区",
    )  # fmt: skip
    assert (wang["receptions_attended"], wang["matters_answered"], wang["matters_referred"]) == (
        1, 1, 1,
    )  # fmt: skip
    # Scheduled for r-1 but not there when it was held; r-2 was called off.
    li = deputies["REP-420802-002"]
    assert (li["receptions_attended"], li["receptions_scheduled"], li["receptions_cancelled"]) == (
        0, 1, 1,
    )  # fmt: skip
    in_duodao = await reporting.get("/v1/liaison/deputies", district="420804")
    assert [d["deputy_id"] for d in in_duodao] == ["REP-420804-001"]


async def test_bad_liaison_filters_answer_422_in_the_one_error_shape(
    reporting: Reporting,
) -> None:
    cases = [
        ("/v1/liaison/stations", {"from": "2025-10-05", "to": "2025-10-01"}, "inverted_range", ["from"]),
        ("/v1/liaison/deputies", {"from": "2025-10-05"}, "incomplete_range", ["from"]),
        ("/v1/liaison/stations", {"district": "999999"}, "unknown_district", ["district"]),
        ("/v1/liaison/weekly", {"station_id": "ST 1; drop"}, "string_pattern_mismatch",
         ["query", "station_id"]),
        ("/v1/liaison/weekly", {"from": "yesterday", "to": "2025-10-01"}, "date_from_datetime_parsing",
         ["query", "from"]),
    ]  # fmt: skip
    for path, params, code, loc in cases:
        r = await reporting.http.get(path, params=params)
        assert r.status_code == 422, (path, params, r.text)
        problem = r.json()["detail"][0]
        assert (problem["type"], problem["loc"]) == (code, loc), (path, params)
        assert problem["msg"]


async def test_an_analyst_reads_the_liaison_views_and_exports_them(reporting: Reporting) -> None:
    await reporting.deliver(liaison_history())
    analyst = bearer(reporting.h.runtime.keyring, Principal(Role.ANALYST, "analyst:test"))
    r = await reporting.http.get("/v1/liaison/stations", headers=analyst)
    assert r.status_code == 200 and r.json()[0]["station_id"] == DONGBAO
    r = await reporting.http.get("/v1/export/liaison-stations.csv", headers=analyst)
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(row["station_name"], row["district_codes"]) for row in rows] == [
        ("东宝区龙泉街道代表联络站", "420802"), ("掇刀区团林铺镇代表联络点", "420804"),
    ]  # fmt: skip
    r = await reporting.http.get("/v1/liaison/weekly", params={"format": "csv"})
    assert r.status_code == 200 and "receptions_held" in r.content.decode("utf-8-sig")


async def test_the_public_summary_adds_liaison_totals_and_no_words_of_anyone(
    reporting: Reporting,
) -> None:
    await reporting.deliver(history() + liaison_history())
    r = await reporting.http.get("/v1/public/summary", headers={"Authorization": ""})
    assert r.status_code == 200
    summary = r.json()
    assert summary["liaison"] == {
        "receptions_held": 2, "bookings_made": 6, "matters_raised": 4,
        "matters_answered": 2, "matters_referred": 2, "answered_share": 0.5,
    }  # fmt: skip
    assert summary["suggestions_collected"] == 4  # the suggestion figures are unchanged
    text = json.dumps(summary, ensure_ascii=False)
    assert not any(word in text for word in ("路灯", "王建国", "cref-", "联络站"))
    dongbao = await reporting.get("/v1/public/summary", district="420802")
    assert dongbao["liaison"]["receptions_held"] == 1 and dongbao["liaison"]["matters_raised"] == 3


async def test_redelivered_liaison_events_change_no_counter(reporting: Reporting) -> None:
    events = liaison_history()
    await reporting.deliver(events)
    once = await reporting.counters(liaison_counts)
    assert once
    async with reporting.h.runtime.unit_of_work() as uow:
        for e in reversed(events):
            assert not await project(uow.views, 1, e)
    assert await reporting.counters(liaison_counts) == once


@dataclass
class Replay:
    """The stream's history, as ``adapters/history.StreamHistory`` would read it."""

    events: list[RawEvent]
    skipped: int = 0

    async def batches(self, size: int) -> AsyncGenerator[list[RawEvent], None]:
        for i in range(0, len(self.events), size):
            yield self.events[i : i + size]


async def test_a_rebuild_yields_the_same_liaison_views_as_the_live_projection(
    reporting: Reporting,
) -> None:
    events = history() + liaison_history()
    await reporting.deliver(shuffled(events))
    before = {v: await reporting.get(v) for v in (*VIEWS, "/v1/public/summary")}
    assert before["/v1/liaison/stations"][0]["receptions_held"] == 1

    report = await rebuild.rebuild(reporting.h.runtime.unit_of_work, Replay(events))
    assert (report.generation, report.events) == (2, len(events))

    assert {v: await reporting.get(v) for v in before} == before
    rows = await reporting.counters(liaison_counts)
    assert rows and {r[0] for r in rows} == {2}  # generation 1's counters are gone
