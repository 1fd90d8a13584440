"""`minyi simulate`: a simulated quarter runs in about a minute; reporting's
counts add up, and every simulated deputy's performance file holds exactly what the
simulation had the deputy, the stations and the office do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.system import own_ports_env

pytestmark = pytest.mark.e2e


def test_a_simulated_quarter_adds_up_in_reporting_and_in_the_deputies_files(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    env = own_ports_env(tmp_path / "data")
    # The National Day holiday lies inside this quarter: deadlines stretch over it.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "minyi.cli.main",
            "simulate",
            "--days",
            "92",
            "--rate",
            "8",
            "--seconds-per-day",
            "0.4",
            "--start",
            "2025-09-20",
            "--exit",
            "--summary",
            str(summary),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=330,
    )
    print(result.stdout[-3000:], result.stderr[-3000:])
    assert result.returncode == 0
    s = json.loads(summary.read_text())
    filed = s["suggestions_filed"]  # citizens' own and the matters stations referred
    stats, head = s["reporting"]["stats"], s["reporting"]["headline"]
    print(
        f"filed={filed} replied={s['suggestions_replied']} reporting_total={stats['total']} "
        f"reporting_replied={head['replied']} actions={s['actions']}"
    )
    assert s["actions"]["filed"] >= 730  # 8 a day for 92 days
    assert stats["total"] == filed
    assert head["suggestions_collected"] == filed
    assert head["replied"] == s["suggestions_replied"]
    assert s["actions"].get("accepted", 0) > 0 and s["actions"].get("satisfied", 0) > 0
    # The deputies' side: what the play did is what each deputy's file holds, entry kind by
    # entry kind (activities by kind, reception days, visits, matters, commitments, and
    # the entries struck by accepted disputes).
    deputies = s["deputies"]
    acted = deputies["actions"]
    print(f"deputies: {acted}")
    assert deputies["files"] == deputies["expected"]
    for key in ("activities", "receptions_held", "visits_held", "commitments", "disputes"):
        assert acted.get(key, 0) > 0, key
    kinds = {k for counts in deputies["expected"].values() for k in counts}
    assert {"reception_held", "visit_attended", "commitment"} <= kinds
    assert s["actions"].get("follow_ups_kept", 0) > 0  # units kept promises made at visits
