"""Every service's process sets its collector up at start: the youngest generation's
threshold raised, and what startup left on the heap frozen (out of full collections)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from minyi.platform.app.assembly import GC_THRESHOLD

PROBE = """
import asyncio, gc, json, sys
from minyi.platform.app.assembly import create_app
from minyi.platform.settings import Settings
from minyi.{name}.bootstrap import SERVICE

app = create_app(SERVICE, Settings())

async def main():
    before = gc.get_freeze_count()
    async with app.router.lifespan_context(app):
        print(json.dumps({{"before": before, "frozen": gc.get_freeze_count(),
                          "threshold": list(gc.get_threshold())}}))

asyncio.run(main())
"""


@pytest.mark.parametrize("name", ["intake", "routing"])
def test_a_started_service_has_frozen_its_startup_heap(name: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    # Nothing answers there: the lifespan connects to NATS in the background.
    env.update(MINYI_DATA_DIR=str(tmp_path), MINYI_NATS_URL="nats://127.0.0.1:9")
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(name=name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0
    assert seen["frozen"] > 50_000  # modules, app, runtime: well over 100,000 objects
    assert tuple(seen["threshold"]) == GC_THRESHOLD
