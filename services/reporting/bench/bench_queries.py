"""Dashboard query latency over a large synthetic history.

Usage: python services/reporting/bench/bench_queries.py [--suggestions 1000000]
       [--requests 40]

Builds the read models a year of N suggestions would leave behind (views made directly in
two worker processes, counters by the projection's own ``contributions``, bulk-inserted with
Core; SQLite), then times
each endpoint in-process (ASGI, no network) and prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, make_url

from minyi.platform import migrations
from minyi.platform.app.assembly import build_runtime, freeze_startup_heap
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.settings import Settings
from minyi.reporting.adapters.tables import (
    clusters,
    counts,
    liaison_counts,
    liaison_deputies,
    liaison_stations,
    names,
    suggestions,
)
from minyi.reporting.bootstrap import SERVICE
from minyi.reporting.domain import liaison
from minyi.reporting.domain.projection import MEASURES, contributions

DISTRICTS = ["420802", "420804", "420822", "420881", "420882", "420871", "420872"]
FOCUS = [
    "城市能级",
    "科技赋能",
    "现代服务业",
    "交通物流枢纽功能",
    "城乡统筹发展",
    "生态环境质量",
    "文旅产业",
]
CATEGORIES = [f"类别{i:02d}" for i in range(14)]
UNITS = [f"unit-{i:02d}" for i in range(60)]
STATUSES = ["closed"] * 6 + ["replied", "accepted", "assigned", "reopened"]
T0 = datetime(2025, 1, 1, tzinfo=UTC)
ENDPOINTS = [
    "/v1/headline",
    "/v1/headline?from=2025-03-15&to=2025-09-20",
    "/v1/heatmap",
    "/v1/heatmap?district=420802&kind=citizen_appeal",
    "/v1/trends?from=2025-06-01&to=2025-08-31",
    "/v1/units",
    "/v1/supervision-groups",
    "/v1/recurring?from=2025-11-01&to=2025-11-30",
    "/v1/representatives",
    "/v1/representatives/coverage",
    "/v1/headline/year",
    "/v1/overdue",
    "/v1/public/summary",
    "/v1/suggestions/b-12345",
    "/v1/liaison/stations",
    "/v1/liaison/stations?district=420802&from=2025-03-15&to=2025-09-20",
    "/v1/liaison/weekly",
    "/v1/liaison/weekly?station_id=st-7&from=2025-03-15&to=2025-09-20",
    "/v1/liaison/deputies",
]
STATIONS, DEPUTIES = 226, 5200


def synthetic_view(i: int, rng: random.Random) -> dict[str, Any]:
    filed = T0 + timedelta(seconds=rng.randrange(365 * 86400))
    status = rng.choice(STATUSES)
    cat = rng.randrange(len(CATEGORIES))
    answered = status in ("closed", "replied", "reopened")
    overdue = not answered and rng.random() < 0.05
    view: dict[str, Any] = {
        "suggestion_id": f"b-{i}",
        "status": status,
        "title": f"第{i}号诉求",
        "district_code": rng.choice(DISTRICTS),
        "kind": "citizen_appeal" if rng.random() < 0.9 else "rep_suggestion",
        "channel": "web",
        "station_id": f"st-{rng.randrange(226)}" if rng.random() < 0.3 else None,
        "representative_id": f"rep-{rng.randrange(5200)}" if rng.random() < 0.1 else None,
        "unit_id": UNITS[(cat * 4 + rng.randrange(4)) % len(UNITS)],
        "category": CATEGORIES[cat],
        "focus_area": FOCUS[cat % len(FOCUS)],
        "filed_at": filed,
        "assigned_at": filed + timedelta(hours=2),
        "accepted_at": filed + timedelta(hours=20),
        "accepted_on_time": rng.random() < 0.9,
        "overdue_round": 1 if overdue else None,
        "overdue_open": overdue,
        "reply_by": filed + timedelta(days=15),
        "cluster_id": f"c-{rng.randrange(3000)}" if rng.random() < 0.2 else None,
    }
    if overdue and rng.random() < 0.5:
        view.update(escalation_level=1, supervision_group=f"grp-{view['district_code']}")
    if answered:
        replied = filed + timedelta(days=rng.randrange(1, 20))
        view.update(
            outcome=rng.choice("AAAABBCD"),
            replied_at=replied,
            first_replied_at=replied,
            round=1,
            first_reply_on_time=rng.random() < 0.85,
            on_time=True,
        )
    if status == "closed":
        view.update(close_result=rng.choice(["satisfied"] * 8 + ["unsatisfied", "no_response"]))
        view["closed_at"] = view["replied_at"] + timedelta(days=7)
    return view


def liaison_rows(rng: random.Random) -> tuple[list[dict[str, Any]], ...]:
    """A year of weekly reception days at every station (as the fold leaves them: counters
    by ``liaison.contributions``), and the registry replica: 226 stations, 5,200 deputies."""
    stations = [
        {"generation": 1, "station_id": f"st-{i}", "name": f"第{i}联络站", "kind": "station",
         "division_codes": [DISTRICTS[i % len(DISTRICTS)]], "status": "active",
         "record_version": 1, "status_version": 1}
        for i in range(STATIONS)
    ]  # fmt: skip
    deputies = [
        {"generation": 1, "deputy_id": f"rep-{i}", "name": f"代表{i}", "level": "county",
         "division_code": DISTRICTS[i % len(DISTRICTS)], "station_ids": [f"st-{i % STATIONS}"],
         "status": "serving", "record_version": 1, "status_version": 1}
        for i in range(DEPUTIES)
    ]  # fmt: skip
    totals: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for station in range(STATIONS):
        for week in range(52):
            starts = T0 + timedelta(weeks=week, days=rng.randrange(5), hours=1)
            held = rng.random() < 0.9
            view = {
                "station_id": f"st-{station}",
                "district_codes": stations[station]["division_codes"],
                "deputy_ids": [f"rep-{rng.randrange(DEPUTIES)}" for _ in range(2)],
                "starts_at": starts,
                "status": "held" if held else "cancelled",
                "capacity": 20,
                "booked": rng.randrange(21) if held else 0,
                "bookings": {f"b-{k}": {"made": "confirmed"} for k in range(rng.randrange(25))},
                "matters": {
                    f"m-{k}": [rng.choice(["answered", "referred"]), DISTRICTS[station % 7], None]
                    for k in range(rng.randrange(6) if held else 0)
                },
            }
            for row, measures in liaison.contributions(view).items():
                totals[row].update(measures)
    counters = [
        {"generation": 1, "dimension": d, "key": k, "period": p}
        | {m: measures.get(m, 0) for m in liaison.MEASURES}
        for (d, k, p), measures in totals.items()
    ]
    return counters, stations, deputies


PARTS = 2  # generator processes (the machine's cores); each writes a part file


def generate_part(part: int, n: int, path: str) -> dict[tuple[str, str, str], dict[str, int]]:
    """Views ``part``, ``part + PARTS``, … of ``n`` into a SQLite file of their own; returns
    what they add to the counters. Runs in a worker process (generation is the slow part)."""
    from sqlalchemy import create_engine

    rng = random.Random(2025 + part)
    totals: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
    columns = [c.name for c in suggestions.columns]
    engine = create_engine(f"sqlite:///{path}")
    suggestions.metadata.create_all(engine, tables=[suggestions])
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for i in range(part, n, PARTS):
            view = synthetic_view(i, rng)
            for row, measures in contributions(view).items():
                acc = totals[row]
                for m, v in measures.items():
                    acc[m] = acc.get(m, 0) + v
            batch.append({"generation": 1, **{k: view.get(k) for k in columns[1:]}})
            if len(batch) == 5000:
                conn.execute(insert(suggestions), batch)
                batch = []
        if batch:
            conn.execute(insert(suggestions), batch)
    engine.dispose()
    return dict(totals)


async def build(url: str, n: int) -> Any:
    settings = Settings(service="reporting", database_url=url)
    runtime = build_runtime(SERVICE, settings)
    await migrations.upgrade(runtime.engine, SERVICE.package)
    started = time.perf_counter()
    database = make_url(url).database
    if runtime.engine.dialect.name != "sqlite" or not database:
        raise SystemExit("the generated history is built for SQLite (pass no --database-url)")
    parts = [f"{database}.part{k}" for k in range(PARTS)]
    loop = asyncio.get_running_loop()
    # spawn: a fork would copy this process's running event loop and engine.
    with ProcessPoolExecutor(PARTS, mp_context=multiprocessing.get_context("spawn")) as pool:
        partials = await asyncio.gather(
            *(loop.run_in_executor(pool, generate_part, k, n, parts[k]) for k in range(PARTS))
        )
    totals: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for partial in partials:
        for row, measures in partial.items():
            totals[row].update(measures)
    names_sql = ", ".join(f'"{c.name}"' for c in suggestions.columns)
    async with runtime.engine.begin() as conn:
        for k, path in enumerate(parts):  # SQLite copies the rows itself
            await conn.exec_driver_sql(f"ATTACH DATABASE '{path}' AS part{k}")
            await conn.exec_driver_sql(
                f"INSERT INTO suggestions ({names_sql}) SELECT {names_sql} FROM part{k}.suggestions"
            )
    async with runtime.engine.connect() as conn:
        for k in range(PARTS):
            await conn.exec_driver_sql(f"DETACH DATABASE part{k}")
    for path in parts:
        os.unlink(path)
    async with runtime.engine.begin() as conn:
        rows = [
            {"generation": 1, "dimension": d, "key": k, "period": p}
            | {m: measures.get(m, 0) for m in MEASURES}
            for (d, k, p), measures in totals.items()
        ]
        for i in range(0, len(rows), 5000):
            await conn.execute(insert(counts), rows[i : i + 5000])
        await conn.execute(
            insert(clusters),
            [
                {"generation": 1, "cluster_id": f"c-{i}", "size": 0, "district_code": "420802",
                 "representative_title": f"高频诉求{i}"}
                for i in range(3000)
            ],
        )  # fmt: skip
        await conn.execute(
            insert(names),
            [{"generation": 1, "kind": "unit", "id": u, "name": f"{u} 承办单位"} for u in UNITS],
        )
        liaison_counters, stations, deputies = liaison_rows(random.Random(7))
        for i in range(0, len(liaison_counters), 5000):
            await conn.execute(insert(liaison_counts), liaison_counters[i : i + 5000])
        await conn.execute(insert(liaison_stations), stations)
        await conn.execute(insert(liaison_deputies), deputies)
    print(
        f"built {n:,} suggestions, {len(rows):,} counter rows, "
        f"{len(liaison_counters):,} liaison counter rows "
        f"in {time.perf_counter() - started:.0f}s ({PARTS} generator processes)",
        flush=True,
    )
    return runtime


async def measure(runtime: Any, requests: int) -> None:
    app = FastAPI()
    app.state.runtime = runtime
    for router in SERVICE.routers(runtime):
        app.include_router(router)
    freeze_startup_heap()  # as the service's on_start does
    transport = httpx.ASGITransport(app=app)
    # The admin may read every view (tokens are checked on every request, as in production).
    admin = bearer(runtime.keyring, Principal(Role.ADMIN, "admin:bench"))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers=admin
    ) as client:
        print(f"{'endpoint':58} {'p50 ms':>8} {'p95 ms':>8}")
        for path in ENDPOINTS:
            await client.get(path)  # warm caches
            times = []
            for _ in range(requests):
                t = time.perf_counter()
                r = await client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (path, r.text)
            times.sort()
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            print(f"{path:58} {statistics.median(times):8.1f} {p95:8.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--suggestions", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        runtime = await build(url, args.suggestions)
        try:
            await measure(runtime, args.requests)
        finally:
            await runtime.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
