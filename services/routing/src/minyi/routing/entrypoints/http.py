"""Routing's HTTP API: decisions, the manual triage queue, classification, model versions.

Access (``minyi.platform.auth``): a unit sees the decisions that assigned to it, a
supervisor the decisions and the triage queue of its districts (the token carries them),
the admin everything and alone manages model versions and the 交办 of deputies' formal
suggestions (the congress office's decision; supervisors may not). Refusals are the use cases' domain
errors (``domain/errors.py``), answered by the platform in the one error body.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from minyi.platform.auth import Principal, Role, require
from minyi.routing.adapters.events import candidates_of, explanation_of
from minyi.routing.entrypoints.dependencies import Deps, Rt
from minyi.routing.service_layer import commands, queries
from minyi.routing.service_layer.messages import AssignManually, ConfirmFormal

router = APIRouter(prefix="/v1", tags=["routing"])

Deciders = Annotated[Principal, Depends(require(Role.SUPERVISOR))]
Readers = Annotated[Principal, Depends(require(Role.UNIT_STAFF, Role.SUPERVISOR))]
Staff = Depends(
    require(
        Role.STATION_STAFF,
        Role.REPRESENTATIVE,
        Role.UNIT_STAFF,
        Role.SUPERVISOR,
        Role.ANALYST,
    )
)
AdminOnly = Depends(require(Role.ADMIN))
Office = Annotated[Principal, Depends(require(Role.ADMIN))]


class ManualAssignment(BaseModel):
    unit_id: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=40)
    by: str = Field(default="", max_length=100, description="who decided (shown in the summary)")


class FormalConfirmation(BaseModel):
    unit_id: str = Field(min_length=1, max_length=64, description="the lead unit (主办)")
    co_unit_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=3, description="co-handling units (协办), at most 3"
    )
    note: str = Field(default="", max_length=500)
    by: str = Field(default="", max_length=100, description="who decided (shown in the summary)")


class ClassifyRequest(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    content: str = Field(default="", max_length=20000)
    district_code: str = Field(min_length=1, max_length=20)


@router.get("/assignments/{suggestion_id}", summary="The routing decision for a suggestion")
async def get_assignment(suggestion_id: str, who: Readers, runtime: Rt) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await queries.assignment_of(uow, who, suggestion_id)


@router.get("/triage", summary="The manual triage queue (人工分办), oldest first")
async def triage_queue(who: Deciders, runtime: Rt, limit: int = 100) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await queries.triage_queue(uow, who, limit)


@router.post(
    "/triage/{suggestion_id}/assign",
    summary="Assign a suggestion from the triage queue to a unit (AssignedToUnit, reason manual)",
)
async def assign_from_triage(
    suggestion_id: str, body: ManualAssignment, who: Deciders, runtime: Rt, deps: Deps
) -> dict[str, Any]:
    # Shown in the summary: the name given, else the token's subject (the audit log
    # records the subject either way).
    cmd = AssignManually(
        suggestion_id=suggestion_id, **(body.model_dump() | {"by": body.by or who.subject})
    )
    async with runtime.unit_of_work() as uow:
        decision = await commands.assign_manually(cmd, uow, deps, who)
    assert decision.unit is not None
    return {
        "suggestion_id": suggestion_id,
        "unit_id": decision.unit.id,
        "unit_name": decision.unit.name,
        "category": decision.classification.category,
        "explanation": explanation_of(decision).model_dump(mode="json"),
    }


@router.get(
    "/formal-assignments",
    summary="The 交办 queue of deputies' formal suggestions, longest waiting first",
)
async def formal_assignments(who: Office, runtime: Rt, limit: int = 100) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await queries.formal_queue(uow, limit)


@router.post(
    "/formal-assignments/{suggestion_id}/confirm",
    summary="Confirm or change a formal suggestion's lead and co-units (AssignedToUnit)",
)
async def confirm_formal_assignment(
    suggestion_id: str, body: FormalConfirmation, who: Office, runtime: Rt, deps: Deps
) -> dict[str, Any]:
    cmd = ConfirmFormal(
        suggestion_id=suggestion_id, **(body.model_dump() | {"by": body.by or who.subject})
    )
    async with runtime.unit_of_work() as uow:
        decision = await commands.confirm_formal(cmd, uow, deps)
    assert decision.unit is not None
    return {
        "suggestion_id": suggestion_id,
        "unit_id": decision.unit.id,
        "unit_name": decision.unit.name,
        "co_unit_ids": cmd.co_unit_ids,
        "category": decision.classification.category,
        "explanation": explanation_of(decision).model_dump(mode="json"),
    }


@router.post(
    "/classify",
    summary="The decision routing would take, without assigning",
    dependencies=[Staff],
)
async def classify(body: ClassifyRequest, deps: Deps) -> dict[str, Any]:
    decision = commands.classify_only(deps, body.title, body.content, body.district_code)
    c = decision.classification
    return {
        "category": c.category,
        "confidence": round(c.confidence, 4),
        "focus_area": decision.focus_area,
        "unit_id": decision.unit.id if decision.unit else None,
        "unit_name": decision.unit.name if decision.unit else None,
        "needs_triage": decision.needs_triage,
        "triage_reason": decision.triage_reason,
        "candidates": [k.model_dump(mode="json") for k in candidates_of(decision)],
        "explanation": explanation_of(decision).model_dump(mode="json"),
    }


@router.get("/units", summary="The unit directory", dependencies=[Staff])
async def list_units(deps: Deps) -> list[dict[str, Any]]:
    return [
        {
            "id": u.id,
            "name": u.name,
            "level": u.level,
            "jurisdiction": sorted(u.jurisdiction),
            "categories": sorted(u.categories),
        }
        for u in deps.directory.units.values()
    ]


@router.get(
    "/models",
    summary="Model versions; the one in use and the stored ones",
    dependencies=[AdminOnly],
)
async def list_models(runtime: Rt, deps: Deps) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await queries.model_versions(uow, deps)


@router.post(
    "/models/reload",
    summary="Load the active model version without a restart",
    dependencies=[AdminOnly],
)
async def reload_models(runtime: Rt, deps: Deps) -> dict[str, str]:
    async with runtime.unit_of_work() as uow:
        return {"in_use": await commands.reload_model(uow, deps)}
