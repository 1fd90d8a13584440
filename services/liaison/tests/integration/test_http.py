"""Liaison over HTTP on a real SQLite store: find your deputy, reception days, bookings
with a waitlist, matters referred, the registry, and the refusals (4xx naming the field
and the rule)."""

from __future__ import annotations

from datetime import timedelta

from minyi.contracts.liaison import (
    BookingMade,
    BookingPromoted,
    DeputyEnded,
    DeputyRegistered,
    DeputyUpdated,
    MatterRecorded,
    MatterReferred,
    ReceptionCancelled,
    ReceptionHeld,
    ReceptionScheduled,
)
from minyi.liaison.service_layer import notices
from minyi.platform.auth import Role
from minyi.platform.notifier import LogNotifier

from .conftest import DEPUTIES, STATION, Liaison, problem

ADDRESS = "荆门市东宝区泉口街道金泉路12号"


async def test_an_address_finds_the_deputies_by_level_and_the_stations_with_their_next_reception(
    liaison: Liaison,
) -> None:
    scheduled = await liaison.schedule()
    async with liaison.client() as c:
        r = await c.get("/v1/lookup", params={"address": ADDRESS})
    assert r.status_code == 200
    body = r.json()
    assert body["place"]["label"] == "东宝区泉口街道"
    assert set(body["deputies"]) == {"national", "provincial", "city", "county", "township"}
    township_ids = {d["id"] for d in body["deputies"]["township"]}
    # The first is elected by the township; the second by 泉口社区 only.
    assert DEPUTIES[0] in township_ids and DEPUTIES[1] not in township_ids
    assert all({"id", "name", "level"} <= set(d) for g in body["deputies"].values() for d in g)
    by_id = {s["id"]: s for s in body["stations"]}
    assert by_id[STATION]["next_reception"]["id"] == scheduled["id"]
    assert {"id", "name", "kind"} <= set(by_id[STATION])
    # The city's online station serves every division; places to walk into come first.
    assert body["stations"][-1]["kind"] == "online_station"


async def test_a_community_adds_its_own_deputy_and_a_division_alone_asks_for_more(
    liaison: Liaison,
) -> None:
    async with liaison.client() as c:
        community = (await c.get("/v1/lookup", params={"community": "白云社区"})).json()
        township = (
            await c.get("/v1/lookup", params={"division": "420802", "township": "泉口街道"})
        ).json()
        division = (await c.get("/v1/lookup", params={"division": "东宝区"})).json()
    county_here = {d["id"] for d in community["deputies"]["county"]}
    assert county_here - {d["id"] for d in township["deputies"]["county"]}  # 白云社区's own
    assert division["deputies"]["township"] == [] and "乡镇街道" in division["hint"]


async def test_an_unknown_place_is_an_empty_answer_with_a_hint_never_an_error(
    liaison: Liaison,
) -> None:
    async with liaison.client() as c:
        for params in ({"address": "火星基地3号"}, {"division": "东宝区", "township": "白庙街道"}):
            r = await c.get("/v1/lookup", params=params)
            assert r.status_code == 200
            body = r.json()
            assert body["place"] is None and body["stations"] == []
            assert all(v == [] for v in body["deputies"].values()) and "地名" in body["hint"]


async def test_scheduling_is_refused_with_the_field_and_the_rule(liaison: Liaison) -> None:
    good = {
        "date": "2026-12-10",
        "start": "09:00",
        "end": "11:00",
        "place": "一楼",
        "deputy_ids": [DEPUTIES[0]],
        "capacity": 10,
    }
    async with liaison.staff() as c:
        r = await c.post(f"/v1/stations/{STATION}/receptions", json={**good, "date": "2026-11-20"})
        assert problem(r) == (422, "reception_in_past", ["date"])
        r = await c.post(f"/v1/stations/{STATION}/receptions", json={**good, "date": "2026-12-03"})
        assert problem(r) == (422, "notice_too_short", ["date"])
        assert "至少提前 3 天" in r.json()["detail"][0]["msg"]
        r = await c.post(f"/v1/stations/{STATION}/receptions", json={**good, "deputy_ids": ["X"]})
        assert problem(r) == (422, "unknown_deputy", ["deputy_ids"])
        r = await c.post("/v1/stations/ST-420804-01/receptions", json=good)
        assert problem(r) == (403, "outside_station_scope", ["station_id"])
    async with liaison.client(Role.ADMIN) as c:
        r = await c.post("/v1/stations/ST-NOPE/receptions", json=good)
        assert problem(r) == (404, "station_not_found", ["station_id"])
    async with liaison.client(Role.CITIZEN) as c:
        r = await c.post(f"/v1/stations/{STATION}/receptions", json=good)
        assert r.status_code == 403
    assert await liaison.events(ReceptionScheduled.event_type) == []


