"""Intake's reference data (stations, representatives, Open311 services), from files a
deployment can replace through ``MINYI_REFERENCE_DIR``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from minyi.contracts.reference import load_divisions, load_json, reference_file

PACKAGE = "minyi.intake"


@dataclass(frozen=True)
class Station:
    id: str
    name: str
    kind: str  # station | online_station | contact_point | observation_point
    district_code: str
    township: str | None = None


@dataclass(frozen=True)
class Representative:
    id: str
    name: str
    level: str
    district_code: str
    station_id: str | None = None


@dataclass(frozen=True)
class Open311Service:
    service_code: str
    service_name: str
    description: str
    keywords: str
    group: str
    type: str = "realtime"
    metadata: bool = False


@dataclass(frozen=True)
class IntakeReference:
    stations: dict[str, Station]
    representatives: dict[str, Representative]
    services: dict[str, Open311Service]


def _by_id(items: list[Any], cls: type[Any], key: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items:
        obj = cls(**item)
        if getattr(obj, key) in found:
            raise ValueError(f"{name}: {getattr(obj, key)} appears twice")
        found[getattr(obj, key)] = obj
    return found


def load_reference() -> IntakeReference:
    """Read and check the files; an unknown district code fails start-up."""
    stations = _by_id(
        load_json(reference_file("stations.json", PACKAGE))["stations"],
        Station,
        "id",
        "stations.json",
    )
    reps = _by_id(
        load_json(reference_file("representatives.json", PACKAGE))["representatives"],
        Representative,
        "id",
        "representatives.json",
    )
    fields = Open311Service.__dataclass_fields__
    services = _by_id(
        [
            {k: v for k, v in s.items() if k in fields}
            for s in load_json(reference_file("open311_services.json", PACKAGE))["services"]
        ],
        Open311Service,
        "service_code",
        "open311_services.json",
    )
    divisions = load_divisions()
    for item in (*stations.values(), *reps.values()):
        if item.district_code not in divisions:
            raise ValueError(f"{item.id}: unknown district_code {item.district_code}")
    return IntakeReference(stations, reps, services)


@cache
def reference() -> IntakeReference:
    """The reference data of this process (read once; start-up reads it first)."""
    return load_reference()
