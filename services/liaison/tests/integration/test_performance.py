"""Deputies' activities, the performance file, the score, disputes and the quarterly
snapshots over HTTP on a real SQLite store, and the file consumer fed through the broker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.performance import ActivityRecorded, DeputyScored, PerformancePublished
from minyi.contracts.supervision import Resolved
from minyi.liaison.bootstrap import SERVICE
from minyi.platform.auth import Role

from .conftest import DEPUTIES, START, Liaison, problem

ME = DEPUTIES[0]  # REP-420802-009, of station ST-420802-05
INSPECTION = {"kind": "inspection", "title": "视察老旧小区改造", "on": "2026-11-20"}


def deputy(liaison: Liaison, deputy_id: str = ME) -> httpx.AsyncClient:
    return liaison.client(Role.REPRESENTATIVE, representative=deputy_id)


async def record(liaison: Liaison, body: dict[str, Any] = INSPECTION) -> dict[str, Any]:
    async with deputy(liaison) as c:
        r = await c.post(f"/v1/deputies/{ME}/activities", json=body)
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    return made


async def test_a_recorded_activity_is_disputed_accepted_and_the_score_drops(
    liaison: Liaison,
) -> None:
    made = await record(liaison)
    await record(
        liaison, {"kind": "training", "title": "代表履职培训", "on": "2026-11-25", "hours": 6}
    )
    [event, _] = await liaison.events(ActivityRecorded.event_type)
    assert event["id"] == made["event_id"] and event["subject"] == made["id"]
    async with deputy(liaison) as c:
        listed = (await c.get(f"/v1/deputies/{ME}/activities", params={"year": 2026})).json()
        file = (await c.get(f"/v1/deputies/{ME}/file", params={"year": 2026})).json()
        before = (await c.get(f"/v1/deputies/{ME}/score", params={"year": 2026})).json()
    assert [a["kind"] for a in listed] == ["training", "inspection"]
    entry = next(e for e in file["entries"] if e["kind"] == "inspection")
    assert entry["event_id"] == made["event_id"] and entry["kind_label"] == "视察"
    assert file["training_hours"] == 6 and file["name"] == "田春生"
    assert before["score"] == 6.0 and before["band_label"] == "较差"
    assert {x["kind"]: x["points"] for x in before["lines"]} == {"inspection": 3, "training": 3}

    async with deputy(liaison) as c:
        r = await c.post(
            f"/v1/deputies/{ME}/file/entries/{entry['id']}/disputes", json={"reason": "重复登记"}
        )
        assert r.status_code == 201, r.text
        again = await c.post(
            f"/v1/deputies/{ME}/file/entries/{entry['id']}/disputes", json={"reason": "再提"}
        )
    assert again.status_code == 409 and again.json()["detail"][0]["type"] == "dispute_open"
    async with liaison.client(Role.ADMIN) as office:
        [open_one] = (await office.get("/v1/disputes", params={"status": "open"})).json()
        assert open_one["entry"]["id"] == entry["id"]
        decided = await office.post(
            f"/v1/disputes/{open_one['id']}/decision",
            json={"accepted": True, "reason": "与11月19日的登记重复"},
        )
        assert decided.status_code == 200, decided.text
        assert (await office.get("/v1/disputes", params={"status": "open"})).json() == []
        after = (await office.get(f"/v1/deputies/{ME}/score", params={"year": 2026})).json()
        file = (await office.get(f"/v1/deputies/{ME}/file", params={"year": 2026})).json()
    assert after["score"] == 3.0
    struck = next(e for e in file["entries"] if e["id"] == entry["id"])
    assert struck["struck"] is True and struck["disputes"][0]["status"] == "accepted"
    scored = [e["data"] for e in await liaison.events(DeputyScored.event_type)]
    assert [(s["version"], s["score"]) for s in scored] == [(1, 3.0), (2, 6.0), (3, 3.0)]


async def test_staff_of_another_station_and_another_deputy_are_refused(liaison: Liaison) -> None:
    async with liaison.staff("ST-420802-01") as other:
        r = await other.post(f"/v1/deputies/{ME}/activities", json=INSPECTION)
        assert r.status_code == 403 and r.json()["detail"][0]["type"] == "not_your_deputy"
        assert (await other.get(f"/v1/deputies/{ME}/activities")).status_code == 403
    async with deputy(liaison, DEPUTIES[1]) as someone_else:
        assert (
            await someone_else.post(f"/v1/deputies/{ME}/activities", json=INSPECTION)
        ).status_code == 403
        assert (await someone_else.get(f"/v1/deputies/{ME}/file")).status_code == 403
        assert (await someone_else.get(f"/v1/deputies/{ME}/score")).status_code == 403
    async with liaison.staff() as mine:
        r = await mine.post(f"/v1/deputies/{ME}/activities", json=INSPECTION)
        assert r.status_code == 201 and r.json()["recorded_by"] == "station_staff"
        # Station staff record, but the file and its score are the deputy's own.
        assert (await mine.get(f"/v1/deputies/{ME}/file")).status_code == 403
    async with liaison.client() as anonymous:
        assert (await anonymous.get(f"/v1/deputies/{ME}/activities")).status_code == 401


async def test_bad_input_is_a_422_naming_the_field_and_the_rule(liaison: Liaison) -> None:
    async with deputy(liaison) as c:
        for body, where in (
            ({**INSPECTION, "kind": "nap"}, ["body", "kind"]),
            ({**INSPECTION, "title": ""}, ["body", "title"]),
            ({**INSPECTION, "on": "2026-12-02"}, ["on"]),
            ({**INSPECTION, "kind": "training"}, ["hours"]),
            ({**INSPECTION, "hours": 30}, ["body", "hours"]),
        ):
            r = await c.post(f"/v1/deputies/{ME}/activities", json=body)
            assert r.status_code == 422, (body, r.text)
            assert problem(r)[2] == where, r.text
        r = await c.post(f"/v1/deputies/{ME}/activities", json={**INSPECTION, "on": "2026-12-02"})
        assert problem(r)[1] == "date_in_future" and "今天" in r.json()["detail"][0]["msg"]
        r = await c.get(f"/v1/deputies/{ME}/file", params={"year": 1900})
        assert r.status_code == 422 and problem(r)[2] == ["query", "year"]
        r = await c.post(f"/v1/deputies/{ME}/file/entries/nope/disputes", json={"reason": "x"})
        assert r.status_code == 404 and problem(r)[2] == ["entry_id"]


async def test_rates_below_ten_cases_are_null_with_too_few(liaison: Liaison) -> None:
    await record(liaison)
    async with deputy(liaison) as c:
        score = (await c.get(f"/v1/deputies/{ME}/score")).json()
    assert score["year"] == 2026 and len(score["rates"]) == 3
    assert all(r["rate"] is None and r["note"] == "样本不足" for r in score["rates"])


async def test_the_file_follows_a_formal_suggestion_through_the_bus_once(liaison: Liaison) -> None:
    filed = SuggestionFiled(
        suggestion_id="S-rep-1",
        title="建议加装电梯",
        content="c",
        kind="representative_suggestion",
        channel="web",
        district_code="420802",
        representative_id=ME,
        filed_at=START,
    )
    event = await liaison.h.deliver(filed)
    await liaison.h.deliver(filed, event=event)  # redelivered
    answer = Resolved(
        suggestion_id="S-rep-1",
        unit_id="U-1",
        outcome="A",
        reply="已加装",
        replied_at=START,
        on_time=True,
    )
    await liaison.h.deliver(answer)
    async with deputy(liaison) as c:
        file = (await c.get(f"/v1/deputies/{ME}/file")).json()
    [entry] = file["entries"]
    assert (entry["kind"], entry["state"], entry["event_id"]) == ("suggestion", "A", event.id)
    assert entry["state_label"].startswith("A类")


async def test_the_snapshot_poller_publishes_a_quarter_once_and_a_later_change_leaves_it(
    liaison: Liaison,
) -> None:
    made = await record(liaison)
    liaison.clock.advance(datetime(2027, 1, 2, 2, 0, tzinfo=UTC) - START)  # Q4 has ended
    poller = next(p for p in SERVICE.pollers(liaison.h.runtime) if "snapshot" in p.name)

    async def published() -> list[dict[str, Any]]:
        async with liaison.client() as c:
            found: list[dict[str, Any]] = (await c.get(f"/v1/deputies/{ME}/performance")).json()
        return found

    async def run_poller() -> None:
        """One whole pass: the second pass starting means the first one ended."""
        ticks = poller.ticks
        poller.start()
        try:
            for _ in range(500):
                if poller.ticks >= ticks + 2:
                    break
                poller.wake()
                await asyncio.sleep(0.01)
        finally:
            await poller.stop()
        assert poller.ticks >= ticks + 2

    await run_poller()
    [snapshot] = await published()
    assert (snapshot["quarter"], snapshot["score"], snapshot["band_label"]) == (
        "2026-Q4",
        3.0,
        "较差",
    )
    async with deputy(liaison) as c:
        r = await c.post(
            f"/v1/deputies/{ME}/file/entries/{made['entry_id']}/disputes", json={"reason": "误登"}
        )
    async with liaison.client(Role.ADMIN) as office:
        await office.post(
            f"/v1/disputes/{r.json()['id']}/decision", json={"accepted": True, "reason": "属实"}
        )
    await run_poller()
    assert await published() == [snapshot]
    assert len(await liaison.events(PerformancePublished.event_type)) == 1
