"""Liaison's use cases on a unit of work without a database (fakes.py): what they store,
emit and refuse."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.liaison import (
    BookingCancelled,
    BookingMade,
    BookingPromoted,
    DeputyEnded,
    DeputyRegistered,
    DeputyUpdated,
    MatterReferred,
    ReceptionScheduled,
)
from minyi.liaison.domain.reception import ReceptionPlan
from minyi.liaison.domain.registry import Deputy, ElectoralUnit, Station
from minyi.liaison.service_layer import bookings, matters, receptions, registry
from minyi.liaison.service_layer.ports import Actor
from minyi.platform.errors import Conflict, Forbidden, Invalid

from .fakes import FakeUnitOfWork, FakeVault
from .test_rules import POLICY

ROOT = Path(__file__).resolve().parents[4]
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
STAFF = Actor("staff:1", station="ST-1")
STATION = Station("ST-1", "泉口街道代表联络站", "station", ("420802",), ("泉口街道",))
DEPUTY = Deputy("REP-1", "张明", "city", ElectoralUnit("420802"), ("ST-1",))


@pytest.fixture(scope="module")
def places() -> Gazetteer:
    divisions: list[dict[str, Any]] = json.loads(
        (ROOT / "shared/src/minyi/contracts/reference/divisions.json").read_text(encoding="utf-8")
    )["divisions"]
    return Gazetteer.from_divisions(divisions)


@pytest.fixture
async def uow(places: Gazetteer) -> FakeUnitOfWork:
    fake = FakeUnitOfWork(NOW)
    await registry.save_stations(fake, [STATION], places)
    await registry.save_deputies(fake, [DEPUTY])
    fake.events.clear()
    return fake


async def scheduled(uow: FakeUnitOfWork, capacity: int = 1) -> str:
    plan = ReceptionPlan(
        "ST-1", date(2026, 12, 10), time(9), time(11), "一楼", ("REP-1",), capacity
    )
    return str((await receptions.schedule(uow, STAFF, plan, POLICY))["id"])


async def test_the_same_roster_again_changes_nothing_and_a_change_is_one_event(
    uow: FakeUnitOfWork,
) -> None:
    again = await registry.save_deputies(uow, [DEPUTY])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1) and uow.events == []
    moved = await registry.save_deputies(
        uow, [Deputy("REP-1", "张明", "city", ElectoralUnit("420804"))]
    )
    assert moved.updated == 1
    [event] = uow.emitted(DeputyUpdated)
    assert event.version == 2 and event.electoral_unit.division_code == "420804"


async def test_registering_and_ending_deputies_emit_their_events(
    uow: FakeUnitOfWork, places: Gazetteer
) -> None:
    new = Deputy("REP-2", "李华", "township", ElectoralUnit("东宝区", "泉口"), ("ST-1",))
    await registry.put_deputy(uow, new, places, "new")
    [registered] = uow.emitted(DeputyRegistered)
    assert (
        registered.electoral_unit.township == "泉口街道"
        and registered.electoral_unit.kind == "township"
    )
    with pytest.raises(Conflict):
        await registry.put_deputy(uow, new, places, "new")
    await registry.end_deputy(uow, "REP-2", date(2026, 11, 30), "辞职")
    [ended] = uow.emitted(DeputyEnded)
    assert ended.deputy_id == "REP-2" and ended.ended_on == date(2026, 11, 30)


async def test_a_deputy_breaking_a_rule_is_refused_naming_the_field(
    uow: FakeUnitOfWork, places: Gazetteer
) -> None:
    bad = Deputy("REP-3", "王五", "city", ElectoralUnit("420802"), ("ST-NOPE",))
    with pytest.raises(Invalid) as caught:
        await registry.put_deputy(uow, bad, places, "new")
    assert caught.value.field == "stations"


async def test_staff_schedule_only_their_own_station(uow: FakeUnitOfWork) -> None:
    await scheduled(uow)
    [event] = uow.emitted(ReceptionScheduled)
    assert event.district_codes == ["420802"] and event.deputy_ids == ["REP-1"]
    other = Actor("staff:2", station="ST-2")
    plan = ReceptionPlan("ST-1", date(2026, 12, 10), time(9), time(11), "一楼", ("REP-1",), 5)
    with pytest.raises(Forbidden):
        await receptions.schedule(uow, other, plan, POLICY)


async def test_a_full_reception_waitlists_and_a_cancellation_promotes_the_first_waiting(
    uow: FakeUnitOfWork,
) -> None:
    reception_id = await scheduled(uow, capacity=1)
    vault: Any = FakeVault()
    first = await bookings.book(uow, reception_id, "张三", "13800000001", vault, POLICY)
    second = await bookings.book(uow, reception_id, "李四", "13800000002", vault, POLICY)
    third = await bookings.book(uow, reception_id, "王五", "13800000003", vault, POLICY)
    assert first["status"] == "confirmed"
    assert (second["status"], second["position"]) == ("waitlisted", 1)
    assert (third["status"], third["position"]) == ("waitlisted", 2)
    made = uow.emitted(BookingMade)
    assert [m.status for m in made] == ["confirmed", "waitlisted", "waitlisted"]
    assert all(m.citizen_ref and "1380000" not in m.model_dump_json() for m in made)

    cancelled = await bookings.cancel(uow, first["code"], POLICY)
    assert cancelled["promoted"] is True
    [promoted] = uow.emitted(BookingPromoted)
    lucky = uow.bookings.rows[promoted.booking_id]
    assert lucky.status == "confirmed" and uow.contact(lucky)["name"] == "李四"
    assert uow.emitted(BookingCancelled)[0].was == "confirmed"
    status = await bookings.status_of(uow, third["code"], POLICY)
    assert (status["status"], status["position"]) == ("waitlisted", 1)
    kinds = [n["kind"] for n in uow.bookings.notices]
    assert "promoted" in kinds and "reminder" in kinds


async def test_one_phone_books_one_place_per_reception(uow: FakeUnitOfWork) -> None:
    reception_id = await scheduled(uow, capacity=5)
    vault: Any = FakeVault()
    await bookings.book(uow, reception_id, "张三", "13800000001", vault, POLICY)
    with pytest.raises(Conflict) as caught:
        await bookings.book(uow, reception_id, "张三", "138 0000 0001", vault, POLICY)
    assert caught.value.field == "phone"


async def test_a_referred_matter_carries_a_suggestion_id_and_only_the_codes_hash(
    uow: FakeUnitOfWork,
) -> None:
    reception_id = await scheduled(uow, capacity=5)
    vault: Any = FakeVault()
    booked = await bookings.book(uow, reception_id, "张三", "13800000001", vault, POLICY)
    uow.clock = datetime(2026, 12, 10, 2, tzinfo=UTC)
    matter = matters.Matter(
        "路灯不亮", "金泉路路灯坏了一个月", "referred", None, "REP-1", booked["code"]
    )
    made = await matters.record(uow, STAFF, reception_id, matter, POLICY)
    [event] = uow.emitted(MatterReferred)
    assert event.suggestion_id == made["suggestion_id"] and event.channel == "station"
    assert event.representative_id == "REP-1" and event.citizen_ref == "ref-10000000831"
    assert made["tracking_code"].replace("-", "") not in event.model_dump_json()
    assert any(
        n["kind"] == "referred" and made["tracking_code"] in n["message"]
        for n in uow.bookings.notices
    )


async def test_an_answered_matter_needs_its_answer_and_no_matter_before_the_day(
    uow: FakeUnitOfWork,
) -> None:
    reception_id = await scheduled(uow)
    early = matters.Matter("噪音", "夜间施工", "answered", "已协调停工")
    with pytest.raises(Conflict):
        await matters.record(uow, STAFF, reception_id, early, POLICY)
    uow.clock += timedelta(days=9)
    with pytest.raises(Invalid) as caught:
        await matters.record(
            uow, STAFF, reception_id, matters.Matter("噪音", "夜间施工", "answered"), POLICY
        )
    assert caught.value.field == "answer"
