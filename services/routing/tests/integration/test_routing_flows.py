"""Routing's use cases in-process: a real SQLite store and FastStream's TestNatsBroker.

Assignment, triage and the manual desk, returns, recurring appeals with merged handling,
the classify endpoint and model reloads."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import delete, func, select, update
from sqlalchemy import event as sa_event

from minyi.contracts.envelope import RawEvent, new_event
from minyi.contracts.events import SuggestionFiled
from minyi.contracts.routing import AssignedToUnit, SuggestionClustered, TriageRequired
from minyi.contracts.supervision import AssignmentReturned, CaseClosed
from minyi.platform.app import errors
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.migrations import script_location
from minyi.routing.adapters import appeal_index
from minyi.routing.adapters.models import demo_corpus
from minyi.routing.adapters.tables import (
    appeal_clusters,
    appeal_keys,
    suggestions,
    training_examples,
)
from minyi.routing.bootstrap import SERVICE, on_start
from minyi.routing.domain.clustering import RecurringAppealIndex
from minyi.routing.entrypoints import http
from tests.support.harness import Harness, harness

DONGBAO = "420802"


@pytest.fixture
def triage_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """A threshold no model reaches: every suggestion waits for a person."""
    monkeypatch.setenv("MINYI_ROUTING_TRIAGE_THRESHOLD", "0.999")


def filed(
    sid: str = "s-1",
    title: str = "小区路灯坏了",
    district: str = DONGBAO,
    content: str | None = None,
    at: datetime | None = None,
) -> SuggestionFiled:
    return SuggestionFiled(
        suggestion_id=sid,
        title=title,
        content=content if content is not None else f"{title}，晚上出行很不方便。",
        channel="web",
        district_code=district,
        filed_at=at or datetime.now(UTC),
    )


async def returned(
    h: Harness,
    sid: str,
    unit_id: str,
    attempt: int,
    suggested_unit: str = "",
    reason: str = "不属于本单位职责",
) -> None:
    await h.deliver(
        AssignmentReturned(
            suggestion_id=sid,
            unit_id=unit_id,
            reason=reason,
            suggested_unit=suggested_unit,
            attempt=attempt,
            returned_at=datetime.now(UTC),
            case_id=f"{sid}:{attempt}",
            case_version=3,
        )
    )


async def closed(h: Harness, sid: str, unit_id: str) -> None:
    await h.deliver(
        CaseClosed(
            suggestion_id=sid,
            unit_id=unit_id,
            result="satisfied",
            closed_at=datetime.now(UTC),
            case_id=f"{sid}:1",
            case_version=5,
        )
    )


def api(h: Harness) -> FastAPI:
    """Routing's routes over the harness's runtime (no lifespan: the harness migrated),
    with the platform's error answers."""
    app = FastAPI()
    app.state.runtime = h.runtime
    app.include_router(http.router)
    errors.install(app)
    return app


def admin(h: Harness) -> dict[str, str]:
    return bearer(h.runtime.keyring, Principal(Role.ADMIN, "admin:test"))


