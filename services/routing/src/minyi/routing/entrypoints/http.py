"""Routing's HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import select

from minyi.routing.adapters.tables import assignments
from minyi.routing.service_layer.handlers import RoutingContext

router = APIRouter(prefix="/v1", tags=["routing"])


@router.get("/assignments/{suggestion_id}", summary="The routing decision for a suggestion")
async def get_assignment(suggestion_id: str, request: Request) -> dict[str, Any]:
    runtime = request.app.state.runtime
    async with runtime.sessions() as s:
        row = (
            (
                await s.execute(
                    select(assignments).where(assignments.c.suggestion_id == suggestion_id)
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise HTTPException(404, detail=f"no routing decision for suggestion {suggestion_id}")
    return dict(row)


@router.get("/units", summary="The unit directory")
async def list_units(request: Request) -> list[dict[str, Any]]:
    ctx: RoutingContext = request.app.state.runtime.extras["routing"]
    return [
        {
            "id": u.id,
            "name": u.name,
            "level": u.level,
            "jurisdiction": sorted(u.jurisdiction),
            "categories": sorted(u.categories),
        }
        for u in ctx.directory.units.values()
    ]
