"""Liaison's registry as intake reads it (minyi.contracts.liaison): the levels and kinds,
and which places a station serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.liaison import DeputyLevel, StationKind, StationState

LEVELS: tuple[DeputyLevel, ...] = get_args(DeputyLevel)
KINDS: tuple[StationKind, ...] = get_args(StationKind)
SERVING, ACTIVE = "serving", "active"


@dataclass(frozen=True)
class Area:
    """One place a station serves, as the lookups store it: "" for the whole division or
    township."""

    division_code: str
    township: str = ""
    community: str = ""


def areas_of(station: StationState, places: Gazetteer) -> list[Area]:
    """The places ``station`` serves, read as liaison reads the record: each township
    listed wholly, each community listed, and a division nothing narrows wholly.

    The event lists communities without their townships. A community the gazetteer knows
    goes under its township; another one under the station's only township in that
    division, if it names one; otherwise under the division, as liaison keeps a community
    its own reference data does not know."""
    townships = {
        code: [t for name in station.townships if (t := _township(places, code, name))]
        for code in station.division_codes
    }
    found = [Area(code, t) for code, names in townships.items() for t in names]
    for community in station.communities:
        known = [
            Area(p.division_code, p.township or "", community)
            for code in station.division_codes
            if (p := places.resolve(division=code, community=community)) and p.community
        ]
        found += known or [
            Area(code, names[0] if len(names) == 1 else "", community)
            for code, names in townships.items()
        ]
    served = {a.division_code for a in found}
    found += [Area(code) for code in station.division_codes if code not in served]
    return list(dict.fromkeys(found))


def _township(places: Gazetteer, division_code: str, name: str) -> str | None:
    place = places.resolve(division=division_code, township=name)
    return place.township if place is not None else None
