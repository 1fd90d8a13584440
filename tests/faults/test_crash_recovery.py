"""Crashes lose nothing and duplicate nothing: the outbox and the inbox at work."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.faults.helpers import SYSTEM_ENV, admin_headers
from tests.support.bus import count_on, events_on
from tests.support.system import System, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]


def _file(system: System, i: int) -> str:
    body = {
        "title": f"第{i}号：小区路灯不亮",
        "content": f"第{i}栋楼前路灯坏了，晚上很黑，请尽快修理。",
        "district_code": "420804",
        "channel": "web",
    }
    r = httpx.post(system.url("intake", "/v1/suggestions"), json=body, timeout=10)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _assigned_count(system: System) -> int:
    stats = httpx.get(
        system.url("reporting", "/v1/stats"), headers=admin_headers(), timeout=5
    ).json()
    return int(stats["by_status"].get("assigned", 0))


def test_killing_routing_mid_backlog_still_assigns_every_suggestion_exactly_once(
    system_factory: type[System],
) -> None:
    system = system_factory(extra_env=SYSTEM_ENV)
    system.start()
    system["routing"].stop()  # events pile up in routing's durable consumer meanwhile
    ids = [_file(system, i) for i in range(150)]

    # Batches of 10 (one transaction each), so the kill lands between committed batches
    # and one in progress (a whole backlog of 150 would otherwise be one batch); each
    # batch lingers 0.3 s first (it asks for the next ten only once the last are handled),
    # so the backlog takes 4.5 s or more and cannot end before the kill, even on a fast host.
    system["routing"].start(
        extra_env={"MINYI_CONSUME_BATCH": "10", "MINYI_CONSUME_LINGER_SECONDS": "0.3"}
    )
    eventually(
        lambda: count_on(system.nats_url, "minyi.suggestion.assigned") >= 1,
        what="routing to start on the backlog",
    )
    system["routing"].kill()  # SIGKILL in the middle of the backlog
    assert _assigned_count(system) < len(ids), "backlog finished before the kill; nothing tested"

    system["routing"].start()
    system["routing"].wait_ready()
    eventually(
        lambda: _assigned_count(system) == len(ids),
        timeout=60,
        what="every suggestion assigned in reporting",
    )

    assigned = Counter(
        e["subject"] for e in events_on(system.nats_url, "minyi.suggestion.assigned")
    )
    in_reporting = _assigned_count(system)
    duplicates = sum(assigned.values()) - len(assigned)
    print(
        f"\n[routing killed mid-backlog] sent={len(ids)} accepted={len(ids)} "
        f"assigned={len(assigned)} in_reporting={in_reporting} duplicates={duplicates}"
    )
    assert set(assigned) == set(ids)
    assert all(n == 1 for n in assigned.values()), f"duplicates: {assigned.most_common(3)}"
    for sid in ids:  # supervision opened exactly one case for each
        assert (
            httpx.get(
                system.url("supervision", f"/v1/cases/{sid}"),
                headers=admin_headers(),
                timeout=5,
            ).status_code
            == 200
        )


def test_an_event_committed_before_a_crash_is_published_after_the_restart(
    system_factory: type[System],
) -> None:
    # The row stays claimed by the crashed process until its lease ends: 2 s, not 30.
    system = system_factory(extra_env={**SYSTEM_ENV, "MINYI_OUTBOX_LEASE_SECONDS": "2"})
    system.start()
    intake = system["intake"]
    intake.stop()
    intake.start(extra_env={"MINYI_FAULTS": "crash_before_publish"})
    intake.wait_ready()

    sid = _file(system, 1)  # 201: stored with its event in the outbox
    assert intake.proc is not None
    assert intake.proc.wait(timeout=30) == 137, "the fault injection did not crash intake"
    assert events_on(system.nats_url, "minyi.suggestion.filed") == []

    intake.start()  # no fault now: the relay finds the row and publishes it
    intake.wait_ready()
    eventually(
        lambda: (
            httpx.get(
                system.url("reporting", f"/v1/suggestions/{sid}"),
                headers=admin_headers(),
            ).status_code
            == 200
        ),
        timeout=12,  # well before the default lease (15 s) would have ended
        what="the suggestion to reach reporting after the restart",
    )
    filed = [e for e in events_on(system.nats_url, "minyi.suggestion.filed") if e["subject"] == sid]
    assert len(filed) == 1
