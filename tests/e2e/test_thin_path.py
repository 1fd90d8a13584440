"""A suggestion travels the whole path over real processes and a real nats-server."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from minyi.platform.auth import Principal, Role, local_bearer
from tests.support.bus import consumer_info, events_on
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

PHONE, NAME = "13812345678", "王小明"
SUGGESTION = {
    "title": "东宝区泉口街道路灯不亮",
    "content": "泉口街道金泉路一段的路灯已经坏了两周，晚上出行很不安全，希望尽快修复。",
    "district_code": "420802",
    "channel": "web",
    "citizen": {"name": NAME, "phone": PHONE},
}
REPLY = {
    "outcome": "A",
    "reply": "经现场核查，金泉路路灯线路老化，已于本周更换线路并恢复照明，感谢您的监督。",
}


def _status(system: System, sid: str, wanted: str) -> dict[str, object] | None:
    admin = local_bearer(system.data_dir, Principal(Role.ADMIN, "e2e"))
    r = httpx.get(system.url("reporting", f"/v1/suggestions/{sid}"), headers=admin, timeout=5)
    if r.status_code == 200 and r.json()["status"] == wanted:
        return dict(r.json())
    return None


def test_a_suggestion_is_filed_assigned_and_resolved_across_the_four_services(
    system_factory: type[System], store: str
) -> None:
    system = system_factory(store)
    system.start()

    r = httpx.post(system.url("intake", "/v1/suggestions"), json=SUGGESTION, timeout=10)
    assert r.status_code == 201, r.text
    sid, code = r.json()["id"], r.json()["tracking_code"]

    assigned = eventually(lambda: _status(system, sid, "assigned"), what="assignment in reporting")
    assert assigned["unit_name"] == "东宝区住建局"
    assert assigned["district_code"] == "420802"

    unit_id = str(assigned["unit_id"])
    unit = local_bearer(
        system.data_dir, Principal(Role.UNIT_STAFF, f"staff:{unit_id}", unit=unit_id)
    )
    eventually(
        lambda: (
            httpx.get(system.url("supervision", f"/v1/cases/{sid}"), headers=unit).status_code
            == 200
        ),
        what="case opened in supervision",
    )
    r = httpx.post(
        system.url("supervision", f"/v1/cases/{sid}/reply"), json=REPLY, headers=unit, timeout=10
    )
    assert r.status_code == 200, r.text

    resolved = eventually(lambda: _status(system, sid, "replied"), what="resolution in reporting")
    assert resolved["outcome"] == "A"
    types = [e["type"] for e in resolved["timeline"]]  # type: ignore[union-attr]
    assert types == [
        "cn.minyi.suggestion.filed.v1",
        "cn.minyi.suggestion.assigned.v1",
        "cn.minyi.suggestion.accepted.v1",
        "cn.minyi.suggestion.resolved.v1",
    ]

    analyst = local_bearer(system.data_dir, Principal(Role.ANALYST, "e2e"))
    stats = httpx.get(system.url("reporting", "/v1/stats"), headers=analyst, timeout=5).json()
    assert stats["by_status"] == {"replied": 1}
    assert stats["by_district"] == [
        {"district_code": "420802", "district_name": "东宝区", "count": 1}
    ]

    tracked = eventually(
        lambda: (
            (t := httpx.get(system.url("intake", f"/v1/track/{code}")).json())
            and t["status"] == "replied"
            and t
        ),
        what="citizen-facing status",
    )
    assert tracked["reply"] == REPLY["reply"]

    events = events_on(system.nats_url)
    assert Counter(e["type"] for e in events) == Counter(types)
    for e in events:
        assert e["specversion"] == "1.0" and e["subject"] == sid
        assert e["headers"]["Nats-Msg-Id"] == e["id"]
        assert PHONE not in e["raw"] and NAME not in e["raw"], "PII leaked into an event"

    # Intake follows the lifecycle only: the server never delivered it the filing.
    lifecycle = consumer_info(system.nats_url, "intake__lifecycle")
    assert lifecycle["delivered"] == len(types) - 1, lifecycle
    assert "minyi.suggestion.filed" not in lifecycle["filter_subjects"]


def test_bad_input_is_refused_with_the_field_and_the_rule(system_factory: type[System]) -> None:
    system = system_factory()
    system.start(["intake"])
    bad = {**SUGGESTION, "district_code": "999999"}
    r = httpx.post(system.url("intake", "/v1/suggestions"), json=bad, timeout=10)
    assert r.status_code == 422
    assert "district_code" in r.text and "unknown district_code" in r.text
