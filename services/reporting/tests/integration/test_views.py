"""Reporting's consumer and HTTP API in-process: real SQLite, FastStream's test broker."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import zipfile
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from minyi.contracts.status import SuggestionStatus
from minyi.contracts.supervision import CaseClosed
from minyi.reporting.adapters.tables import deliveries
from minyi.reporting.adapters.webhooks import SIGNATURE_HEADER, WebhookSender, sign
from minyi.reporting.domain.projection import STATUSES
from minyi.reporting.service_layer import webhooks
from minyi.reporting.service_layer.handlers import project
from services.reporting.tests.integration.conftest import Reporting
from tests.support.reporting_history import history, lifecycle


async def test_the_views_count_what_the_events_say(reporting: Reporting) -> None:
    await reporting.deliver(history())

    head = await reporting.get("/v1/headline")
    assert head["suggestions_collected"] == 4
    assert head["problems_solved"] == 2  # s-1 and s-3 answered with outcome A
    # Every rating given: s-1 and s-2 satisfied at closure, s-3 unsatisfied with its first
    # answer and again after re-handling. Four ratings are too few for a rate (样本不足).
    assert (head["ratings"], head["ratings_satisfied"], head["first_rated"]) == (4, 2, 3)
    assert (head["rated_closures"], head["satisfied_closures"]) == (3, 2)
    assert head["satisfaction_rate"] is None and head["samples"]["satisfaction_rate"] == 4
    assert head["notes"]["satisfaction_rate"].startswith("样本不足")
    assert head["overdue_now"] == 1  # s-4: overdue, escalated, not answered

    units = {u["unit_id"]: u for u in await reporting.get("/v1/units")}
    assert units["u-zjj"]["assigned"] == 3 and units["u-zjj"]["overdue_now"] == 1
    assert units["u-zjj"]["outcome_b"] == 1
    assert units["u-jtj"]["reopen_rate"] is None  # one answer: 样本不足
    assert units["u-jtj"]["samples"]["reopen_rate"] == 1

    groups = await reporting.get("/v1/supervision-groups")
    assert groups == [
        {"group_id": "grp-dongbao", "group_name": "东宝区督导组", "escalated": 2,
         "overdue_now": 1, "replied": 1, "closed": 1},
    ]  # fmt: skip
    recurring = await reporting.get("/v1/recurring")
    assert recurring[0]["cluster_id"] == "c-1" and recurring[0]["growth"] == 2
    assert recurring[0]["sample_titles"] == ["s-2 路灯不亮", "s-1 路灯不亮"]
    reps = {r["representative_id"]: r for r in await reporting.get("/v1/representatives")}
    # Intake's old kinds in liaison's terms (station duty is a reception).
    assert reps["rep-1"]["activities_by_kind"] == {"reception": 1, "visit": 1}
    assert reps["rep-1"]["suggestions_filed"] == 1 and reps["rep-2"]["suggestions_endorsed"] == 1

    timeline = await reporting.get("/v1/suggestions/s-3")
    steps = [e["step"] for e in timeline["timeline"]]
    assert steps[:3] == ["filed", "assigned", "endorsed"] and steps[-1] == "closed"
    assert timeline["explanation"]["rule"] == "路灯"


async def test_statuses_and_their_names_are_the_common_vocabulary(reporting: Reporting) -> None:
    answered = [e for e in lifecycle("s-8") if e.type != CaseClosed.event_type]
    await reporting.deliver(answered + lifecycle("s-4", day=9, late=True, outcome=""))

    replied = await reporting.get("/v1/suggestions/s-8")
    assert (replied["status"], replied["status_name"]) == (SuggestionStatus.REPLIED, "已答复")
    assigned = await reporting.get("/v1/suggestions/s-4")
    assert (assigned["status"], assigned["status_name"]) == (SuggestionStatus.ASSIGNED, "已交办")
    stats = await reporting.get("/v1/stats")
    assert stats["by_status"] == {"replied": 1, "assigned": 1}
    only_replied = await reporting.get("/v1/headline", status="replied")
    assert only_replied["suggestions_collected"] == 1 and only_replied["replied"] == 1


async def test_filters_narrow_every_view(reporting: Reporting) -> None:
    await reporting.deliver(history())
    in_district = await reporting.get("/v1/headline", district="420804")
    assert in_district["suggestions_collected"] == 1
    first_week = await reporting.get("/v1/headline", **{"from": "2025-09-29", "to": "2025-10-05"})
    assert first_week["suggestions_collected"] == 2
    closed = await reporting.get("/v1/heatmap", status="closed")
    assert sum(c["count"] for c in closed["district_focus"]) == 3
    r = await reporting.http.get("/v1/headline", params={"from": "2025-10-05", "to": "2025-10-01"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "inverted_range"
    assert r.json()["detail"][0]["loc"] == ["from"]
    r = await reporting.http.get("/v1/headline", params={"status": "resolved"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["status"]
    assert "replied" in r.json()["detail"][0]["msg"]


async def test_views_read_from_the_area_counters_agree_with_the_cube(
    reporting: Reporting,
) -> None:
    # Without a status filter the heat map, headline and trends read the status-less
    # ``area`` counters; with one, the cube. Summed over every status they must agree.
    await reporting.deliver(history())
    statuses = list(STATUSES)
    assert "replied" in statuses
    for params in ({}, {"district": "420802"}, {"kind": "citizen_appeal", "district": "420802"},
                   {"from": "2025-09-29", "to": "2025-10-05"}):  # fmt: skip
        head = await reporting.get("/v1/headline", **params)
        per_status = [await reporting.get("/v1/headline", status=s, **params) for s in statuses]
        for field in ("suggestions_collected", "problems_solved", "replied", "overdue_now"):
            assert head[field] == sum(h[field] for h in per_status), (params, field)
        heat = await reporting.get("/v1/heatmap", **params)
        cells: dict[tuple[Any, Any], int] = {}
        for s in statuses:
            for c in (await reporting.get("/v1/heatmap", status=s, **params))["district_focus"]:
                key = (c["district_code"], c["focus_area"])
                cells[key] = cells.get(key, 0) + c["count"]
        assert {
            (c["district_code"], c["focus_area"]): c["count"] for c in heat["district_focus"]
        } == cells
    assert sum(c["count"] for c in heat["district_focus"]) == 2
    elsewhere = await reporting.get("/v1/recurring", district="420804")
    assert elsewhere == []  # c-1 belongs to 420802
    assert [r["cluster_id"] for r in await reporting.get("/v1/recurring", district="420802")] == [
        "c-1"
    ]


async def test_a_redelivered_or_reordered_history_changes_no_counter(reporting: Reporting) -> None:
    events = history()
    await reporting.deliver(events)
    once = await reporting.counters()
    # The platform inbox would drop these; the projection must be idempotent on its own too.
    async with reporting.h.runtime.unit_of_work() as uow:
        for e in reversed(events):
            assert not await project(uow.views, 1, e)
    assert await reporting.counters() == once


async def test_public_summary_carries_no_titles_or_replies(reporting: Reporting) -> None:
    await reporting.deliver(history())
    text = json.dumps(await reporting.get("/v1/public/summary"), ensure_ascii=False)
    assert "路灯" not in text and "已修复" not in text
    assert '"suggestions_collected": 4' in text


async def test_table_views_export_as_csv(reporting: Reporting) -> None:
    await reporting.deliver(history())
    r = await reporting.http.get("/v1/units", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row["unit_id"] for row in rows} == {"u-zjj", "u-jtj"}
    r = await reporting.http.get("/v1/export/suggestions.csv", params={"district": "420802"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert sorted(row["suggestion_id"] for row in rows) == ["s-1", "s-2", "s-4"]
    assert (await reporting.http.get("/v1/export/nothing.csv")).status_code == 404


@pytest.mark.skipif(
    importlib.util.find_spec("xlsxwriter") is None, reason="XLSX export needs xlsxwriter==3.3.1"
)
async def test_table_views_export_as_xlsx(reporting: Reporting) -> None:
    await reporting.deliver(history())
    r = await reporting.http.get("/v1/export/units.xlsx")
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            book.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in book.namelist()
            else ""
        )
    assert "u-jtj" in sheet + strings and "unit_name" in sheet + strings


async def test_a_resolution_reaches_live_listeners_once_after_commit(reporting: Reporting) -> None:
    queue = reporting.h.runtime.deps.resolutions.subscribe()
    events = lifecycle("s-9")
    await reporting.deliver(events + events)
    messages = []
    while not queue.empty():
        messages.append(queue.get_nowait())
    assert [(m["suggestion_id"], m["outcome"]) for m in messages] == [("s-9", "A")]
    assert "reply" not in messages[0]


async def test_webhooks_are_signed_and_retried_until_delivered(reporting: Reporting) -> None:
    runtime = reporting.h.runtime  # the harness starts no poller: this test drives it
    secret = "s3cret-for-the-test-only"
    r = await reporting.http.post(
        "/v1/subscriptions", json={"url": "https://example.test/hook", "secret": secret}
    )
    assert r.status_code == 201 and "secret" not in r.json()
    bad = await reporting.http.post("/v1/subscriptions", json={"url": "nope", "secret": "x"})
    assert bad.status_code == 422

    await reporting.deliver(lifecycle("s-7"))
    received: list[httpx.Request] = []
    answers = iter([503, 200])

    def endpoint(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(next(answers))

    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as client:
        sender = WebhookSender(runtime.deps.webhook_sender.egress, client)
        deliver = lambda: webhooks.deliver_due(runtime.unit_of_work, sender, runtime.clock)  # noqa: E731
        assert await deliver() == 0  # 503: kept, retried later
        async with runtime.sessions() as s:
            row = (await s.execute(select(deliveries))).one()
        assert row.attempts == 1 and row.delivered_at is None and row.last_error == "HTTP 503"
        async with runtime.sessions() as s, s.begin():  # skip the back-off wait
            await s.execute(deliveries.update().values(next_attempt_at=runtime.clock.now()))
        assert await deliver() == 1
        assert await deliver() == 0  # delivered once, never again
    body = received[-1].content
    assert received[-1].headers[SIGNATURE_HEADER] == sign(secret, body)
    assert json.loads(body)["suggestion_id"] == "s-7"
