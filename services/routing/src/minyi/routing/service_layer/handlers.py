"""Routing's use cases: reactions to events and the triage desk's commands."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import SuggestionFiled
from minyi.contracts.routing import (
    AssignedToUnit,
    AssignmentExplanation,
    SuggestionClustered,
    TriageCandidate,
    TriageRequired,
)
from minyi.platform.service import UnitOfWork
from minyi.routing.adapters import appeal_index
from minyi.routing.adapters.tables import assignments, suggestions, training_examples
from minyi.routing.config import RoutingSettings
from minyi.routing.domain.classifier import KeywordRules, TextClassifier
from minyi.routing.domain.clustering import AppealMatcher, ClusterAssignment
from minyi.routing.domain.decision import (
    Classification,
    Decision,
    classify,
    decide,
    decide_after_return,
    decide_for_cluster,
    decide_manually,
)
from minyi.routing.domain.directory import UnitDirectory
from minyi.routing.service_layer.messages import AssignManually, AssignmentReturned, CaseClosed

log = logging.getLogger(__name__)


@dataclass
class RoutingContext:
    """What routing's handlers share in one process. ``model`` is swapped on a reload."""

    directory: UnitDirectory
    rules: KeywordRules
    model: TextClassifier  # already fronted by ``rules``
    settings: RoutingSettings
    appeals: AppealMatcher
    next_sweep: datetime | None = None  # of band keys that left the window
    placed: int = 0  # suggestions placed by this process
    next_statistics: int = 1000  # placements before the planner's statistics are refreshed


class NotFound(LookupError):
    pass


class NotInTriage(RuntimeError):
    pass


def explanation_of(decision: Decision) -> AssignmentExplanation:
    c = decision.classification
    return AssignmentExplanation(
        reason=c.reason,
        rule=c.rule,
        model_version=c.model_version,
        confidence=round(c.confidence, 4),
        top_features=c.top_features,
        summary=decision.summary,
        cluster_id=decision.cluster_id,
    )


def candidates_of(decision: Decision) -> list[TriageCandidate]:
    return [
        TriageCandidate(
            category=k.category,
            confidence=k.confidence,
            unit_id=k.unit.id if k.unit else None,
            unit_name=k.unit.name if k.unit else None,
        )
        for k in decision.candidates
    ]


async def when_suggestion_filed_assign_unit(
    event: RawEvent, uow: UnitOfWork, ctx: RoutingContext
) -> None:
    """Classify a new suggestion, cluster it with recurring appeals, and assign it (or leave
    it to the triage queue)."""
    filed = event.data_as(SuggestionFiled)
    existing = await uow.session.execute(
        select(assignments.c.suggestion_id).where(
            assignments.c.suggestion_id == filed.suggestion_id
        )
    )
    if existing.first():
        return  # a republished SuggestionFiled with another event id: already routed
    cluster, signature = await appeal_index.place(
        uow.session,
        ctx.appeals,
        filed.suggestion_id,
        filed.district_code,
        filed.title,
        filed.content,
        filed.filed_at,
        uow.batch(appeal_index.PendingBands),
    )
    await uow.session.execute(
        suggestions.insert(),
        dict(
            id=filed.suggestion_id,
            title=filed.title,
            content=filed.content,
            kind=filed.kind,
            district_code=filed.district_code,
            urgent=filed.urgent,
            filed_at=filed.filed_at,
            cluster_id=cluster.cluster_id,
            signature=signature,
        ),
    )
    c = classify(f"{filed.title}\n{filed.content}", ctx.model)
    decision = await _merged_handling(uow, ctx, c, filed.suggestion_id, cluster)
    if decision is None:
        decision = decide(
            c, filed.district_code, ctx.directory, threshold=ctx.settings.triage_threshold
        )
    now = uow.runtime.clock.now()
    ctx.placed += 1
    if ctx.placed >= ctx.next_statistics:
        await appeal_index.refresh_statistics(uow.session)
        ctx.next_statistics = min(ctx.next_statistics * 2, ctx.placed + 100_000)
    if ctx.next_sweep is None or now >= ctx.next_sweep:
        await appeal_index.sweep(uow.session, _sweep_horizon(ctx, now))
        ctx.next_sweep = now + SWEEP_EVERY
    await uow.session.execute(
        assignments.insert(),
        dict(
            suggestion_id=filed.suggestion_id,
            attempt=1,
            returned_by=[],
            **_assignment_values(decision, now),
        ),
    )
    _emit_decision(uow, decision, _Filed.of(filed), attempt=1, now=now)
    if cluster.size >= 2:
        uow.emit(
            SuggestionClustered(
                suggestion_id=filed.suggestion_id,
                cluster_id=cluster.cluster_id,
                size=cluster.size,
                representative_title=cluster.representative_title,
                district_code=filed.district_code,
            ),
            subject=filed.suggestion_id,
        )