def client(h: Harness) -> httpx.AsyncClient:
    """The admin's client of routing's routes."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(api(h)), base_url="http://t", headers=admin(h)
    )


def of_type(events: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["type"] == type_]


ASSIGNED = AssignedToUnit.event_type
TRIAGE = TriageRequired.event_type
CLUSTERED = SuggestionClustered.event_type
STREETLIGHT = "东宝区泉口街道金泉路路灯坏了两周没人修"
STREETLIGHT_AGAIN = "东宝区泉口街道金泉路路灯坏了好久没人修"


async def _assignment(h: Harness, sid: str) -> dict[str, Any]:
    async with client(h) as c:
        r = await c.get(f"/v1/assignments/{sid}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_filed_suggestion_is_assigned_with_the_models_explanation(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title=STREETLIGHT))
        out = await h.outbox()
    [data] = of_type(out, ASSIGNED)
    assert data["unit_id"] == "db-zjj" and data["category"] == "城乡建设"
    assert data["focus_area"] == "城市能级"
    e = data["explanation"]
    assert e["reason"] == "model" and e["model_version"] == "default-demo-1"
    assert e["top_features"] and all(
        f in STREETLIGHT + "，晚上出行很不方便。" for f in e["top_features"]
    )
    assert 0.5 <= e["confidence"] <= 1.0
    assert "东宝区住建局" in e["summary"] and "模型 default-demo-1" in e["summary"]


async def test_a_keyword_rule_pins_the_category_and_says_so(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title="工地老板拖欠农民工工资三个月"))
        out = await h.outbox()
    [data] = of_type(out, ASSIGNED)
    assert data["category"] == "劳动和社会保障" and data["unit_id"] == "db-rsj"
    assert data["explanation"]["reason"] == "rule"
    assert data["explanation"]["rule"] == "拖欠农民工工资"
    assert data["explanation"]["confidence"] == 1.0


async def test_a_category_reserved_to_the_city_goes_to_the_city_unit(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title="举报村干部贪污扶贫款"))
        out = await h.outbox()
    assert of_type(out, ASSIGNED)[0]["unit_id"] == "jm-jw"


@pytest.mark.usefixtures("triage_all")
async def test_a_suggestion_below_the_threshold_waits_in_the_triage_queue(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title=STREETLIGHT))
        out = await h.outbox()
        async with client(h) as c:
            queue = (await c.get("/v1/triage")).json()
    assert of_type(out, ASSIGNED) == []
    [triage] = of_type(out, TRIAGE)
    assert triage["reason"] == "low_confidence" and triage["attempt"] == 1
    assert triage["candidates"][0]["category"] == "城乡建设"
    assert triage["candidates"][0]["unit_id"] == "db-zjj"
    assert len(triage["candidates"]) == 3
    assert "转人工分办" in triage["explanation"]["summary"]
    assert [q["suggestion_id"] for q in queue] == ["s-1"]
    assert queue[0]["title"] == STREETLIGHT and queue[0]["reason"] == "low_confidence"


@pytest.mark.usefixtures("triage_all")
async def test_a_person_assigns_from_triage_and_the_choice_becomes_training_data(
    tmp_path: Path,
) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title=STREETLIGHT))
        async with client(h) as c:
            body = {"unit_id": "jm-zjj", "category": "城乡建设", "by": "分办员张三"}
            r = await c.post("/v1/triage/s-1/assign", json=body)
            again = await c.post("/v1/triage/s-1/assign", json=body)
            queue = (await c.get("/v1/triage")).json()
        out = await h.outbox()
        async with h.runtime.sessions() as s:
            examples = (await s.execute(select(training_examples))).mappings().all()
    assert r.status_code == 200, r.text
    [data] = of_type(out, ASSIGNED)
    assert data["unit_id"] == "jm-zjj" and data["attempt"] == 1
    assert data["explanation"]["reason"] == "manual"
    assert "人工分办（分办员张三）" in data["explanation"]["summary"]
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "not_in_triage"
    assert queue == []
    assert [(e["suggestion_id"], e["category"], e["unit_id"]) for e in examples] == [
        ("s-1", "城乡建设", "jm-zjj")
    ]


@pytest.mark.parametrize(
    ("sid", "body", "status", "problem"),
    [
        (
            "s-1",
            {"unit_id": "db-jyj", "category": "城乡建设"},
            422,
            ("category_not_handled", ["unit_id"]),
        ),
        (
            "s-1",
            {"unit_id": "dd-zjj", "category": "城乡建设"},
            422,
            ("outside_jurisdiction", ["unit_id"]),
        ),
        ("s-1", {"unit_id": "nobody", "category": "城乡建设"}, 422, ("unknown_unit", ["unit_id"])),
        ("s-1", {"unit_id": "db-zjj", "category": "天气"}, 422, ("unknown_category", ["category"])),
        ("s-404", {"unit_id": "db-zjj", "category": "城乡建设"}, 404, ("assignment_not_found", [])),
    ],
)
@pytest.mark.usefixtures("triage_all")
async def test_a_manual_choice_the_directory_cannot_honour_is_refused(
    tmp_path: Path, sid: str, body: dict[str, str], status: int, problem: tuple[str, list[str]]
) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title=STREETLIGHT))
        async with client(h) as c:
            r = await c.post(f"/v1/triage/{sid}/assign", json=body)
        out = await h.outbox()
    assert r.status_code == status, r.text
    [refusal] = r.json()["detail"]
    assert (refusal["type"], refusal["loc"]) == problem and refusal["msg"]
    assert of_type(out, ASSIGNED) == []


async def test_a_returned_case_goes_to_the_next_unit_and_never_back(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title=STREETLIGHT))
        # The returning unit suggests the environment bureau, which cannot handle 城乡建设.
        await returned(h, "s-1", "db-zjj", attempt=1, suggested_unit="db-sthjj")
        out = await h.outbox()
        row = await _assignment(h, "s-1")
    first, second = of_type(out, ASSIGNED)
    assert first["unit_id"] == "db-zjj" and first["attempt"] == 1
    assert second["unit_id"] == "jm-zjj" and second["attempt"] == 2
    assert second["category"] == "城乡建设"
    assert second["explanation"]["reason"] == "return"
    assert "东宝区住建局退回（不属于本单位职责）" in second["explanation"]["summary"]
    assert row["returned_by"] == ["db-zjj"] and row["attempt"] == 2


async def test_two_returns_send_the_suggestion_to_triage(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title=STREETLIGHT))
        await returned(h, "s-1", "db-zjj", attempt=1)
        await returned(h, "s-1", "jm-zjj", attempt=2, suggested_unit="db-zjj")
        out = await h.outbox()
        async with client(h) as c:
            queue = (await c.get("/v1/triage")).json()
            r = await c.post(
                "/v1/triage/s-1/assign", json={"unit_id": "db-zjj", "category": "城乡建设"}
            )
        out = await h.outbox()
    assert [d["unit_id"] for d in of_type(out, ASSIGNED)] == ["db-zjj", "jm-zjj", "db-zjj"]
    [triage] = of_type(out, TRIAGE)
    assert triage["reason"] == "returned" and triage["attempt"] == 3
    assert "已被退回 2 次" in triage["explanation"]["summary"]
    assert queue[0]["returned_by"] == ["db-zjj", "jm-zjj"]
    assert r.status_code == 200
    assert of_type(out, ASSIGNED)[-1]["attempt"] == 3  # a person may choose a returner


async def test_a_stale_or_repeated_return_changes_nothing(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed(title=STREETLIGHT))
        await returned(h, "s-1", "db-zjj", attempt=1)
        await returned(h, "s-1", "db-zjj", attempt=1)  # another event id, same return
        await returned(h, "s-404", "db-zjj", attempt=1)  # a suggestion routing never saw
        out = await h.outbox()
    assert [d["attempt"] for d in of_type(out, ASSIGNED)] == [1, 2]


async def test_recurring_appeals_are_clustered_and_merged_to_the_open_cases_unit(
    tmp_path: Path,
) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed("s-1", title=STREETLIGHT))
        await returned(h, "s-1", "db-zjj", attempt=1)  # now handled by jm-zjj
        await h.deliver(filed("s-2", title=STREETLIGHT_AGAIN))
        await h.deliver(filed("s-9", title="掇刀区学校门口缺少红绿灯", district="420804"))
        out = await h.outbox()
    clustered = of_type(out, CLUSTERED)
    assert [(c["suggestion_id"], c["size"], c["cluster_id"]) for c in clustered] == [
        ("s-2", 2, "rc-s-1")
    ]
    assert clustered[0]["representative_title"] == STREETLIGHT
    assert clustered[0]["district_code"] == DONGBAO
    merged = next(d for d in of_type(out, ASSIGNED) if d["suggestion_id"] == "s-2")
    assert merged["unit_id"] == "jm-zjj"  # not db-zjj, which the model alone would pick
    assert merged["explanation"]["reason"] == "cluster"
    assert merged["explanation"]["cluster_id"] == "rc-s-1"
    assert "并案办理" in merged["explanation"]["summary"]


async def test_recurring_appeals_filed_together_cluster_in_one_group_commit(
    tmp_path: Path,
) -> None:
    """Band rows are written once per transaction: a suggestion placed later in the same
    group commit must still find the earlier ones (and the stored index must hold them)."""
    async with harness(SERVICE, tmp_path) as h:
        groups = h.runtime.committer.groups
        await asyncio.gather(
            h.deliver(filed("s-1", title=STREETLIGHT)),
            h.deliver(filed("s-2", title=STREETLIGHT_AGAIN)),
        )
        together = h.runtime.committer.groups - groups
        await h.deliver(filed("s-3", title=STREETLIGHT))
        out = await h.outbox()
        async with h.runtime.sessions() as session:
            banded = (
                await session.execute(
                    select(suggestions.c.id).where(
                        suggestions.c.appeal_member.in_(select(appeal_keys.c.member))
                    )
                )
            ).scalars()
            indexed = sorted(banded)
    assert together == 1, "the two filings did not share a group commit"
    assert [(c["suggestion_id"], c["size"], c["cluster_id"]) for c in of_type(out, CLUSTERED)] == [
        ("s-2", 2, "rc-s-1"),
        ("s-3", 3, "rc-s-1"),
    ]
    assert indexed == ["s-1", "s-2", "s-3"]


async def test_filings_in_one_group_commit_see_each_others_pending_rows(
    tmp_path: Path,
) -> None:
    """Suggestion and assignment rows are written once per transaction: a later filing in
    the same group commit still merges with an earlier one's open case, a republished
    filing is still assigned once, and the rows are stored."""
    async with harness(SERVICE, tmp_path) as h:
        groups = h.runtime.committer.groups
        await asyncio.gather(
            h.deliver(filed("s-1", title=STREETLIGHT)),
            h.deliver(filed("s-1", title=STREETLIGHT)),  # republished under a new event id
            h.deliver(filed("s-2", title=STREETLIGHT_AGAIN)),
        )
        together = h.runtime.committer.groups - groups
        out = await h.outbox()
        first = await _assignment(h, "s-1")
        merged = await _assignment(h, "s-2")
    assert together == 1, "the filings did not share a group commit"
    assigned = of_type(out, ASSIGNED)
    assert [d["suggestion_id"] for d in assigned] == ["s-1", "s-2"]
    assert assigned[1]["explanation"]["reason"] == "cluster"
    assert assigned[1]["unit_id"] == assigned[0]["unit_id"] == first["unit_id"]
    assert merged["unit_id"] == first["unit_id"]
    assert merged["explanation"]["cluster_id"] == "rc-s-1"


async def test_a_closed_case_no_longer_attracts_merged_handling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINYI_ROUTING_TRACK_CLOSED_CASES", "true")
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed("s-1", title=STREETLIGHT))
        await returned(h, "s-1", "db-zjj", attempt=1)
        await closed(h, "s-1", "jm-zjj")
        await h.deliver(filed("s-2", title=STREETLIGHT_AGAIN))
        out = await h.outbox()
    s2 = next(d for d in of_type(out, ASSIGNED) if d["suggestion_id"] == "s-2")
    assert s2["unit_id"] == "db-zjj" and s2["explanation"]["reason"] == "model"
    assert [c["size"] for c in of_type(out, CLUSTERED)] == [2]


async def test_without_close_tracking_a_closed_case_still_merges(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed("s-1", title=STREETLIGHT))
        await closed(h, "s-1", "db-zjj")  # no consumer for it: the default deployment
        await h.deliver(filed("s-2", title=STREETLIGHT_AGAIN))
        out = await h.outbox()
    s2 = next(d for d in of_type(out, ASSIGNED) if d["suggestion_id"] == "s-2")
    assert s2["explanation"]["reason"] == "cluster"


async def test_the_appeal_index_outlives_a_restart(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed("s-1", title=STREETLIGHT))
    async with harness(SERVICE, tmp_path) as h:  # a new process over the same store
        await on_start(h.runtime)
        await h.deliver(filed("s-2", title=STREETLIGHT_AGAIN))
        out = await h.outbox()
    assert [(c["suggestion_id"], c["cluster_id"], c["size"]) for c in of_type(out, CLUSTERED)] == [
        ("s-2", "rc-s-1", 2)
    ]


@pytest.mark.parametrize("chunk", [None, 1], ids=["default-chunks", "one-at-a-time"])
async def test_an_upgraded_store_indexes_its_older_suggestions_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int | None
) -> None:
    if chunk is not None:  # a store of more suggestions than a chunk
        monkeypatch.setattr(appeal_index, "_CHUNK", chunk)
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed("s-1", title=STREETLIGHT))
        await h.deliver(filed("s-2", title=STREETLIGHT_AGAIN))
        async with h.runtime.sessions.begin() as session:  # as revision 0004 left it
            await session.execute(update(suggestions).values(signature=None, appeal_member=None))
            await session.execute(delete(appeal_keys))
            await session.execute(delete(appeal_clusters))
        await on_start(h.runtime)
        await on_start(h.runtime)  # twice: nothing indexed or counted twice
        await h.deliver(filed("s-3", title=STREETLIGHT))
        out = await h.outbox()
    assert [(c["suggestion_id"], c["cluster_id"], c["size"]) for c in of_type(out, CLUSTERED)] == [
        ("s-2", "rc-s-1", 2),
        ("s-3", "rc-s-1", 3),
    ]


async def test_a_store_of_revision_0006_keeps_its_clusters_after_the_upgrade(
    tmp_path: Path,
) -> None:
    """Revision 0007 starts an empty index keyed by member keys; the start indexes the
    window's suggestions that have none (their old band rows and signatures are not read),
    so a new near-duplicate still joins the old cluster, counted on."""
    at = datetime.now(UTC) - timedelta(days=3)
    url = f"sqlite:///{tmp_path}/{SERVICE.name}.sqlite3"
    cfg = Config()
    cfg.set_main_option("script_location", script_location(SERVICE.package))
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0006")
        for sid in ("s-1", "s-2"):
            connection.execute(
                sa.text(
                    "INSERT INTO suggestions (id, title, content, kind, district_code, urgent,"
                    " filed_at, cluster_id, signature) VALUES (:id, :t, '', 'citizen_appeal',"
                    " :d, 0, :at, 'rc-s-1', x'00')"
                ),
                {"id": sid, "t": STREETLIGHT, "d": DONGBAO, "at": at.isoformat(" ")},
            )
            connection.execute(
                sa.text("INSERT INTO appeal_bands VALUES (7, :id, :at)"),
                {"id": sid, "at": at.isoformat(" ")},
            )
        connection.execute(
            sa.text("INSERT INTO appeal_clusters VALUES ('rc-s-1', :t, 2)"), {"t": STREETLIGHT}
        )
    engine.dispose()
    async with harness(SERVICE, tmp_path) as h:  # upgrades to the head
        await on_start(h.runtime)
        await h.deliver(filed("s-3", title=STREETLIGHT_AGAIN))
        out = await h.outbox()
        async with h.runtime.sessions() as session:
            members = (
                await session.execute(select(suggestions.c.id, suggestions.c.appeal_member))
            ).all()
    assert [(c["suggestion_id"], c["cluster_id"], c["size"]) for c in of_type(out, CLUSTERED)] == [
        ("s-3", "rc-s-1", 3)
    ]
    assert all(member is not None for _, member in members), members


async def test_band_keys_of_suggestions_that_left_the_window_are_swept_at_start(
    tmp_path: Path,
) -> None:
    """The sweep cuts the member keys below the window's start (less a day's margin): the
    old suggestion's band rows go, the recent ones' stay, and nothing else is touched."""
    now = datetime.now(UTC)
    async with harness(SERVICE, tmp_path) as h:
        await h.deliver(filed("s-old", title=STREETLIGHT, at=now - timedelta(days=92)))
        await h.deliver(filed("s-edge", title=STREETLIGHT_AGAIN, at=now - timedelta(days=90)))
        await h.deliver(filed("s-new", title=STREETLIGHT, at=now))

        async def banded() -> dict[str, int]:
            async with h.runtime.sessions() as session:
                counted = await session.execute(
                    select(suggestions.c.id, func.count())
                    .join(appeal_keys, appeal_keys.c.member == suggestions.c.appeal_member)
                    .group_by(suggestions.c.id)
                )
                return dict(counted.tuples().all())

        before = await banded()
        await on_start(h.runtime)
        after = await banded()
    assert set(before) == {"s-old", "s-edge", "s-new"}
    assert after == {"s-edge": before["s-edge"], "s-new": before["s-new"]}


async def test_the_stored_index_clusters_like_the_reference_index(tmp_path: Path) -> None:
    rows = demo_corpus()[:120]
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    reference = RecurringAppealIndex(threshold=0.2, window_days=90)
    expected: dict[str, str] = {}
    async with harness(SERVICE, tmp_path) as h:
        for i, r in enumerate(rows):
            sid, at = f"s-{i:03d}", t0 + timedelta(hours=i)
            title = r.title if i % 2 else r.title[: len(r.title) * 2 // 3]  # near duplicates
            expected[sid] = reference.add(sid, DONGBAO, r.content, title, at).cluster_id
            await h.deliver(filed(sid, title=title, content=r.content, at=at))
        async with h.runtime.sessions() as session:
            stored = dict(
                (await session.execute(select(suggestions.c.id, suggestions.c.cluster_id))).all()
            )
    assert stored == expected
    assert len(set(expected.values())) < len(expected)  # some did cluster


async def test_classify_gives_the_decision_without_assigning(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        async with client(h) as c:
            r = await c.post(
                "/v1/classify",
                json={"title": STREETLIGHT, "content": "晚上很黑", "district_code": DONGBAO},
            )
            bad_district = await c.post(
                "/v1/classify", json={"title": STREETLIGHT, "district_code": "999999"}
            )
            no_title = await c.post("/v1/classify", json={"title": "", "district_code": DONGBAO})
        out = await h.outbox()
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["category"] == "城乡建设" and body["unit_id"] == "db-zjj"
    assert body["focus_area"] == "城市能级" and body["needs_triage"] is False
    assert body["explanation"]["model_version"] == "default-demo-1"
    assert body["explanation"]["top_features"]
    assert body["candidates"][0]["category"] == "城乡建设"
    assert bad_district.status_code == 422
    [refusal] = bad_district.json()["detail"]
    assert refusal["type"] == "unknown_district" and refusal["loc"] == ["district_code"]
    assert "999999" in refusal["msg"]
    assert no_title.status_code == 422
    assert out == []


async def test_a_redelivered_event_assigns_only_once(tmp_path: Path) -> None:
    async with harness(SERVICE, tmp_path) as h:
        event = await h.deliver(filed(title=STREETLIGHT))
        await h.deliver(filed(title=STREETLIGHT), event=event)
        await h.deliver(filed(title=STREETLIGHT))  # republished under a new event id
        out = await h.outbox()
    assert len(of_type(out, ASSIGNED)) == 1
    assert of_type(out, CLUSTERED) == []


def _raw(data: SuggestionFiled) -> RawEvent:
    event = new_event(data, source="minyi/test", subject=data.suggestion_id)
    return RawEvent.model_validate_json(event.model_dump_json())


@pytest.mark.parametrize("chunk", [None, 3], ids=["default-chunks", "chunks-of-3"])
async def test_pulled_batches_cluster_like_the_reference_and_ask_the_store_once_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int | None
) -> None:
    """A pulled batch asks the store about all its filings at once (routed already?
    stored candidates?): it clusters exactly as the reference does, across batches and
    within one, assigns a filing republished in the same or a later batch once, and
    reads the store a few times per batch instead of twice per filing. Read in small
    chunks of keys and candidates (as a large store is), it clusters the same."""
    if chunk is not None:
        monkeypatch.setattr(appeal_index, "_CHUNK", chunk)
    rows = demo_corpus()[:120]
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    reference = RecurringAppealIndex(threshold=0.2, window_days=90)
    expected: dict[str, str] = {}
    sizes: dict[str, int] = {}  # as each member joined
    events: list[RawEvent] = []
    for i, r in enumerate(rows):
        sid, at = f"s-{i:03d}", t0 + timedelta(hours=i)
        title = r.title if i % 2 else r.title[: len(r.title) * 2 // 3]  # near duplicates
        placed = reference.add(sid, DONGBAO, r.content, title, at)
        expected[sid], sizes[sid] = placed.cluster_id, placed.size
        events.append(_raw(filed(sid, title=title, content=r.content, at=at)))
    # Republished under new event ids: one in its own batch, one three batches later.
    events.insert(5, _raw(filed("s-003", title=rows[3].title, content=rows[3].content)))
    events.append(_raw(filed("s-010", title=rows[10].title[:8], content=rows[10].content)))
    async with harness(SERVICE, tmp_path) as h:
        consumer = next(c for c in h.runtime.consumers if c.durable.endswith("suggestion_filed"))
        reads: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                reads.append(statement)

        sa_event.listen(h.runtime.engine.sync_engine, "before_cursor_execute", count)
        for i in range(0, len(events), 30):

            async def work(uow: Any, batch: list[RawEvent] = events[i : i + 30]) -> None:
                await consumer.handle_batch(batch, uow)

            await h.runtime.committer.submit(work)
        sa_event.remove(h.runtime.engine.sync_engine, "before_cursor_execute", count)
        out = await h.outbox()
        async with h.runtime.sessions() as session:
            stored = dict(
                (await session.execute(select(suggestions.c.id, suggestions.c.cluster_id))).all()
            )
            counted = dict(
                (
                    await session.execute(
                        select(appeal_clusters.c.cluster_id, appeal_clusters.c.size)
                    )
                ).all()
            )
    assert stored == expected
    assert counted == Counter(expected.values())
    reported = {c["suggestion_id"]: c["size"] for c in of_type(out, CLUSTERED)}
    assert reported == {sid: n for sid, n in sizes.items() if n >= 2}
    assert len(set(expected.values())) < len(expected)  # some did cluster
    assert sorted(d["suggestion_id"] for d in of_type(out, ASSIGNED) + of_type(out, TRIAGE)) == (
        sorted(expected)
    )
    if chunk is None:
        batches = -(-len(events) // 30)
        # Per batch: the inbox, which filings are routed, the band keys, the candidates,
        # their clusters; a filing that joins a cluster asks for its open case.
        assert len(reads) <= batches * 5 + len(reported), len(reads)
