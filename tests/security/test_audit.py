"""The audit log: every state-changing call is recorded with who, what, when and from where
(refused ones too); reads are not; only the admin reads the log; secrets stay out of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from minyi.platform.auth import Role

from .conftest import Service, build_app, create_audit_table


def started(name: str, tmp: Path) -> Iterator[Service]:
    app = build_app(name, tmp)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.portal is not None
        client.portal.call(create_audit_table, app.state.runtime)
        yield Service(name, app, client)


@pytest.fixture
def supervision(tmp_path: Path) -> Iterator[Service]:
    yield from started("supervision", tmp_path)


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[Service]:
    yield from started("intake", tmp_path)


def audit(service: Service, **params: Any) -> list[dict[str, Any]]:
    r = service.client.get("/v1/audit", params=params, headers=service.as_(Role.ADMIN))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def test_a_state_changing_call_is_recorded_with_who_what_when_and_from_where(
    supervision: Service,
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    r = supervision.client.post(
        "/v1/cases/s-404/accept", headers=supervision.as_(Role.UNIT_STAFF, unit="db-zjj")
    )
    assert r.status_code == 404
    [entry] = audit(supervision)
    assert entry["subject"] == "unit_staff:test" and entry["role"] == "unit_staff"
    assert (entry["method"], entry["path"], entry["status"]) == (
        "POST",
        "/v1/cases/s-404/accept",
        404,
    )
    assert entry["client_ip"] == "testclient"
    assert datetime.fromisoformat(entry["at"]) >= before


def test_refused_calls_are_recorded_and_reads_are_not(supervision: Service) -> None:
    supervision.client.get("/v1/cases", headers=supervision.as_(Role.UNIT_STAFF))
    supervision.client.post("/v1/cases/s-1/urge", json={})
    supervision.client.post("/v1/cases/s-1/urge", json={}, headers=supervision.as_(Role.ANALYST))
    entries = audit(supervision)
    assert [(e["role"], e["status"]) for e in entries] == [("analyst", 403), ("anonymous", 401)]


def test_only_the_admin_reads_the_audit_log(supervision: Service) -> None:
    for role in Role:
        if role is Role.ADMIN:
            continue
        r = supervision.client.get("/v1/audit", headers=supervision.as_(role))
        assert r.status_code == 403, role
    assert supervision.client.get("/v1/audit").status_code == 401


def test_the_log_filters_by_subject_and_pages(supervision: Service) -> None:
    for unit in ("db-zjj", "dd-zjj", "db-zjj"):
        supervision.client.post(
            "/v1/cases/x/accept",
            headers=supervision.as_(Role.UNIT_STAFF, unit=unit),
        )
    assert len(audit(supervision, subject="unit_staff:test")) == 3
    assert len(audit(supervision, subject="someone-else")) == 0
    assert len(audit(supervision, limit=2)) == 2


def test_a_tracking_code_in_the_path_is_kept_out_of_the_log(intake: Service) -> None:
    code = "MY-0000-0000-0000-0000-0"
    intake.client.post(f"/v1/track/{code}/feedback", json={"satisfied": True, "score": 5})
    [entry] = audit(intake)
    assert code not in entry["path"]
    assert entry["path"] == "/v1/track/{code}/feedback" and entry["role"] == "anonymous"
