"""Routing's reactions to events."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import AssignedToUnit, AssignmentExplanation, SuggestionFiled
from minyi.platform.service import UnitOfWork
from minyi.routing.adapters.tables import assignments, suggestions
from minyi.routing.domain.decision import Classifier, decide
from minyi.routing.domain.directory import UnitDirectory


@dataclass(frozen=True)
class RoutingContext:
    directory: UnitDirectory
    classify: Classifier
    triage_threshold: float = 0.0


async def when_suggestion_filed_assign_unit(
    event: RawEvent, uow: UnitOfWork, ctx: RoutingContext
) -> None:
    """Classify a new suggestion and assign it to the unit that must handle it."""
    filed = event.data_as(SuggestionFiled)
    existing = await uow.session.execute(
        select(assignments.c.suggestion_id).where(
            assignments.c.suggestion_id == filed.suggestion_id
        )
    )
    if existing.first():
        return  # a republished SuggestionFiled with another event id: already routed
    await uow.session.execute(
        suggestions.insert().values(
            id=filed.suggestion_id,
            title=filed.title,
            content=filed.content,
            kind=filed.kind,
            district_code=filed.district_code,
            urgent=filed.urgent,
            filed_at=filed.filed_at,
        )
    )
    decision = decide(
        f"{filed.title}\n{filed.content}",
        filed.district_code,
        ctx.directory,
        ctx.classify,
        threshold=ctx.triage_threshold,
    )
    c = decision.classification
    explanation = AssignmentExplanation(
        reason=c.reason,
        rule=c.rule,
        model_version=c.model_version,
        confidence=c.confidence,
        top_features=c.top_features,
        summary=decision.summary,
    )
    now = uow.runtime.clock.now()
    await uow.session.execute(
        assignments.insert().values(
            suggestion_id=filed.suggestion_id,
            attempt=1,
            status="assigned" if decision.unit else "triage",
            unit_id=decision.unit.id if decision.unit else None,
            category=c.category,
            focus_area=decision.focus_area,
            confidence=c.confidence,
            reason=c.reason,
            explanation=explanation.model_dump(mode="json"),
            returned_by=[],
            decided_at=now,
        )
    )
    if decision.unit is None:
        return  # the triage queue and its event arrive with the routing issue
    uow.emit(
        AssignedToUnit(
            suggestion_id=filed.suggestion_id,
            unit_id=decision.unit.id,
            unit_name=decision.unit.name,
            category=c.category,
            focus_area=decision.focus_area,
            district_code=filed.district_code,
            kind=filed.kind,
            urgent=filed.urgent,
            attempt=1,
            explanation=explanation,
            assigned_at=now,
        ),
        subject=filed.suggestion_id,
    )