async def test_a_full_reception_waitlists_a_cancellation_promotes_and_no_contact_reaches_the_bus(
    liaison: Liaison,
) -> None:
    reception = await liaison.schedule(capacity=1)
    url = f"/v1/receptions/{reception['id']}/bookings"
    async with liaison.client() as c:
        r = await c.post(url, json={"name": "张三丰", "phone": "1381234567"})
        assert problem(r) == (422, "invalid_phone", ["phone"])
        first = (await c.post(url, json={"name": "张三丰", "phone": "13812345678"})).json()
        second = (await c.post(url, json={"name": "李秀兰", "phone": "+86 139-0000-1111"})).json()
        assert first["status"] == "confirmed" and second["status"] == "waitlisted"
        assert second["position"] == 1
        counts = (await c.get(f"/v1/receptions/{reception['id']}")).json()
        assert (counts["booked"], counts["waitlisted"]) == (1, 1)
        r = await c.post(f"/v1/bookings/{first['code']}/cancel")
        assert r.status_code == 200 and r.json()["promoted"] is True
        assert (await c.get(f"/v1/bookings/{second['code']}")).json()["status"] == "confirmed"
        assert (await c.get(f"/v1/bookings/{first['code']}")).json()["status"] == "cancelled"
        r = await c.get("/v1/bookings/YY-0000-0000-0")
        assert problem(r)[0] in (404, 422)
    async with liaison.staff() as c:
        detail = (await c.get(f"/v1/staff/receptions/{reception['id']}")).json()
    assert [b["name"] for b in detail["bookings"]] == ["李**"]
    assert detail["bookings"][0]["phone"] == "139****1111"
    assert len(await liaison.events(BookingMade.event_type)) == 2
    assert len(await liaison.events(BookingPromoted.event_type)) == 1
    outbox = await liaison.raw_outbox()
    for secret in ("13812345678", "13900001111", "张三丰", "李秀兰"):
        assert secret not in outbox


async def test_staff_record_matters_and_a_referred_one_gives_the_citizen_a_tracking_code(
    liaison: Liaison,
) -> None:
    reception = await liaison.schedule()
    async with liaison.client() as c:
        booked = (
            await c.post(
                f"/v1/receptions/{reception['id']}/bookings",
                json={"name": "王芳", "phone": "13712345678"},
            )
        ).json()
    matter = {
        "title": "金泉路路灯不亮",
        "content": "金泉路12号附近路灯坏了一个月，晚上出行不便。",
        "outcome": "referred",
        "deputy_id": DEPUTIES[0],
        "booking_code": booked["code"],
    }
    async with liaison.staff() as c:
        r = await c.post(f"/v1/receptions/{reception['id']}/matters", json=matter)
        assert problem(r) == (409, "reception_not_started", [])
        liaison.clock.advance(timedelta(days=5))
        referred = await c.post(f"/v1/receptions/{reception['id']}/matters", json=matter)
        answered = await c.post(
            f"/v1/receptions/{reception['id']}/matters",
            json={"title": "医保报销", "content": "门诊报销比例？", "outcome": "answered"},
        )
        assert problem(answered) == (422, "answer_required", ["answer"])
        answered = await c.post(
            f"/v1/receptions/{reception['id']}/matters",
            json={
                "title": "医保报销",
                "content": "门诊报销比例？",
                "outcome": "answered",
                "answer": "按市医保规定执行，已当场解释。",
            },
        )
        held = await c.post(f"/v1/receptions/{reception['id']}/held")
    assert referred.status_code == 201 and answered.status_code == 201 and held.status_code == 200
    tracking = referred.json()["tracking_code"]
    [event] = await liaison.events(MatterReferred.event_type)
    assert event["data"]["suggestion_id"] == referred.json()["suggestion_id"]
    assert (
        event["data"]["station_id"] == STATION and event["data"]["representative_id"] == DEPUTIES[0]
    )
    assert (
        event["data"]["citizen_ref"] and tracking.replace("-", "") not in await liaison.raw_outbox()
    )
    assert len(await liaison.events(MatterRecorded.event_type)) == 1
    assert len(await liaison.events(ReceptionHeld.event_type)) == 1
    async with liaison.client() as c:
        mine = (await c.get(f"/v1/bookings/{booked['code']}")).json()
    assert mine["matters"][0]["tracking_code"] == tracking


