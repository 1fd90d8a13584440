"""REST v1: filing with Idempotency-Key, endorsements, tracking, feedback (duties moved to
liaison)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from minyi.contracts.routing import AssignedToUnit, AssignmentExplanation
from minyi.contracts.supervision import Resolved
from minyi.platform.auth import Role
from services.intake.tests.integration.conftest import Api

PHONE, NAME = "13812345678", "王小明"
SUGGESTION: dict[str, Any] = {
    "title": "东宝区泉口街道路灯不亮",
    "content": "泉口街道金泉路一段的路灯已经坏了两周，晚上出行很不安全。",
    "district_code": "420802",
    "channel": "web",
    "citizen": {"name": NAME, "phone": PHONE},
}
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def file(
    api: Api, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    r = await api.client.post("/v1/suggestions", json=body or SUGGESTION, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def reply(api: Api, sid: str, round_: int = 1) -> None:
    await api.deliver(
        Resolved(
            suggestion_id=sid,
            unit_id="u1",
            outcome="A",
            reply="已修复路灯，感谢监督。",
            replied_at=NOW,
            on_time=True,
            round=round_,
        ),
        subject=sid,
    )


async def assign(api: Api, sid: str) -> None:
    """Routing's assignment to 东宝区住建局."""
    await api.deliver(
        AssignedToUnit(
            suggestion_id=sid,
            unit_id="u1",
            unit_name="东宝区住建局",
            category="城乡建设",
            focus_area="城市能级",
            district_code="420802",
            explanation=AssignmentExplanation(reason="rule"),
            assigned_at=NOW,
        ),
        subject=sid,
    )


