"""The public ledger's API (issue 19) over HTTP, the history delivered through the broker to
the real consumer: no token needed, only what the office published, no person's data."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import select

from minyi.reporting.adapters.tables import projects, suggestions
from minyi.reporting.service_layer import rebuild
from services.reporting.tests.integration.conftest import Reporting
from services.reporting.tests.integration.test_liaison_views import Replay
from services.reporting.tests.ledger_history import (
    CONSENTED_TITLE,
    P1,
    P2,
    PRIVATE_TITLE,
    ledger_history,
)

# Nothing about a person may appear in a public answer (field names or values).
PII = ("citizen_ref", "ref-secret-123", "phone", "contact", "content", "具体情况", PRIVATE_TITLE)


async def _public(reporting: Reporting, path: str, **params: Any) -> Any:
    transport = reporting.http._transport  # the same app, without the admin's token
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as anon:
        r = await anon.get(path, params=params)
    assert r.status_code == 200, r.text
    assert "public" in r.headers.get("cache-control", "")
    body = r.json()
    text = json.dumps(body, ensure_ascii=False)
    for needle in PII:
        assert needle not in text, (path, needle)
    return body


async def test_projects_are_listed_with_colour_progress_and_milestones(
    reporting: Reporting,
) -> None:
    await reporting.deliver(ledger_history())
    listed = await _public(reporting, "/v1/public/projects")
    by_id = {p["project_id"]: p for p in listed["projects"]}
    assert set(by_id) == {P1, P2}
    p1 = by_id[P1]
    assert (p1["status"], p1["status_label"], p1["percent"]) == ("late", "滞后", 60)
    assert (p1["milestones_delivered"], p1["milestones_total"], p1["milestones_overdue"]) == (
        1,
        3,
        1,
    )
    assert p1["unit_names"] == ["荆门市住房和城乡建设局"] and p1["supports"] == 1
    assert by_id[P2]["status"] == "accepted"
    assert len(listed["focus_areas"]) == 7
    only = await _public(reporting, "/v1/public/projects", division_code="420881")
    assert [p["project_id"] for p in only["projects"]] == [P2]
    only = await _public(reporting, "/v1/public/projects", focus_area="城市能级")
    assert [p["project_id"] for p in only["projects"]] == [P1]
    none = await _public(reporting, "/v1/public/projects", focus_area="科技赋能")
    assert none["projects"] == []


async def test_a_projects_page_has_its_timeline_appeals_and_consented_titles_only(
    reporting: Reporting,
) -> None:
    await reporting.deliver(ledger_history())
    p = await _public(reporting, f"/v1/public/projects/{P1}")
    kinds = [e["kind"] for e in p["timeline"]]
    assert kinds == [
        "registered",
        "milestone_delivered",
        "progress",
        "milestone_reminder",
        "milestone_overdue",
        "status",
        "inspected",
    ]
    assert [e["at"] for e in p["timeline"]] == sorted(e["at"] for e in p["timeline"])
    status = p["timeline"][5]
    assert (status["status"], status["status_label"], status["late_working_days"]) == (
        "late",
        "滞后",
        2,
    )
    assert p["timeline"][4]["milestone_title"] == "完成施工招标"
    assert p["progress"][0]["evidence"] == [
        {"name": "摸底台账.pdf", "media_type": "application/pdf", "size_bytes": 20480}
    ]
    assert [a["title"] for a in p["appeals"]] == ["城区停车难", "老旧小区路灯不亮"]
    assert p["suggestions"] == {
        "linked": 2,
        "replied": 0,
        "solved": 0,
        "published_titles": [CONSENTED_TITLE],
    }
    assert p["inspections"][0]["deputies"] == 2
    assert "deputy_ids" not in json.dumps(p)
    p2 = await _public(reporting, f"/v1/public/projects/{P2}")
    assert p2["acceptance"]["result"] == "satisfied"
    assert p2["ratings"] == {"satisfied": 2, "basically_satisfied": 1, "unsatisfied": 0}
    async with httpx.AsyncClient(
        transport=reporting.http._transport, base_url="http://reporting"
    ) as anon:
        missing = await anon.get("/v1/public/projects/P-none")
    assert missing.status_code == 404


async def test_the_ranking_counts_suggestions_and_supports_and_hides_withdrawn(
    reporting: Reporting,
) -> None:
    await reporting.deliver(ledger_history())
    ranking = (await _public(reporting, "/v1/public/appeals"))["appeals"]
    assert [
        (a["title"], a["suggestions"], a["supports"], a["score"], a["rank"]) for a in ranking
    ] == [
        ("城区停车难", 1, 3, 4, 1),
        ("老旧小区路灯不亮", 2, 1, 3, 2),
    ]  # C3 was withdrawn
    assert ranking[0]["division_names"] == ["东宝区"]
    # The office's 高频诉求 list shows the support too.
    recurring = {r["cluster_id"]: r for r in await reporting.get("/v1/recurring")}
    assert (
        recurring["C1"]["supports"],
        recurring["C2"]["supports"],
        recurring["C3"]["supports"],
    ) == (
        1,
        3,
        0,
    )


async def test_the_map_counts_divisions_and_townships_and_shows_stations(
    reporting: Reporting,
) -> None:
    await reporting.deliver(ledger_history())
    city = await _public(reporting, "/v1/public/map")
    by_code = {d["code"]: d for d in city["divisions"]}
    assert city["map"] == "荆门"
    assert (by_code["420802"]["count"], by_code["420881"]["count"]) == (6, 2)
    assert by_code["420882"]["map_name"] == "京山县"  # 京山市, as the map file names it
    assert by_code["420800-ZH"]["map_name"] is None and by_code["420800-ZH"]["count"] == 1
    assert sum(1 for d in city["divisions"] if d["map_name"]) == 5
    assert [s["name"] for s in city["stations"]] == [
        "龙泉街道人大代表联络站",
        "郢中街道人大代表联络站",
    ]
    assert city["stations"][0]["lat"] == 31.04 and city["stations"][0]["lon"] == 112.21
    assert (await _public(reporting, "/v1/public/map", days=3650))["divisions"] == city["divisions"]
    dongbao = await _public(reporting, "/v1/public/map/420802")
    counts = {t["township"]: t["count"] for t in dongbao["townships"]}
    assert counts["龙泉街道"] == 3 and counts["子陵铺镇"] == 2 and counts["未注明乡镇"] == 1
    assert counts["马河镇"] == 0 and dongbao["total"] == 6
    async with httpx.AsyncClient(
        transport=reporting.http._transport, base_url="http://reporting"
    ) as anon:
        bad = await anon.get("/v1/public/map", params={"days": 0})
        assert bad.status_code == 422 and "days" in bad.text
        assert (await anon.get("/v1/public/map/999999")).status_code == 404
        # The dashboard's own map needs a token.
        assert (await anon.get("/v1/map")).status_code == 401
    office = await reporting.get("/v1/map", district="420802")
    assert {d["code"]: d["count"] for d in office["divisions"]}["420802"] == 6


async def test_milestone_items_and_inspection_commitments_are_no_appeals(
    reporting: Reporting,
) -> None:
    await reporting.deliver(ledger_history())
    headline = await reporting.get("/v1/headline")
    # A1…A9 only: no milestone item, no inspection's commitment, no B delivery.
    assert headline["suggestions_collected"] == 9 and headline["overdue_now"] == 0
    overdue = await reporting.get("/v1/overdue")
    assert overdue == []  # the overdue milestone is the project's, not an appeal's
    items = await reporting.get("/v1/items", measure="overdue_open")
    assert items["total"] == 0
    async with reporting.h.runtime.sessions() as s:
        kinds = dict(
            (await s.execute(select(suggestions.c.suggestion_id, suggestions.c.kind))).all()
        )
    assert kinds[f"{P1}~m2"] == "milestone"
    latest = await reporting.get("/v1/replies/latest")
    assert [r["suggestion_id"] for r in latest if r["suggestion_id"].startswith("P-")] == []


async def test_a_rebuild_fills_the_ledger_again(reporting: Reporting) -> None:
    await reporting.deliver(ledger_history())
    paths = ["/v1/public/projects", f"/v1/public/projects/{P1}", "/v1/public/appeals",
             "/v1/public/map", "/v1/public/map/420802"]  # fmt: skip
    before = [await reporting.get(p) for p in paths]
    report = await rebuild.rebuild(reporting.h.runtime.unit_of_work, Replay(ledger_history()))
    assert report.generation == 2
    assert [await reporting.get(p) for p in paths] == before
    async with reporting.h.runtime.sessions() as s:
        generations = (await s.execute(select(projects.c.generation).distinct())).scalars()
        assert list(generations) == [2]


async def test_public_changes_are_ticks_without_data(reporting: Reporting) -> None:
    queue = reporting.h.runtime.deps.public_changes.subscribe()
    await reporting.deliver(ledger_history()[:5])
    await asyncio.sleep(0)
    assert queue.qsize() >= 1
    message = queue.get_nowait()
    assert set(message) == {"event_id"}
