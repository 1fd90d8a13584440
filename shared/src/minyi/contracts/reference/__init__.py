"""Shared reference vocabulary: the city's divisions (district codes appear in every event)
and its government units (unit ids appear in assignments, cases and commitments).

A deployment replaces the bundled demo files by putting ``divisions.json`` or
``units.json`` into ``MINYI_REFERENCE_DIR``; no code changes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    townships: tuple[str, ...] = field(default=())


def reference_file(name: str, package: str = "minyi.contracts") -> Path:
    """The deployment's copy of a reference file if it has one, else the bundled demo file."""
    override = os.environ.get("MINYI_REFERENCE_DIR")
    if override and (Path(override) / name).is_file():
        return Path(override) / name
    return Path(str(resources.files(package).joinpath("reference", name)))


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"reference file {path} cannot be read: {exc}") from exc


@cache
def load_divisions() -> dict[str, Division]:
    path = reference_file("divisions.json")
    raw = load_json(path)
    divisions: dict[str, Division] = {}
    for item in raw["divisions"]:
        division = Division(
            code=item["code"],
            name=item["name"],
            kind=item.get("kind", "district"),
            aliases=tuple(item.get("aliases", ())),
            townships=tuple(
                t if isinstance(t, str) else t["name"] for t in item.get("townships", ())
            ),
        )
        if division.code in divisions:
            raise ValueError(f"{path}: division code {division.code} appears twice")
        divisions[division.code] = division
    return divisions


@dataclass(frozen=True)
class UnitName:
    """A government unit as every service names it: routing assigns by the whole directory
    (``units.json``: jurisdiction, categories); liaison and the office pick from it by name."""

    id: str
    name: str
    level: str


@cache
def load_unit_names() -> dict[str, UnitName]:
    """The unit directory's ids and names (``units.json``, shared with routing)."""
    path = reference_file("units.json")
    raw = load_json(path)
    units: dict[str, UnitName] = {}
    for item in raw["units"]:
        unit = UnitName(id=item["id"], name=item["name"], level=item.get("level", "city"))
        if unit.id in units:
            raise ValueError(f"{path}: unit id {unit.id} appears twice")
        units[unit.id] = unit
    return units
