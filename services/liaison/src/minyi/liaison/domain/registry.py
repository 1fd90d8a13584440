"""The registry: deputies (人大代表) at five levels and the places people meet them
(stations of four kinds), with the rules a record must keep wherever it comes from (the
admin page or an office's roster)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import get_args

from minyi.contracts.gazetteer import Gazetteer, Place
from minyi.contracts.liaison import (
    DeputyLevel,
    DeputyStatus,
    StationKind,
    StationStatus,
    UnitKind,
)

LEVELS: tuple[DeputyLevel, ...] = get_args(DeputyLevel)
LEVEL_LABELS: dict[DeputyLevel, str] = {
    "national": "全国人大代表",
    "provincial": "省人大代表",
    "city": "市人大代表",
    "county": "县（市、区）人大代表",
    "township": "乡镇人大代表",
}
KINDS: tuple[StationKind, ...] = get_args(StationKind)
KIND_LABELS: dict[StationKind, str] = {
    "station": "代表联络站",
    "online_station": "网上代表联络站",
    "contact_point": "代表联系点",
    "observation_point": "基层观察点",
}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PUBLIC_PHONE = re.compile(r"[0-9+\-() ]{5,30}")


@dataclass(frozen=True)
class ElectoralUnit:
    """What a deputy was elected from: a division, a township in it, or a community."""

    division_code: str
    township: str | None = None
    community: str | None = None

    @property
    def kind(self) -> UnitKind:
        if self.community:
            return "community"
        return "township" if self.township else "division"


@dataclass(frozen=True)
class Deputy:
    id: str
    name: str
    level: DeputyLevel
    unit: ElectoralUnit
    station_ids: tuple[str, ...] = ()
    term_start: date | None = None
    term_end: date | None = None
    status: DeputyStatus = "serving"
    sector: str | None = None
    occupation: str | None = None
    photo_url: str | None = None


@dataclass(frozen=True)
class Station:
    id: str
    name: str
    kind: StationKind
    division_codes: tuple[str, ...]
    townships: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: str | None = None
    phone: str | None = None
    status: StationStatus = "active"


@dataclass(frozen=True)
class Problem:
    """A rule a record breaks: the field and the reason, in Chinese."""

    field: str
    reason: str


@dataclass(frozen=True)
class Area:
    """One place a station serves, as stored for lookups: a division, a township, or a
    community (with its township when the reference data knows it)."""

    division_code: str
    township: str = ""
    community: str = ""


@dataclass
class _Checks:
    problems: list[Problem] = field(default_factory=list)

    def need(self, ok: bool, name: str, reason: str) -> None:
        if not ok:
            self.problems.append(Problem(name, reason))


def _text(checks: _Checks, value: str | None, name: str, limit: int, *, required: bool) -> None:
    if value is None or not value.strip():
        checks.need(not required, name, "不能为空")
    else:
        checks.need(len(value) <= limit, name, f"不能超过 {limit} 个字")


def check_deputy(
    deputy: Deputy, places: Gazetteer, station_exists: Callable[[str], bool]
) -> list[Problem]:
    """Every rule ``deputy`` breaks (empty when it may be stored)."""
    c = _Checks()
    c.need(
        bool(_ID.fullmatch(deputy.id)), "id", "编号只能含字母、数字、点、横线和下划线（最多 64 位）"
    )
    _text(c, deputy.name, "name", 50, required=True)
    unit = deputy.unit
    if places.division(unit.division_code) is None:
        c.need(False, "division", f"未知的区县：{unit.division_code}")
    elif (
        unit.township
        and places.resolve(division=unit.division_code, township=unit.township) is None
    ):
        c.need(False, "township", f"“{unit.township}”不是该区县的乡镇街道")
    c.need(
        not unit.community or bool(unit.township), "community", "填写社区/村时须同时填写乡镇街道"
    )
    c.need(
        deputy.level != "township" or bool(unit.township),
        "township",
        "乡镇人大代表的选举单位须填写乡镇街道",
    )
    for station_id in deputy.station_ids:
        c.need(station_exists(station_id), "stations", f"未知的联络站编号：{station_id}")
    if deputy.term_start and deputy.term_end:
        c.need(deputy.term_end >= deputy.term_start, "term_end", "任期结束不能早于任期开始")
    _text(c, deputy.sector, "sector", 50, required=False)
    _text(c, deputy.occupation, "occupation", 100, required=False)
    if deputy.photo_url:
        c.need(
            deputy.photo_url.startswith(("https://", "http://")) and len(deputy.photo_url) <= 500,
            "photo_url",
            "照片网址须以 http:// 或 https:// 开头（最多 500 字符）",
        )
    return c.problems


def check_station(station: Station, places: Gazetteer) -> list[Problem]:
    """Every rule ``station`` breaks (empty when it may be stored)."""
    c = _Checks()
    c.need(
        bool(_ID.fullmatch(station.id)),
        "id",
        "编号只能含字母、数字、点、横线和下划线（最多 64 位）",
    )
    _text(c, station.name, "name", 100, required=True)
    c.need(bool(station.division_codes), "divisions", "至少填写一个服务区县")
    for code in station.division_codes:
        c.need(places.division(code) is not None, "divisions", f"未知的区县：{code}")
    for township in station.townships:
        c.need(
            any(places.resolve(division=d, township=township) for d in station.division_codes),
            "townships",
            f"“{township}”不是所服务区县的乡镇街道",
        )
    _text(c, station.address, "address", 200, required=False)
    _text(c, station.opening_hours, "opening_hours", 100, required=False)
    if station.phone:
        c.need(
            bool(_PUBLIC_PHONE.fullmatch(station.phone)),
            "phone",
            "联系电话只能含数字、空格、+、-和括号",
        )
    if (station.latitude is None) != (station.longitude is None):
        c.need(False, "latitude", "经度和纬度须同时填写")
    if station.latitude is not None:
        c.need(-90 <= station.latitude <= 90, "latitude", "纬度应在 -90 到 90 之间")
    if station.longitude is not None:
        c.need(-180 <= station.longitude <= 180, "longitude", "经度应在 -180 到 180 之间")
    return c.problems


def _division_code(places: Gazetteer, name: str) -> str:
    place = places.resolve(division=name)
    return place.division_code if place is not None else name.strip()


def _township(places: Gazetteer, divisions: Iterable[str], name: str) -> str:
    for code in divisions:
        place = places.resolve(division=code, township=name)
        if place is not None and place.township is not None:
            return place.township
    return name.strip()


def normalise_deputy(deputy: Deputy, places: Gazetteer) -> Deputy:
    """Division names and aliases become codes, short township names full names ("泉口"
    → 泉口街道), as the lookups store them."""
    code = _division_code(places, deputy.unit.division_code)
    township = deputy.unit.township and _township(places, [code], deputy.unit.township)
    unit = ElectoralUnit(code, township or None, (deputy.unit.community or "").strip() or None)
    return replace(deputy, unit=unit, station_ids=tuple(dict.fromkeys(deputy.station_ids)))


def normalise_station(station: Station, places: Gazetteer) -> Station:
    codes = tuple(dict.fromkeys(_division_code(places, d) for d in station.division_codes))
    townships = tuple(dict.fromkeys(_township(places, codes, t) for t in station.townships))
    communities = tuple(dict.fromkeys(c.strip() for c in station.communities if c.strip()))
    return replace(station, division_codes=codes, townships=townships, communities=communities)


def areas_of(station: Station, places: Gazetteer) -> list[Area]:
    """The places ``station`` serves, as precisely as it names them: each township listed
    wholly, each community listed (inside a township not listed, it narrows), and a
    division nothing narrows wholly."""
    found: list[Area] = []
    for community in station.communities:
        place = _community_place(places, station.division_codes, community)
        if place is not None:
            found.append(Area(place.division_code, place.township or "", community))
        else:  # a community the reference data does not know: kept under each division
            found += [Area(code, "", community) for code in station.division_codes]
    for township in station.townships:
        for code in station.division_codes:
            place = places.resolve(division=code, township=township)
            if place is not None and place.township is not None:
                found.append(Area(code, place.township))
    served = {a.division_code for a in found}
    found += [Area(code) for code in station.division_codes if code not in served]
    return found


def _community_place(places: Gazetteer, divisions: Iterable[str], name: str) -> Place | None:
    for code in divisions:
        place = places.resolve(division=code, community=name)
        if place is not None and place.community is not None:
            return place
    return None