async def _merged_handling(
    uow: UnitOfWork,
    ctx: RoutingContext,
    c: Classification,
    suggestion_id: str,
    cluster: ClusterAssignment,
) -> Decision | None:
    """并案: when an earlier member of the cluster has an open case, the same unit takes it."""
    if cluster.size < 2:
        return None
    members = select(suggestions.c.id).where(
        suggestions.c.cluster_id == cluster.cluster_id, suggestions.c.id != suggestion_id
    )
    open_case = (
        (
            await uow.session.execute(
                select(assignments.c.unit_id, assignments.c.category)
                .where(
                    assignments.c.suggestion_id.in_(members),
                    assignments.c.status == "assigned",
                )
                .order_by(assignments.c.decided_at.desc())
                .limit(1)
            )
        )
        .mappings()
        .first()
    )
    if open_case is None:
        return None
    return decide_for_cluster(
        c,
        ctx.directory,
        unit_id=open_case["unit_id"],
        category=open_case["category"],
        cluster_id=cluster.cluster_id,
        cluster_size=cluster.size,
        representative_title=cluster.representative_title,
    )


async def when_assignment_returned_route_to_next_unit(
    event: RawEvent, uow: UnitOfWork, ctx: RoutingContext
) -> None:
    """A unit sent the case back (退回): the next best unit gets it, never one that already
    returned it; after ``max_returns`` returns a person decides."""
    returned = AssignmentReturned.model_validate(event.data)
    row = await _assignment(uow, returned.suggestion_id)
    if row is None:
        log.warning("return of unknown suggestion %s ignored", returned.suggestion_id)
        return
    if (
        row["status"] != "assigned"
        or row["attempt"] != returned.attempt
        or row["unit_id"] != returned.unit_id
    ):
        # A stale or repeated return (another event id for an attempt already re-routed).
        log.info("stale return of %s attempt %s ignored", returned.suggestion_id, returned.attempt)
        return
    returned_by = [*row["returned_by"], returned.unit_id]
    filed = await _filed(uow, returned.suggestion_id)
    decision = decide_after_return(
        _classification_of(row),
        filed.district_code,
        ctx.directory,
        returned_by=returned_by,
        returning_unit=returned.unit_id,
        return_reason=returned.reason or "未说明理由",
        suggested_unit=returned.suggested_unit,
        max_returns=ctx.settings.max_returns,
    )
    attempt = row["attempt"] + 1
    now = uow.runtime.clock.now()
    await uow.session.execute(
        update(assignments)
        .where(assignments.c.suggestion_id == returned.suggestion_id)
        .values(attempt=attempt, returned_by=returned_by, **_assignment_values(decision, now))
    )
    _emit_decision(uow, decision, filed, attempt=attempt, now=now)


async def when_case_closed_mark_cluster_case_closed(
    event: RawEvent, uow: UnitOfWork, ctx: RoutingContext
) -> None:
    """A closed case no longer attracts merged handling of new recurring appeals."""
    closed = CaseClosed.model_validate(event.data)
    await uow.session.execute(
        update(assignments)
        .where(
            assignments.c.suggestion_id == closed.suggestion_id,
            assignments.c.unit_id == closed.unit_id,
            assignments.c.status == "assigned",
        )
        .values(status="closed")
    )


async def assign_manually(cmd: AssignManually, uow: UnitOfWork, ctx: RoutingContext) -> Decision:
    """A person's choice in the triage queue; it is also kept as a training example."""
    row = await _assignment(uow, cmd.suggestion_id)
    if row is None:
        raise NotFound(f"没有建议 {cmd.suggestion_id} 的分办记录")
    if row["status"] != "triage":
        raise NotInTriage(f"建议 {cmd.suggestion_id} 不在人工分办队列中（状态：{row['status']}）")
    filed = await _filed(uow, cmd.suggestion_id)
    decision = decide_manually(
        ctx.directory,
        unit_id=cmd.unit_id,
        category=cmd.category,
        district_code=filed.district_code,
        by=cmd.by,
    )
    now = uow.runtime.clock.now()
    await uow.session.execute(
        update(assignments)
        .where(assignments.c.suggestion_id == cmd.suggestion_id)
        .values(**_assignment_values(decision, now))
    )
    await uow.session.execute(
        training_examples.insert().values(
            suggestion_id=cmd.suggestion_id,
            title=filed.title,
            content=filed.content,
            category=cmd.category,
            unit_id=cmd.unit_id,
            source="manual",
            created_at=now,
        )
    )
    _emit_decision(uow, decision, filed, attempt=row["attempt"], now=now)
    return decision


