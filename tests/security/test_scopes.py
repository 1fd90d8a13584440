"""Object-level checks (OWASP API1, BOLA): the right role is not enough, the object must be
in the caller's scope: its station, itself, its unit, its group's districts. An analyst
never sees free text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table

from minyi.contracts.envelope import RawEvent, new_event
from minyi.contracts.liaison import DeputyRegistered, ElectoralUnit, StationRegistered
from minyi.platform.auth import Principal, Role, bearer

from .conftest import Service
from .test_audit import started

SUGGESTION = {
    "title": "路灯不亮",
    "content": "东宝区龙泉街道人民路口的路灯坏了一个月。",
    "channel": "station",
    "district_code": "420802",
    "station_id": "ST-420802-01",
    "citizen": {"name": "王小明", "phone": "13812345678"},
}
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[Service]:
    for service in started("intake", tmp_path):
        register(service)
        yield service


def register(intake: Service) -> None:
    """Intake's replica of liaison's registry lists the station and the deputies named
    here, as once liaison's events arrived (intake refuses ids it does not list)."""
    consumer = next(c for c in intake.runtime.consumers if c.durable == "intake__registry")
    unit = ElectoralUnit(kind="division", division_code="420802")
    events = [
        StationRegistered(station_id="ST-420802-01", name="龙泉街道代表联络站", kind="station",
                          division_codes=["420802"], version=1, changed_at=NOW),
        *(DeputyRegistered(deputy_id=rep, name="代表", level="city", electoral_unit=unit,
                           version=1, changed_at=NOW)
          for rep in ("REP-420802-001", "REP-420802-002")),
    ]  # fmt: skip

    async def run() -> None:
        for data in events:
            event = new_event(data, source="minyi/liaison", subject="registry")
            async with intake.runtime.unit_of_work() as uow:
                await consumer.handle_once(RawEvent.model_validate(event.model_dump()), uow)

    assert intake.client.portal is not None
    intake.client.portal.call(run)


@pytest.fixture
def routing(tmp_path: Path) -> Iterator[Service]:
    yield from started("routing", tmp_path)


@pytest.fixture
def reporting(tmp_path: Path) -> Iterator[Service]:
    yield from started("reporting", tmp_path)


def insert(service: Service, table: Table, *rows: dict[str, Any]) -> None:
    async def run() -> None:
        async with service.runtime.engine.begin() as conn:
            await conn.execute(table.insert(), list(rows))

    assert service.client.portal is not None
    service.client.portal.call(run)


def test_station_staff_see_their_station_s_suggestions_only(intake: Service) -> None:
    filed = intake.client.post("/v1/suggestions", json=SUGGESTION).json()
    url = f"/v1/suggestions/{filed['id']}"
    own = intake.client.get(url, headers=intake.as_(Role.STATION_STAFF, station="ST-420802-01"))
    other = intake.client.get(url, headers=intake.as_(Role.STATION_STAFF, station="ST-X"))
    assert own.status_code == 200 and own.json()["citizen"]["phone"] == "138****5678"
    assert other.status_code == 404


def test_a_supervisor_sees_suggestions_of_its_districts_only(intake: Service) -> None:
    filed = intake.client.post("/v1/suggestions", json=SUGGESTION).json()
    url = f"/v1/suggestions/{filed['id']}"
    assert intake.client.get(url, headers=intake.as_(Role.SUPERVISOR)).status_code == 200
    # The token's districts decide (conftest gives every supervisor 420802).
    far = Principal(Role.SUPERVISOR, "sup:g2", group="g2", districts=frozenset({"420804"}))
    elsewhere = bearer(intake.keyring, far)
    assert intake.client.get(url, headers=elsewhere).status_code == 404


def test_staff_with_a_token_file_only_for_their_own_station(intake: Service) -> None:
    station = intake.as_(Role.STATION_STAFF, station="ST-OTHER")
    r = intake.client.post("/v1/suggestions", json=SUGGESTION, headers=station)
    assert r.status_code == 403 and r.json()["detail"][0]["type"] == "other_station"


def test_a_representative_acts_only_in_its_own_name(intake: Service) -> None:
    filed = intake.client.post("/v1/suggestions", json=SUGGESTION).json()
    rep = intake.as_(Role.REPRESENTATIVE, representative="REP-420802-001")
    as_other = intake.client.post(
        f"/v1/suggestions/{filed['id']}/endorsements",
        json={"representative_id": "REP-420802-002", "mode": "convert"},
        headers=rep,
    )
    # (Duties are recorded in liaison now: its tests refuse another deputy's record.)
    assert as_other.status_code == 403


def test_a_unit_reads_the_routing_decisions_that_assigned_to_it_only(routing: Service) -> None:
    tables = routing.runtime.outbox.metadata.tables
    insert(
        routing,
        tables["suggestions"],
        {
            "id": "s-1",
            "title": "t",
            "content": "c",
            "kind": "citizen_appeal",
            "district_code": "420802",
            "urgent": False,
            "filed_at": NOW,
        },
    )
    insert(
        routing,
        tables["assignments"],
        {
            "suggestion_id": "s-1",
            "attempt": 1,
            "status": "assigned",
            "unit_id": "db-zjj",
            "category": "城乡建设",
            "focus_area": "城市能级",
            "confidence": 0.9,
            "reason": "rule",
            "explanation": {},
            "returned_by": [],
            "decided_at": NOW,
        },
    )
    url = "/v1/assignments/s-1"
    assert routing.client.get(url, headers=routing.as_(Role.UNIT_STAFF)).status_code == 200
    other = routing.as_(Role.UNIT_STAFF, unit="dd-zjj")
    assert routing.client.get(url, headers=other).status_code == 404
    assert routing.client.get(url, headers=routing.as_(Role.SUPERVISOR)).status_code == 200


def test_an_analyst_sees_overdue_cases_and_exports_without_any_title(reporting: Service) -> None:
    tables = reporting.runtime.outbox.metadata.tables
    insert(
        reporting,
        tables["suggestions"],
        {
            "generation": 1,
            "suggestion_id": "s-1",
            "status": "assigned",
            "title": "王小明家门口的路灯坏了",
            "district_code": "420802",
            "unit_id": "db-zjj",
            "overdue_open": True,
            "filed_at": NOW,
        },
    )
    analyst = reporting.as_(Role.ANALYST)
    overdue = reporting.client.get("/v1/overdue", headers=analyst)
    export = reporting.client.get("/v1/export/suggestions.csv", headers=analyst)
    supervisor = reporting.client.get("/v1/overdue", headers=reporting.as_(Role.SUPERVISOR))
    assert overdue.status_code == export.status_code == 200
    assert [r["suggestion_id"] for r in overdue.json()] == ["s-1"]
    assert "王小明" not in overdue.text and "王小明" not in export.text
    assert "title" not in export.text.splitlines()[0]
    assert "王小明" in supervisor.text
    # Issue 22: an analyst opens a case's timeline from a drill-down, without its words.
    one = reporting.client.get("/v1/suggestions/s-1", headers=analyst)
    assert one.status_code == 200
    assert "王小明" not in one.text and "title" not in one.json()
