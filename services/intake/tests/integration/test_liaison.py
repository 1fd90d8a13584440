"""Intake's side of liaison, on a real SQLite store with the TestNatsBroker: the registry
replica (newest version wins, in any order), the ids filings and duties may name, matters
referred at a reception (filed once, followed by the station's tracking code) and 找代表."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from minyi.contracts import tracking_code
from minyi.contracts.liaison import (
    DeputyEnded,
    DeputyUpdated,
    MatterReferred,
    StationEnded,
)
from minyi.contracts.status import label
from minyi.platform.auth import Role
from services.intake.tests.integration.conftest import Api
from services.intake.tests.integration.registry import CHANGED_AT, deputy
from services.intake.tests.integration.test_chat import answer, send
from services.intake.tests.integration.test_rest import SUGGESTION, file, reply

LATER = CHANGED_AT + timedelta(days=30)


def referred(code: str, **changes: Any) -> MatterReferred:
    fields: dict[str, Any] = {
        "matter_id": str(uuid.uuid4()),
        "suggestion_id": str(uuid.uuid4()),
        "reception_id": str(uuid.uuid4()),
        "station_id": "ST-420802-05",
        "district_code": "420802",
        "township": "泉口街道",
        "representative_id": "REP-420802-007",
        "title": "金泉路路灯不亮",
        "content": "金泉路一段路灯坏了两周，晚上出行不安全，希望尽快修复。",
        "citizen_ref": "c" * 64,
        "tracking_code_sha256": tracking_code.digest(code),
        "referred_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    }
    return MatterReferred(**(fields | changes))


async def _names(api: Api, path: str) -> dict[str, str]:
    return {r["id"]: r["name"] for r in (await api.client.get(path)).json()}


async def test_the_newest_version_of_a_deputy_wins_whatever_the_order(api: Api) -> None:
    newer = DeputyUpdated(
        **deputy("REP-1", "王建国", "city", version=3, changed_at=LATER).model_dump()
        | {"name": "王建国（更新）"}
    )
    await api.deliver(newer, "REP-1")
    await api.deliver(deputy("REP-1", "王建国", "city", version=1), "REP-1")  # late, stale
    assert await _names(api, "/v1/reference/representatives") == {"REP-1": "王建国（更新）"}
    ended = DeputyEnded(deputy_id="REP-1", ended_on=date(2026, 3, 1), version=4, changed_at=LATER)
    await api.deliver(ended, "REP-1")
    assert await _names(api, "/v1/reference/representatives") == {}


async def test_an_end_heard_before_the_record_keeps_the_deputy_ended(api: Api) -> None:
    ended = DeputyEnded(deputy_id="REP-2", ended_on=date(2026, 3, 1), version=2, changed_at=LATER)
    await api.deliver(ended, "REP-2")
    await api.deliver(deputy("REP-2", "李秀英", "county", "龙泉街道", version=1), "REP-2")
    assert await _names(api, "/v1/reference/representatives") == {}
    # Registered again later (a new term): the higher version lists the deputy again.
    await api.deliver(deputy("REP-2", "李秀英", "county", "龙泉街道", version=5), "REP-2")
    rows = (await api.client.get("/v1/reference/representatives")).json()
    assert rows == [
        {"id": "REP-2", "name": "李秀英", "level": "county", "district_code": "420802",
         "township": "龙泉街道", "community": None}
    ]  # fmt: skip


async def test_an_ended_station_is_no_longer_listed_nor_accepted_in_a_filing(api: Api) -> None:
    await api.register()
    listed = await _names(api, "/v1/reference/stations")
    assert listed["ST-420802-04"] == "东宝区马河镇民情观察点"
    ended = StationEnded(
        station_id="ST-420802-04", ended_on=date(2026, 3, 1), version=2, changed_at=LATER
    )
    await api.deliver(ended, "ST-420802-04")
    assert "ST-420802-04" not in await _names(api, "/v1/reference/stations")
    body = {**SUGGESTION, "channel": "station", "station_id": "ST-420802-04"}
    r = await api.client.post("/v1/suggestions", json=body)
    assert r.status_code == 422
    [problem] = r.json()["detail"]
    assert (problem["type"], problem["loc"]) == ("unknown_station", ["station_id"])


async def test_a_deputy_no_longer_serving_cannot_endorse(api: Api) -> None:
    await api.register()
    filed = await file(api)
    ended = DeputyEnded(
        deputy_id="REP-420802-001", ended_on=date(2026, 3, 1), version=2, changed_at=LATER
    )
    await api.deliver(ended, "REP-420802-001")
    body = {"representative_id": "REP-420802-001", "mode": "endorse"}
    r = await api.client.post(
        f"/v1/suggestions/{filed['id']}/endorsements", json=body, headers=api.as_()
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["representative_id"]


async def test_a_referred_matter_is_filed_once_and_announced_without_contact(api: Api) -> None:
    code = tracking_code.new_tracking_code()
    matter = referred(code)
    await api.deliver(matter, matter.suggestion_id)
    await api.deliver(matter, matter.suggestion_id)  # republished: a new event id
    filed = [e for e in await api.outbox() if e["type"] == "cn.minyi.suggestion.filed.v1"]
    assert len(filed) == 1 and filed[0]["subject"] == matter.suggestion_id
    data = filed[0]["data"]
    assert (data["channel"], data["station_id"], data["representative_id"]) == (
        "station",
        "ST-420802-05",
        "REP-420802-007",
    )
    assert data["citizen_ref"] == "c" * 64 and data["kind"] == "citizen_appeal"
    assert code.replace("-", "") not in filed[0]["raw"]  # only liaison and the citizen know it
    staff = await api.client.get(f"/v1/suggestions/{matter.suggestion_id}", headers=api.as_())
    view = staff.json()
    assert view["channel"] == "station" and view["citizen"] == {"name": None, "phone": None}
    assert "tracking_code_sha256" not in view and "tracking_code" not in view


async def test_the_citizen_follows_a_referred_matter_with_the_stations_code(api: Api) -> None:
    code = tracking_code.new_tracking_code()
    matter = referred(code)
    await api.deliver(matter, matter.suggestion_id)
    typed = code.lower().replace("-", " ")  # as read aloud and typed on a phone
    tracked = (await api.client.get(f"/v1/track/{typed}")).json()
    assert tracked["tracking_code"] == code and tracked["title"] == "金泉路路灯不亮"
    assert tracked["status"] == "filed"
    await reply(api, matter.suggestion_id)
    bot = answer(await send(api, f"查询 {code}", "m-track"))
    assert f"当前状态：{label('replied')}" in bot["reply"] and "金泉路路灯不亮" in bot["reply"]
    r = await api.client.post(f"/v1/track/{code}/feedback", json={"satisfied": True, "score": 5})
    assert r.status_code == 201 and r.json()["round"] == 1
    async with api.runtime.unit_of_work() as uow:  # no phone here: liaison tells its citizen
        assert (
            await uow.notifications.claim_due(
                api.runtime.clock.now() + timedelta(days=1), limit=10, lease_until=LATER
            )
            == []
        )


async def test_a_web_resubmission_never_answers_with_a_referred_matter(api: Api) -> None:
    """The station's code is the station's to give: the same citizen typing the same words
    on the web gets a suggestion (and a code) of their own."""
    await api.register()
    matter = referred(tracking_code.new_tracking_code(), citizen_ref=None)
    await api.deliver(matter, matter.suggestion_id)
    first = await file(api)
    assert first["id"] != matter.suggestion_id


async def test_a_place_lookup_lists_deputies_by_level_and_the_stations_serving_it(
    api: Api,
) -> None:
    await api.register()
    found = (
        await api.client.get(
            "/v1/places/lookup", params={"address": "荆门市东宝区泉口街道白云社区3栋"}
        )
    ).json()
    assert found["place"]["label"] == "东宝区泉口街道白云社区"
    ids = {level: [d["id"] for d in people] for level, people in found["deputies"].items()}
    assert ids == {
        "national": ["REP-420802-003"],
        "provincial": [],
        "city": ["REP-420802-001"],
        "county": ["REP-420802-006", "REP-420802-007"],
        "township": ["REP-420802-009"],
    }
    stations = [s["id"] for s in found["stations"]]
    assert stations == ["ST-420802-05", "ST-420802-02"]  # online stations last
    assert found["stations"][0]["booking_url"] == "http://127.0.0.1:8005/stations/ST-420802-05"
    assert found["deputies"]["city"][0]["page_url"].endswith("/deputies/REP-420802-001")


async def test_a_picked_place_resolves_the_same_way_and_an_unknown_one_gets_a_hint(
    api: Api,
) -> None:
    await api.register()
    picked = (
        await api.client.get(
            "/v1/places/lookup", params={"division": "420802", "township": "龙泉街道"}
        )
    ).json()
    assert [s["id"] for s in picked["stations"]] == [
        "ST-420802-01",
        "ST-420802-06",
        "ST-420802-02",
    ]
    assert [d["id"] for d in picked["deputies"]["county"]] == ["REP-420802-002"]
    unknown = await api.client.get("/v1/places/lookup", params={"address": "火星基地"})
    assert unknown.status_code == 200
    assert unknown.json()["place"] is None and "没有识别出地名" in unknown.json()["hint"]
    whole = (await api.client.get("/v1/places/lookup", params={"division": "东宝区"})).json()
    assert "乡镇街道" in whole["hint"] and len(whole["stations"]) == 5


async def test_the_pick_lists_carry_the_communities_the_registry_names(api: Api) -> None:
    assert all(
        t["communities"] == []
        for d in (await api.client.get("/v1/places")).json()
        for t in d["townships"]
    )
    await api.register()
    tree = {d["code"]: d for d in (await api.client.get("/v1/places")).json()}
    towns = {t["name"]: t["communities"] for t in tree["420802"]["townships"]}
    assert towns["泉口街道"] == ["月亮湖社区", "泉口社区", "白云社区"]
    assert towns["龙泉街道"] == ["中天社区"] and towns["马河镇"] == []


async def test_a_citizen_files_to_a_deputy_found_on_the_page(api: Api) -> None:
    await api.register()
    body = {**SUGGESTION, "representative_id": "REP-420802-007", "township": "泉口街道"}
    filed = await file(api, body)
    event = next(e for e in await api.outbox() if e["subject"] == filed["id"])
    assert event["data"]["representative_id"] == "REP-420802-007"
    rep = api.as_(Role.REPRESENTATIVE, representative="REP-420802-007")
    assert (await api.client.get(f"/v1/suggestions/{filed['id']}", headers=rep)).status_code == 200
