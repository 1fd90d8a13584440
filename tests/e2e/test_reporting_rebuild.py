"""Reporting alone over a real nats-server: live views, then a rebuild that must match."""

from __future__ import annotations

import random
import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.support.reporting_history import history, liaison_history, publish
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

VIEWS = [
    "/v1/headline",
    "/v1/heatmap",
    "/v1/units",
    "/v1/supervision-groups",
    "/v1/representatives",
    "/v1/recurring",
    "/v1/overdue",
    "/v1/public/summary",
    "/v1/suggestions/s-3",
    "/v1/suggestions/s-4",
    "/v1/liaison/stations",
    "/v1/liaison/weekly",
    "/v1/liaison/deputies",
]


def _views(system: System) -> dict[str, Any]:
    return {
        v: httpx.get(system.url("reporting", v), headers=system.admin, timeout=10).json()
        for v in VIEWS
    }


def test_a_rebuild_from_the_stream_yields_the_same_views_as_the_live_projection(
    system_factory: type[System], store: str
) -> None:
    system = system_factory(store)
    system.start(["reporting"])
    events = history() + liaison_history()
    shuffled = random.Random(7).sample(events, len(events))
    # Out of order, and some twice under a new Nats-Msg-Id window (same event id).
    publish(system.nats_url, shuffled + shuffled[:5])

    eventually(
        lambda: (
            httpx.get(system.url("reporting", "/v1/headline"), headers=system.admin).json()[
                "suggestions_collected"
            ]
            == 4
            and httpx.get(
                system.url("reporting", "/v1/suggestions/s-3"), headers=system.admin
            ).json()["status"]
            == "closed"
            and httpx.get(
                system.url("reporting", "/v1/representatives"), headers=system.admin
            ).json()
            and httpx.get(system.url("reporting", "/v1/public/summary"), timeout=5).json()[
                "liaison"
            ]["matters_raised"]
            == 4
        ),
        what="live views",
    )
    before = _views(system)
    assert before["/v1/headline"]["problems_solved"] == 2
    # Both units' on-time rates are 样本不足 (under 10 replies): ranked by replies.
    assert [u["unit_id"] for u in before["/v1/units"]][:1] == ["u-zjj"]
    assert before["/v1/overdue"][0]["suggestion_id"] == "s-4"

    done = subprocess.run(
        [sys.executable, "-m", "minyi.cli.main", "reporting", "rebuild"],
        env=system["reporting"].env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "generation 2 is live" in done.stdout

    assert _views(system) == before


def test_the_asyncapi_document_names_the_subjects_reporting_consumes(
    system_factory: type[System],
) -> None:
    system = system_factory()
    system.start(["reporting"])
    spec = httpx.get(system.url("reporting", "/asyncapi.json"), timeout=10).json()
    assert spec["asyncapi"].startswith("3.") or spec["asyncapi"].startswith("2.")
    assert "minyi.>" in str(spec["channels"])
