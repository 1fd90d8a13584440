"""`minyi simulate --projects`: the office publishes recurring appeals and registers
improvement projects, units report progress and deliver (some late), deputies inspect and
rate, citizens support (+1) through the one-time-code flow and vote — and the public ledger
(reporting) counts exactly what the play did."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.system import own_ports_env

pytestmark = pytest.mark.e2e


def test_a_short_run_with_projects_shows_on_the_public_ledger_as_played(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    env = own_ports_env(tmp_path / "data")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "minyi.cli.main",
            "simulate",
            "--days",
            "24",
            "--rate",
            "4",
            "--projects",
            "3",
            "--seconds-per-day",
            "0.8",
            "--start",
            "2026-03-02",
            "--exit",
            "--summary",
            str(summary),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    print(result.stdout[-4000:], result.stderr[-3000:])
    assert result.returncode == 0
    projects = json.loads(summary.read_text())["projects"]
    play, ledger, acted = projects["expected"], projects["ledger"], projects["actions"]
    # The play did the whole path.
    assert play["registered"] == 3
    assert play["progress_reports"] >= 3 and play["inspections"] >= 3
    assert play["milestones_on_time"] >= 5
    assert play["completed"] >= 1 and play["accepted"] >= 1
    assert play["supports"] >= 5 and acted.get("appeals_published", 0) >= 1
    # Some milestone was late: delivered after its day, or the project turned 滞后 for it.
    assert play["milestones_late"] >= 1 or ledger["ever_late_projects"] >= 1
    # ... and the public ledger shows exactly that.
    for key, value in play.items():
        assert ledger[key] == value, (key, value, ledger[key])
    assert projects["agree"]
    assert ledger["appeals_published"] == acted["appeals_published"]
    # Nothing the play tried was refused for good.
    refused = {k: v for k, v in acted.items() if any(m in k for m in ("_4", "_5", "gave_up"))}
    assert not refused, refused
