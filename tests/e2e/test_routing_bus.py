"""Routing alone as a real process on a real nats-server: events in, events out.

Other services' events are published straight to JetStream with nats-py (CloudEvents JSON,
``Nats-Msg-Id`` = event id), as their outbox relays would.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import nats
import pytest

from minyi.contracts.subjects import STREAM_NAME
from tests.support.bus import events_on
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

ASSIGNED = "cn.minyi.suggestion.assigned.v1"
TRIAGE = "cn.minyi.suggestion.triage_required.v1"
CLUSTERED = "cn.minyi.suggestion.clustered.v1"


def envelope(type_: str, data: dict[str, Any], source: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "type": type_,
        "subject": data["suggestion_id"],
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }


def publish(url: str, subject: str, event: dict[str, Any], times: int = 1) -> None:
    async def run() -> None:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            for _ in range(times):
                await js.publish(
                    subject,
                    json.dumps(event, ensure_ascii=False).encode(),
                    stream=STREAM_NAME,
                    headers={"Nats-Msg-Id": event["id"]},
                )
        finally:
            await nc.close()

    asyncio.run(run())


def filed(sid: str, title: str) -> dict[str, Any]:
    return envelope(
        "cn.minyi.suggestion.filed.v1",
        {
            "suggestion_id": sid,
            "title": title,
            "content": f"{title}，晚上出行很不安全，希望尽快修复。",
            "channel": "web",
            "district_code": "420802",
            "filed_at": datetime.now(UTC).isoformat(),
        },
        "minyi/intake",
    )


def returned(sid: str, unit_id: str, attempt: int) -> dict[str, Any]:
    return envelope(
        "cn.minyi.suggestion.returned.v1",
        {
            "suggestion_id": sid,
            "unit_id": unit_id,
            "reason": "不属于本单位职责",
            "suggested_unit": "",
            "attempt": attempt,
            "returned_at": datetime.now(UTC).isoformat(),
            "case_id": f"{sid}:{attempt}",
            "case_version": 2,
        },
        "minyi/supervision",
    )


def routed(system: System, type_: str, count: int) -> list[dict[str, Any]]:
    def probe() -> list[dict[str, Any]] | None:
        found = [e["data"] for e in events_on(system.nats_url) if e["type"] == type_]
        return found if len(found) >= count else None

    return eventually(probe, what=f"{count} × {type_} on the bus")


def test_routing_assigns_explains_and_merges_recurring_appeals_over_the_bus(
    system_factory: type[System], store: str
) -> None:
    system = system_factory(store)
    system.start(["routing"])
    first = filed("e2e-1", "东宝区泉口街道金泉路路灯坏了两周没人修")
    publish(system.nats_url, "minyi.suggestion.filed", first, times=2)  # deduplicated
    routed(system, ASSIGNED, 1)
    publish(
        system.nats_url,
        "minyi.suggestion.filed",
        filed("e2e-2", "东宝区泉口街道金泉路路灯坏了好久没人修"),
    )

    a1, a2 = routed(system, ASSIGNED, 2)
    assert a1["unit_id"] == "db-zjj" and a1["explanation"]["reason"] == "model"
    assert a1["explanation"]["model_version"] == "default-demo-1"
    assert a1["explanation"]["top_features"] and a1["explanation"]["summary"]
    assert a2["unit_id"] == "db-zjj" and a2["explanation"]["reason"] == "cluster"
    [clustered] = routed(system, CLUSTERED, 1)
    assert clustered["cluster_id"] == "rc-e2e-1" and clustered["size"] == 2

    r = httpx.post(
        system.url("routing", "/v1/classify"),
        json={"title": "掇刀区工地夜间施工噪音扰民", "district_code": "420804"},
        headers=system.admin,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert r.json()["category"] == "环境保护" and r.json()["unit_id"] == "dd-sthjj"
    assert len([e for e in events_on(system.nats_url) if e["type"] == ASSIGNED]) == 2


def test_returns_reroute_then_triage_then_a_person_assigns_over_the_bus(
    system_factory: type[System],
) -> None:
    system = system_factory("sqlite")
    system.start(["routing"])
    publish(system.nats_url, "minyi.suggestion.filed", filed("e2e-r", "东宝区金泉路路灯不亮"))
    routed(system, ASSIGNED, 1)
    publish(system.nats_url, "minyi.suggestion.returned", returned("e2e-r", "db-zjj", 1), times=2)
    second = routed(system, ASSIGNED, 2)[1]
    assert second["unit_id"] == "jm-zjj" and second["attempt"] == 2
    assert second["explanation"]["reason"] == "return"

    publish(system.nats_url, "minyi.suggestion.returned", returned("e2e-r", "jm-zjj", 2))
    [triage] = routed(system, TRIAGE, 1)
    assert triage["reason"] == "returned" and triage["attempt"] == 3

    queue = httpx.get(system.url("routing", "/v1/triage"), headers=system.admin, timeout=5).json()
    assert [q["suggestion_id"] for q in queue] == ["e2e-r"]
    r = httpx.post(
        system.url("routing", "/v1/triage/e2e-r/assign"),
        json={"unit_id": "jm-zjj", "category": "城乡建设", "by": "分办员"},
        headers=system.admin,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    third = routed(system, ASSIGNED, 3)[2]
    assert third["attempt"] == 3 and third["explanation"]["reason"] == "manual"
    assert len([e for e in events_on(system.nats_url) if e["type"] == ASSIGNED]) == 3
