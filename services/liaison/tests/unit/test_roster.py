"""Rosters: Chinese or English headers, every bad cell reported as row N, column X."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from minyi.contracts.gazetteer import Gazetteer
from minyi.liaison.domain.registry import Station, areas_of
from minyi.liaison.domain.roster import DEPUTY_COLUMNS, parse_deputies, parse_stations

ROOT = Path(__file__).resolve().parents[4]
STATIONS = {"ST-420802-01", "ST-420802-05"}


@pytest.fixture(scope="module")
def places() -> Gazetteer:
    divisions: list[dict[str, Any]] = json.loads(
        (ROOT / "shared/src/minyi/contracts/reference/divisions.json").read_text(encoding="utf-8")
    )["divisions"]
    return Gazetteer.from_divisions(divisions, communities={"420802": {"泉口街道": ["白云社区"]}})


HEADER = [c.zh for c in DEPUTY_COLUMNS]


def row(**cells: str) -> list[str]:
    base = {
        "编号": "REP-1",
        "姓名": "张明",
        "层级": "市",
        "选举单位区县": "东宝区",
        "选举单位乡镇街道": "",
        "选举单位社区村": "",
        "所属联络站编号": "ST-420802-01",
    }
    base.update(cells)
    return [base.get(h, "") for h in HEADER]


def test_a_good_row_becomes_a_deputy_with_codes_and_full_names(places: Gazetteer) -> None:
    parsed = parse_deputies(
        HEADER,
        [
            row(
                层级="乡镇人大代表",
                选举单位乡镇街道="泉口",
                所属联络站编号="ST-420802-01；ST-420802-05",
            )
        ],
        places,
        STATIONS.__contains__,
    )
    assert parsed.errors == []
    deputy = parsed.records[0]
    assert deputy.level == "township"
    assert (deputy.unit.division_code, deputy.unit.township) == ("420802", "泉口街道")
    assert deputy.station_ids == ("ST-420802-01", "ST-420802-05")


def test_english_headers_are_read_too(places: Gazetteer) -> None:
    header = ["id", "name", "level", "division", "township", "stations"]
    parsed = parse_deputies(
        header, [["REP-9", "Li", "county", "420804", "白庙街道", ""]], places, STATIONS.__contains__
    )
    assert parsed.errors == [] and parsed.records[0].unit.division_code == "420804"


def test_every_bad_cell_is_reported_with_its_row_and_column_and_nothing_is_kept(
    places: Gazetteer,
) -> None:
    rows = [
        row(),
        row(编号="REP-2", 层级="部长"),
        row(编号="REP-3", 选举单位区县="火星区"),
        row(编号="REP-4", 选举单位乡镇街道="白庙街道"),
        row(编号="REP-5", 所属联络站编号="ST-NOPE"),
        row(),  # the same id again
    ]
    parsed = parse_deputies(HEADER, rows, places, STATIONS.__contains__)
    assert parsed.records == []
    assert [str(e) for e in parsed.errors] == [
        "row 3, column 层级: 无法识别“部长”：应为全国、省、市、县、乡镇之一",
        "row 4, column 选举单位区县: 未知的区县：火星区",
        "row 5, column 选举单位乡镇街道: “白庙街道”不是该区县的乡镇街道",
        "row 6, column 所属联络站编号: 未知的联络站编号：ST-NOPE",
        "row 7, column 编号: 编号与第 2 行重复",
    ]


def test_a_missing_required_column_is_reported_on_the_header_row(places: Gazetteer) -> None:
    parsed = parse_deputies(["编号", "姓名"], [["REP-1", "张明"]], places, STATIONS.__contains__)
    columns = {e.column for e in parsed.errors}
    assert columns == {"层级", "选举单位区县"} and {e.row for e in parsed.errors} == {1}


def test_stations_serve_townships_and_communities(places: Gazetteer) -> None:
    parsed = parse_stations(
        ["编号", "名称", "类型", "服务区县", "服务乡镇街道", "服务社区村", "纬度", "经度"],
        [["ST-9", "泉口联络站", "联络站", "东宝", "泉口街道", "白云社区", "31.03", "112.2"]],
        places,
    )
    assert parsed.errors == []
    station = parsed.records[0]
    assert station.division_codes == ("420802",) and station.kind == "station"
    areas = areas_of(station, places)
    assert {(a.township, a.community) for a in areas} == {
        ("泉口街道", "白云社区"),
        ("泉口街道", ""),
    }


def test_a_station_with_half_a_coordinate_or_an_unknown_kind_is_refused(places: Gazetteer) -> None:
    parsed = parse_stations(
        ["编号", "名称", "类型", "服务区县", "纬度"],
        [["ST-9", "甲", "驿站", "东宝区", ""], ["ST-10", "乙", "联系点", "东宝区", "31"]],
        places,
    )
    assert [str(e) for e in parsed.errors] == [
        "row 2, column 类型: 无法识别“驿站”：应为联络站、网上联络站、联系点、观察点之一",
        "row 3, column 纬度: 经度和纬度须同时填写",
    ]


def test_a_station_serving_a_whole_division_is_stored_as_that_division(places: Gazetteer) -> None:
    station = Station("ST-1", "网上站", "online_station", ("420802", "420804"))
    assert {a.division_code for a in areas_of(station, places)} == {"420802", "420804"}
