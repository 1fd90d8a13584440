"""Intake's reference data, from files a deployment can replace through
``MINYI_REFERENCE_DIR``: the Open311 services (intake's own) and the divisions (shared).
Deputies and stations are liaison's: intake keeps a replica from its events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minyi.contracts.reference import load_json, reference_file

PACKAGE = "minyi.intake"


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
    services: dict[str, Open311Service]


def load_reference() -> IntakeReference:
    """Read and check the files; a service code listed twice fails start-up."""
    fields = Open311Service.__dataclass_fields__
    services: dict[str, Open311Service] = {}
    for item in load_json(reference_file("open311_services.json", PACKAGE))["services"]:
        service = Open311Service(**{k: v for k, v in item.items() if k in fields})
        if service.service_code in services:
            raise ValueError(f"open311_services.json: {service.service_code} appears twice")
        services[service.service_code] = service
    return IntakeReference(services)


def divisions() -> list[dict[str, Any]]:
    """The shared divisions file: codes, names, aliases, townships."""
    return list(load_json(reference_file("divisions.json"))["divisions"])
