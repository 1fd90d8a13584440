"""Routing's reactions to events: a filed suggestion is assigned (or left to people), a
returned case goes to the next unit, a closed case stops attracting merged handling."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import SuggestionFiled
from minyi.routing.adapters.events import (
    clustered_event,
    decision_event,
    proposal_json,
    suggestion_of,
)
from minyi.routing.adapters.unit_of_work import RoutingUnitOfWork
from minyi.routing.dependencies import RoutingDeps
from minyi.routing.domain.assignment import Assignment, FormalRecord
from minyi.routing.domain.clustering import ClusterAssignment
from minyi.routing.domain.decision import (
    Classification,
    Decision,
    classify,
    decide,
    decide_after_return,
    decide_for_cluster,
)
from minyi.routing.domain.formal import Proposal, propose, propose_after_return
from minyi.routing.service_layer.messages import AssignmentReturned, CaseClosed

log = logging.getLogger(__name__)


async def before_filings(
    events: Sequence[RawEvent], uow: RoutingUnitOfWork, deps: RoutingDeps
) -> None:
    """Before a batch of new filings is handled one by one: ask the store about them all
    at once (which are routed already, which stored suggestions they may cluster with)."""
    filed = [e.data_as(SuggestionFiled) for e in events]
    await uow.assignments.ask_ahead([f.suggestion_id for f in filed])
    await uow.appeal_index.ask_ahead(
        deps.appeals,
        [
            (f.suggestion_id, f.district_code, f.title, f.content, f.filed_at)
            for f in filed
            if f.formal is None
        ],
    )


async def when_suggestion_filed_assign_unit(
    event: RawEvent, uow: RoutingUnitOfWork, deps: RoutingDeps
) -> None:
    """Classify a new suggestion, cluster it with recurring appeals, and assign it (or leave
    it to the triage queue)."""
    filed = event.data_as(SuggestionFiled)
    if await uow.assignments.exists(filed.suggestion_id):
        return  # a republished SuggestionFiled with another event id: already routed
    if filed.formal is not None:
        await _propose_formal(filed, uow, deps)
        return
    cluster, signature, member = await uow.appeal_index.place(
        deps.appeals,
        filed.suggestion_id,
        filed.district_code,
        filed.title,
        filed.content,
        filed.filed_at,
    )
    await uow.suggestions.add(filed, cluster.cluster_id, signature, member)
    c = classify(f"{filed.title}\n{filed.content}", deps.model.current)
    decision = await _merged_handling(uow, deps, c, filed.suggestion_id, cluster)
    if decision is None:
        decision = decide(
            c, filed.district_code, deps.directory, threshold=deps.settings.triage_threshold
        )
    now = uow.runtime.clock.now()
    await uow.appeal_index.tidy(deps.upkeep, deps.appeals, now)
    await uow.assignments.add(filed.suggestion_id, decision, now)
    suggestion = suggestion_of(filed)
    uow.emit(decision_event(decision, suggestion, attempt=1, now=now), subject=filed.suggestion_id)
    if cluster.size >= 2:
        uow.emit(clustered_event(suggestion, cluster), subject=filed.suggestion_id)


async def _propose_formal(
    filed: SuggestionFiled, uow: RoutingUnitOfWork, deps: RoutingDeps
) -> None:
    """A deputy's formal suggestion (代表建议) is not assigned: its proposal waits in the
    交办 queue for the congress office. It stays out of the recurring-appeal index (no
    merged handling with citizens' appeals)."""
    assert filed.formal is not None
    proposal = propose(
        filed.title,
        filed.content,
        filed.district_code,
        deps.directory,
        deps.model.current,
        extra_text=(filed.formal.reasons, filed.formal.measures),
        confidence_floor=deps.settings.triage_threshold,
    )
    now = uow.runtime.clock.now()
    await uow.suggestions.add(filed, None, None, None)
    await uow.assignments.propose(
        filed.suggestion_id, _as_decision(proposal), now, attempt=1, returned_by=[]
    )
    await uow.formal.add(filed, proposal_json(proposal), now)


def _as_decision(proposal: Proposal) -> Decision:
    """The proposal as the assignment row keeps it: the classification, no unit yet."""
    return Decision(proposal.classification, None, proposal.focus_area, proposal.summary)


async def _merged_handling(
    uow: RoutingUnitOfWork,
    deps: RoutingDeps,
    c: Classification,
    suggestion_id: str,
    cluster: ClusterAssignment,
) -> Decision | None:
    """并案: when an earlier member of the cluster has an open case, the same unit takes it."""
    if cluster.size < 2:
        return None
    open_case = await uow.assignments.open_case_in_cluster(cluster.cluster_id, suggestion_id)
    if open_case is None:
        return None
    unit_id, category = open_case
    return decide_for_cluster(
        c,
        deps.directory,
        unit_id=unit_id,
        category=category,
        cluster_id=cluster.cluster_id,
        cluster_size=cluster.size,
        representative_title=cluster.representative_title,
    )


async def when_assignment_returned_route_to_next_unit(
    event: RawEvent, uow: RoutingUnitOfWork, deps: RoutingDeps
) -> None:
    """A unit sent the case back (退回): the next best unit gets it, never one that already
    returned it; after ``max_returns`` returns a person decides."""
    returned = AssignmentReturned.model_validate(event.data)
    assignment = await uow.assignments.get(returned.suggestion_id)
    if assignment is None:
        log.warning("return of unknown suggestion %s ignored", returned.suggestion_id)
        return
    if not assignment.is_returned_by(returned.unit_id, returned.attempt):
        log.info("stale return of %s attempt %s ignored", returned.suggestion_id, returned.attempt)
        return
    formal = await uow.formal.get(returned.suggestion_id)
    if formal is not None:
        await _formal_back_in_queue(returned, assignment, formal, uow, deps)
        return
    returned_by = [*assignment.returned_by, returned.unit_id]
    suggestion = await uow.suggestions.one(returned.suggestion_id)
    decision = decide_after_return(
        assignment.classification,
        suggestion.district_code,
        deps.directory,
        returned_by=returned_by,
        returning_unit=returned.unit_id,
        return_reason=returned.reason or "未说明理由",
        suggested_unit=returned.suggested_unit,
        max_returns=deps.settings.max_returns,
    )
    attempt = assignment.attempt + 1
    now = uow.runtime.clock.now()
    await uow.assignments.record(
        returned.suggestion_id, decision, now, attempt=attempt, returned_by=returned_by
    )
    uow.emit(
        decision_event(decision, suggestion, attempt=attempt, now=now),
        subject=returned.suggestion_id,
    )


async def _formal_back_in_queue(
    returned: AssignmentReturned,
    assignment: Assignment,
    record: FormalRecord,
    uow: RoutingUnitOfWork,
    deps: RoutingDeps,
) -> None:
    """A unit returned a formal suggestion (交办有误): back before the office for the next
    attempt, with the unit's reason and the unit it suggests; routing re-proposes, never
    re-assigns alone."""
    returned_by = [*assignment.returned_by, returned.unit_id]
    suggestion = await uow.suggestions.one(returned.suggestion_id)
    reason = returned.reason or "未说明理由"
    proposal = propose_after_return(
        assignment.classification,
        suggestion.district_code,
        deps.directory,
        returned_by=returned_by,
        returning_unit=returned.unit_id,
        reason=reason,
        suggested_unit=returned.suggested_unit,
        co_unit_ids=record.confirmed_co_unit_ids,
    )
    now = uow.runtime.clock.now()
    await uow.assignments.propose(
        returned.suggestion_id,
        _as_decision(proposal),
        now,
        attempt=assignment.attempt + 1,
        returned_by=returned_by,
    )
    returning = deps.directory.units.get(returned.unit_id)
    suggested = deps.directory.units.get(returned.suggested_unit or "")
    note = {
        "unit_id": returned.unit_id,
        "unit_name": returning.name if returning else returned.unit_id,
        "reason": reason,
        "suggested_unit": returned.suggested_unit or None,
        "suggested_unit_name": suggested.name if suggested else None,
        "at": now.isoformat(),
    }
    # The classifier's ranking of the first proposal still serves a later lead's category.
    again = proposal_json(proposal) | {"ranking": record.proposal.get("ranking", [])}
    await uow.formal.returned(record, note, again, now)


async def when_case_closed_mark_cluster_case_closed(
    event: RawEvent, uow: RoutingUnitOfWork
) -> None:
    """A closed case no longer attracts merged handling of new recurring appeals."""
    closed = CaseClosed.model_validate(event.data)
    await uow.assignments.close(closed.suggestion_id, closed.unit_id)


async def prepare_appeal_index(uow: RoutingUnitOfWork, deps: RoutingDeps) -> tuple[int, int]:
    """At start: index suggestions stored before the index was (an upgrade), and sweep
    what left the window. Returns (indexed, swept)."""
    return await uow.appeal_index.prepare(deps.upkeep, deps.appeals, uow.runtime.clock.now())
