"""Routing's use cases over an in-memory FAKE unit of work: no store, no broker.

The fakes keep what the repositories keep (an assignment reads back its classification
without the ranking, as the table does), so a use case's decisions and events can be
checked in milliseconds; tests/integration runs the same paths against SQLite."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from minyi.contracts.envelope import EventData, RawEvent, new_event
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.routing import AssignedToUnit, TriageRequired
from minyi.contracts.supervision import AssignmentReturned
from minyi.platform.auth_tokens import Principal, Role
from minyi.routing.adapters.corpus import LabelledRow
from minyi.routing.adapters.events import suggestion_of
from minyi.routing.bootstrap import build_dependencies
from minyi.routing.config import RoutingSettings
from minyi.routing.dependencies import RoutingDeps
from minyi.routing.domain.assignment import ASSIGNED, CLOSED, TRIAGE, Assignment, Suggestion
from minyi.routing.domain.clustering import AppealMatcher, ClusterAssignment, founded_cluster_id
from minyi.routing.domain.decision import Decision
from minyi.routing.domain.errors import AssignmentNotFound, NotInTriage
from minyi.routing.service_layer import commands, handlers
from minyi.routing.service_layer.messages import AssignManually

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
DONGBAO = "420802"
STREETLIGHT = "东宝区泉口街道金泉路路灯坏了两周没人修"


class FakeSuggestions:
    def __init__(self) -> None:
        self.rows: dict[str, Suggestion] = {}

    async def add(
        self, filed: SuggestionFiled, cluster_id: str, signature: bytes, member: int
    ) -> None:
        self.rows[filed.suggestion_id] = suggestion_of(filed)

    async def get(self, suggestion_id: str) -> Suggestion | None:
        return self.rows.get(suggestion_id)

    async def one(self, suggestion_id: str) -> Suggestion:
        return self.rows[suggestion_id]


class FakeAssignments:
    def __init__(self) -> None:
        self.rows: dict[str, Assignment] = {}

    def _store(self, sid: str, decision: Decision, attempt: int, returned_by: list[str]) -> None:
        self.rows[sid] = Assignment(
            suggestion_id=sid,
            attempt=attempt,
            status=TRIAGE if decision.needs_triage else ASSIGNED,
            unit_id=decision.unit.id if decision.unit else None,
            returned_by=returned_by,
            classification=dataclasses.replace(decision.classification, ranking=()),
        )

    async def exists(self, suggestion_id: str) -> bool:
        return suggestion_id in self.rows

    async def get(self, suggestion_id: str) -> Assignment | None:
        return self.rows.get(suggestion_id)

    async def add(self, suggestion_id: str, decision: Decision, now: datetime) -> None:
        self._store(suggestion_id, decision, 1, [])

    async def record(
        self, suggestion_id: str, decision: Decision, now: datetime, **changes: Any
    ) -> None:
        old = self.rows[suggestion_id]
        attempt = changes.get("attempt", old.attempt)
        self._store(suggestion_id, decision, attempt, changes.get("returned_by", old.returned_by))

    async def close(self, suggestion_id: str, unit_id: str) -> None:
        old = self.rows.get(suggestion_id)
        if old and old.unit_id == unit_id and old.status == ASSIGNED:
            self.rows[suggestion_id] = dataclasses.replace(old, status=CLOSED)

    async def open_case_in_cluster(self, cluster_id: str, excluding: str) -> None:
        return None  # every suggestion founds its own cluster here (SoloAppealIndex)


class SoloAppealIndex:
    """Every suggestion founds its own cluster (clustering has its own tests)."""

    async def place(
        self, matcher: AppealMatcher, suggestion_id: str, district: str, title: str, *_: Any
    ) -> tuple[ClusterAssignment, bytes, int]:
        return ClusterAssignment(founded_cluster_id(suggestion_id), 1, title, True), b"", 0

    async def tidy(self, *_: Any) -> None:
        pass


class FakeTrainingExamples:
    def __init__(self) -> None:
        self.rows: list[LabelledRow] = []

    async def add(
        self, suggestion: Suggestion, *, category: str, unit_id: str, source: str, now: datetime
    ) -> None:
        self.rows.append(LabelledRow(suggestion.title, suggestion.content, category, unit_id))


class NoFormalSuggestions:
    """The 交办 queue, empty: these use cases are citizens' appeals (test_formal has its own)."""

    async def get(self, suggestion_id: str) -> None:
        return None


class FakeClock:
    def now(self) -> datetime:
        return NOW


@dataclasses.dataclass
class FakeRuntime:
    clock: FakeClock = dataclasses.field(default_factory=FakeClock)


