"""Rosters from the office's spreadsheets: the columns (Chinese or English headers), and
rows turned into deputies and stations — or into ``row N, column X: reason`` for every
cell that breaks a rule, so an import is all or nothing.

Pure: the adapter reads CSV or XLSX into a header and rows of text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Literal, TypeVar

from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.liaison import DeputyLevel, DeputyStatus, StationKind, StationStatus
from minyi.liaison.domain.registry import (
    Deputy,
    ElectoralUnit,
    Problem,
    Station,
    check_deputy,
    check_station,
    normalise_deputy,
    normalise_station,
)

RosterKind = Literal["deputies", "stations"]
T = TypeVar("T")
V = TypeVar("V")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # the template's header
    aliases: tuple[str, ...]  # other headers accepted (English, common variants)
    required: bool
    example: str
    rule: str  # what the cell may hold, for the template's notes


DEPUTY_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", ("id", "代表编号"), True, "REP-420802-101", "唯一编号：字母、数字、横线"),
    Column("name", "姓名", ("name",), True, "张明", "代表姓名"),
    Column("level", "层级", ("level", "代表层级"), True, "市", "全国、省、市、县、乡镇"),
    Column("division", "选举单位区县", ("division", "区县"), True, "东宝区", "区县名称或代码"),
    Column("township", "选举单位乡镇街道", ("township", "乡镇街道"), False, "泉口街道", "选举单位所在乡镇街道（乡镇代表必填）"),
    Column("community", "选举单位社区村", ("community", "社区村", "社区"), False, "", "选举单位所在社区或村（可空）"),
    Column("stations", "所属联络站编号", ("stations", "station_ids", "联络站编号"), False, "ST-420802-01", "多个用分号分隔"),
    Column("term_start", "任期开始", ("term_start",), False, "2022-01-01", "日期，如 2022-01-01"),
    Column("term_end", "任期结束", ("term_end",), False, "2026-12-31", "日期，如 2026-12-31"),
    Column("status", "状态", ("status",), False, "在任", "在任 或 终止（空为在任）"),
    Column("sector", "界别", ("sector",), False, "教育", "可空"),
    Column("occupation", "职业", ("occupation", "职务"), False, "中学教师", "可空"),
    Column("photo_url", "照片网址", ("photo_url", "照片"), False, "", "https:// 开头，可空"),
)  # fmt: skip
STATION_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", ("id", "站点编号"), True, "ST-420802-11", "唯一编号：字母、数字、横线"),
    Column("name", "名称", ("name", "站点名称"), True, "东宝区泉口街道代表联络站", "站点名称"),
    Column("kind", "类型", ("kind", "站点类型"), True, "联络站", "联络站、网上联络站、联系点、观察点"),
    Column("divisions", "服务区县", ("divisions", "division_codes", "区县"), True, "东宝区", "多个用分号分隔"),
    Column("townships", "服务乡镇街道", ("townships", "乡镇街道"), False, "泉口街道", "多个用分号分隔，可空"),
    Column("communities", "服务社区村", ("communities", "社区村", "社区"), False, "", "多个用分号分隔，可空"),
    Column("address", "地址", ("address",), False, "荆门市东宝区泉口街道金泉路12号", "可空"),
    Column("latitude", "纬度", ("latitude", "lat"), False, "", "如 31.03，可空"),
    Column("longitude", "经度", ("longitude", "lon", "lng"), False, "", "如 112.20，可空"),
    Column("opening_hours", "开放时间", ("opening_hours", "hours"), False, "周一至周五 9:00-17:00", "可空"),
    Column("phone", "联系电话", ("phone", "电话"), False, "0724-2345678", "站点公开电话，可空"),
    Column("status", "状态", ("status",), False, "运行", "运行 或 撤销（空为运行）"),
)  # fmt: skip
COLUMNS: dict[RosterKind, tuple[Column, ...]] = {
    "deputies": DEPUTY_COLUMNS,
    "stations": STATION_COLUMNS,
}

_LEVELS: dict[str, DeputyLevel] = {
    "全国": "national", "国家": "national", "national": "national",
    "省": "provincial", "provincial": "provincial",
    "市": "city", "city": "city",
    "县": "county", "区": "county", "县(市、区)": "county", "县市区": "county", "county": "county",
    "乡镇": "township", "乡": "township", "镇": "township", "township": "township",
}  # fmt: skip
_KINDS: dict[str, StationKind] = {
    "联络站": "station", "代表联络站": "station", "station": "station",
    "网上联络站": "online_station", "网上代表联络站": "online_station",
    "online_station": "online_station",
    "联系点": "contact_point", "代表联系点": "contact_point", "联络点": "contact_point",
    "contact_point": "contact_point",
    "观察点": "observation_point", "基层观察点": "observation_point",
    "民情观察点": "observation_point", "observation_point": "observation_point",
}  # fmt: skip
_DEPUTY_STATUS: dict[str, DeputyStatus] = {"": "serving", "在任": "serving", "serving": "serving",
                  "终止": "ended", "离任": "ended", "已终止": "ended", "ended": "ended"}  # fmt: skip
_STATION_STATUS: dict[str, StationStatus] = {"": "active", "运行": "active", "开放": "active", "active": "active",
                   "撤销": "ended", "关闭": "ended", "ended": "ended"}  # fmt: skip
_LIST = re.compile(r"[;；,，、/\s]+")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?")
_HEADER_NOISE = re.compile(r"[\s*＊]|[（(][^）)]*[）)]")


@dataclass(frozen=True, order=True)
class RowError:
    """A bad cell: ``row`` counts the header as row 1, as a spreadsheet shows it."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass(frozen=True)
