"""Issue 19's "done when", the whole way over real processes and a real nats-server, as a
new user would try it:

citizens file two recurring appeals (intake → routing's clusters) → the office publishes
both under its own titles and registers a project with three milestones linking them
(supervision) → the unit reports progress with an evidence file → on the accelerated clock
the first milestone's day passes undelivered and the project turns from on-plan to late on
the public ledger (reporting), in a real browser with the map drawn → citizens, checked by
a one-time code, support (+1) the smaller appeal and it overtakes the larger one in the
public ranking (intake → reporting) → the unit delivers, deputies inspect, the unit reports
done, the inspectors rate, and the policy's rule decides the acceptance.

The office's, the unit's and the deputies' pages drive the same endpoints in their own
browser tests (services/supervision/tests/browser/test_projects_pages.py); here each step
is the API call those pages make.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from minyi.platform.auth import Principal, Role, local_bearer
from minyi.platform.clock import write_clock_file
from tests.support import browser as browser_support
from tests.support.system import System, eventually

pytestmark = pytest.mark.e2e

BEIJING = ZoneInfo("Asia/Shanghai")
UNIT = "db-zjj"  # 东宝区住建局
DEPUTIES = ("REP-420802-001", "REP-420802-002")
# A Monday; the first milestone is due the Tuesday after.
START = datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)
LIGHTS = [  # four citizens: one recurring appeal
    ("金泉路南段路灯长期不亮", "金泉路南段十几盏路灯坏了两个月，晚上出行很不安全。"),
    ("金泉路南段路灯长期不亮，请尽快维修", "每天晚上下班回家路过金泉路南段，一片漆黑。"),
    ("金泉路南段路灯不亮", "孩子晚自习回家要经过金泉路南段，路灯不亮家长很担心。"),
    ("反映金泉路南段路灯长期不亮问题", "金泉路南段路灯不亮已经很久了，希望有关部门修一修。"),
]
TOILETS = [  # three citizens: another
    ("龙泉公园公厕脏乱差", "龙泉公园东门的公共厕所长期无人打扫，气味很大。"),
    ("龙泉公园公厕脏乱差，希望整改", "公园里晨练的老人多，公厕脏乱差影响大家使用。"),
    ("反映龙泉公园公厕脏乱差", "龙泉公园公厕洗手池坏了，地面湿滑，请管理部门整改。"),
]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
    b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _move(clock: Path, to: datetime) -> None:
    write_clock_file(clock, to, 1.0, time.time())
    time.sleep(0.3)  # every process re-reads the clock file within 100 ms


def _ok(r: httpx.Response, *codes: int) -> dict[str, Any]:
    assert r.status_code in (codes or (200, 201, 202)), (r.status_code, r.text)
    result: dict[str, Any] = r.json()
    return result


def _code_sent_to(system: System, before: int) -> str:
    """The one-time code in the newest SMS intake queued (the log notifier only logs it)."""
    db = sqlite3.connect(system.data_dir / "intake.sqlite3")
    try:
        rows = db.execute(
            "SELECT message FROM notifications WHERE id > ? ORDER BY id DESC", (before,)
        ).fetchall()
    finally:
        db.close()
    assert rows, "no one-time code was queued"
    return "".join(c for c in rows[0][0].split("验证码是")[1][:8] if c.isdigit())


def _last_notification(system: System) -> int:
    db = sqlite3.connect(system.data_dir / "intake.sqlite3")
    try:
        return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM notifications").fetchone()[0])
    finally:
        db.close()


def test_a_project_from_registration_to_acceptance_in_public_with_citizens_support(
    system_factory: type[System], tmp_path: Path
) -> None:
    clock = tmp_path / "clock.json"
    write_clock_file(clock, START, 1.0, time.time())
    system = system_factory(  # type: ignore[call-arg]
        names=("intake", "routing", "supervision", "reporting"),
        extra_env={"MINYI_CLOCK_FILE": str(clock)},
    )
    system.start()

    def bearer(principal: Principal) -> dict[str, str]:
        return local_bearer(system.data_dir, principal, ttl_seconds=900)

    office = bearer(Principal(Role.ADMIN, "admin:office"))
    unit = bearer(Principal(Role.UNIT_STAFF, f"unit_staff:{UNIT}", unit=UNIT))
    deputy = {
        d: bearer(Principal(Role.REPRESENTATIVE, f"representative:{d}", representative=d))
        for d in DEPUTIES
    }
    intake = httpx.Client(base_url=system["intake"].url, timeout=10)
    supervision = httpx.Client(base_url=system["supervision"].url, timeout=10)
    reporting = httpx.Client(base_url=system["reporting"].url, timeout=10)

    # -- citizens file; routing clusters them into two recurring appeals ---------------------
    for i, (title, content) in enumerate(LIGHTS + TOILETS):
        _ok(
            intake.post(
                "/v1/suggestions",
                json={
                    "title": title,
                    "content": content,
                    "channel": "web",
                    "district_code": "420802",
                    "township": "龙泉街道",
                    "citizen": {"phone": f"1390000{i:04d}"},
                },
            )
        )

    def clusters() -> dict[str, dict[str, Any]] | None:
        r = supervision.get("/v1/topics/candidates", headers=office)
        found = {
            str(c["title"])[:4]: c
            for c in r.json().get("items", [])
            if c.get("source") == "cluster" and c.get("size", 0) >= 3
        }
        return found if {"金泉路南", "龙泉公园"} <= set(found) else None

    found = eventually(clusters, timeout=30, what="two recurring-appeal clusters")
    lights, toilets = found["金泉路南"]["ref"], found["龙泉公园"]["ref"]

    # -- the office publishes both under its own titles, and registers the project ---------
    for cluster_id, title in ((lights, "金泉路南段路灯不亮"), (toilets, "龙泉公园公厕脏乱")):
        _ok(
            supervision.post(
                "/v1/appeals/published",
                json={"cluster_id": cluster_id, "title": title, "division_codes": ["420802"]},
                headers=office,
            )
        )
    project = _ok(
        supervision.post(
            "/v1/projects",
            json={
                "name": "东宝区城区照明和公厕提升工程",
                "focus_area": "城市能级",
                "division_codes": ["420802"],
                "unit_ids": [UNIT],
                "budget_yuan": 1_200_000,
                "starts_on": "2026-03-01",
                "ends_on": "2026-06-30",
                "summary": "修复金泉路南段路灯，改造龙泉公园公厕。",
                "milestones": [
                    {"title": "完成路灯排查", "due_on": "2026-03-10", "deliverable": "排查清单"},
                    {"title": "路灯修复完工", "due_on": "2026-04-30", "deliverable": "验收单"},
                    {"title": "公厕改造完工", "due_on": "2026-06-30", "deliverable": "验收单"},
                ],
                "links": {"cluster_ids": [lights, toilets]},
            },
            headers=office,
        ),
        201,
    )
    pid = project["project_id"]
    assert project["status"] == "on_plan"
    assert [m["milestone_id"] for m in project["milestones"]] == ["m1", "m2", "m3"]

    def public_project(status: str) -> dict[str, Any] | None:
        r = reporting.get(f"/v1/public/projects/{pid}")
        body = r.json() if r.status_code == 200 else {}
        return body if body.get("status") == status else None

    shown = eventually(lambda: public_project("on_plan"), what="the project on the ledger")
    assert {a["title"] for a in shown["appeals"]} == {"金泉路南段路灯不亮", "龙泉公园公厕脏乱"}

    # -- the unit reports progress with an evidence file -------------------------------------
    _ok(
        supervision.post(
            f"/v1/projects/{pid}/progress",
            data={"percent": "20", "note": "已完成金泉路南段路灯排查的一半。"},
            files=[("files", ("现场照片.png", PNG, "image/png"))],
            headers=unit,
        ),
        201,
    )
    eventually(
        lambda: (p := public_project("on_plan")) and p["percent"] == 20 and p,
        what="the progress on the ledger",
    )

    # -- the first milestone's day passes undelivered: late, on the public page -------------
    _move(clock, datetime.combine(START.date() + timedelta(days=14), dtime(10), tzinfo=BEIJING))
    late = eventually(lambda: public_project("late"), timeout=30, what="the project turned late")
    assert [t["status"] for t in late["timeline"] if t.get("status")][-2:] == ["on_plan", "late"]

    with browser_support.chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{system['reporting'].url}/ledger")
        # Drawn: the map series over the five regions of the vendored GeoJSON, painted.
        page.wait_for_function(
            "() => { const c = window.echarts"
            " && echarts.getInstanceByDom(document.getElementById('map'));"
            " const o = c && c.getOption(); return !!o && !!o.series && o.series.length === 2; }",
            timeout=20_000,
        )
        page.wait_for_timeout(800)  # the first animation
        drawn = page.evaluate(
            "() => { const c = echarts.getInstanceByDom(document.getElementById('map'));"
            " const geo = c.getModel().getComponent('geo');"
            " const canvas = document.querySelector('#map canvas');"
            " const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);"
            " let painted = 0; for (let i = 3; i < px.data.length; i += 4)"
            " if (px.data[i] > 0) painted += 1;"
            " return { types: c.getOption().series.map((s) => s.type),"
            " regions: geo.coordinateSystem.regions.map((r) => r.name), painted }; }"
        )
        assert drawn["types"] == ["map", "scatter"] and len(drawn["regions"]) == 5, drawn
        assert drawn["painted"] > 10_000, drawn
        page.wait_for_selector("text=滞后", timeout=20_000)
        assert not errors, errors

    # -- citizens support (+1) the smaller appeal; it overtakes the larger one --------------
    def ranking() -> list[str]:
        return [a["cluster_id"] for a in _ok(reporting.get("/v1/public/appeals"))["appeals"]]

    assert eventually(lambda: ranking() or None, what="the ranking")[0] == lights
    for phone in ("13911110001", "13911110002"):
        before = _last_notification(system)
        _ok(intake.post("/v1/support/code", json={"phone": phone}), 202)
        code = _code_sent_to(system, before)
        token = _ok(intake.post("/v1/support/verify", json={"phone": phone, "code": code}))
        auth = {"Authorization": f"Bearer {token['token']}"}
        support = {"target_kind": "appeal", "target_id": toilets}
        _ok(intake.post("/v1/supports", json=support, headers=auth), 201)
        again = intake.post("/v1/supports", json=support, headers=auth)
        assert again.status_code == 409, again.text  # once per person
    eventually(lambda: ranking()[0] == toilets or None, what="the supported appeal ranked first")

    # -- delivery, inspection, completion, acceptance by the rule ---------------------------
    for m in ("m1", "m2", "m3"):
        _ok(supervision.post(f"/v1/projects/{pid}/milestones/{m}/deliver", json={}, headers=unit))
    _ok(
        supervision.post(
            f"/v1/projects/{pid}/inspections",
            json={
                "held_on": (START.date() + timedelta(days=14)).isoformat(),
                "inspector_kind": "deputies",
                "deputy_ids": list(DEPUTIES),
                "findings": [{"text": "路灯已全部点亮，公厕改造质量良好。"}],
            },
            headers=deputy[DEPUTIES[0]],
        ),
        201,
    )
    done = _ok(
        supervision.post(f"/v1/projects/{pid}/complete", json={"note": "全部完工"}, headers=unit)
    )
    assert done["status"] == "completed" and sorted(done["rater_ids"]) == sorted(DEPUTIES)
    # One 满意 and one 基本满意: 满意 is not more than half, the two together are → 基本满意.
    for d, rating in zip(DEPUTIES, ("satisfied", "basically_satisfied"), strict=True):
        _ok(
            supervision.post(
                f"/v1/projects/{pid}/ratings", json={"rating": rating}, headers=deputy[d]
            )
        )
    accepted = eventually(lambda: public_project("accepted"), what="the acceptance in public")
    assert accepted["acceptance"]["result"] == "basically_satisfied"
    statuses = [t["status"] for t in accepted["timeline"] if t.get("status")]
    assert statuses[-2:] == ["completed", "accepted"] and "late" in statuses
