"""`minyi simulate`: a simulated month runs in under a minute and reporting's counts add up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from minyi.platform.nats_server import free_port

pytestmark = pytest.mark.e2e


def test_a_simulated_month_adds_up_in_reporting(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    # Its own embedded NATS, not the developer's: a free port for it.
    env["MINYI_DATA_DIR"] = str(tmp_path / "data")
    env["MINYI_EMBEDDED_NATS_PORT"] = str(free_port())
    # The National Day holiday lies inside this month: deadlines stretch over it.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "minyi.cli.main",
            "simulate",
            "--days",
            "30",
            "--rate",
            "20",
            "--start",
            "2025-09-20",
            "--exit",
            "--summary",
            str(summary),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    print(result.stdout[-3000:], result.stderr[-3000:])
    assert result.returncode == 0
    s = json.loads(summary.read_text())
    filed = s["actions"]["filed"]
    stats, head = s["reporting"]["stats"], s["reporting"]["headline"]
    print(
        f"filed={filed} replied={s['suggestions_replied']} reporting_total={stats['total']} "
        f"reporting_replied={head['replied']} actions={s['actions']}"
    )
    assert filed >= 550  # 20 a day for 30 days
    assert stats["total"] == filed
    assert head["suggestions_collected"] == filed
    assert head["replied"] == s["suggestions_replied"]
    assert s["actions"].get("accepted", 0) > 0 and s["actions"].get("satisfied", 0) > 0
