"""Routing's reference data: the taxonomy, the unit directory and the keyword rules, read
from the package or from ``MINYI_REFERENCE_DIR``. Validated here, so that a gap fails
start-up (or an operator command) with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

from minyi.contracts.reference import load_divisions, load_json, reference_file
from minyi.routing.domain.classifier import KeywordRules
from minyi.routing.domain.directory import UnitDirectory

PACKAGE = "minyi.routing"


def load_directory() -> UnitDirectory:
    return UnitDirectory.from_reference(
        load_json(reference_file("taxonomy.json", PACKAGE)),
        load_json(reference_file("units.json")),
        districts=load_divisions().keys(),
    )


def read_rules(path: Path) -> KeywordRules:
    return KeywordRules.from_document(json.loads(path.read_text(encoding="utf-8")))


def load_rules(directory: UnitDirectory) -> KeywordRules:
    path = reference_file("keyword_rules.json", PACKAGE)
    try:
        rules = read_rules(path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"keyword rules {path} cannot be read: {exc}") from exc
    unknown = directory.unknown_categories(rules.categories())
    if unknown:
        raise ValueError(f"keyword rules {path} name unknown categories {unknown}")
    return rules