class FakeUnitOfWork:
    """What routing's use cases use of ``RoutingUnitOfWork``, in memory."""

    def __init__(self) -> None:
        self.runtime = FakeRuntime()
        self.suggestions = FakeSuggestions()
        self.assignments = FakeAssignments()
        self.appeal_index = SoloAppealIndex()
        self.training_examples = FakeTrainingExamples()
        self.formal = NoFormalSuggestions()
        self.emitted: list[EventData] = []

    def emit(self, data: EventData, *, subject: str) -> str:
        self.emitted.append(data)
        return subject


def deps(triage_threshold: float = 0.5) -> RoutingDeps:
    settings = RoutingSettings(triage_threshold=triage_threshold)
    return build_dependencies(Path("unused-data-dir"), settings)


def raw(data: SuggestionFiled | AssignmentReturned) -> RawEvent:
    event = new_event(data, source="minyi/test", subject=data.suggestion_id)
    return RawEvent.model_validate(event.model_dump(mode="json"))


def filed(sid: str = "s-1", title: str = STREETLIGHT) -> RawEvent:
    return raw(
        SuggestionFiled(
            suggestion_id=sid,
            title=title,
            content=f"{title}，晚上出行很不方便。",
            channel="web",
            district_code=DONGBAO,
            filed_at=NOW,
        )
    )


def returned(sid: str, unit_id: str, attempt: int) -> RawEvent:
    return raw(
        AssignmentReturned(
            suggestion_id=sid,
            unit_id=unit_id,
            reason="不属于本单位职责",
            suggested_unit="",
            attempt=attempt,
            returned_at=NOW,
            case_id=f"{sid}:{attempt}",
            case_version=3,
        )
    )


async def test_a_filed_suggestion_is_assigned_once_to_the_unit_of_its_category() -> None:
    uow, d = FakeUnitOfWork(), deps()
    await handlers.when_suggestion_filed_assign_unit(filed(), uow, d)
    await handlers.when_suggestion_filed_assign_unit(filed(), uow, d)
    [event] = uow.emitted
    assert isinstance(event, AssignedToUnit)
    assert (event.unit_id, event.category, event.attempt) == ("db-zjj", "城乡建设", 1)
    assert uow.assignments.rows["s-1"].status == ASSIGNED


async def test_a_return_goes_to_the_next_unit_and_a_stale_one_changes_nothing() -> None:
    uow, d = FakeUnitOfWork(), deps()
    await handlers.when_suggestion_filed_assign_unit(filed(), uow, d)
    for _ in range(2):  # the second is the same return again
        event = returned("s-1", "db-zjj", 1)
        await handlers.when_assignment_returned_route_to_next_unit(event, uow, d)
    first, second = uow.emitted
    assert isinstance(first, AssignedToUnit) and first.unit_id == "db-zjj"
    assert isinstance(second, AssignedToUnit)
    assert (second.unit_id, second.attempt) == ("jm-zjj", 2)
    assert second.explanation.reason == "return"
    assert uow.assignments.rows["s-1"].returned_by == ["db-zjj"]


async def test_a_person_assigns_from_triage_and_the_choice_is_kept_for_training() -> None:
    uow, d = FakeUnitOfWork(), deps(triage_threshold=0.999)
    await handlers.when_suggestion_filed_assign_unit(filed(), uow, d)
    cmd = AssignManually(suggestion_id="s-1", unit_id="jm-zjj", category="城乡建设", by="张三")
    admin = Principal(Role.ADMIN, "admin:test")
    decision = await commands.assign_manually(cmd, uow, d, admin)
    triage, assigned = uow.emitted
    assert isinstance(triage, TriageRequired) and triage.reason == "low_confidence"
    assert isinstance(assigned, AssignedToUnit) and assigned.unit_id == "jm-zjj"
    assert decision.classification.reason == "manual"
    assert [(r.title, r.category, r.unit) for r in uow.training_examples.rows] == [
        (STREETLIGHT, "城乡建设", "jm-zjj")
    ]
    with pytest.raises(NotInTriage):
        await commands.assign_manually(cmd, uow, d, admin)


async def test_a_supervisor_cannot_assign_outside_its_districts() -> None:
    uow, d = FakeUnitOfWork(), deps(triage_threshold=0.999)
    await handlers.when_suggestion_filed_assign_unit(filed(), uow, d)
    cmd = AssignManually(suggestion_id="s-1", unit_id="db-zjj", category="城乡建设")
    elsewhere = Principal(Role.SUPERVISOR, "sup:g2", districts=frozenset({"420804"}))
    with pytest.raises(AssignmentNotFound):
        await commands.assign_manually(cmd, uow, d, elsewhere)
    assert uow.assignments.rows["s-1"].status == TRIAGE and len(uow.emitted) == 1
