"""Reporting over a real nats-server (issue 17): liaison's visits, commitments, activities
and scores, and supervision's events on the commitments, published onto the stream; the
deputies' views and the units' follow-ups read back over HTTP, then rebuilt alike."""

from __future__ import annotations

import random
import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.support.reporting_deputies import D1, D3, deputies_history
from tests.support.reporting_history import publish
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

VIEWS = [
    "/v1/representatives?year=2026",
    "/v1/representatives?quarter=2026-Q3",
    "/v1/representatives/coverage?quarter=2026-Q4",
    "/v1/headline/year?year=2026",
    "/v1/units",
    "/v1/headline",
]


def _get(system: System, path: str) -> Any:
    r = httpx.get(system.url("reporting", path), headers=system.admin, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_deputies_views_and_commitments_from_the_bus(system_factory: type[System]) -> None:
    system = system_factory()
    system.start(["reporting"])
    events = deputies_history()
    publish(system.nats_url, random.Random(3).sample(events, len(events)))

    def projected() -> bool:
        year = _get(system, "/v1/headline/year?year=2026")
        units = {u["unit_id"]: u for u in _get(system, "/v1/units")}
        ranked = _get(system, "/v1/representatives?year=2026")
        return bool(
            year["deputy_outings"] == 5
            and year["problems_solved"] == 1
            and units.get("u-zjj", {}).get("visit_questions_overdue_now") == 1
            and units["u-zjj"].get("commitments_kept_late") == 1
            and ranked
            and ranked[0]["score"] == 72.5
            and _get(system, "/v1/headline")["suggestions_collected"] == 3
        )

    eventually(projected, what="deputies' views")
    before = {v: _get(system, v) for v in VIEWS}
    ranked = before["/v1/representatives?year=2026"]
    assert [(r["representative_id"], r["band_label"]) for r in ranked][:2] == [
        (D1, "良好"), (D3, "一般"),
    ]  # fmt: skip
    coverage = before["/v1/representatives/coverage?quarter=2026-Q4"]
    assert (coverage["serving"], coverage["active"]) == (3, 2)
    unit = {u["unit_id"]: u for u in before["/v1/units"]}["u-zjj"]
    assert (unit["commitments"], unit["commitments_kept_on_time"], unit["assigned"]) == (2, 1, 3)

    done = subprocess.run(
        [sys.executable, "-m", "minyi.cli.main", "reporting", "rebuild"],
        env=system["reporting"].env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert {v: _get(system, v) for v in VIEWS} == before
