"""A few of liaison's demo deputies and stations as the events that carry them (contract
models): intake refuses ids its replica does not list, so tests deliver these first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from minyi.contracts.liaison import (
    DeputyLevel,
    DeputyRegistered,
    ElectoralUnit,
    StationKind,
    StationRegistered,
)

CHANGED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def deputy(
    deputy_id: str,
    name: str,
    level: DeputyLevel,
    township: str | None = None,
    community: str | None = None,
    *,
    division: str = "420802",
    **rest: Any,
) -> DeputyRegistered:
    kind = "community" if community else "township" if township else "division"
    return DeputyRegistered(
        deputy_id=deputy_id,
        name=name,
        level=level,
        electoral_unit=ElectoralUnit(
            kind=kind, division_code=division, township=township, community=community
        ),
        version=rest.pop("version", 1),
        changed_at=rest.pop("changed_at", CHANGED_AT),
        **rest,
    )


def station(
    station_id: str,
    name: str,
    kind: StationKind,
    townships: tuple[str, ...] = (),
    communities: tuple[str, ...] = (),
    *,
    divisions: tuple[str, ...] = ("420802",),
    **rest: Any,
) -> StationRegistered:
    return StationRegistered(
        station_id=station_id,
        name=name,
        kind=kind,
        division_codes=list(divisions),
        townships=list(townships),
        communities=list(communities),
        version=rest.pop("version", 1),
        changed_at=rest.pop("changed_at", CHANGED_AT),
        **rest,
    )


DEPUTIES = [
    deputy("REP-420802-001", "王建国", "city", occupation="车间班组长", station_ids=["ST-420802-01"]),
    deputy("REP-420802-002", "李秀英", "county", "龙泉街道"),
    deputy("REP-420802-003", "彭玉梅", "national", occupation="民营企业负责人"),
    deputy("REP-420802-006", "曹丽娟", "county", "泉口街道", "白云社区", occupation="社区党委书记"),
    deputy("REP-420802-007", "董建华", "county", "泉口街道", occupation="文化站站长"),
    deputy("REP-420802-009", "田春生", "township", "泉口街道"),
    deputy("REP-420802-010", "袁海燕", "township", "马河镇"),
]  # fmt: skip
STATIONS = [
    station("ST-420802-01", "东宝区龙泉街道代表联络站", "station", ("龙泉街道",)),
    station("ST-420802-02", "东宝区网上代表联络站", "online_station"),
    station("ST-420802-04", "东宝区马河镇民情观察点", "observation_point", ("马河镇",)),
    station("ST-420802-05", "东宝区泉口街道代表联络站", "station", ("泉口街道",),
            ("白云社区", "月亮湖社区", "泉口社区"), address="荆门市东宝区泉口街道金泉路8号",
            opening_hours="周一至周五 9:00-12:00"),
    station("ST-420802-06", "东宝区龙泉街道中天社区代表联系点", "contact_point", ("龙泉街道",),
            ("中天社区",)),
]  # fmt: skip
REGISTRY = [*STATIONS, *DEPUTIES]


def subject_of(event: DeputyRegistered | StationRegistered) -> str:
    return event.deputy_id if isinstance(event, DeputyRegistered) else event.station_id
