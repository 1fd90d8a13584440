"""Reporting's HTTP API (read only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import func, select

from minyi.contracts.reference import load_divisions
from minyi.reporting.adapters.tables import suggestion_view, timeline
from minyi.reporting.domain.projection import sort_key

router = APIRouter(prefix="/v1", tags=["reporting"])


@router.get("/suggestions/{suggestion_id}", summary="A suggestion's status, unit and timeline")
async def get_suggestion(suggestion_id: str, request: Request) -> dict[str, Any]:
    runtime = request.app.state.runtime
    async with runtime.sessions() as s:
        view = (
            (
                await s.execute(
                    select(suggestion_view).where(suggestion_view.c.suggestion_id == suggestion_id)
                )
            )
            .mappings()
            .first()
        )
        events = (
            (await s.execute(select(timeline).where(timeline.c.suggestion_id == suggestion_id)))
            .mappings()
            .all()
        )
    if view is None:
        raise HTTPException(
            404, detail=f"suggestion {suggestion_id} is not known to reporting (yet)"
        )
    entries = sorted((dict(e) for e in events), key=sort_key)
    result = {k: v for k, v in view.items() if k != "status_rank"}
    result["timeline"] = [{k: v for k, v in e.items() if k != "suggestion_id"} for e in entries]
    return result


@router.get("/stats", summary="Counts by status and by district")
async def stats(request: Request) -> dict[str, Any]:
    runtime = request.app.state.runtime
    names = {code: d.name for code, d in load_divisions().items()}
    async with runtime.sessions() as s:
        by_status = dict(
            (
                await s.execute(
                    select(suggestion_view.c.status, func.count()).group_by(
                        suggestion_view.c.status
                    )
                )
            ).all()
        )
        by_district = (
            await s.execute(
                select(suggestion_view.c.district_code, func.count())
                .where(suggestion_view.c.district_code.is_not(None))
                .group_by(suggestion_view.c.district_code)
            )
        ).all()
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_district": [
            {"district_code": code, "district_name": names.get(code, code), "count": n}
            for code, n in sorted(by_district)
        ],
    }
