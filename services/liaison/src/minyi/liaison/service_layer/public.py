"""What anyone may read: find your deputy (找代表), the public pages of deputies and
stations, upcoming reception days."""

from __future__ import annotations

from typing import Any

from minyi.contracts.gazetteer import Gazetteer, Place
from minyi.liaison.domain.reception import ReceptionPolicy
from minyi.liaison.domain.registry import KINDS, LEVELS
from minyi.liaison.service_layer.ports import Uow
from minyi.liaison.service_layer.views import labelled, reception_view
from minyi.platform.errors import NotFound

UNKNOWN_PLACE_HINT = (
    "没有识别出地名。请写明区县和乡镇街道（如“东宝区泉口街道”），或在列表中选择所在地。"
)


def _hint(place: Place, deputies: int, stations: int) -> str:
    where = place.label
    if place.level == "division":
        text = f"已定位到{where}。选择或写明乡镇街道、社区，可查看县、乡两级代表。"
    else:
        text = f"已定位到{where}。"
    if not deputies and not stations:
        text += "该地暂无登记的代表和联络站。"
    return text


async def lookup(
    uow: Uow,
    places: Gazetteer,
    policy: ReceptionPolicy,
    *,
    address: str | None = None,
    division: str | None = None,
    township: str | None = None,
    community: str | None = None,
) -> dict[str, Any]:
    """The deputies who represent a place, grouped by level, and the stations serving it
    with their next reception. A place nobody knows is an empty answer with a hint."""
    grouped: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVELS}
    if address:
        match = places.find_place(address)
        place = match.place if match else None
    else:
        place = places.resolve(division=division, township=township, community=community)
    if place is None:
        return {"place": None, "deputies": grouped, "stations": [], "hint": UNKNOWN_PLACE_HINT}
    deputies = await uow.registry.deputies_for(place)
    for deputy in deputies:
        grouped[deputy["level"]].append(labelled(deputy))
    # Places to walk into first, online stations last.
    stations = sorted(
        await uow.registry.stations_for(place),
        key=lambda s: (s["kind"] == "online_station", KINDS.index(s["kind"]), s["name"]),
    )
    upcoming = await uow.receptions.next_for([s["id"] for s in stations], uow.now())
    found = [
        {
            **labelled(s),
            "next_reception": (
                reception_view(upcoming[s["id"]], policy) if s["id"] in upcoming else None
            ),
        }
        for s in stations
    ]
    return {
        "place": place.view(),
        "deputies": grouped,
        "stations": found,
        "hint": _hint(place, len(deputies), len(stations)),
    }


async def deputy_page(
    uow: Uow, deputy_id: str, places: Gazetteer, policy: ReceptionPolicy
) -> dict[str, Any]:
    found = (await uow.registry.deputies([deputy_id])).get(deputy_id)
    if found is None:
        raise NotFound("deputy_not_found", f"没有找到代表 {deputy_id}", field="deputy_id")
    d = found.record
    division = places.division(d.unit.division_code)
    stations = await uow.registry.stations(list(d.station_ids))
    upcoming = [
        reception_view(r, policy)
        for sid in d.station_ids
        for r in await uow.receptions.upcoming(uow.now(), station_id=sid, limit=10)
        if d.id in r.deputy_ids
    ]
    return labelled(
        {
            "id": d.id,
            "name": d.name,
            "level": d.level,
            "status": d.status,
            "electoral_unit": {
                "kind": d.unit.kind,
                "division_code": d.unit.division_code,
                "division_name": division.division_name if division else None,
                "township": d.unit.township,
                "community": d.unit.community,
            },
            "term_start": d.term_start.isoformat() if d.term_start else None,
            "term_end": d.term_end.isoformat() if d.term_end else None,
            "sector": d.sector,
            "occupation": d.occupation,
            "photo_url": d.photo_url,
            "stations": [
                labelled({"id": v.record.id, "name": v.record.name, "kind": v.record.kind})
                for v in stations.values()
            ],
            "upcoming_receptions": sorted(upcoming, key=lambda r: r["starts_at"]),
        }
    )


async def station_page(uow: Uow, station_id: str, policy: ReceptionPolicy) -> dict[str, Any]:
    found = (await uow.registry.stations([station_id])).get(station_id)
    if found is None:
        raise NotFound("station_not_found", f"没有找到联络站 {station_id}", field="station_id")
    s = found.record
    deputies = await uow.registry.deputies_of_station(station_id)
    receptions = await uow.receptions.upcoming(uow.now(), station_id=station_id, limit=20)
    return labelled(
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "status": s.status,
            "address": s.address,
            "division_codes": list(s.division_codes),
            "townships": list(s.townships),
            "communities": list(s.communities),
            "latitude": s.latitude,
            "longitude": s.longitude,
            "opening_hours": s.opening_hours,
            "phone": s.phone,
            "deputies": [labelled(d) for d in deputies],
            "upcoming_receptions": [reception_view(r, policy) for r in receptions],
        }
    )


async def upcoming_receptions(
    uow: Uow, policy: ReceptionPolicy, *, station_id: str | None, division: str | None
) -> list[dict[str, Any]]:
    found = await uow.receptions.upcoming(
        uow.now(), station_id=station_id, division=division, limit=100
    )
    return [reception_view(r, policy) for r in found]
