"""Improvement projects over real HTTP and a real SQLite store: the office registers a
project, the unit reports progress with evidence, the clock passes a milestone's day, the
unit delivers, deputies inspect and rate; published appeals and citizens' support."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from minyi.contracts.projects import FOCUS_AREAS, ProjectRated, SupportAdded
from minyi.contracts.routing import SuggestionClustered
from minyi.contracts.visits import CommitmentMade
from minyi.platform.app import errors
from minyi.platform.auth import Principal, Role, bearer
from minyi.supervision.bootstrap import SERVICE
from minyi.supervision.entrypoints import http_formal, http_projects
from minyi.supervision.entrypoints.http import router
from tests.support.harness import harness

from .conftest import UNIT, Bench

LEAD, CO, OTHER = UNIT, "jm-zjj", "dd-zjj"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n"


class ProjectBench(Bench):
    def __init__(self, h: Any) -> None:
        super().__init__(h)
        # As the platform builds it: a 1 MiB body limit for every route but the uploads.
        app = FastAPI(max_body_size=1024 * 1024)
        app.state.runtime = h.runtime
        for r in (router, http_formal.router, http_projects.router):
            app.include_router(r)
        errors.install(app)
        self._app = app

    def office(self) -> httpx.AsyncClient:
        return self.client(supervisor=True)

    def deputy(self, deputy_id: str) -> httpx.AsyncClient:
        headers = bearer(
            self.h.runtime.keyring,
            Principal(Role.REPRESENTATIVE, f"rep:{deputy_id}", representative=deputy_id),
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self._app), base_url="http://sup", headers=headers
        )

    async def of(self, name: str) -> list[dict[str, Any]]:
        return [e for e in await self.events() if e["type"].endswith(f".{name}.v1")]


@pytest.fixture
async def pb(tmp_path: Path) -> AsyncIterator[ProjectBench]:
    async with harness(SERVICE, tmp_path) as h:
        yield ProjectBench(h)


def body(**over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "name": "老旧小区加装电梯",
        "focus_area": FOCUS_AREAS[0],
        "division_codes": ["420802"],
        "unit_ids": [LEAD, CO],
        "budget_yuan": 3_000_000,
        "starts_on": "2025-09-01",
        "ends_on": "2025-12-31",
        "summary": "三个小区加装电梯",
        "milestones": [
            {"title": "竣工验收", "due_on": "2025-12-01", "deliverable": "验收报告"},
            {"title": "完成设计", "due_on": "2025-10-15", "deliverable": "设计图纸"},
            {"title": "主体施工", "due_on": "2025-11-03"},
        ],
        "links": {"cluster_ids": ["c-elevator", "c-stairs"]},
    }
    b.update(over)
    return b


def error(r: httpx.Response) -> tuple[int, str, list[Any]]:
    first = r.json()["detail"][0]
    return r.status_code, first["type"], first.get("loc", [])


async def register(pb: ProjectBench, **over: Any) -> dict[str, Any]:
    async with pb.office() as c:
        r = await c.post("/v1/projects", json=body(**over))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_project_is_registered_reported_late_on_the_clock_delivered_and_accepted(
    pb: ProjectBench,
) -> None:
    p = await register(pb)
    pid = p["project_id"]
    assert [(m["milestone_id"], m["title"]) for m in p["milestones"]] == [
        ("m1", "完成设计"),
        ("m2", "主体施工"),
        ("m3", "竣工验收"),
    ]
    assert p["status"] == "on_plan" and p["status_label"] == "按计划推进"
    assert p["links"]["cluster_ids"] == ["c-elevator", "c-stairs"]
    assert p["unit_names"][0] != LEAD  # the directory's name
    assert p["milestones"][0]["case_id"] == f"{pid}~m1"
    (registered,) = await pb.of("registered")
    assert registered["subject"] == pid and registered["data"]["version"] == 1
    (first,) = await pb.of("status_changed")
    assert (first["data"]["status"], first["data"]["previous"]) == ("on_plan", None)

    async with pb.client(LEAD) as unit:
        # Each milestone is a supervised item at the lead unit, in its list.
        item = (await unit.get(f"/v1/cases/{pid}~m1")).json()
        assert (item["kind"], item["status"]) == ("milestone", "accepted")
        listed = (await unit.get("/v1/cases", params={"kind": "milestone"})).json()
        assert listed["total"] == 3
        # Its delivery is the project's: the workbench's reply is refused.
        refused = await unit.post(
            f"/v1/cases/{pid}~m1/reply",
            json={"outcome": "A", "reply": "设计图纸已完成并通过审查，请查收相关材料。"},
        )
        assert refused.status_code == 409 and "milestone_via_project" in refused.text

        r = await unit.post(
            f"/v1/projects/{pid}/progress",
            data={"percent": "20", "note": "设计单位已进场"},
            files=[
                ("files", ("现场.png", PNG, "image/png")),
                ("files", ("方案.pdf", PDF, "application/octet-stream")),
            ],
        )
        assert r.status_code == 201, r.text
        entry = r.json()
        assert entry["percent"] == 20
        assert [(e["name"], e["media_type"], e["size_bytes"]) for e in entry["evidence"]] == [
            ("现场.png", "image/png", len(PNG)),
            ("方案.pdf", "application/pdf", len(PDF)),
        ]
        file_id = entry["evidence"][1]["file_id"]
        got = await unit.get(f"/v1/projects/{pid}/evidence/{file_id}")
        assert got.status_code == 200 and got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-security-policy"] == "sandbox"
        # Stored under a random id, never under the client's name.
        stored = list((pb.h.runtime.settings.data_dir / "project-evidence" / pid).iterdir())
        assert sorted(f.name for f in stored) == sorted(e["file_id"] for e in entry["evidence"])

    (progress,) = await pb.of("progress_reported")
    assert progress["data"]["evidence"][0]["name"] == "现场.png"

    # 16 Oct, 09:00 Beijing: the first milestone's day (15 Oct) passed undelivered.
    pb.at(datetime(2025, 10, 16, 1, 0, tzinfo=UTC))
    await pb.sweep()
    async with pb.office() as c:
        p = (await c.get(f"/v1/projects/{pid}")).json()
    assert p["status"] == "late"
    assert p["status_reason"] == "里程碑「完成设计」已逾期 1 个工作日"
    assert p["milestones"][0]["state"] == "overdue"
    late = (await pb.of("status_changed"))[-1]["data"]
    assert (late["status"], late["previous"], late["milestone_id"]) == ("late", "on_plan", "m1")
    overdue = await pb.of("overdue")
    assert [e["subject"] for e in overdue] == [f"{pid}~m1"]

    # 30 Oct: eleven working days late: very late.
    pb.at(datetime(2025, 10, 30, 1, 0, tzinfo=UTC))
    await pb.sweep()
    await pb.sweep()
    changes = [e["data"]["status"] for e in await pb.of("status_changed")]
    assert changes == ["on_plan", "late", "very_late"]

    async with pb.client(CO) as co:  # a co-responsible unit may deliver too
        r = await co.post(f"/v1/projects/{pid}/milestones/m1/deliver", json={"note": "图纸已交"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "on_plan"
    m1 = r.json()["milestones"][0]
    assert (m1["state"], m1["on_time"], m1["late_working_days"]) == ("delivered", False, 11)
    (delivered,) = await pb.of("milestone_delivered")
    assert delivered["data"]["on_time"] is False
    resolved = await pb.of("resolved")
    assert [(e["subject"], e["data"]["outcome"]) for e in resolved] == [(f"{pid}~m1", "A")]

    # Two deputies inspect; a finding becomes a commitment (a case, and CommitmentMade).
    async with pb.deputy("d-1") as d1:
        r = await d1.post(
            f"/v1/projects/{pid}/inspections",
            json={
                "held_on": "2025-10-30",
                "inspector_kind": "deputies",
                "deputy_ids": ["d-2"],
                "findings": [
                    {"text": "施工围挡不规范"},
                    {
                        "text": "夜间施工扰民，需调整作业时间",
                        "commitment": {"unit_id": LEAD, "due_on": "2025-11-10"},
                    },
                ],
            },
        )
    assert r.status_code == 201, r.text
    inspection = r.json()
    assert inspection["deputy_ids"] == ["d-2", "d-1"]
    commitment_id = inspection["findings"][1]["commitment_id"]
    assert inspection["findings"][0]["commitment_id"] is None
    (made,) = await pb.of("made")
    assert made["data"]["visit_id"] == inspection["inspection_id"]
    assert (made["data"]["station_id"], made["data"]["project_id"]) == ("", pid)
    # Supervision's own consumer gets that CommitmentMade back: no second case.
    await pb.h.deliver(CommitmentMade.model_validate(made["data"]), subject=commitment_id)
    async with pb.client(LEAD) as unit:
        commitments = (await unit.get("/v1/cases", params={"kind": "commitment"})).json()
        assert [i["suggestion_id"] for i in commitments["items"]] == [commitment_id]
        for mid in ("m2", "m3"):
            r = await unit.post(f"/v1/projects/{pid}/milestones/{mid}/deliver", json={})
            assert r.status_code == 200, r.text
        again = await unit.post(f"/v1/projects/{pid}/milestones/m3/deliver", json={})
        assert error(again)[:2] == (409, "already_delivered")
    async with pb.client(CO) as co:
        r = await co.post(f"/v1/projects/{pid}/complete", json={})
        assert error(r)[:2] == (409, "lead_unit_only")
    async with pb.client(LEAD) as unit:
        r = await unit.post(f"/v1/projects/{pid}/complete", json={"note": "全部完工"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["percent"], done["rater_ids"]) == (
        "completed",
        100,
        ["d-2", "d-1"],
    )

    async with pb.deputy("d-9") as stranger:
        r = await stranger.post(f"/v1/projects/{pid}/ratings", json={"rating": "satisfied"})
        assert error(r)[:2] == (409, "not_a_rater")
    async with pb.deputy("d-1") as d1:
        r = await d1.post(f"/v1/projects/{pid}/ratings", json={"rating": "satisfied"})
        assert r.status_code == 200 and r.json()["status"] == "completed"
        r = await d1.post(f"/v1/projects/{pid}/ratings", json={"rating": "satisfied"})
        assert error(r)[:2] == (409, "already_rated")
    async with pb.deputy("d-2") as d2:
        r = await d2.post(f"/v1/projects/{pid}/ratings", json={"rating": "basically_satisfied"})
    assert r.status_code == 200, r.text
    final = r.json()
    # One satisfied of two is not more than half; with the basically satisfied, it is.
    assert final["status"] == "accepted"
    assert final["acceptance"]["result"] == "basically_satisfied"
    assert final["ratings"] == {
        "satisfied": 1,
        "basically_satisfied": 1,
        "unsatisfied": 0,
        "raters": ["d-1", "d-2"],
    }
    (accepted,) = await pb.of("accepted")
    assert accepted["data"]["rule"].startswith("满意票超过半数为满意")
    statuses = [e["data"]["status"] for e in await pb.of("status_changed")]
    assert statuses == ["on_plan", "late", "very_late", "on_plan", "completed", "accepted"]
    assert [t["status"] for t in final["timeline"]] == statuses
    assert len(await pb.of("rated")) == 2


async def test_registration_refusals_name_the_field(pb: ProjectBench) -> None:
    async with pb.client(LEAD) as unit:
        assert (await unit.post("/v1/projects", json=body())).status_code == 403
    async with pb.office() as c:
        r = await c.post("/v1/projects", json=body(focus_area="教育"))
        assert error(r) == (422, "unknown_focus_area", ["focus_area"])
        r = await c.post("/v1/projects", json=body(unit_ids=["nobody"]))
        assert error(r) == (422, "unknown_unit", ["unit_ids"])
        r = await c.post("/v1/projects", json=body(division_codes=["999999"]))
        assert error(r) == (422, "unknown_division", ["division_codes"])
        late = [{"title": "迟", "due_on": "2026-02-01"}]
        r = await c.post("/v1/projects", json=body(milestones=late))
        assert error(r) == (422, "milestone_outside_project", ["milestones"])
        many = [{"title": f"第{i}步", "due_on": "2025-10-01"} for i in range(21)]
        assert (await c.post("/v1/projects", json=body(milestones=many))).status_code == 422
        r = await c.post("/v1/projects", json=body(starts_on="2026-01-01"))
        assert error(r) == (422, "ends_before_start", ["ends_on"])
        assert (await c.get("/v1/projects")).json() == {"projects": []}
    assert await pb.events() == []  # nothing refused left a trace


async def test_progress_refuses_bad_files_and_strangers_and_keeps_no_file(
    pb: ProjectBench,
) -> None:
    pid = (await register(pb))["project_id"]
    url = f"/v1/projects/{pid}/progress"
    async with pb.client(LEAD) as unit:
        html = [("files", ("photo.png", b"<html><script>x</script></html>", "image/png"))]
        r = await unit.post(url, data={"percent": "10", "note": "进展"}, files=html)
        assert error(r) == (422, "file_type_not_allowed", ["files"])
        assert "仅限" in r.json()["detail"][0]["msg"]
        six = [("files", (f"{i}.pdf", PDF, "application/pdf")) for i in range(6)]
        r = await unit.post(url, data={"percent": "10", "note": "进展"}, files=six)
        assert error(r) == (422, "too_many_files", ["files"])
        big = [("files", ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf"))]
        r = await unit.post(url, data={"percent": "10", "note": "进展"}, files=big)
        assert error(r) == (422, "file_too_large", ["files"])
        r = await unit.post(url, data={"percent": "101", "note": "进展"})
        assert r.status_code == 422 and "percent" in r.text
        r = await unit.post(url, data={"percent": "10"})
        assert r.status_code == 422 and "note" in r.text
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", "<w/>")
        # Larger than the platform's 1 MiB body limit, within the uploads' own.
        three = [
            ("files", (f"{i}.pdf", b"%PDF-" + b"0" * 4_000_000, "application/pdf"))
            for i in range(3)
        ]
        r = await unit.post(url, data={"percent": "5", "note": "三份材料"}, files=three)
        assert r.status_code == 201, r.text
        r = await unit.post(url, data={"note": "x" * 2_000_000, "percent": "5"})
        # A huge text field is no file: refused by the form parser, unread.
        assert error(r)[:2] == (400, "bad_request")
        docx = [("files", ("报告.docx", buf.getvalue(), "application/zip"))]
        r = await unit.post(url, data={"percent": "10", "note": "进展"}, files=docx)
        assert r.status_code == 201, r.text
        assert r.json()["evidence"][0]["media_type"].endswith("wordprocessingml.document")
        missing = await unit.get(f"/v1/projects/{pid}/evidence/F-nothing")
        assert missing.status_code == 404
    async with pb.client(OTHER) as other:
        r = await other.post(url, data={"percent": "10", "note": "进展"})
        assert r.status_code == 404  # not its project: as if it did not exist
        assert (await other.get(f"/v1/projects/{pid}")).status_code == 404
        assert (await other.get("/v1/projects")).json() == {"projects": []}
        # Its evidence is not its business either; the attempt stored no file.
        reports = await pb.of("progress_reported")
        file_id = reports[-1]["data"]["evidence"][0]["file_id"]
        assert (await other.get(f"/v1/projects/{pid}/evidence/{file_id}")).status_code == 404
    stored = list((pb.h.runtime.settings.data_dir / "project-evidence" / pid).iterdir())
    kept = [f["file_id"] for r in reports for f in r["data"]["evidence"]]
    assert sorted(f.name for f in stored) == sorted(kept) and len(kept) == 4


async def test_lists_filter_and_the_office_edits_a_project(pb: ProjectBench) -> None:
    a = await register(pb)
    await register(
        pb, name="河道整治", focus_area=FOCUS_AREAS[5], unit_ids=[OTHER], division_codes=["420804"]
    )
    async with pb.office() as c:
        names = lambda r: [p["name"] for p in r.json()["projects"]]  # noqa: E731
        assert names(await c.get("/v1/projects", params={"division_code": "420804"})) == [
            "河道整治"
        ]
        assert names(await c.get("/v1/projects", params={"focus_area": FOCUS_AREAS[0]})) == [
            "老旧小区加装电梯"
        ]
        assert len(names(await c.get("/v1/projects", params={"status": "on_plan"}))) == 2
        patch = {
            "name": "老旧小区加装电梯（一期）",
            "budget_yuan": None,
            "links": {"suggestion_ids": ["s-1"]},
            "milestones": [
                {"milestone_id": "m1", "title": "完成设计", "due_on": "2025-10-20"},
                {"title": "资料归档", "due_on": "2025-12-20"},
            ],
        }
        r = await c.patch(f"/v1/projects/{a['project_id']}", json=patch)
        assert r.status_code == 200, r.text
        p = r.json()
        assert (p["name"], p["budget_yuan"], p["version"]) == ("老旧小区加装电梯（一期）", None, 2)
        assert p["links"] == {"suggestion_ids": ["s-1"], "cluster_ids": [], "commitment_ids": []}
        assert [(m["milestone_id"], m["due_on"]) for m in p["milestones"]] == [
            ("m1", "2025-10-20"),
            ("m2", "2025-11-03"),
            ("m3", "2025-12-01"),
            ("m4", "2025-12-20"),
        ]
        bad = await c.patch(f"/v1/projects/{a['project_id']}", json={"unit_ids": [CO]})
        assert error(bad)[:2] == (409, "lead_unit_fixed")
    async with pb.client(LEAD) as unit:
        assert names(await unit.get("/v1/projects")) == ["老旧小区加装电梯（一期）"]
        assert (await unit.get("/v1/projects", params={"unit_id": OTHER})).status_code == 403
        item = (await unit.get(f"/v1/cases/{a['project_id']}~m1")).json()
        assert item["reply_by"].startswith("2025-10-20")  # moved with the milestone
        assert (await unit.get(f"/v1/cases/{a['project_id']}~m4")).status_code == 200
    (updated,) = await pb.of("updated")
    assert updated["data"]["version"] == 2 and len(updated["data"]["milestones"]) == 4
    async with pb.client(None, supervisor=True, group="g1") as group:
        assert len((await group.get("/v1/projects")).json()["projects"]) == 2


async def test_a_public_vote_decides_when_it_closes_with_enough_votes(pb: ProjectBench) -> None:
    pid = (
        await register(
            pb,
            acceptance_by="public",
            milestones=[{"title": "完工", "due_on": "2025-10-15"}],
        )
    )["project_id"]
    async with pb.client(LEAD) as unit:
        assert (await unit.post(f"/v1/projects/{pid}/milestones/m1/deliver", json={})).is_success
        assert (await unit.post(f"/v1/projects/{pid}/complete", json={})).is_success
    for rating in ["satisfied"] * 6 + ["unsatisfied"] * 4:
        await pb.h.deliver(
            ProjectRated(
                project_id=pid, rater_kind="public", rating=rating, rated_at=pb.clock.now()
            )
        )
    async with pb.deputy("d-1") as d1:  # a public vote: deputies do not rate here
        r = await d1.post(f"/v1/projects/{pid}/ratings", json={"rating": "satisfied"})
        assert error(r)[:2] == (409, "public_vote")
    await pb.sweep()
    async with pb.office() as c:
        assert (await c.get(f"/v1/projects/{pid}")).json()["status"] == "completed"
    pb.at(datetime(2025, 10, 16, 1, 0, tzinfo=UTC))  # fifteen days after 30 Sep
    await pb.sweep()
    async with pb.office() as c:
        p = (await c.get(f"/v1/projects/{pid}")).json()
    assert p["status"] == "accepted"
    assert (p["acceptance"]["result"], p["acceptance"]["satisfied"]) == ("satisfied", 6)


async def test_published_appeals_and_support_raise_a_cluster_in_the_ranking(
    pb: ProjectBench,
) -> None:
    for cid, size in (("c-big", 4), ("c-small", 3)):
        await pb.h.deliver(
            SuggestionClustered(
                suggestion_id=f"s-{cid}",
                cluster_id=cid,
                size=size,
                representative_title="小区电梯",
                district_code="420802",
            )
        )
    async with pb.office() as c:
        r = await c.post("/v1/appeals/published", json={"cluster_id": "c-none", "title": "x"})
        assert error(r) == (422, "unknown_cluster", ["cluster_id"])
        r = await c.post(
            "/v1/appeals/published",
            json={
                "cluster_id": "c-small",
                "title": "老旧小区加装电梯",
                "division_codes": ["420802"],
            },
        )
        assert r.status_code == 200, r.text
        assert (r.json()["version"], r.json()["public"]) == (1, True)
        r = await c.post(
            "/v1/appeals/published",
            json={"cluster_id": "c-small", "title": "老旧小区加装电梯", "summary": "多名居民反映"},
        )
        assert r.json()["version"] == 2
        ranked = [i["ref"] for i in (await c.get("/v1/topics/candidates")).json()["items"]]
        assert ranked == ["c-big", "c-small"]
    for sid in ("sup-1", "sup-2", "sup-2"):  # the same support twice counts once
        await pb.h.deliver(
            SupportAdded(
                support_id=sid,
                target_kind="appeal",
                target_id="c-small",
                supported_at=pb.clock.now(),
            )
        )
    async with pb.office() as c:
        items = (await c.get("/v1/topics/candidates")).json()["items"]
        assert [(i["ref"], i["supports"]) for i in items] == [("c-small", 2), ("c-big", 0)]
        assert "附议 2 次" in items[0]["why"]
        appeals = (await c.get("/v1/appeals/published")).json()["appeals"]
        assert [(a["cluster_id"], a["supports"], a["summary"]) for a in appeals] == [
            ("c-small", 2, "多名居民反映")
        ]
    async with pb.client(LEAD) as unit:
        assert (await unit.get("/v1/appeals/published")).status_code == 403
    published = await pb.of("published")
    assert [e["data"]["version"] for e in published] == [1, 2]
    assert published[0]["subject"] == "c-small"
