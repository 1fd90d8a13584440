"""Issue 17's performance file over real processes and a real nats-server: a deputy
records a duty in liaison and files a formal suggestion through intake; liaison's file
consumer, fed by the stream, shows both entries, each with the event it came from, and
the score counts them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from minyi.platform.auth import Principal, Role, local_bearer
from tests.support.bus import events_on
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

DEPUTY = "REP-420802-009"  # a demo deputy: liaison registers it, intake's replica follows


def test_an_activity_and_a_formal_suggestion_reach_the_deputys_file(
    system_factory: type[System], store: str
) -> None:
    system = system_factory(store, names=("intake", "liaison"))  # type: ignore[call-arg]
    system.start()
    deputy = local_bearer(
        system.data_dir, Principal(Role.REPRESENTATIVE, "rep:e2e", representative=DEPUTY)
    )
    year = eventually(
        lambda: httpx.get(
            system.url("liaison", f"/v1/deputies/{DEPUTY}/score"), headers=deputy, timeout=10
        ).json()["year"],
        what="liaison's score endpoint",
    )
    r = httpx.post(
        system.url("liaison", f"/v1/deputies/{DEPUTY}/activities"),
        json={"kind": "research", "title": "调研泉口街道养老服务", "on": f"{year}-01-05"},
        headers=deputy,
        timeout=10,
    )
    assert r.status_code == 201, r.text
    activity = r.json()

    suggestion = {
        "title": "关于泉口街道老旧小区加装电梯的建议",
        "content": "泉口街道多个老旧小区居民反映上下楼困难，建议统筹推进加装电梯。",
        "kind": "representative_suggestion",
        "channel": "web",
        "district_code": "420802",
        "representative_id": DEPUTY,
    }

    def filed() -> dict[str, Any] | None:
        # Intake knows the deputy once liaison's registry events reached its replica.
        answer = httpx.post(
            system.url("intake", "/v1/suggestions"), json=suggestion, headers=deputy, timeout=10
        )
        return answer.json() if answer.status_code == 201 else None

    suggestion_id = eventually(filed, what="intake accepting the deputy's suggestion")["id"]

    def file_with_both() -> dict[str, Any] | None:
        found: dict[str, Any] = httpx.get(
            system.url("liaison", f"/v1/deputies/{DEPUTY}/file"), headers=deputy, timeout=10
        ).json()
        kinds = {e["kind"] for e in found["entries"]}
        return found if {"research", "suggestion"} <= kinds else None

    file = eventually(file_with_both, what="both entries in the deputy's file")
    by_kind = {e["kind"]: e for e in file["entries"]}
    assert by_kind["research"]["event_id"] == activity["event_id"]
    assert by_kind["suggestion"]["ref"] == suggestion_id
    assert by_kind["suggestion"]["event_type"] == "cn.minyi.suggestion.filed.v1"
    stream = {e["id"]: e for e in events_on(system.nats_url)}
    assert stream[by_kind["suggestion"]["event_id"]]["subject"] == suggestion_id
    assert stream[activity["event_id"]]["type"] == "cn.minyi.deputy.activity_recorded.v1"
    score = httpx.get(
        system.url("liaison", f"/v1/deputies/{DEPUTY}/score"), headers=deputy, timeout=10
    ).json()
    assert {x["kind"] for x in score["lines"]} == {"research", "suggestion"}
    assert score["score"] > 0