def classify_only(ctx: RoutingContext, title: str, content: str, district_code: str) -> Decision:
    """The decision routing would take, without assigning anything."""
    c = classify(f"{title}\n{content}", ctx.model)
    return decide(c, district_code, ctx.directory, threshold=ctx.settings.triage_threshold)


async def prepare_appeal_index(uow: UnitOfWork, ctx: RoutingContext) -> tuple[int, int]:
    """At start: index suggestions stored before the index was (an upgrade), and sweep
    what left the window. Returns (indexed, swept)."""
    now = uow.runtime.clock.now()
    since = ctx.appeals.window_start(now)
    indexed = await appeal_index.index_older_rows(uow.session, ctx.appeals, since)
    swept = await appeal_index.sweep(uow.session, _sweep_horizon(ctx, now))
    ctx.next_sweep = now + SWEEP_EVERY
    return indexed, swept


SWEEP_EVERY = timedelta(hours=1)


def _sweep_horizon(ctx: RoutingContext, now: datetime) -> datetime:
    # A day's margin: an event delivered late still finds what its own window holds.
    return ctx.appeals.window_start(now) - timedelta(days=1)


# --- helpers ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filed:
    suggestion_id: str
    title: str
    content: str
    district_code: str
    kind: str
    urgent: bool

    @classmethod
    def of(cls, filed: SuggestionFiled) -> _Filed:
        return cls(
            filed.suggestion_id,
            filed.title,
            filed.content,
            filed.district_code,
            filed.kind,
            filed.urgent,
        )


async def _filed(uow: UnitOfWork, suggestion_id: str) -> _Filed:
    r = (
        (await uow.session.execute(select(suggestions).where(suggestions.c.id == suggestion_id)))
        .mappings()
        .one()
    )
    return _Filed(r["id"], r["title"], r["content"], r["district_code"], r["kind"], r["urgent"])


async def _assignment(uow: UnitOfWork, suggestion_id: str) -> dict[str, Any] | None:
    row = (
        (
            await uow.session.execute(
                select(assignments).where(assignments.c.suggestion_id == suggestion_id)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _classification_of(row: dict[str, Any]) -> Classification:
    e = AssignmentExplanation.model_validate(row["explanation"])
    return Classification(
        category=row["category"],
        confidence=row["confidence"],
        reason=row["reason"],
        rule=e.rule,
        model_version=e.model_version,
        top_features=e.top_features,
    )


def _assignment_values(decision: Decision, now: datetime) -> dict[str, Any]:
    c = decision.classification
    return {
        "status": "triage" if decision.needs_triage else "assigned",
        "unit_id": decision.unit.id if decision.unit else None,
        "category": c.category,
        "focus_area": decision.focus_area,
        "confidence": c.confidence,
        "reason": c.reason,
        "explanation": explanation_of(decision).model_dump(mode="json"),
        "decided_at": now,
        "triage_reason": decision.triage_reason,
        "candidates": [k.model_dump(mode="json") for k in candidates_of(decision)]
        if decision.needs_triage
        else None,
    }


def _emit_decision(
    uow: UnitOfWork, decision: Decision, filed: _Filed, *, attempt: int, now: datetime
) -> None:
    explanation = explanation_of(decision)
    if decision.unit is None:
        uow.emit(
            TriageRequired(
                suggestion_id=filed.suggestion_id,
                reason=decision.triage_reason or "no_unit",
                candidates=candidates_of(decision),
                explanation=explanation,
                district_code=filed.district_code,
                attempt=attempt,
                required_at=now,
            ),
            subject=filed.suggestion_id,
        )
        return
    uow.emit(
        AssignedToUnit(
            suggestion_id=filed.suggestion_id,
            unit_id=decision.unit.id,
            unit_name=decision.unit.name,
            category=decision.classification.category,
            focus_area=decision.focus_area,
            district_code=filed.district_code,
            kind=filed.kind,
            urgent=filed.urgent,
            attempt=attempt,
            explanation=explanation,
            assigned_at=now,
        ),
        subject=filed.suggestion_id,
    )
