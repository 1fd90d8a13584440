"""`minyi simulate --formal`: deputies' formal suggestions (代表建议) go through the real
APIs — filed with co-signers, assigned by the office, handled by lead and co-units,
answered A/B/C/D, rated by every signer, re-handled, delivered — and intake, supervision
and reporting count what the play did."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.system import own_ports_env

pytestmark = pytest.mark.e2e


def test_a_short_formal_simulation_adds_up_in_intake_supervision_and_reporting(
    tmp_path: Path,
) -> None:
    summary = tmp_path / "summary.json"
    env = own_ports_env(tmp_path / "data")
    # 20 days with 60 formal suggestions: the handling times shrink with the run, so
    # most are answered, rated and (for a B) delivered inside it.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "minyi.cli.main",
            "simulate",
            "--days",
            "20",
            "--rate",
            "2",
            "--formal",
            "60",
            "--seconds-per-day",
            "1.0",
            "--start",
            "2026-03-02",
            "--exit",
            "--summary",
            str(summary),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    print(result.stdout[-4000:], result.stderr[-3000:])
    assert result.returncode == 0
    formal = json.loads(summary.read_text())["formal"]
    play, acted = formal["expected"], formal["actions"]
    # The play did the whole path, many times over.
    assert play["filed"] == 60
    assert play["assigned"] == 60
    assert play["answered"] >= 45
    assert play["signers_rated"] >= 90
    assert play["rehandled"] >= 1 and play["promised"] >= 3 and play["delivered"] >= 1
    for step in ("co_views", "contacted", "extension_requested", "c_reviewed", "linked"):
        assert acted.get(step, 0) > 0, step
    assert acted.get("in_session", 0) > acted.get("between_sessions", 0) > 0
    # ... and every service counts what it did.
    assert formal["reporting"] == play
    assert formal["intake"]["filed"] == play["filed"]
    assert formal["intake"]["answered"] == play["answered"]
    assert formal["intake"]["ratings"] == acted["rated"]
    assert formal["supervision"]["cases"] == play["assigned"]
    assert formal["supervision"]["deliveries"] == play["promised"]
    assert formal["supervision"]["delivered"] == play["delivered"]
    assert formal["agree"]
    # Nothing the play tried was refused for good.
    refused = {
        k: v for k, v in acted.items() if any(m in k for m in ("_4", "_5", "gave_up", "error_"))
    }
    assert not refused, refused
