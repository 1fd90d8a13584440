"""The same event twice — published again, or redelivered after a crash between commit and
ack — changes no count."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.faults.helpers import (
    CONSUMERS,
    RETRY_ENV,
    SYSTEM_ENV,
    Load,
    consumer_info,
    publish,
    settle,
    stats,
    suggestion,
    wait_idle,
)
from tests.support.bus import events_on
from tests.support.infra import NatsServer
from tests.support.proxy import TcpProxy
from tests.support.system import System, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]


def _file(system: System, n: int) -> str:
    r = httpx.post(system.url("intake", "/v1/suggestions"), json=suggestion(n), timeout=10)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_the_same_event_published_twice_or_redelivered_after_commit_changes_no_count(
    system_factory: type[System], nats_server: NatsServer
) -> None:
    with TcpProxy("127.0.0.1", nats_server.port) as proxy:
        system = system_factory(extra_env={**SYSTEM_ENV, **RETRY_ENV})
        system["reporting"].env["MINYI_NATS_URL"] = f"nats://{proxy.address}"
        system.start()
        done = Load(system)  # the tally for the one-line summary (no load thread)
        done.accepted = [_file(system, 600_000 + i) for i in range(10)]
        done.sent = 10
        eventually(lambda: stats(system)["total"] == 10, what="the first ten in reporting")
        wait_idle(system, CONSUMERS)

        # 1. Published again: with the same Nats-Msg-Id the server drops it (duplicate
        # window); with a new one (a relay retrying after the window) it is stored again
        # and every consumer's inbox must drop it.
        again = [
            (subject, e)
            for subject in ("minyi.suggestion.filed", "minyi.suggestion.assigned")
            for e in events_on(system.nats_url, subject)
        ]
        assert len(again) == 20
        for subject, e in again:
            event = json.loads(e["raw"])
            assert publish(system.nats_url, subject, event, e["headers"]["Nats-Msg-Id"])
            assert not publish(system.nats_url, subject, event, str(uuid.uuid4()))
        wait_idle(system, CONSUMERS)

        # 2. Redelivered after commit: reporting commits but its acks never reach the
        # server; it is killed; the server redelivers after ack_wait to the new process.
        before = consumer_info(system.nats_url, "reporting__all")
        proxy.mute()
        done.accepted += [_file(system, 610_000 + i) for i in range(10)]
        done.sent += 10
        eventually(lambda: stats(system)["total"] == 20, what="the next ten committed")
        system["reporting"].kill()
        proxy.heal()
        system["reporting"].start()
        system["reporting"].wait_ready()
        wait_idle(system, CONSUMERS, timeout=90)
        after = consumer_info(system.nats_url, "reporting__all")
        new = after["stream_last_seq"] - before["stream_last_seq"]
        redelivered = after["delivered"] - before["delivered"] - new
        print(f"\nreporting: {new} new messages, {redelivered} redelivered after the crash")
        assert redelivered >= 10, "nothing was redelivered: the crash tested nothing"

        settle(system, done, label="published twice, redelivered after commit")
        system.stop()
