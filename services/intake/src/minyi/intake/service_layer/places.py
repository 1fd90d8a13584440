"""找代表 on the citizen page: the deputies who represent a place, grouped by level, and the
stations serving it, from intake's replica of liaison's registry; links to liaison's
public pages (a deputy's, a station's where a reception is booked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.places import Places
from minyi.intake.domain.registry import KINDS, LEVELS

_RANK = {kind: i for i, kind in enumerate(KINDS)}
UNKNOWN_PLACE = "没有识别出地名。请写明区县和乡镇街道（如“东宝区泉口街道”），或在列表中选择所在地。"


@dataclass(frozen=True)
class FindRepresentatives:
    """A free-text address, or a place picked from the lists (names or a division code)."""

    address: str | None = None
    division: str | None = None
    township: str | None = None
    community: str | None = None


async def place_tree(uow: IntakeUnitOfWork, places: Places) -> list[dict[str, Any]]:
    """The pick-lists: divisions, their townships and the communities the registry names."""
    return places.tree(await uow.registry.communities())


async def find_representatives(
    q: FindRepresentatives, uow: IntakeUnitOfWork, places: Places, liaison_url: str
) -> dict[str, Any]:
    """A place nobody knows is an empty answer with a hint, never an error."""
    gazetteer = places.with_communities(await uow.registry.communities())
    if q.address:
        match = gazetteer.find_place(q.address)
        place = match.place if match else None
    else:
        place = gazetteer.resolve(division=q.division, township=q.township, community=q.community)
    grouped: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVELS}
    if place is None:
        return {"place": None, "deputies": grouped, "stations": [], "hint": UNKNOWN_PLACE}
    base = liaison_url.rstrip("/")
    for deputy in await uow.registry.deputies_for(place):
        page = f"{base}/deputies/{quote(deputy['id'], safe='')}"
        grouped.setdefault(deputy["level"], []).append({**deputy, "page_url": page})
    # Places to walk into first, online stations last.
    stations = sorted(
        await uow.registry.stations_for(place),
        key=lambda s: (s["kind"] == "online_station", _RANK.get(s["kind"], 9), s["name"]),
    )
    for station in stations:
        station["booking_url"] = f"{base}/stations/{quote(station['id'], safe='')}"
    view = place.view()
    hint = f"已定位到{view['label']}。"
    if place.level == "division":
        hint += "选择或写明乡镇街道、社区，可查看县、乡两级代表。"
    if not stations and not any(grouped.values()):
        hint += "该地暂无登记的代表和联络站。"
    return {"place": view, "deputies": grouped, "stations": stations, "hint": hint}
