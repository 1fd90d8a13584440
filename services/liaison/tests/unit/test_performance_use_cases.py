"""Activities, the performance file, disputes and snapshots as use cases on the in-memory
unit of work (fakes.py): what they store, emit and refuse."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from minyi.contracts.envelope import EventData, RawEvent, new_event
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.performance import ActivityRecorded, DeputyScored, PerformancePublished
from minyi.contracts.supervision import Resolved
from minyi.liaison.adapters.repositories import Versioned
from minyi.liaison.domain.activity import ActivityInput
from minyi.liaison.domain.evaluation import EvaluationPolicy
from minyi.liaison.domain.registry import Deputy, ElectoralUnit
from minyi.liaison.service_layer import activities, performance
from minyi.liaison.service_layer.performance import Caller
from minyi.platform.errors import Conflict, Forbidden

from .fakes import FakeUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 10:00 Beijing
DEPUTY = Deputy("REP-1", "张明", "city", ElectoralUnit("420802"), ("ST-1",))
OTHER = Deputy("REP-2", "李华", "county", ElectoralUnit("420802"), ("ST-2",))
ME = Caller("rep:1", "representative", deputy_id="REP-1")
OFFICE = Caller("admin:1", "admin")


@pytest.fixture(scope="module")
def policy() -> EvaluationPolicy:
    path = ROOT / "src/minyi/liaison/reference/evaluation.json"
    return EvaluationPolicy.model_validate(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork(NOW)
    await fake.registry.put_deputies([Versioned(DEPUTY, 1), Versioned(OTHER, 1)], [], NOW)
    return fake


def raw(data: EventData, subject: str, event_id: str | None = None) -> RawEvent:
    event = new_event(data, source="minyi/test", subject=subject)
    dumped: dict[str, Any] = event.model_dump(mode="json")
    if event_id:
        dumped["id"] = event_id
    return RawEvent.model_validate(dumped)


async def record(
    uow: FakeUnitOfWork, policy: EvaluationPolicy, caller: Caller = ME, **given: Any
) -> dict[str, Any]:
    activity = ActivityInput(
        given.get("kind", "inspection"),
        given.get("title", "视察老旧小区改造"),
        given.get("on", date(2026, 11, 20)),
        given.get("hours"),
    )
    return await activities.record_activity(
        uow, caller, given.get("deputy_id", "REP-1"), activity, policy
    )


async def test_a_deputy_records_an_activity_that_enters_the_file_with_its_event_id(
    uow: FakeUnitOfWork, policy: EvaluationPolicy
) -> None:
    made = await record(uow, policy)
    [recorded] = uow.emitted(ActivityRecorded)
    assert (recorded.deputy_id, recorded.kind, recorded.recorded_by) == (
        "REP-1",
        "inspection",
        "deputy",
    )
    assert recorded.station_id == "ST-1" and recorded.district_code == "420802"
    file = await performance.file_of(uow, ME, "REP-1", 2026)
    [entry] = file["entries"]
    assert entry["event_id"] == made["event_id"] == "1"
    assert entry["event_type"] == ActivityRecorded.event_type and entry["kind_label"] == "视察"
    [scored] = uow.emitted(DeputyScored)
    assert (scored.version, scored.score, scored.year) == (1, 3.0, 2026)


async def test_who_may_record_the_deputy_their_station_staff_or_the_office(
    uow: FakeUnitOfWork, policy: EvaluationPolicy
) -> None:
    await record(uow, policy, Caller("staff:1", "station_staff", station="ST-1"))
    await record(uow, policy, OFFICE)
    assert [e.recorded_by for e in uow.emitted(ActivityRecorded)] == ["station_staff", "office"]
    for stranger in (
        Caller("staff:2", "station_staff", station="ST-2"),
        Caller("rep:2", "representative", deputy_id="REP-2"),
    ):
        with pytest.raises(Forbidden):
            await record(uow, policy, stranger)
        with pytest.raises(Forbidden):
            await activities.activities_of(uow, stranger, "REP-1", None)
    with pytest.raises(Forbidden):
        await performance.file_of(
            uow, Caller("staff:1", "station_staff", station="ST-1"), "REP-1", None
        )


async def test_the_consumer_adds_nothing_for_its_own_activity_or_a_redelivery(
    uow: FakeUnitOfWork, policy: EvaluationPolicy
) -> None:
    made = await record(uow, policy)
    [recorded] = uow.emitted(ActivityRecorded)
    own = raw(recorded, made["id"], made["event_id"])
    for _ in range(2):
        await performance.when_event_update_file(own, uow, policy)
    assert len(uow.performance.entries) == 1
    assert len(uow.emitted(DeputyScored)) == 1  # the score did not change


async def test_an_answer_for_something_the_file_does_not_follow_changes_nothing(
    uow: FakeUnitOfWork, policy: EvaluationPolicy
) -> None:
    answer = Resolved(
        suggestion_id="S-citizen",
        unit_id="U",
        outcome="A",
        reply="r",
        replied_at=NOW,
        on_time=True,
    )
    await performance.when_event_update_file(raw(answer, "S-citizen"), uow, policy)
    assert uow.performance.entries == {} and uow.events == []


async def test_a_formal_suggestion_answered_a_raises_the_score(
    uow: FakeUnitOfWork, policy: EvaluationPolicy
) -> None:
    filed = SuggestionFiled(
        suggestion_id="S-1",
        title="加装电梯",
        content="c",
        kind="representative_suggestion",
        channel="web",
        district_code="420802",
        representative_id="REP-1",
        filed_at=NOW,
    )
    await performance.when_event_update_file(raw(filed, "S-1"), uow, policy)
    answer = Resolved(
        suggestion_id="S-1", unit_id="U", outcome="A", reply="r", replied_at=NOW, on_time=True
    )
    await performance.when_event_update_file(raw(answer, "S-1"), uow, policy)
    scores = [s.score for s in uow.emitted(DeputyScored)]
    assert [s.version for s in uow.emitted(DeputyScored)] == [1, 2]
    assert scores[1] > scores[0]


async def test_an_accepted_dispute_strikes_the_entry_and_lowers_the_score_on_the_record(
    uow: FakeUnitOfWork, policy: EvaluationPolicy
) -> None:
    made = await record(uow, policy)
    await record(uow, policy, kind="research", title="调研养老服务")
    before = uow.emitted(DeputyScored)[-1]
    opened = await performance.dispute_entry(uow, ME, "REP-1", made["entry_id"], "重复登记")
    with pytest.raises(Conflict):
        await performance.dispute_entry(uow, ME, "REP-1", made["entry_id"], "再提一次")
    with pytest.raises(Forbidden):
        await performance.dispute_entry(uow, OFFICE, "REP-1", made["entry_id"], "代提")
    [listed] = await performance.disputes(uow, "open")
    assert listed["entry"]["id"] == made["entry_id"] and listed["deputy_name"] == "张明"
    decided = await performance.decide_dispute(uow, OFFICE, opened["id"], True, "核实属实", policy)
    assert decided["status"] == "accepted"
    after = uow.emitted(DeputyScored)[-1]
    assert after.version == before.version + 1 and after.score < before.score
    file = await performance.file_of(uow, ME, "REP-1", 2026)
    struck = next(e for e in file["entries"] if e["id"] == made["entry_id"])
    assert struck["struck"] is True
    assert [d["decision_reason"] for d in struck["disputes"]] == ["核实属实"]
    with pytest.raises(Conflict):
        await performance.decide_dispute(uow, OFFICE, opened["id"], False, "改判", policy)


async def test_a_rejected_dispute_changes_nothing_but_its_own_record(
    uow: FakeUnitOfWork, policy: EvaluationPolicy
) -> None:
    made = await record(uow, policy)
    opened = await performance.dispute_entry(uow, ME, "REP-1", made["entry_id"], "日期有误")
    uow.events.clear()
    await performance.decide_dispute(uow, OFFICE, opened["id"], False, "日期无误", policy)
    assert uow.events == [] and not uow.performance.entries[made["entry_id"]].struck
    # Decided, the entry may be disputed again.
    await performance.dispute_entry(uow, ME, "REP-1", made["entry_id"], "补充材料")


async def test_a_quarters_snapshot_is_published_once_and_never_changes(
    uow: FakeUnitOfWork, policy: EvaluationPolicy
) -> None:
    made = await record(uow, policy)  # 20 November: in 2026-Q4
    await record(uow, policy, kind="research", on=date(2026, 9, 30))  # in Q3
    # 1 December: Q3 has ended; its snapshot holds only what happened by 30 September.
    assert await performance.publish_snapshots(uow, policy, batch=10) is False
    [q3] = uow.emitted(PerformancePublished)
    assert q3.quarter == "2026-Q3" and [x.kind for x in q3.lines] == ["research"]
    await performance.publish_snapshots(uow, policy, batch=10)
    assert len(uow.emitted(PerformancePublished)) == 1
    # 2 January 2027 (Beijing): Q4 has ended.
    uow.clock = datetime(2027, 1, 1, 16, 30, tzinfo=UTC)
    await performance.publish_snapshots(uow, policy, batch=10)
    q4 = uow.emitted(PerformancePublished)[-1]
    assert q4.quarter == "2026-Q4" and q4.score == 6.0
    opened = await performance.dispute_entry(uow, ME, "REP-1", made["entry_id"], "重复")
    await performance.decide_dispute(uow, OFFICE, opened["id"], True, "属实", policy)
    await performance.publish_snapshots(uow, policy, batch=10)
    published = await performance.snapshots_of(uow, "REP-1")
    assert [(s["quarter"], s["score"]) for s in published] == [("2026-Q4", 6.0), ("2026-Q3", 3.0)]


def test_the_last_ended_quarter() -> None:
    assert performance.last_ended_quarter(date(2027, 1, 1)) == ("2026-Q4", 2026, date(2026, 12, 31))
    assert performance.last_ended_quarter(date(2026, 7, 1)) == ("2026-Q2", 2026, date(2026, 6, 30))
    assert performance.last_ended_quarter(date(2026, 6, 30)) == ("2026-Q1", 2026, date(2026, 3, 31))
