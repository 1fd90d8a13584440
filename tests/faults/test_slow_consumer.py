"""A slow consumer: its backlog waits in JetStream, not in the consumer's memory."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from minyi.platform.messaging import MAX_ACK_PENDING
from tests.faults.helpers import SYSTEM_ENV, Load, consumer_info, settle, suggestion
from tests.support.procfs import memory_mb
from tests.support.system import System, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

DURABLE = "reporting__all"
N = 800  # suggestions; reporting consumes two to three events for each
BACKLOG = 200  # events waiting in JetStream beyond what reporting holds
# Longer than the services' ack_wait in these tests (5 s), shorter than SQLite's busy_timeout
# (10 s), after which a waiting commit fails and is retried.
STALL_S = 7.0


def test_a_stalled_reporting_store_keeps_the_backlog_in_jetstream_and_memory_bounded(
    system_factory: type[System],
) -> None:
    # The default retry budget: a commit that waits on the lock is retried, never given up.
    system = system_factory(extra_env=SYSTEM_ENV)
    system.start()
    reporting = system["reporting"]
    assert reporting.proc is not None
    rss_before = memory_mb(reporting.proc.pid)

    # The slow store: a writer holds reporting's SQLite write lock, so every commit waits.
    lock = sqlite3.connect(system.data_dir / "reporting.sqlite3", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    filing_done = threading.Event()
    peaks = {"num_pending": 0, "num_ack_pending": 0, "num_redelivered": 0, "rss_mb": rss_before}
    stalled_at = time.monotonic()

    def watch() -> None:
        while True:
            info = consumer_info(system.nats_url, DURABLE)
            peaks["num_pending"] = max(peaks["num_pending"], info["num_pending"])
            peaks["num_ack_pending"] = max(peaks["num_ack_pending"], info["num_ack_pending"])
            peaks["num_redelivered"] = max(peaks["num_redelivered"], info["num_redelivered"])
            assert reporting.proc is not None
            peaks["rss_mb"] = max(peaks["rss_mb"], memory_mb(reporting.proc.pid))
            if filing_done.wait(0.3):
                return

    def file(n: int) -> str:
        with httpx.Client(timeout=30) as client:
            r = client.post(
                system.url("intake", "/v1/suggestions"),
                json=suggestion(700_000 + n),
                headers={"Idempotency-Key": f"slow-{n}"},
            )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    # File in the background; release the store as soon as the backlog is visible (a
    # commit that waited on the lock then just goes through, nothing is retried).
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(file, n) for n in range(N)]
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            backlog_seen = eventually(
                # Not "or all filed": intake now answers faster than routing and
                # supervision publish, so the filings can end before their events arrive.
                # ... and held longer than ack_wait, so held messages would be redelivered
                # if nothing kept them in progress.
                lambda: peaks["num_pending"] >= BACKLOG and time.monotonic() - stalled_at > STALL_S,
                timeout=60,
                what="a backlog in JetStream",
            )
            info = consumer_info(system.nats_url, DURABLE)
        finally:
            filing_done.set()
            watcher.join(10)
            lock.execute("ROLLBACK")
            lock.close()
        ids = [f.result() for f in futures]
    assert backlog_seen
    print(
        f"\nwhile reporting's store was stalled: peak num_pending={peaks['num_pending']} "
        f"peak num_ack_pending={peaks['num_ack_pending']} (max_ack_pending="
        f"{info['max_ack_pending']}), peak num_redelivered={peaks['num_redelivered']}, "
        f"reporting RSS {rss_before:.0f} → "
        f"{peaks['rss_mb']:.0f} MB"
    )
    assert info["max_ack_pending"] == MAX_ACK_PENDING
    assert peaks["num_ack_pending"] <= MAX_ACK_PENDING, "more in flight than max_ack_pending"
    assert peaks["num_pending"] >= BACKLOG, "the backlog did not wait in JetStream"
    assert peaks["num_redelivered"] == 0, "held messages were delivered again during the stall"
    assert peaks["rss_mb"] - rss_before < 150, "reporting's memory grew with the backlog"

    done = Load(system)  # what was sent, for the one-line summary
    done.sent, done.accepted = N, ids
    settle(system, done, timeout=120, label="slow consumer (reporting's store stalled)")
