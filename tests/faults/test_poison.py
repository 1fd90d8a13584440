"""A message its handler keeps rejecting becomes a dead letter after bounded retries, with
its error; once the cause is fixed an operator replays it and it takes effect once."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import httpx
import nats
import pytest

from tests.faults.helpers import (
    RETRY_ENV,
    SYSTEM_ENV,
    Load,
    admin_headers,
    minyi_cli,
    settle,
    suggestion,
    supervision_cases,
)
from tests.support.bus import events_on
from tests.support.system import System, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]

DURABLE = "supervision__suggestion_assigned"
POISON_DISTRICT = "420802"
# The cause: supervision's store refuses cases of one district (a guard a DBA left behind
# when the district was being merged). Every delivery fails the same way, as a poison
# message does; the fix is to the store, not to the event, so a replay of the very same
# event must then succeed.
GUARD = f"""
CREATE TRIGGER faults_refuse_district BEFORE INSERT ON cases
WHEN NEW.district = '{POISON_DISTRICT}'
BEGIN SELECT RAISE(ABORT, 'district {POISON_DISTRICT} is frozen during the merger'); END
"""


def _store(system: System) -> sqlite3.Connection:
    return sqlite3.connect(system.data_dir / "supervision.sqlite3", timeout=10)


async def _advisories(url: str) -> list[dict[str, object]]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.stream_info("MINYI_DLQ")
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            try:
                msg = await js.get_msg("MINYI_DLQ", seq)
            except Exception:
                continue
            found.append(json.loads(msg.data or b"{}"))
        return found
    finally:
        await nc.close()


def advisories(system: System) -> list[dict[str, object]]:
    return [a for a in asyncio.run(_advisories(system.nats_url)) if a.get("consumer") == DURABLE]


def test_a_poison_message_is_dead_lettered_with_its_error_and_replayed_once_after_the_fix(
    system_factory: type[System],
) -> None:
    system = system_factory(extra_env={**SYSTEM_ENV, **RETRY_ENV})
    system.start()
    with _store(system) as db:
        db.execute(GUARD)

    def file(n: int, district: str) -> str:
        r = httpx.post(
            system.url("intake", "/v1/suggestions"), json=suggestion(n, district), timeout=10
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    poison = file(900_001, POISON_DISTRICT)
    healthy = [file(900_002 + i, "420804") for i in range(5)]

    listing = eventually(
        lambda: (
            (out := minyi_cli(system, "supervision", "dlq", "list", "supervision"))
            and poison in out
            and out
        ),
        timeout=30,
        what="the poison message in `minyi dlq list supervision`",
    )
    print(f"\n{listing}")
    assert "1 dead letter(s) pending for supervision" in listing
    assert f"district {POISON_DISTRICT} is frozen" in listing, "the error is not shown"
    assert "after 3 deliveries" in listing, "retries were not bounded by MINYI_MAX_DELIVER=3"
    eventually(lambda: advisories(system), what="the MAX_DELIVERIES advisory in MINYI_DLQ")
    cases = eventually(
        lambda: (c := supervision_cases(system)) and set(healthy) <= set(c) and c,
        what="the healthy suggestions to get their cases",
    )
    assert poison not in cases, "the poison message did not fail"

    with _store(system) as db:  # the fix
        db.execute("DROP TRIGGER faults_refuse_district")
    out = minyi_cli(system, "supervision", "dlq", "replay", "supervision")
    assert f"replayed 1 dead letter(s) for supervision: {poison_event(system, poison)}" in out, out
    again = minyi_cli(system, "supervision", "dlq", "replay", "supervision")
    assert "replayed 0 dead letter(s)" in again, again

    cases = supervision_cases(system)
    assert cases[poison] == 1 and all(cases[s] == 1 for s in healthy), cases
    assert "0 dead letter(s) pending" in minyi_cli(
        system, "supervision", "dlq", "list", "supervision"
    )
    assert advisories(system) == [], "the advisory stayed in MINYI_DLQ after the replay"
    r = httpx.get(
        system.url("supervision", f"/v1/cases/{poison}"), headers=admin_headers(), timeout=5
    )
    assert r.status_code == 200, r.text
    done = Load(system)  # what was sent, for the one-line summary (no load thread here)
    done.sent, done.accepted = 6, [poison, *healthy]
    settle(system, done, label="poison message, dead letter, replay")


def poison_event(system: System, suggestion_id: str) -> str:
    (event,) = [
        e
        for e in events_on(system.nats_url, "minyi.suggestion.assigned")
        if e["subject"] == suggestion_id
    ]
    return str(event["id"])