async def test_a_referred_matter_carries_the_citizens_consent_to_publish_default_no(
    liaison: Liaison,
) -> None:
    reception = await liaison.schedule()
    liaison.clock.advance(timedelta(days=5))
    matter = {"title": "路灯不亮", "content": "金泉路路灯坏了一个月。", "outcome": "referred"}
    async with liaison.staff() as c:
        silent = await c.post(f"/v1/receptions/{reception['id']}/matters", json=matter)
        agreed = await c.post(
            f"/v1/receptions/{reception['id']}/matters",
            json=matter | {"title": "垃圾清运", "publish_consent": True},
        )
        bad = await c.post(
            f"/v1/receptions/{reception['id']}/matters", json=matter | {"publish_consent": "也许"}
        )
    assert silent.status_code == 201 and agreed.status_code == 201
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "publish_consent"
    consent = {
        e["data"]["suggestion_id"]: e["data"]["publish_consent"]
        for e in await liaison.events(MatterReferred.event_type)
    }
    assert consent == {silent.json()["suggestion_id"]: False, agreed.json()["suggestion_id"]: True}


async def test_the_day_before_a_reminder_goes_out_with_the_phone_only_to_the_notifier(
    liaison: Liaison,
) -> None:
    reception = await liaison.schedule(days_ahead=4)
    async with liaison.client() as c:
        await c.post(
            f"/v1/receptions/{reception['id']}/bookings",
            json={"name": "赵六", "phone": "13612345678"},
        )
    notifier = LogNotifier()
    deps = liaison.h.runtime.deps

    async def tick() -> bool:
        return await notices.send_due(
            liaison.h.runtime.unit_of_work, notifier, deps.vault, batch=10, max_attempts=3
        )

    assert await tick() is False and notifier.sent == []
    liaison.clock.advance(timedelta(days=3))  # 10:00 the day before
    await tick()
    assert len(notifier.sent) == 1
    phone, message = notifier.sent[0]
    assert phone == "136****5678" and "提醒" in message and reception["place"] in message
    await tick()
    assert len(notifier.sent) == 1  # sent once


async def test_a_claimed_notice_is_not_sent_by_a_second_replica_until_its_claim_lapses(
    liaison: Liaison,
) -> None:
    reception = await liaison.schedule(days_ahead=4)
    async with liaison.client() as c:
        await c.post(
            f"/v1/receptions/{reception['id']}/bookings",
            json={"name": "孙八", "phone": "13412345678"},
        )
    liaison.clock.advance(timedelta(days=3))

    async def claim() -> list[int]:
        async with liaison.h.runtime.unit_of_work() as uow:
            now = uow.now()
            due = await uow.bookings.claim_due_notices(now, 10, now + notices.CLAIM)
        return [d.id for d in due]

    first = await claim()
    assert len(first) == 1
    assert await claim() == []  # the other replica's poller finds it taken
    liaison.clock.advance(notices.CLAIM + timedelta(seconds=1))
    assert await claim() == first  # the claimer died without sending: it comes back


async def test_cancelling_a_reception_cancels_its_bookings_and_tells_the_citizens(
    liaison: Liaison,
) -> None:
    reception = await liaison.schedule()
    async with liaison.client() as c:
        booked = (
            await c.post(
                f"/v1/receptions/{reception['id']}/bookings",
                json={"name": "钱七", "phone": "13512345678"},
            )
        ).json()
    async with liaison.staff() as c:
        r = await c.post(f"/v1/receptions/{reception['id']}/cancel", json={"reason": "防汛值班"})
        assert r.status_code == 200
        r = await c.post(f"/v1/receptions/{reception['id']}/cancel", json={"reason": "再次"})
        assert problem(r)[:2] == (409, "reception_not_scheduled")
    async with liaison.client() as c:
        assert (await c.get(f"/v1/bookings/{booked['code']}")).json()["status"] == "cancelled"
    assert len(await liaison.events(ReceptionCancelled.event_type)) == 1


