"""Routing's HTTP API: decisions, the manual triage queue, classification, model versions.

Access (``minyi.platform.auth``): a unit sees the decisions that assigned to it, a
supervisor the decisions and the triage queue of its districts (the token carries them),
the admin everything and alone manages model versions.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from minyi.platform.auth import Principal, Role, require
from minyi.platform.service import Runtime
from minyi.routing.adapters import models
from minyi.routing.adapters.tables import assignments, suggestions
from minyi.routing.domain.decision import ManualDecisionError
from minyi.routing.service_layer import handlers
from minyi.routing.service_layer.handlers import RoutingContext
from minyi.routing.service_layer.messages import AssignManually

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
NOT_YOURS = "没有建议 {} 的分办记录"


def _invalid(loc: list[str], message: str) -> HTTPException:
    """422 in the shape the OpenAPI document promises (FastAPI's validation errors)."""
    return HTTPException(422, detail=[{"loc": loc, "msg": message, "type": "value_error"}])


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _ctx(request: Request) -> RoutingContext:
    ctx: RoutingContext = _runtime(request).extras["routing"]
    return ctx


class ManualAssignment(BaseModel):
    unit_id: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=40)
    by: str = Field(default="", max_length=100, description="who decided (shown in the summary)")


class ClassifyRequest(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    content: str = Field(default="", max_length=20000)
    district_code: str = Field(min_length=1, max_length=20)


@router.get("/assignments/{suggestion_id}", summary="The routing decision for a suggestion")
async def get_assignment(suggestion_id: str, request: Request, who: Readers) -> dict[str, Any]:
    async with _runtime(request).sessions() as s:
        row = (
            (
                await s.execute(
                    select(assignments, suggestions.c.district_code)
                    .join(suggestions, suggestions.c.id == assignments.c.suggestion_id)
                    .where(assignments.c.suggestion_id == suggestion_id)
                )
            )
            .mappings()
            .first()
        )
    # Out of scope answers as not found: nothing about other units' or districts' cases.
    if row is None or not _in_scope(who, row["unit_id"], row["district_code"]):
        raise HTTPException(404, detail=NOT_YOURS.format(suggestion_id))
    return {k: v for k, v in row.items() if k != "district_code"}


def _in_scope(who: Principal, unit_id: str | None, district: str | None) -> bool:
    if who.role is Role.UNIT_STAFF:
        return unit_id is not None and unit_id == who.unit
    return who.sees_district(district)


@router.get("/triage", summary="The manual triage queue (人工分办), oldest first")
async def triage_queue(request: Request, who: Deciders, limit: int = 100) -> list[dict[str, Any]]:
    query = (
        select(
            assignments.c.suggestion_id,
            assignments.c.attempt,
            assignments.c.triage_reason.label("reason"),
            assignments.c.candidates,
            assignments.c.explanation,
            assignments.c.returned_by,
            assignments.c.decided_at.label("since"),
            suggestions.c.title,
            suggestions.c.content,
            suggestions.c.district_code,
            suggestions.c.urgent,
        )
        .join(suggestions, suggestions.c.id == assignments.c.suggestion_id)
        .where(assignments.c.status == "triage")
        .order_by(suggestions.c.urgent.desc(), assignments.c.decided_at)
        .limit(max(1, min(limit, 1000)))
    )
    if who.role is not Role.ADMIN:
        # A supervisor's queue is its districts'; the admin's is everyone's.
        query = query.where(suggestions.c.district_code.in_(sorted(who.districts or ())))
    async with _runtime(request).sessions() as s:
        return [dict(r) for r in (await s.execute(query)).mappings()]


@router.post(
    "/triage/{suggestion_id}/assign",
    summary="Assign a suggestion from the triage queue to a unit (AssignedToUnit, reason manual)",
)
async def assign_from_triage(
    suggestion_id: str, body: ManualAssignment, request: Request, who: Deciders
) -> dict[str, Any]:
    async with _runtime(request).sessions() as s:
        district = await s.scalar(
            select(suggestions.c.district_code).where(suggestions.c.id == suggestion_id)
        )
    if district is None or not who.sees_district(district):
        raise HTTPException(404, detail=NOT_YOURS.format(suggestion_id))
    # Shown in the summary: the name given, else the token's subject (the audit log
    # records the subject either way).
    cmd = AssignManually(
        suggestion_id=suggestion_id, **(body.model_dump() | {"by": body.by or who.subject})
    )
    try:
        async with _runtime(request).unit_of_work() as uow:
            decision = await handlers.assign_manually(cmd, uow, _ctx(request))
    except handlers.NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    except handlers.NotInTriage as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    except ManualDecisionError as exc:
        raise _invalid(["body"], str(exc)) from exc
    assert decision.unit is not None
    return {
        "suggestion_id": suggestion_id,
        "unit_id": decision.unit.id,
        "unit_name": decision.unit.name,
        "category": decision.classification.category,
        "explanation": handlers.explanation_of(decision).model_dump(mode="json"),
    }


@router.post(
    "/classify",
    summary="The decision routing would take, without assigning",
    dependencies=[Staff],
)
async def classify(body: ClassifyRequest, request: Request) -> dict[str, Any]:
    ctx = _ctx(request)
    if body.district_code not in ctx.directory.districts:
        raise _invalid(["body", "district_code"], f"未知行政区划代码 {body.district_code}")
    decision = handlers.classify_only(ctx, body.title, body.content, body.district_code)
    c = decision.classification
    return {
        "category": c.category,
        "confidence": round(c.confidence, 4),
        "focus_area": decision.focus_area,
        "unit_id": decision.unit.id if decision.unit else None,
        "unit_name": decision.unit.name if decision.unit else None,
        "needs_triage": decision.needs_triage,
        "triage_reason": decision.triage_reason,
        "candidates": [k.model_dump(mode="json") for k in handlers.candidates_of(decision)],
        "explanation": handlers.explanation_of(decision).model_dump(mode="json"),
    }


@router.get("/units", summary="The unit directory", dependencies=[Staff])
async def list_units(request: Request) -> list[dict[str, Any]]:
    return [
        {
            "id": u.id,
            "name": u.name,
            "level": u.level,
            "jurisdiction": sorted(u.jurisdiction),
            "categories": sorted(u.categories),
        }
        for u in _ctx(request).directory.units.values()
    ]


@router.get(
    "/models",
    summary="Model versions; the one in use and the stored ones",
    dependencies=[AdminOnly],
)
async def list_models(request: Request) -> dict[str, Any]:
    async with _runtime(request).sessions() as s:
        versions = await models.list_versions(s)
    return {"in_use": _ctx(request).model.version, "versions": versions}


@router.post(
    "/models/reload",
    summary="Load the active model version without a restart",
    dependencies=[AdminOnly],
)
async def reload_models(request: Request) -> dict[str, str]:
    from minyi.routing.bootstrap import reload_model

    try:
        version = await reload_model(_runtime(request))
    except ValueError as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    return {"in_use": version}
