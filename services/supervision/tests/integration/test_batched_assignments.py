"""Assignments pulled together open their cases in one write before the commit; whatever
reads cases later in the same transaction sees them, and a case that exists stays as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from minyi.contracts.envelope import RawEvent, new_event
from minyi.contracts.events import AssignedToUnit, AssignmentExplanation
from minyi.contracts.formal import CoUnit
from minyi.supervision.adapters.tables import case_co_units, cases, topic_candidates
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from tests.support.harness import Harness

from .conftest import START, UNIT, Bench


def _assigned(sid: str, *, unit: str = UNIT, title: str = "路灯不亮", **more: Any) -> RawEvent:
    data = AssignedToUnit(
        suggestion_id=sid,
        unit_id=unit,
        unit_name="单位",
        category="城乡建设",
        focus_area="城市能级",
        district_code="420802",
        kind=more.pop("kind", "citizen_appeal"),
        urgent=False,
        attempt=1,
        explanation=AssignmentExplanation(reason="rule"),
        assigned_at=START,
        title=title,
        **more,
    )
    event = new_event(data, source="minyi/routing", subject=sid, time=START)
    return RawEvent.model_validate_json(event.model_dump_json())


async def _in_one_transaction(h: Harness, events: list[RawEvent], then: Any = None) -> Any:
    consumer = next(c for c in h.runtime.consumers if c.durable.endswith("suggestion_assigned"))

    async def work(uow: SupervisionUnitOfWork) -> Any:
        await consumer.handle_batch(events, uow)
        return None if then is None else await then(uow)

    return await h.runtime.committer.submit(work)


async def _rows(h: Harness) -> tuple[list[Any], list[Any]]:
    async with h.runtime.sessions() as s:
        found = (await s.execute(select(cases).order_by(cases.c.case_id))).all()
        co = (await s.execute(select(case_co_units).order_by(case_co_units.c.unit_id))).all()
    return list(found), list(co)


async def test_a_batch_opens_each_case_once_with_its_co_units(bench: Bench) -> None:
    formal = _assigned(
        "f-1",
        kind="representative_suggestion",
        number="2025-001",
        signer_ids=["d-1"],
        co_units=[CoUnit(unit_id="dd-zjj", unit_name="协办单位")],
    )
    again = _assigned("s-1", unit="other", title="另一次交办")
    await _in_one_transaction(bench.h, [_assigned("s-1"), formal, again])

    found, co = await _rows(bench.h)
    assert [(r.case_id, r.unit_id, r.title) for r in found] == [
        ("f-1:1", UNIT, "路灯不亮"),
        ("s-1:1", UNIT, "路灯不亮"),  # the first of the two wins, as one after another
    ]
    assert [(r.case_id, r.unit_id) for r in co] == [("f-1:1", "dd-zjj")]


async def test_a_republished_assignment_leaves_its_case_as_it_is(bench: Bench) -> None:
    await _in_one_transaction(bench.h, [_assigned("s-1")])
    before, _ = await _rows(bench.h)
    await _in_one_transaction(bench.h, [_assigned("s-1", unit="other", title="再次发布")])
    after, _ = await _rows(bench.h)
    assert after == before


async def test_reads_later_in_the_transaction_see_the_new_cases(bench: Bench) -> None:
    async def read(uow: SupervisionUnitOfWork) -> Any:
        await uow.topics.count_endorsement("s-1", datetime(2025, 10, 9, tzinfo=UTC))
        case = await uow.cases.current_for_suggestion("s-1")
        return case, await uow.cases.exists("s-2:1")

    case, other = await _in_one_transaction(bench.h, [_assigned("s-1"), _assigned("s-2")], read)
    assert case is not None and case.case_id == "s-1:1" and other
    async with bench.h.runtime.sessions() as s:
        candidates = (await s.execute(select(topic_candidates))).all()
    assert [(c.ref, c.title) for c in candidates] == [("s-1", "路灯不亮")]
