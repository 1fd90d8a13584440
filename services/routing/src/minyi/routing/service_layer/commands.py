"""The triage desk's and the admin's commands: a person's assignment, a classification
without assigning, and a model reload."""

from __future__ import annotations

import logging

from minyi.platform.auth_tokens import Principal
from minyi.routing.adapters.events import decision_event, formal_assigned_event
from minyi.routing.adapters.unit_of_work import RoutingUnitOfWork
from minyi.routing.dependencies import RoutingDeps
from minyi.routing.domain.assignment import TRIAGE, WAITING
from minyi.routing.domain.decision import (
    Classification,
    Decision,
    classify,
    decide,
    decide_manually,
)
from minyi.routing.domain.errors import (
    AssignmentNotFound,
    FormalNotFound,
    ModelRejected,
    NotInTriage,
    NotWaitingForAssignment,
    UnknownDistrict,
)
from minyi.routing.domain.formal import choose_units, confirmation_summary, lead_category
from minyi.routing.service_layer.messages import AssignManually, ConfirmFormal

log = logging.getLogger(__name__)


async def assign_manually(
    cmd: AssignManually, uow: RoutingUnitOfWork, deps: RoutingDeps, who: Principal
) -> Decision:
    """A person's choice in the triage queue; it is also kept as a training example."""
    suggestion = await uow.suggestions.get(cmd.suggestion_id)
    # Outside the caller's districts answers as not found, like an unknown suggestion.
    if suggestion is None or not who.sees_district(suggestion.district_code):
        raise AssignmentNotFound(cmd.suggestion_id)
    assignment = await uow.assignments.get(cmd.suggestion_id)
    if assignment is None:
        raise AssignmentNotFound(cmd.suggestion_id)
    if assignment.status != TRIAGE:
        raise NotInTriage(cmd.suggestion_id, assignment.status)
    decision = decide_manually(
        deps.directory,
        unit_id=cmd.unit_id,
        category=cmd.category,
        district_code=suggestion.district_code,
        by=cmd.by,
    )
    now = uow.runtime.clock.now()
    await uow.assignments.record(cmd.suggestion_id, decision, now)
    await uow.training_examples.add(
        suggestion, category=cmd.category, unit_id=cmd.unit_id, source="manual", now=now
    )
    uow.emit(
        decision_event(decision, suggestion, attempt=assignment.attempt, now=now),
        subject=cmd.suggestion_id,
    )
    return decision


async def confirm_formal(cmd: ConfirmFormal, uow: RoutingUnitOfWork, deps: RoutingDeps) -> Decision:
    """The congress office confirms (or changes) a formal suggestion's lead and co-units:
    only now is it assigned (``AssignedToUnit`` with the co-units and formal details)."""
    record = await uow.formal.get(cmd.suggestion_id)
    if record is None:
        raise FormalNotFound(cmd.suggestion_id)
    if record.status != WAITING:
        raise NotWaitingForAssignment(cmd.suggestion_id)
    lead, co = choose_units(deps.directory, cmd.unit_id, cmd.co_unit_ids)
    proposal = record.proposal
    category = lead_category(proposal["category"], proposal.get("ranking", []), lead)
    summary = confirmation_summary(
        lead,
        co,
        by=cmd.by,
        proposed_lead=deps.directory.units.get(proposal.get("unit_id") or ""),
        proposed_co=[k["unit_id"] for k in proposal.get("co_units", [])],
        note=cmd.note,
    )
    decision = Decision(
        Classification(category, 1.0, "manual"), lead, deps.directory.focus_area(category), summary
    )
    suggestion = await uow.suggestions.one(cmd.suggestion_id)
    now = uow.runtime.clock.now()
    await uow.assignments.record(cmd.suggestion_id, decision, now)
    await uow.formal.confirmed(
        record,
        {
            "attempt": record.attempt,
            "unit_id": lead.id,
            "unit_name": lead.name,
            "co_units": [{"unit_id": u.id, "unit_name": u.name} for u in co],
            "by": cmd.by,
            "note": cmd.note,
            "summary": summary,
            "confirmed_at": now.isoformat(),
        },
    )
    uow.emit(
        formal_assigned_event(decision, co, suggestion, record, now=now),
        subject=cmd.suggestion_id,
    )
    return decision


def classify_only(deps: RoutingDeps, title: str, content: str, district_code: str) -> Decision:
    """The decision routing would take, without assigning anything."""
    if district_code not in deps.directory.districts:
        raise UnknownDistrict(district_code)
    c = classify(f"{title}\n{content}", deps.model.current)
    return decide(c, district_code, deps.directory, threshold=deps.settings.triage_threshold)


async def reload_model(uow: RoutingUnitOfWork, deps: RoutingDeps) -> str:
    """Load the active model version (or the shipped default) into the running service."""
    try:
        model = await uow.model_versions.load(deps.models_dir, deps.rules)
    except ValueError as exc:  # a file that is no model of ours
        raise ModelRejected(str(exc)) from exc
    unknown = deps.directory.unknown_categories(model.classes)
    if unknown:
        raise ModelRejected(f"model {model.version} predicts unknown categories {unknown}")
    deps.model.current = model
    log.info("routing model %s loaded", model.version)
    return model.version