class Parsed(Generic[T]):
    records: list[T]
    errors: list[RowError]


def _header_key(text: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def map_header(
    header: Sequence[str], columns: Sequence[Column]
) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Column key → index, column key → the header as written, and the errors (a
    required column missing, a column given twice). Unknown columns are ignored."""
    names = {_header_key(n): c for c in columns for n in (c.zh, c.key, *c.aliases)}
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    errors: list[RowError] = []
    for i, text in enumerate(header):
        column = names.get(_header_key(text or ""))
        if column is None:
            continue
        if column.key in index:
            errors.append(RowError(1, text, f"与第 {index[column.key] + 1} 列重复"))
            continue
        index[column.key] = i
        written[column.key] = text
    for column in columns:
        if column.required and column.key not in index:
            errors.append(RowError(1, column.zh, "缺少此列（missing column）"))
        written.setdefault(column.key, column.zh)
    return index, written, errors


class _Row:
    """One data row's cells by column key, and its errors under the file's headers."""

    def __init__(
        self,
        number: int,
        cells: Sequence[str],
        index: Mapping[str, int],
        written: Mapping[str, str],
    ) -> None:
        self.number = number
        self._cells = cells
        self._index = index
        self._written = written
        self.errors: list[RowError] = []

    def text(self, key: str) -> str:
        i = self._index.get(key)
        if i is None or i >= len(self._cells):
            return ""
        return unicodedata.normalize("NFKC", self._cells[i] or "").strip()

    def optional(self, key: str) -> str | None:
        return self.text(key) or None

    def items(self, key: str) -> tuple[str, ...]:
        return tuple(x for x in _LIST.split(self.text(key)) if x)

    def fail(self, key: str, reason: str) -> None:
        self.errors.append(RowError(self.number, self._written.get(key, key), reason))

    def choice(self, key: str, table: Mapping[str, V], rule: str) -> V | None:
        raw = self.text(key)
        value = table.get(raw) or table.get(raw.lower()) or table.get(_strip_level(raw))
        if value is None:
            self.fail(key, f"无法识别“{raw}”：应为{rule}")
        return value

    def day(self, key: str) -> date | None:
        raw = self.text(key)
        if not raw:
            return None
        found = _DATE.fullmatch(raw)
        try:
            if found is None:
                raise ValueError(raw)
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            self.fail(key, f"日期“{raw}”格式不正确，应如 2022-01-01")
            return None

    def number_or_none(self, key: str) -> float | None:
        raw = self.text(key)
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            self.fail(key, f"“{raw}”不是数字")
            return None

    def problems(self, problems: Sequence[Problem]) -> None:
        for p in problems:
            self.fail(p.field, p.reason)


def _strip_level(text: str) -> str:
    return re.sub(r"(?:人大代表|人大|代表|级)$", "", text)


def _rows(
    header: Sequence[str], rows: Sequence[Sequence[str]], columns: Sequence[Column]
) -> tuple[list[_Row], list[RowError]]:
    index, written, errors = map_header(header, columns)
    if errors:
        return [], errors
    found = [
        _Row(number, cells, index, written)
        for number, cells in enumerate(rows, start=2)
        if any((c or "").strip() for c in cells)
    ]
    return found, []


def _parse(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    columns: Sequence[Column],
    build: Callable[[_Row], T | None],
    key: Callable[[T], str],
) -> Parsed[T]:
    parsed, errors = _rows(header, rows, columns)
    records: list[T] = []
    first_row: dict[str, int] = {}
    for row in parsed:
        record = build(row)
        if record is not None and not row.errors:
            seen = first_row.setdefault(key(record), row.number)
            if seen != row.number:
                row.fail("id", f"编号与第 {seen} 行重复")
            else:
                records.append(record)
        errors += row.errors
    if not parsed and not errors:
        errors.append(RowError(2, columns[0].zh, "表格中没有数据行"))
    return Parsed(records if not errors else [], sorted(errors))


def parse_deputies(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    places: Gazetteer,
    station_exists: Callable[[str], bool],
) -> Parsed[Deputy]:
    def build(row: _Row) -> Deputy | None:
        level = row.choice("level", _LEVELS, "全国、省、市、县、乡镇之一")
        status = row.choice("status", _DEPUTY_STATUS, "在任或终止")
        term_start, term_end = row.day("term_start"), row.day("term_end")
        if row.errors or level is None or status is None:
            return None
        deputy = normalise_deputy(
            Deputy(
                id=row.text("id"),
                name=row.text("name"),
                level=level,
                unit=ElectoralUnit(
                    row.text("division"), row.optional("township"), row.optional("community")
                ),
                station_ids=row.items("stations"),
                term_start=term_start,
                term_end=term_end,
                status=status,
                sector=row.optional("sector"),
                occupation=row.optional("occupation"),
                photo_url=row.optional("photo_url"),
            ),
            places,
        )
        row.problems(check_deputy(deputy, places, station_exists))
        return deputy

    return _parse(header, rows, DEPUTY_COLUMNS, build, lambda d: d.id)


def parse_stations(
    header: Sequence[str], rows: Sequence[Sequence[str]], places: Gazetteer
) -> Parsed[Station]:
    def build(row: _Row) -> Station | None:
        kind = row.choice("kind", _KINDS, "联络站、网上联络站、联系点、观察点之一")
        status = row.choice("status", _STATION_STATUS, "运行或撤销")
        latitude, longitude = row.number_or_none("latitude"), row.number_or_none("longitude")
        if row.errors or kind is None or status is None:
            return None
        station = normalise_station(
            Station(
                id=row.text("id"),
                name=row.text("name"),
                kind=kind,
                division_codes=row.items("divisions"),
                townships=row.items("townships"),
                communities=row.items("communities"),
                address=row.optional("address"),
                latitude=latitude,
                longitude=longitude,
                opening_hours=row.optional("opening_hours"),
                phone=row.optional("phone"),
                status=status,
            ),
            places,
        )
        row.problems(check_station(station, places))
        return station

    return _parse(header, rows, STATION_COLUMNS, build, lambda s: s.id)
