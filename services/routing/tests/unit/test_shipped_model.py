"""The model, rules and directory the service ships with, and start-up checks on them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from minyi.contracts.reference import reference_file
from minyi.routing.adapters.models import (
    DEFAULT_VERSION,
    build_default_model,
    default_model_path,
    load_model,
)
from minyi.routing.bootstrap import build_dependencies
from minyi.routing.dependencies import RoutingDeps
from minyi.routing.domain.directory import DirectoryError


def shipped_dependencies() -> RoutingDeps:
    return build_dependencies(Path("unused-data-dir"))


def test_the_shipped_default_model_is_reproducible_from_the_demo_corpus() -> None:
    shipped = load_model(default_model_path())
    rebuilt = build_default_model()
    assert shipped.version == rebuilt.version == DEFAULT_VERSION
    assert shipped.classes == rebuilt.classes
    assert shipped.vocabulary == rebuilt.vocabulary
    # Stored as float32: equal to the last bit when rebuilt on the same library versions.
    assert np.allclose(shipped._coef_t, rebuilt._coef_t, atol=1e-5)
    assert shipped.temperature == pytest.approx(rebuilt.temperature, rel=1e-4)


def test_the_service_starts_with_the_shipped_reference_data_rules_and_model() -> None:
    deps = shipped_dependencies()
    assert deps.model.current.version == DEFAULT_VERSION
    assert len(deps.rules) == 70
    assert set(deps.model.current.classes) == set(deps.directory.categories)
    assert deps.model.current.rules is deps.rules


def _override(tmp_path: Path, name: str, doc: object, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("MINYI_REFERENCE_DIR", str(tmp_path))


def test_a_units_file_leaving_a_category_unrouted_fails_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = json.loads(reference_file("units.json").read_text(encoding="utf-8"))
    units["units"] = [u for u in units["units"] if u["id"] != "jm-jw"]
    _override(tmp_path, "units.json", units, monkeypatch)
    with pytest.raises(DirectoryError, match="no unit handles 纪检监察 in 420802"):
        shipped_dependencies()


def test_a_triage_rule_lets_a_deployment_leave_a_gap_to_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = json.loads(reference_file("units.json").read_text(encoding="utf-8"))
    units["units"] = [u for u in units["units"] if u["id"] != "jm-jw"]
    units["triage_rules"] = [{"category": "纪检监察", "district": "*"}]
    _override(tmp_path, "units.json", units, monkeypatch)
    assert shipped_dependencies().directory.candidates("纪检监察", "420802") == ()


def test_keyword_rules_naming_an_unknown_category_fail_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _override(tmp_path, "keyword_rules.json", {"rules": {"天气预报": ["下雨"]}}, monkeypatch)
    with pytest.raises(ValueError, match="unknown categories"):
        shipped_dependencies()
