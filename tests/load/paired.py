"""A quick paired measure for before/after comparisons on one host (docs/BENCHMARKS.md,
issue 21): the four services on SQLite, a warm-up, then RATE/s for SECONDS; CPU ms per
suggestion per service and the backlog's lag after the step; then, if OVER is given, 10 s
at OVER/s and the drain rate. ``--postgres``: the services on fresh PostgreSQL databases
(infra.postgres_admin) instead of SQLite.
Usage: python -m tests.load.paired [RATE=150] [SECONDS=15] [OVER=0] [--postgres]"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from pathlib import Path

from tests.load.bench import PRODUCTION, cpu_seconds, loadgen, wait_drained
from tests.support import infra
from tests.support.system import System


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rate = float(args[0]) if args else 150
    seconds = float(args[1]) if len(args) > 1 else 15
    over = float(args[2]) if len(args) > 2 else 0
    workdir = Path(tempfile.mkdtemp(prefix="pipe-"))
    out: dict[str, dict[str, object]] = {}
    with infra.nats(workdir) as ns, contextlib.ExitStack() as stack:
        urls: dict[str, str] = {}
        if "--postgres" in sys.argv:
            admin = stack.enter_context(infra.postgres_admin())
            if admin is None:
                raise SystemExit("no PostgreSQL answered (infra.postgres_admin)")
            services = ["intake", "routing", "supervision", "reporting"]
            urls = stack.enter_context(infra.postgres_databases(admin, services))
        system = System(
            nats_url=ns.url, data_dir=workdir / "sys", database_urls=urls, extra_env=PRODUCTION
        )
        system.start()
        try:
            intake = system.url("intake", "/v1/suggestions")
            total = loadgen(intake, clients=32, seconds=3, rate=30)["ok"]
            wait_drained(system, total, timeout=60)
            cpu0 = {n: cpu_seconds(s.proc.pid) for n, s in system.services.items() if s.proc}
            step = loadgen(intake, clients=256, seconds=seconds, rate=rate)
            total += step["ok"]
            lag = wait_drained(system, total, timeout=120)
            cpu = {
                n: (cpu_seconds(s.proc.pid) - cpu0[n]) * 1000 / step["ok"]
                for n, s in system.services.items()
                if s.proc
            }
            out["step"] = {
                "offered": rate,
                "accepted": step["rate"],
                "p99_ms": step["p99_ms"],
                "lag_s": round(lag, 2),
                "cpu_ms": {k: round(v, 2) for k, v in cpu.items()},
                "cpu_sum": round(sum(cpu.values()), 2),
            }
            print(json.dumps(out["step"]), flush=True)
            if over:
                step = loadgen(intake, clients=256, seconds=10, rate=over)
                total += step["ok"]
                lag = wait_drained(system, total, timeout=180)
                out["over"] = {
                    "offered": over,
                    "accepted": step["rate"],
                    "n": step["ok"],
                    "drain_rate": round(step["ok"] / (10 + lag), 1),
                    "lag": round(lag, 1),
                }
                print(json.dumps(out["over"]), flush=True)
        finally:
            system.stop()


if __name__ == "__main__":
    main()