async def test_the_same_idempotency_key_and_body_gets_the_same_answer(api: Api) -> None:
    first = await api.client.post(
        "/v1/suggestions", json=SUGGESTION, headers={"Idempotency-Key": "k-1"}
    )
    again = await api.client.post(
        "/v1/suggestions", json=SUGGESTION, headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len([e for e in await api.outbox() if e["type"].endswith("filed.v1")]) == 1


async def test_an_idempotency_key_reused_with_another_body_is_a_conflict(api: Api) -> None:
    await file(api, headers={"Idempotency-Key": "k-2"})
    other = {**SUGGESTION, "title": "另一个问题：掇刀区噪音扰民", "district_code": "420804"}
    r = await api.client.post("/v1/suggestions", json=other, headers={"Idempotency-Key": "k-2"})
    assert r.status_code == 409
    [problem] = r.json()["detail"]
    assert problem["type"] == "idempotency_key_reused" and problem["loc"] == ["Idempotency-Key"]


async def test_station_and_representative_ids_are_checked_against_the_registry_replica(
    api: Api,
) -> None:
    good = {
        **SUGGESTION,
        "channel": "station",
        "station_id": "ST-420802-04",
        "kind": "representative_suggestion",
        "representative_id": "REP-420802-001",
    }
    # Before liaison's events arrive, the ids are unknown: refused, naming the field.
    r = await api.client.post("/v1/suggestions", json=good)
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "unknown_representative"
    await api.register()
    bad = {**SUGGESTION, "channel": "station", "station_id": "ST-NOPE"}
    r = await api.client.post("/v1/suggestions", json=bad)
    assert r.status_code == 422 and "station_id" in r.text
    missing = {**SUGGESTION, "kind": "representative_suggestion"}
    r = await api.client.post("/v1/suggestions", json=missing)
    assert r.status_code == 422 and "representative_id is required" in r.text
    filed = await file(api, good)
    event = (await api.outbox())[-1]
    assert event["data"]["station_id"] == "ST-420802-04"
    assert (
        event["nats_subject"] == "minyi.suggestion.filed"
        and event["data"]["suggestion_id"] == filed["id"]
    )


async def test_staff_see_the_suggestion_with_masked_contact(api: Api) -> None:
    filed = await file(api)
    r = await api.client.get(f"/v1/suggestions/{filed['id']}", headers=api.as_())
    assert r.status_code == 200
    assert r.json()["citizen"] == {"name": "王**", "phone": "138****5678"}
    assert PHONE not in r.text and NAME not in r.text


async def test_tracking_never_shows_contact_data(api: Api) -> None:
    filed = await file(api)
    r = await api.client.get(f"/v1/track/{filed['tracking_code']}")
    assert r.status_code == 200 and r.json()["status"] == "filed"
    assert PHONE not in r.text and "王" not in r.text.replace(SUGGESTION["title"], "")


async def test_feedback_is_refused_before_a_reply(api: Api) -> None:
    filed = await file(api)
    r = await api.client.post(
        f"/v1/track/{filed['tracking_code']}/feedback", json={"satisfied": True, "score": 5}
    )
    assert r.status_code == 409
    [problem] = r.json()["detail"]
    assert problem["type"] == "not_replied" and "尚未答复" in problem["msg"]


async def test_feedback_after_a_reply_emits_feedback_received_once_per_round(api: Api) -> None:
    filed = await file(api)
    await reply(api, filed["id"])
    url = f"/v1/track/{filed['tracking_code']}/feedback"
    r = await api.client.post(url, json={"satisfied": False, "score": 2, "comment": "灯还是不亮"})
    assert r.status_code == 201, r.text
    again = await api.client.post(url, json={"satisfied": True})
    assert again.status_code == 409
    events = [
        e for e in await api.outbox() if e["type"] == "cn.minyi.suggestion.feedback_received.v1"
    ]
    assert len(events) == 1
    assert events[0]["nats_subject"] == "minyi.suggestion.feedback_received"
    assert events[0]["data"] == {
        "suggestion_id": filed["id"],
        "satisfied": False,
        "score": 2,
        "comment": "灯还是不亮",
        "round": 1,
        "received_at": events[0]["data"]["received_at"],
    }


async def test_a_reopened_case_can_be_rated_again_after_its_second_reply(api: Api) -> None:
    filed = await file(api)
    sid, url = filed["id"], f"/v1/track/{filed['tracking_code']}/feedback"
    await reply(api, sid)
    assert (await api.client.post(url, json={"satisfied": False})).status_code == 201
    reopened = {
        "specversion": "1.0",
        "id": "reopen-1",
        "source": "minyi/supervision",
        "type": "cn.minyi.suggestion.reopened.v1",
        "subject": sid,
        "time": "2026-03-02T09:00:00+00:00",
        "data": {"suggestion_id": sid, "round": 2, "unexpected": "ignored"},
    }
    await api.deliver_raw(reopened, "minyi.suggestion.reopened")
    tracked = (await api.client.get(f"/v1/track/{filed['tracking_code']}")).json()
    assert tracked["status"] == "reopened" and tracked["status_label"] == "重新办理中"
    await reply(api, sid, round_=2)
    r = await api.client.post(url, json={"satisfied": True, "score": 4})
    assert r.status_code == 201 and r.json()["round"] == 2


async def test_a_closed_case_stays_closed_when_a_late_event_arrives(api: Api) -> None:
    filed = await file(api)
    sid = filed["id"]
    closed = {
        "specversion": "1.0",
        "id": "close-1",
        "source": "minyi/supervision",
        "type": "cn.minyi.suggestion.closed.v1",
        "subject": sid,
        "time": "2026-03-05T09:00:00+00:00",
        "data": {"suggestion_id": sid, "result": "satisfied"},
    }
    await api.deliver_raw(closed, "minyi.suggestion.closed")
    await assign(api, sid)
    tracked = (await api.client.get(f"/v1/track/{filed['tracking_code']}")).json()
    assert tracked["status"] == "closed" and tracked["unit_name"] == "东宝区住建局"


async def test_a_representative_endorses_a_suggestion_once_per_mode(api: Api) -> None:
    await api.register()
    filed = await file(api)
    url = f"/v1/suggestions/{filed['id']}/endorsements"
    body = {"representative_id": "REP-420802-001", "mode": "convert", "note": "转为代表建议"}
    rep = api.as_(Role.REPRESENTATIVE, representative="REP-420802-001")
    assert (await api.client.post(url, json=body, headers=rep)).status_code == 201
    assert (await api.client.post(url, json=body, headers=rep)).status_code == 409
    unknown = await api.client.post(
        url, json={**body, "representative_id": "REP-X"}, headers=api.as_()
    )
    assert unknown.status_code == 422 and "representative_id" in unknown.text
    missing = await api.client.post("/v1/suggestions/nope/endorsements", json=body, headers=rep)
    assert missing.status_code == 404
    events = [e for e in await api.outbox() if e["type"] == "cn.minyi.suggestion.endorsed.v1"]
    assert [e["data"]["mode"] for e in events] == ["convert"]
    assert events[0]["nats_subject"] == "minyi.suggestion.endorsed"


async def test_duties_are_no_longer_logged_in_intake_but_in_liaison(api: Api) -> None:
    await api.register()
    body = {"kind": "visit", "date": "2026-03-01", "participants": 2}
    rep = api.as_(Role.REPRESENTATIVE, representative="REP-420802-001")
    r = await api.client.post(
        "/v1/representatives/REP-420802-001/activities", json=body, headers=rep
    )
    assert r.status_code == 404
    assert not [e for e in await api.outbox() if "activity" in e["type"]]
