"""A project's milestone passing undelivered on the accelerated clock, over the real bus
(nats-server and the supervision process, on SQLite and on PostgreSQL): the project turns late
(ProjectStatusChanged on the bus, with its Chinese reason) and the milestone's item is
marked overdue (MarkedOverdue of ``<project>~m1``), like any supervised case."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from minyi.contracts.projects import FOCUS_AREAS
from minyi.platform.auth import Principal, Role, local_bearer
from tests.support.bus import events_on
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

LEAD = "db-zjj"


def of(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"].endswith(f".{name}.v1")]


def test_a_milestone_passing_undelivered_on_the_clock_turns_the_project_late(
    system_factory: type[System], store: str
) -> None:
    # One simulated hour per real second from 14:00 on Wednesday 15 Oct 2025: the first
    # milestone, due that day, passes undelivered at midnight, about 10 s later (the
    # service's start and the registration take a few of those simulated hours).
    system = system_factory(
        store,
        names=("supervision",),
        extra_env={
            "MINYI_CLOCK_START": "2025-10-15T14:00:00+08:00",
            "MINYI_CLOCK_SPEED": "3600",
            "MINYI_SUPERVISION_SWEEP_SECONDS": "0.05",
        },
    )
    system.start(["supervision"])
    office = system.admin
    unit = local_bearer(system.data_dir, Principal(Role.UNIT_STAFF, f"staff:{LEAD}", unit=LEAD))
    project = {
        "name": "老旧小区加装电梯",
        "focus_area": FOCUS_AREAS[0],
        "division_codes": ["420802"],
        "unit_ids": [LEAD],
        "starts_on": "2025-10-01",
        "ends_on": "2025-12-31",
        "milestones": [
            {"title": "完成设计", "due_on": "2025-10-15"},
            {"title": "主体施工", "due_on": "2025-11-14"},
            {"title": "竣工验收", "due_on": "2025-12-15"},
        ],
        "links": {"cluster_ids": ["c-1", "c-2"]},
    }
    with httpx.Client(base_url=system["supervision"].url, timeout=10) as c:
        r = c.post("/v1/projects", json=project, headers=office)
        assert r.status_code == 201, r.text
        pid = r.json()["project_id"]
        assert r.json()["status"] == "on_plan"
        progress = c.post(
            f"/v1/projects/{pid}/progress",
            data={"percent": "30", "note": "设计单位已进场"},
            headers=unit,
        )
        assert progress.status_code == 201, progress.text

        def status() -> str | None:
            found = c.get(f"/v1/projects/{pid}", headers=office).json()
            return found if found["status"] == "late" else None  # type: ignore[no-any-return]

        late = eventually(status, timeout=60, what="the project turned late")
        assert late["status_reason"].startswith("里程碑「完成设计」已逾期")

    def published() -> list[dict[str, Any]] | None:
        found = events_on(system.nats_url)
        return found if of(found, "status_changed")[1:] and of(found, "overdue") else None

    events = eventually(published, timeout=30, what="the change and the overdue mark on the bus")
    changes = [e["data"] for e in of(events, "status_changed")]
    assert [(c["status"], c["previous"]) for c in changes[:2]] == [
        ("on_plan", None),
        ("late", "on_plan"),
    ]
    assert changes[1]["milestone_id"] == "m1"
    assert changes[1]["reason"].startswith("里程碑「完成设计」已逾期")
    (overdue,) = of(events, "overdue")
    assert overdue["data"]["suggestion_id"] == f"{pid}~m1"
    assert [e["data"]["project_id"] for e in of(events, "registered")] == [pid]
    assert of(events, "progress_reported")