async def test_public_lists_the_calendar_feed_and_the_qr_codes(liaison: Liaison) -> None:
    reception = await liaison.schedule()
    async with liaison.client() as c:
        by_station = (await c.get(f"/v1/stations/{STATION}/receptions")).json()
        by_division = (await c.get("/v1/receptions", params={"division": "420802"})).json()
        assert [x["id"] for x in by_station] == [reception["id"]] == [x["id"] for x in by_division]
        assert (await c.get("/v1/receptions", params={"division": "420804"})).json() == []
        ics = await c.get(f"/v1/stations/{STATION}/receptions.ics")
        assert ics.headers["content-type"].startswith("text/calendar")
        assert "BEGIN:VEVENT" in ics.text and "DTSTART" in ics.text and "老旧小区改造" in ics.text
        png = await c.get(f"/v1/stations/{STATION}/qr.png")
        assert png.content.startswith(b"\x89PNG")
        svg = await c.get(f"/v1/deputies/{DEPUTIES[0]}/qr.svg")
        assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
        assert problem(await c.get("/v1/deputies/REP-NOPE/qr.png"))[:2] == (404, "deputy_not_found")
        page = (await c.get(f"/v1/deputies/{DEPUTIES[0]}")).json()
        assert page["upcoming_receptions"][0]["id"] == reception["id"]
        assert page["page_url"].endswith(f"/deputies/{DEPUTIES[0]}")
        html = await c.get(f"/stations/{STATION}")
        assert "default-src 'self'" in html.headers["content-security-policy"]


async def test_the_admin_registers_updates_and_ends_a_deputy_each_an_event(
    liaison: Liaison,
) -> None:
    body = {
        "id": "REP-NEW-1",
        "name": "周新",
        "level": "county",
        "division": "东宝区",
        "township": "泉口",
        "station_ids": [STATION],
    }
    async with liaison.staff() as c:
        assert (await c.post("/v1/deputies", json=body)).status_code == 403
    async with liaison.client(Role.ADMIN) as c:
        assert (await c.post("/v1/deputies", json=body)).status_code == 201
        assert problem(await c.post("/v1/deputies", json=body))[:2] == (409, "already_exists")
        r = await c.post("/v1/deputies", json={**body, "id": "REP-NEW-2", "township": "白庙街道"})
        assert problem(r) == (422, "invalid_record", ["township"])
        update = {k: v for k, v in body.items() if k != "id"} | {"occupation": "教师"}
        assert (await c.put("/v1/deputies/REP-NEW-1", json=update)).json()["updated"] == 1
        assert (await c.post("/v1/deputies/REP-NEW-1/end", json={})).json()["ended"] == 1
        station = {"name": "新站", "kind": "contact_point", "division_codes": ["掇刀区"]}
        assert (await c.post("/v1/stations", json={**station, "id": "ST-NEW"})).status_code == 201
    assert len(await liaison.events(DeputyRegistered.event_type)) >= 1
    assert [e["data"]["occupation"] for e in await liaison.events(DeputyUpdated.event_type)] == [
        "教师"
    ]
    assert len(await liaison.events(DeputyEnded.event_type)) == 1
    async with liaison.client() as c:
        found = (await c.get("/v1/lookup", params={"division": "掇刀区"})).json()
    assert "ST-NEW" in {s["id"] for s in found["stations"]}


async def test_bookings_are_rate_limited_per_client(liaison: Liaison) -> None:
    from minyi.platform.ratelimit import TokenBuckets

    liaison.h.runtime.rate_limits["liaison_public"] = TokenBuckets(1, 2)
    async with liaison.client() as c:
        statuses = [(await c.get("/v1/bookings/YY-0000-0000-0")).status_code for _ in range(4)]
    assert statuses[-1] == 429
