"""Shared reference vocabulary: the city's divisions (district codes appear in every event).

A deployment replaces the bundled demo file by putting ``divisions.json`` into
``MINYI_REFERENCE_DIR``; no code changes.
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
