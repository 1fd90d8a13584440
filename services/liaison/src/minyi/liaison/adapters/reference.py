"""Liaison's reference files: the shared divisions, the communities a deployment lists
(demo by default), the reception policy, and the demo registry loaded into an empty store.
Each can be replaced through ``MINYI_REFERENCE_DIR``."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.reference import load_json, reference_file
from minyi.liaison.domain.reception import ReceptionPolicy
from minyi.liaison.domain.registry import Deputy, ElectoralUnit, Station
from minyi.liaison.domain.visit import VisitPolicy

PACKAGE = "minyi.liaison"


def _divisions() -> list[dict[str, Any]]:
    return list(load_json(reference_file("divisions.json"))["divisions"])


def _communities() -> dict[str, dict[str, list[str]]]:
    document = load_json(reference_file("communities.json", PACKAGE))
    return {code: dict(towns) for code, towns in document["communities"].items()}


def load_places() -> tuple[Gazetteer, list[dict[str, Any]]]:
    """The gazetteer and the pick-list tree (division → townships → communities)."""
    divisions, communities = _divisions(), _communities()
    tree = [
        {
            "code": d["code"],
            "name": d["name"],
            "townships": [
                {"name": t, "communities": communities.get(d["code"], {}).get(t, [])}
                for t in (x if isinstance(x, str) else x["name"] for x in d.get("townships", ()))
            ],
        }
        for d in divisions
    ]
    return Gazetteer.from_divisions(divisions, communities=communities), tree


def load_policy() -> ReceptionPolicy:
    path = reference_file("policy.json", PACKAGE)
    raw = load_json(path)
    try:
        return ReceptionPolicy(
            notice_days=int(raw["reception_notice_days"]["value"]),
            notice_source=str(raw["reception_notice_days"]["source"]),
            max_capacity=int(raw["max_capacity"]["value"]),
            reminder_hour=int(raw["reminder_hour"]["value"]),
            timezone=ZoneInfo(str(raw.get("timezone", "Asia/Shanghai"))),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def load_visit_policy() -> VisitPolicy:
    """The rules of officials' visits (the same policy file as receptions)."""
    path = reference_file("policy.json", PACKAGE)
    raw = load_json(path)
    try:
        return VisitPolicy(
            written_answer_days=int(raw["visit_written_answer_working_days"]["value"]),
            written_answer_source=str(raw["visit_written_answer_working_days"]["source"]),
            max_commitments=int(raw["visit_max_commitments"]["value"]),
            max_commitment_days=int(raw["visit_max_commitment_days"]["value"]),
            timezone=ZoneInfo(str(raw.get("timezone", "Asia/Shanghai"))),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def demo_registry() -> tuple[list[Station], list[Deputy]]:
    """The demo stations and deputies (reference/demo_*.json)."""
    stations = [
        Station(
            id=s["id"],
            name=s["name"],
            kind=s["kind"],
            division_codes=tuple(s["division_codes"]),
            townships=tuple(s.get("townships", ())),
            communities=tuple(s.get("communities", ())),
            address=s.get("address"),
            latitude=s.get("latitude"),
            longitude=s.get("longitude"),
            opening_hours=s.get("opening_hours"),
            phone=s.get("phone"),
        )
        for s in load_json(reference_file("demo_stations.json", PACKAGE))["stations"]
    ]
    deputies = [
        Deputy(
            id=d["id"],
            name=d["name"],
            level=d["level"],
            unit=ElectoralUnit(
                d["electoral_unit"]["division_code"],
                d["electoral_unit"].get("township"),
                d["electoral_unit"].get("community"),
            ),
            station_ids=tuple(d.get("station_ids", ())),
            term_start=_day(d.get("term_start")),
            term_end=_day(d.get("term_end")),
            sector=d.get("sector"),
            occupation=d.get("occupation"),
            photo_url=d.get("photo_url"),
        )
        for d in load_json(reference_file("demo_deputies.json", PACKAGE))["deputies"]
    ]
    return stations, deputies
