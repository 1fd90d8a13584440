"""What the fault tests share: a steady load on intake, admin tokens, and the end-to-end
check that every accepted suggestion was assigned and counted exactly once."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.bus import consumer_info, events_on
from tests.support.system import System, eventually

# A fixed signing key for the whole system under test, so that the test can mint tokens
# without reading a service's data dir (MINYI_JWT_KEYS: first key signs, all verify).
JWT_KEYS = "faults:" + "f" * 48
# A process killed here leaves its committed, unpublished events to its next start for 1 s
# (its outbox lease), not the 15 s a service would hold them by default.
SYSTEM_ENV = {"MINYI_JWT_KEYS": JWT_KEYS, "MINYI_OUTBOX_LEASE_SECONDS": "1"}
# Fast, bounded retries for every fault test: a failing event is dead after 3 deliveries.
RETRY_ENV = {"MINYI_MAX_DELIVER": "3", "MINYI_RETRY_DELAYS": "0.2"}
_ids = itertools.count(1)


def admin_headers() -> dict[str, str]:
    """``Authorization`` for an admin; empty if the auth module is not there (yet)."""
    try:
        from minyi.platform.auth import Keyring, Principal, Role, bearer, parse_keys
    except ImportError:  # pragma: no cover - before JWT auth landed
        return {}
    return bearer(Keyring(parse_keys(JWT_KEYS)), Principal(Role.ADMIN, "admin:faults"))


def suggestion(n: int, district: str = "420804") -> dict[str, str]:
    return {
        "title": f"第{n}号：小区路灯不亮",
        "content": f"第{n}栋楼前路灯坏了，晚上很黑，请尽快修理。",
        "district_code": district,
        "channel": "web",
    }


@dataclass
class Load:
    """A background thread posting suggestions to intake at a steady rate.

    Each request carries an Idempotency-Key and is retried on a transport error (intake
    down, connection reset) until it gets an answer, so every request ends with one
    verdict: 201 (accepted), 503 with Retry-After (refused), or something unexpected."""

    system: System
    rate: float = 15.0
    district: str = "420804"
    give_up_after: float = 60.0
    accepted: list[str] = field(default_factory=list)
    refused: int = 0
    refused_without_retry_after: int = 0
    refused_keys: list[tuple[str, int]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    sent: int = 0
    # How long filing was refused, each time it was (from the first request that got no
    # answer or a 503 to the next one accepted), in seconds.
    refusal_windows: list[float] = field(default_factory=list)
    _refused_since: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Load:
        self._thread = threading.Thread(target=self._run, daemon=True, name="load")
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.give_up_after + 10)
            assert not self._thread.is_alive(), "the load thread did not stop"

    def wait_for(self, accepted: int, timeout: float = 30.0) -> None:
        eventually(lambda: len(self.accepted) >= accepted, timeout=timeout, what="load progress")

    def _run(self) -> None:
        url = self.system.url("intake", "/v1/suggestions")
        with httpx.Client(timeout=5.0) as client:
            next_at = time.monotonic()
            while not self._stop.is_set():
                self._send(client, url, next(_ids))
                next_at += 1.0 / self.rate
                self._stop.wait(max(0.0, next_at - time.monotonic()))
                next_at = max(next_at, time.monotonic() - 1.0)  # no burst after an outage

    def _send(self, client: httpx.Client, url: str, n: int) -> None:
        self.sent += 1
        key = f"fault-{os.getpid()}-{n}"
        deadline = time.monotonic() + self.give_up_after
        while True:
            try:
                r = client.post(
                    url, json=suggestion(n, self.district), headers={"Idempotency-Key": key}
                )
            except httpx.TransportError as exc:
                self._refusing()
                if time.monotonic() > deadline:
                    self.unexpected.append(f"{key}: no answer ({exc!r})")
                    return
                time.sleep(0.2)
                continue
            if r.status_code == 201:
                self.accepted.append(str(r.json()["id"]))
                if self._refused_since is not None:
                    self.refusal_windows.append(time.monotonic() - self._refused_since)
                    self._refused_since = None
            elif r.status_code == 503:
                self._refusing()
                self.refused += 1
                self.refused_keys.append((key, n))
                if not r.headers.get("Retry-After"):
                    self.refused_without_retry_after += 1
            else:
                self.unexpected.append(f"{key}: {r.status_code} {r.text[:200]}")
            return

    def _refusing(self) -> None:
        if self._refused_since is None:
            self._refused_since = time.monotonic()

    def retry_refused(self) -> int:
        """Send each refused suggestion again with its Idempotency-Key, as a channel adapter
        does after ``Retry-After``: one whose commit went through although its answer was
        lost (a connection cut at commit) comes back as the one stored, never twice."""
        url = self.system.url("intake", "/v1/suggestions")
        with httpx.Client(timeout=10.0) as client:
            for key, n in self.refused_keys:
                r = client.post(
                    url, json=suggestion(n, self.district), headers={"Idempotency-Key": key}
                )
                if r.status_code == 201:
                    self.accepted.append(str(r.json()["id"]))
                else:
                    self.unexpected.append(f"{key} again: {r.status_code} {r.text[:200]}")
        retried, self.refused_keys = len(self.refused_keys), []
        return retried


def stats(system: System) -> dict[str, Any]:
    r = httpx.get(system.url("reporting", "/v1/stats"), headers=admin_headers(), timeout=5)
    r.raise_for_status()
    result: dict[str, Any] = r.json()
    return result


def supervision_cases(system: System) -> Counter[str]:
    """Cases per suggestion, read from supervision's SQLite store (an operator's view)."""
    path = system.data_dir / "supervision.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as db:
        return Counter(r[0] for r in db.execute("SELECT suggestion_id FROM cases"))


@dataclass(frozen=True)
class Outcome:
    sent: int
    accepted: int
    assigned: int
    in_reporting: int
    duplicates: int

    def line(self) -> str:
        return (
            f"sent={self.sent} accepted={self.accepted} assigned={self.assigned} "
            f"in_reporting={self.in_reporting} duplicates={self.duplicates}"
        )


def settle(
    system: System, load: Load, *, timeout: float = 60.0, cases: bool = True, label: str = ""
) -> Outcome:
    """Wait until reporting counts every accepted suggestion as assigned, then check the
    stream: one SuggestionFiled and one AssignedToUnit per accepted suggestion, nothing else;
    and (on SQLite) one supervision case each. Prints and returns the one-line summary."""
    accepted = set(load.accepted)
    assert len(accepted) == len(load.accepted), "intake gave one id twice"
    assert not load.unexpected, f"unexpected answers: {load.unexpected[:5]}"

    def converged() -> bool:
        s = stats(system)
        return s["total"] == len(accepted) and s["by_status"].get("assigned", 0) == len(accepted)

    started = time.monotonic()
    try:
        eventually(converged, timeout=timeout, what="reporting to count every accepted suggestion")
    except AssertionError:
        print(system.logs())
        raise
    waited = time.monotonic() - started
    time.sleep(0.5)  # anything still in flight would show now
    final = stats(system)
    # An event published again with its own CloudEvent id (a relay's retry, a redelivery
    # re-stored) is absorbed by the inboxes; a *new* id for the same suggestion is a
    # duplicate effect: a handler ran twice.
    filed = distinct_events(system, "minyi.suggestion.filed")
    assigned = distinct_events(system, "minyi.suggestion.assigned")
    duplicates = sum(n - 1 for n in filed.values()) + sum(n - 1 for n in assigned.values())
    outcome = Outcome(
        sent=load.sent,
        accepted=len(accepted),
        assigned=len(assigned),
        in_reporting=int(final["total"]),
        duplicates=duplicates,
    )
    print(f"\n[{label}] {outcome.line()} (refused={load.refused}, converged in {waited:.1f}s)")
    assert set(filed) == accepted, f"filed but not accepted: {sorted(set(filed) - accepted)[:5]}"
    assert set(assigned) == accepted, f"not assigned: {sorted(accepted - set(assigned))[:5]}"
    if cases:
        per_suggestion = eventually(
            lambda: (c := supervision_cases(system)) and set(c) == accepted and c,
            timeout=timeout,
            what="a supervision case for every suggestion",
        )
        assert max(per_suggestion.values()) == 1, per_suggestion.most_common(3)
    expected = Outcome(load.sent, len(accepted), len(accepted), len(accepted), 0)
    assert outcome == expected, f"{outcome.line()} != {expected.line()}"
    return outcome


def distinct_events(system: System, subject: str) -> Counter[str]:
    """How many distinct CloudEvents (by id) the stream holds for each suggestion."""
    seen = {(e["subject"], e["id"]) for e in events_on(system.nats_url, subject)}
    return Counter(suggestion_id for suggestion_id, _ in seen)


def wait_idle(system: System, durables: list[str], timeout: float = 60.0) -> None:
    """Until every consumer has nothing pending and nothing unacknowledged."""

    def idle() -> bool:
        infos = [consumer_info(system.nats_url, d) for d in durables]
        return all(i["num_pending"] == 0 and i["num_ack_pending"] == 0 for i in infos)

    eventually(idle, timeout=timeout, interval=0.3, what=f"{durables} to be idle")


CONSUMERS = [
    "intake__lifecycle",
    "routing__suggestion_filed",
    "supervision__suggestion_assigned",
    "reporting__all",
]


def minyi_cli(system: System, service: str, *args: str) -> str:
    """Run ``minyi …`` as an operator would, with the service's environment."""
    result = subprocess.run(
        [sys.executable, "-m", "minyi.cli.main", *args],
        env=system[service].env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"minyi {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result.stdout


async def _publish(url: str, subject: str, payload: bytes, msg_id: str) -> bool:
    import nats

    nc = await nats.connect(url)
    try:
        ack = await nc.jetstream().publish(
            subject, payload, stream="MINYI", headers={"Nats-Msg-Id": msg_id}, timeout=5
        )
        return bool(ack.duplicate)
    finally:
        await nc.close()


def publish(url: str, subject: str, event: dict[str, Any], msg_id: str) -> bool:
    """Publish a raw event as a relay would; True if the server dropped it as a duplicate."""
    return asyncio.run(_publish(url, subject, json.dumps(event).encode(), msg_id))
