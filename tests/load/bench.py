"""`make bench`: Minyi against the raw limits of its building blocks, measured in one run.

Starts everything on this machine (the embedded default: SQLite stores and the bundled
nats-server; PostgreSQL too where a server answers), offers load through intake's HTTP API
from a separate process, then times liaison's roster import (5,200 deputies, 450 stations),
and writes bench-results/bench-<date>.json plus the generated section of
docs/BENCHMARKS.md. Bounded in time (about 8–9 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from minyi.platform.nats_server import free_port, wait_for_port
from minyi.platform.settings import Settings
from tests.load.ceilings import jetstream
from tests.load.report import (
    headline,
    liaison_import_line,
    regressions,
    render,
    render_comparison,
)
from tests.support import infra
from tests.support.bus import consumer_info, count_on, events_on
from tests.support.procfs import cpu_seconds, memory_mb
from tests.support.system import ServiceProcess, System

ROOT = Path(__file__).resolve().parents[2]

RESULTS = ROOT / "bench-results"
STEP_S, LAG_S = 8.0, 2.0  # each offered-load step, and the backlog allowed at its end
DOC = ROOT / "docs" / "BENCHMARKS.md"
LAST = ROOT / "docs" / "bench-last.json"  # the previous run's headline figures (committed)
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


STARTED = time.monotonic()

# The services as deployed: the test harness polls the outbox table every 50 ms and lets
# a crash's messages come back after 5 s, which costs an idle service 2 % of a core
# instead of under 1 % (issue 21, tenth round); the bench measures the defaults.
PRODUCTION = {
    "MINYI_OUTBOX_IDLE_SECONDS": str(Settings.model_fields["outbox_idle_seconds"].default),
    "MINYI_ACK_WAIT_SECONDS": str(Settings.model_fields["ack_wait_seconds"].default),
}


def progress(step: str) -> None:
    """One line per step with the time spent so far (the whole run is bounded: ≈ 9 min)."""
    spent = int(time.monotonic() - STARTED)
    print(f"[{datetime.now():%H:%M:%S} +{spent // 60}:{spent % 60:02d}] {step}", flush=True)


def loadgen(url: str, *, clients: int, seconds: float, rate: float | None = None) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = [
        sys.executable,
        "-m",
        "tests.load.loadgen",
        "--url",
        url,
        "--clients",
        str(clients),
        "--seconds",
        str(seconds),
        "--out",
        out,
    ]
    if rate:
        cmd += ["--rate", str(rate)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(Path(out).read_text())
    os.unlink(out)
    return result


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def bare_fastapi_ceiling(seconds: float, clients: int) -> dict[str, Any]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/load/bare_api.py"), str(port)], cwd=ROOT
    )
    try:
        wait_for_port("127.0.0.1", port)
        r = loadgen(f"http://127.0.0.1:{port}/v1/suggestions", clients=clients, seconds=seconds)
        r.pop("filed")
        return r
    finally:
        proc.terminate()
        proc.wait()


def reporting_total(system: System) -> int:
    stats = httpx.get(system.url("reporting", "/v1/stats"), timeout=10, headers=system.admin).json()
    return int(stats.get("total", 0))


def pipeline_backlog(nats_url: str) -> tuple[int, int]:
    """(messages every durable still has to handle, the stream's last sequence)."""

    async def ask() -> tuple[int, int]:
        import nats

        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            backlog = sum(
                int(c.num_pending or 0) + int(c.num_ack_pending or 0)
                for c in await js.consumers_info("MINYI")
            )
            return backlog, int((await js.stream_info("MINYI")).state.last_seq)
        finally:
            await nc.close()

    return asyncio.run(ask())


def wait_drained(system: System, expected: int, timeout: float) -> float:
    """Seconds until the pipeline is done with everything filed so far (or the timeout):
    reporting counts ``expected`` suggestions, every durable has handled every event, and
    no service has added one since (the outboxes are empty: assignments, cases… are out)."""
    t0 = time.monotonic()
    last_seq = -1
    while time.monotonic() - t0 < timeout:
        if reporting_total(system) >= expected:
            backlog, seq = pipeline_backlog(system.nats_url)
            if backlog == 0 and seq == last_seq:
                return time.monotonic() - t0
            last_seq = seq
        time.sleep(0.25)
    return float("inf")


def reporting_handled(system: System) -> dict[str, datetime]:
    """When reporting's inbox recorded each event (SQLite stores only)."""
    db = sqlite3.connect(system.data_dir / "reporting.sqlite3")
    try:
        return {
            event_id: datetime.fromisoformat(at).replace(tzinfo=UTC)
            for event_id, at in db.execute("SELECT event_id, handled_at FROM inbox")
        }
    finally:
        db.close()


def end_to_end(events: list[dict[str, Any]], handled: dict[str, datetime]) -> dict[str, Any]:
    """filed → assigned and filed → visible in reporting, from event timestamps: the event
    times in the stream, and when reporting's inbox recorded the AssignedToUnit event."""
    filed = {e["subject"]: e for e in events if e["type"].endswith(".filed.v1")}
    assigned = {e["subject"]: e for e in events if e["type"].endswith(".assigned.v1")}
    to_assigned, to_visible = [], []
    for sid, f in filed.items():
        a = assigned.get(sid)
        if not a:
            continue
        t_filed = datetime.fromisoformat(f["time"])
        to_assigned.append((datetime.fromisoformat(a["time"]) - t_filed).total_seconds() * 1000)
        if a["id"] in handled:
            to_visible.append((handled[a["id"]] - t_filed).total_seconds() * 1000)

    def summary(xs: list[float]) -> dict[str, float]:
        return {
            "n": len(xs),
            "p50_ms": round(pct(xs, 0.5), 1),
            "p95_ms": round(pct(xs, 0.95), 1),
            "p99_ms": round(pct(xs, 0.99), 1),
        }

    return {"filed_to_assigned": summary(to_assigned), "filed_to_visible": summary(to_visible)}


def process_figures(
    system: System, cpu_before: dict[str, float], suggestions: int
) -> dict[str, Any]:
    out = {}
    for name, svc in system.services.items():
        assert svc.proc is not None
        cpu = cpu_seconds(svc.proc.pid) - cpu_before.get(name, 0.0)
        out[name] = {
            "cpu_s": round(cpu, 1),
            # Everything the service did for the run's suggestions (their events, its outbox
            # relay, the bench's polling of it), per suggestion.
            "cpu_ms_per_suggestion": round(cpu * 1000 / suggestions, 2) if suggestions else None,
            "peak_rss_mb": memory_mb(svc.proc.pid, "VmHWM"),
        }
    return out


def intake_alone(
    store: str,
    nats_url: str,
    workdir: Path,
    db_urls: dict[str, str],
    *,
    seconds: float,
    clients: int,
) -> dict[str, Any]:
    """Intake by itself at full load, like the bare FastAPI ceiling it is compared with:
    the same cores, only the load generator and nats-server beside it (its relay still
    publishes every event). With the other services running, they take CPU from it too:
    the offered-load steps below show intake then."""
    system = System(
        nats_url=nats_url,
        data_dir=workdir / f"alone-{store}",
        database_urls=db_urls,
        extra_env=PRODUCTION,
    )
    system.start(["intake"])
    try:
        url = system.url("intake", "/v1/suggestions")
        pid = system["intake"].proc.pid  # type: ignore[union-attr]
        loadgen(url, clients=clients, seconds=2)  # warm-up: first requests compile, fill caches
        cpu0 = cpu_seconds(pid)
        progress(f"{store}: intake alone at full load ({clients} clients, {seconds:.0f} s)")
        load = loadgen(url, clients=clients, seconds=seconds)
        load.pop("filed")
        load["cpu_ms_per_request"] = (
            round((cpu_seconds(pid) - cpu0) * 1000 / load["ok"], 3) if load["ok"] else None
        )
        load["peak_rss_mb"] = memory_mb(pid, "VmHWM")
        return load
    finally:
        system.stop()
        purge_stream(nats_url)


def run_minyi(
    store: str,
    nats_url: str,
    workdir: Path,
    db_urls: dict[str, str],
    *,
    steps: list[float],
) -> dict[str, Any]:
    """The four services from an empty stream: offered load stepped up until the pipeline
    no longer keeps up, then half the sustained rate for end-to-end latency."""
    result: dict[str, Any] = {"store": store}
    system = System(
        nats_url=nats_url,
        data_dir=workdir / f"system-{store}",
        database_urls=db_urls,
        extra_env=PRODUCTION,
    )
    system.start()
    try:
        intake = system.url("intake", "/v1/suggestions")
        # Warm-up, not counted: the first requests and events of a fresh process fill
        # SQLAlchemy's statement caches, the classifier's and the consumers' first fetches.
        total = warm = loadgen(intake, clients=32, seconds=3, rate=30)["ok"]
        wait_drained(system, total, timeout=30)
        cpu0 = {n: cpu_seconds(s.proc.pid) for n, s in system.services.items() if s.proc}
        progress(f"{store}: stepped offered load {steps}")
        sustained = 0.0
        stepped = []
        for rate in steps:
            # Kept up: within LAG_S of the step's end the pipeline has handled everything
            # (every event of every suggestion, not just the filings).
            step = loadgen(intake, clients=256, seconds=STEP_S, rate=rate)
            total += step["ok"]
            lag = wait_drained(system, total, timeout=LAG_S)
            step.pop("filed")
            step["kept_up"] = lag != float("inf")
            step["lag_s"] = round(lag, 2) if step["kept_up"] else None
            stepped.append(step)
            progress(
                f"  offered {rate:.0f}/s: accepted {step['rate']}/s, p99 {step['p99_ms']} ms, "
                + (f"idle {lag:.1f} s after" if step["kept_up"] else "backlog grew")
            )
            if not step["kept_up"]:
                # What the pipeline drained while overloaded: the step's suggestions over
                # the time until it was done with them.
                drain = LAG_S + wait_drained(system, total, timeout=120)
                result["overloaded_drain_rate"] = round(step["ok"] / (STEP_S + drain), 1)
                break
            sustained = step["rate"]
        result["stepped"] = stepped
        result["sustained_rate"] = sustained
        if sustained:
            progress(f"{store}: half the sustained rate ({sustained / 2:.0f}/s) for latency")
            half = loadgen(intake, clients=128, seconds=8, rate=sustained / 2)
            total += half["ok"]
            wait_drained(system, total, timeout=60)
            half_ids = {sid for sid, _ in half.pop("filed")}
            result["half_rate_intake"] = half
            # The stream and reporting's inbox read once, for both figures.
            events = events_on(system.nats_url, stream_times=True)
            handled = reporting_handled(system) if store == "sqlite" else {}
            result["end_to_end_all"] = end_to_end(events, handled)
            if store == "sqlite":
                result["end_to_end_half_rate"] = half_rate_latency(
                    [e for e in events if e["subject"] in half_ids], handled
                )
        result["processes"] = process_figures(system, cpu0, total - warm)
        result["suggestions_total"] = total
        # The first step that failed overloads the pipeline only a little, and its figure
        # cannot exceed that step's rate × STEP_S / (STEP_S + LAG_S): a burst well above the
        # sustained rate shows what an overloaded pipeline drains (after the CPU figures,
        # which stay those of the stepped run).
        result["burst_drain"] = burst_drain(system, total, sustained)
    finally:
        system.stop()
    return result


BURST_S = 10.0


def burst_drain(system: System, total: int, sustained: float) -> dict[str, float | None]:
    """BURST_S at twice the sustained rate (900/s when nothing was sustained), then the
    suggestions accepted over the time until the pipeline is done with them (0/s, and no
    time, when it was not done within 300 s)."""
    rate = 2 * sustained if sustained else 900.0
    progress(f"  a {BURST_S:.0f} s burst at {rate:.0f}/s, then its drain")
    step = loadgen(system.url("intake", "/v1/suggestions"), clients=256, seconds=BURST_S, rate=rate)
    lag = wait_drained(system, total + step["ok"], timeout=300)
    drained = lag != float("inf")
    return {
        "offered": rate,
        "accepted": step["rate"],
        "rate": round(step["ok"] / (BURST_S + lag), 1) if drained else 0.0,
        "drained_after_s": round(lag, 1) if drained else None,
    }


def half_rate_latency(events: list[dict[str, Any]], handled: dict[str, datetime]) -> dict[str, Any]:
    """Filed → visible in reporting (the filing's event time to reporting's inbox record of
    the assignment), and where it went: intake (made → in the stream), routing (the filing
    in the stream → the assignment in the stream) and reporting (→ handled)."""
    filed = {e["subject"]: e for e in events if e["type"].endswith(".filed.v1")}
    vis: list[float] = []
    hops: dict[str, list[float]] = {"intake": [], "routing": [], "reporting": []}

    def ms(a: datetime, b: datetime) -> float:
        return (b - a).total_seconds() * 1000

    for a in events:
        f = filed.get(a["subject"])
        if not a["type"].endswith(".assigned.v1") or a["id"] not in handled or f is None:
            continue
        made, seen = datetime.fromisoformat(f["time"]), handled[a["id"]]
        vis.append(ms(made, seen))
        if "stream_time" in f and "stream_time" in a:
            hops["intake"].append(ms(made, f["stream_time"]))
            hops["routing"].append(ms(f["stream_time"], a["stream_time"]))
            hops["reporting"].append(ms(a["stream_time"], seen))
    return {
        "n": len(vis),
        "filed_to_visible_p50_ms": round(pct(vis, 0.5), 1),
        "filed_to_visible_p99_ms": round(pct(vis, 0.99), 1),
        "hops_p50_p99_ms": {
            k: [round(pct(v, 0.5), 1), round(pct(v, 0.99), 1)] for k, v in hops.items() if v
        },
    }


# The service that drains, its durable, and what must run first to fill its backlog.
SCALED = {
    "routing": ("routing__suggestion_filed", ["intake"]),
    "reporting": ("reporting__all", ["intake", "routing"]),
}


def scaling(nats_url: str, workdir: Path, admin: str, n: int = 6000) -> dict[str, Any]:
    """A backlog drained by one and by two processes of a service sharing its durable, each
    run on fresh databases (on the last run's, two processes would search a store twice as
    large for recurring appeals)."""
    out: dict[str, Any] = {}
    for service, (durable, before) in SCALED.items():
        for replicas in (1, 2):
            out[f"{service}_x{replicas}"] = _drained(
                nats_url, workdir, admin, service, durable, before, replicas, n
            )
            purge_stream(nats_url)
    return out


def _drained(
    nats_url: str,
    workdir: Path,
    admin: str,
    service: str,
    durable: str,
    before: list[str],
    replicas: int,
    n: int,
) -> dict[str, Any]:
    names = ["intake", "routing", "supervision", "reporting"]
    with infra.postgres_databases(admin, names) as db_urls:
        system = System(
            nats_url=nats_url,
            data_dir=workdir / f"scale-{service}-{replicas}",
            database_urls=db_urls,
            extra_env=PRODUCTION,
        )
        system.start(before)
        loadgen(system.url("intake", "/v1/suggestions"), clients=64, seconds=n / 400)
        filed = count_on(nats_url, "minyi.suggestion.filed")
        if service == "reporting":  # routing first assigns all of them
            while (
                count_on(nats_url, "minyi.suggestion.assigned")
                + count_on(nats_url, "minyi.suggestion.triage_required")
                < filed
            ):
                time.sleep(0.2)
        backlog = count_on(nats_url, "minyi.>")
        workers = [system[service]]
        for i in range(2, replicas + 1):
            env = dict(system[service].env, MINYI_HTTP_PORT=str(free_port()))
            workers.append(
                ServiceProcess(
                    service,
                    int(env["MINYI_HTTP_PORT"]),
                    env,
                    system.data_dir / f"{service}-{i}.log",
                )
            )
        t0 = time.monotonic()
        for w in workers:
            w.start()
        # Timed from the first batch handled to the end, so that the processes' start-up
        # (imports, migrations, the model) is not counted as draining: the server tells
        # the durable's backlog (polling costs the workers no CPU).
        events = backlog if service == "reporting" else filed  # the durable's backlog
        first: tuple[float, int] | None = None
        left = -1
        while time.monotonic() - t0 < 180 and left != 0:
            try:
                left = int(consumer_info(nats_url, durable)["backlog"])
            except Exception:
                left = -1
            if first is None and 0 <= left < events:
                first = (time.monotonic(), left)
            time.sleep(0.1)
        ended = time.monotonic()
        started, drained = first or (t0, events)
        result = {
            "service": service,
            "replicas": replicas,
            "suggestions": filed,
            "events": events,
            "seconds_with_startup": round(ended - t0, 1),
            "seconds": round(ended - started, 2),
            "events_per_s": round(drained / max(ended - started, 1e-3), 1),
        }
        for w in workers:
            w.stop()
        system.stop()
        progress(
            f"  {service} x{replicas}: {events} events, "
            f"{result['events_per_s']}/s after the first batch"
        )
        return result


def purge_stream(nats_url: str) -> None:
    """Empty the stream between runs that count events (a fresh system each time)."""

    async def purge() -> None:
        import nats

        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await js.purge_stream("MINYI")
        for c in await js.consumers_info("MINYI"):
            await js.delete_consumer("MINYI", c.name)
        await nc.close()

    asyncio.run(purge())


def soak(minutes: float, rate: float, fill: int, fill_rate: float) -> None:
    """`make bench-soak`: first ``fill`` suggestions at ``fill_rate`` (each service's RSS
    once they are all in reporting), then a steady ``rate`` for ``minutes`` with RSS sampled
    every 30 s, so growth shows. Not part of `make bench` (too long) nor of CI."""
    workdir = Path(tempfile.mkdtemp(prefix="minyi-soak-"))
    samples: dict[str, list[float]] = {}
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "fill": fill,
        "fill_rate": fill_rate,
        "minutes": minutes,
        "rate": rate,
    }
    with infra.nats(workdir) as ns:
        system = System(nats_url=ns.url, data_dir=workdir / "system", extra_env=PRODUCTION)
        system.start()
        intake = system.url("intake", "/v1/suggestions")
        try:
            filed = 0
            during: dict[str, list[float]] = {}
            while filed < fill:
                chunk = loadgen(intake, clients=256, seconds=60, rate=fill_rate)
                filed += chunk["ok"]
                for name, svc in system.services.items():
                    assert svc.proc is not None
                    during.setdefault(name, []).append(memory_mb(svc.proc.pid))
                rss = ", ".join(f"{n} {v[-1]}" for n, v in during.items())
                progress(f"fill: {filed:,} of {fill:,} filed; RSS MB {rss}")
            # Where memory is taken: while the services fall behind, or steadily.
            result["rss_mb_every_60s_of_fill"] = during
            drain = wait_drained(system, filed, timeout=600)
            result["fill_filed"] = filed
            result["fill_drained_after_s"] = round(drain, 1)
            result["rss_mb_after_fill"] = {
                n: memory_mb(svc.proc.pid) for n, svc in system.services.items() if svc.proc
            }
            progress(f"after {filed:,} suggestions, RSS MB {result['rss_mb_after_fill']}")
            end = time.monotonic() + minutes * 60
            while time.monotonic() < end:
                loadgen(intake, clients=64, seconds=30, rate=rate)
                for name, svc in system.services.items():
                    assert svc.proc is not None
                    samples.setdefault(name, []).append(memory_mb(svc.proc.pid))
                progress("RSS MB " + ", ".join(f"{n} {v[-1]}" for n, v in samples.items()))
            result["suggestions_total"] = reporting_total(system)
        finally:
            system.stop()
    result["rss_mb_every_30s"] = samples
    result["growth_mb_second_half"] = {
        n: round(v[-1] - v[len(v) // 2], 1) for n, v in samples.items()
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"soak-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=1))
    progress(f"growth over the second half (MB): {result['growth_mb_second_half']}; {out}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--soak", type=float, default=0, help="minutes of steady load instead of the bench"
    )
    ap.add_argument(
        "--soak-rate",
        type=float,
        default=90,
        help="steady load of the soak (/s): 20–30 % of the sustained",
    )
    ap.add_argument("--fill", type=int, default=100_000, help="suggestions before the soak")
    ap.add_argument("--fill-rate", type=float, default=250, help="below the sustained rate")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    if args.soak:
        soak(args.soak, args.soak_rate, args.fill, args.fill_rate)
        return
    RESULTS.mkdir(exist_ok=True)
    started = time.monotonic()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
    }
    workdir = Path(tempfile.mkdtemp(prefix="minyi-bench-"))
    with ExitStack() as stack:
        progress("ceiling: bare FastAPI POST with the same validation")
        results["ceiling_fastapi"] = bare_fastapi_ceiling(10, args.clients)
        ns = stack.enter_context(infra.nats(workdir))
        progress("ceiling: raw JetStream publish-with-ack and pull-consume (nats-py)")
        results["ceiling_jetstream"] = asyncio.run(jetstream(ns.url))
        # Stepped until the backlog grows (the first step that does not keep up ends it).
        steps = [50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 750, 1000]
        results["sqlite"] = {
            "intake_alone": intake_alone(
                "sqlite", ns.url, workdir, {}, seconds=args.seconds, clients=args.clients
            ),
            **run_minyi("sqlite", ns.url, workdir, {}, steps=steps),
        }
        purge_stream(ns.url)
        admin = None if args.no_postgres else stack.enter_context(infra.postgres_admin())
        if admin:
            alone_db = stack.enter_context(infra.postgres_databases(admin, ["intake"]))
            dbs = stack.enter_context(
                infra.postgres_databases(admin, ["intake", "routing", "supervision", "reporting"])
            )
            results["postgresql"] = {
                "intake_alone": intake_alone(
                    "postgresql",
                    ns.url,
                    workdir,
                    alone_db,
                    seconds=args.seconds,
                    clients=args.clients,
                ),
                **run_minyi("postgresql", ns.url, workdir, dbs, steps=steps),
            }
            purge_stream(ns.url)
            progress("scaling: one vs two routing, then reporting processes (PostgreSQL)")
            results["scaling"] = scaling(ns.url, workdir, admin)
        else:
            results["postgresql"] = "skipped: no PostgreSQL server answered"
    reporting_bench = ROOT / "services/reporting/bench/bench_queries.py"
    if reporting_bench.exists():
        progress("reporting queries over generated suggestions")
        r = subprocess.run(
            [sys.executable, str(reporting_bench)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        results["reporting_queries"] = (
            r.stdout[-4000:] if r.returncode == 0 else {"error": r.stderr[-2000:]}
        )
    progress("liaison: roster import of 5,200 deputies and 450 stations")
    results["liaison_import"] = liaison_import()
    progress(liaison_import_line(results["liaison_import"]))
    results["duration_s"] = round(time.monotonic() - started)
    shutil.rmtree(workdir, ignore_errors=True)
    out = RESULTS / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    previous = json.loads(LAST.read_text(encoding="utf-8")) if LAST.exists() else None
    current = headline(results)
    write_doc(results, render_comparison(previous, current))
    LAST.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    found = regressions(previous, current) if previous else []
    progress(
        f"done in {results['duration_s']} s: {out} and {DOC}; against the previous run: "
        + ("; ".join(found) if found else "no regression")
    )


def liaison_import() -> dict[str, Any]:
    """Liaison's roster import bench in its own process (its own temporary store)."""
    script = ROOT / "services/liaison/bench/bench_import.py"
    with tempfile.TemporaryDirectory(prefix="minyi-bench-liaison-") as tmp:
        out = Path(tmp) / "liaison-import.json"
        r = subprocess.run(
            [sys.executable, str(script), "--json", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if r.returncode != 0 or not out.exists():
            return {"error": (r.stderr or r.stdout)[-2000:]}
        figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return figures


def write_doc(r: dict[str, Any], comparison: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(f"{head}{BEGIN}\n{render(r)}\n{comparison}{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
