"""Intake's REST API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from minyi.intake.adapters.tables import suggestions
from minyi.intake.domain import tracking_code
from minyi.intake.domain.status import STATUS_LABELS
from minyi.intake.entrypoints.schemas import FiledOut, SuggestionIn
from minyi.intake.service_layer.filing import Citizen, FileSuggestion, file_suggestion
from minyi.platform.service import Runtime

router = APIRouter(prefix="/v1", tags=["suggestions"])


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.post(
    "/suggestions",
    status_code=201,
    response_model=FiledOut,
    summary="File a suggestion or appeal (any channel)",
)
async def post_suggestion(body: SuggestionIn, request: Request, response: Response) -> FiledOut:
    runtime = _runtime(request)
    cmd = FileSuggestion(
        title=body.title,
        content=body.content,
        kind=body.kind,
        channel=body.channel,
        district_code=body.district_code,
        township=body.township,
        address=body.address,
        lat=body.location.lat if body.location else None,
        lon=body.location.lon if body.location else None,
        station_id=body.station_id,
        representative_id=body.representative_id,
        urgent=body.urgent,
        citizen=Citizen(body.citizen.name, body.citizen.phone) if body.citizen else None,
    )
    async with runtime.unit_of_work() as uow:
        filed = await file_suggestion(cmd, uow, runtime.extras["vault"])
    if filed.duplicate:
        response.status_code = 200
    response.headers["Location"] = f"/v1/track/{filed.tracking_code}"
    return FiledOut(
        id=filed.id,
        tracking_code=filed.tracking_code,
        status=filed.status,
        duplicate=filed.duplicate,
    )


@router.get("/track/{code}", summary="Track a suggestion by its tracking code (no personal data)")
async def track(code: str, request: Request) -> dict[str, Any]:
    if not tracking_code.is_valid(code):
        raise HTTPException(404, detail="查询码无效，请核对后重试（invalid tracking code）")
    async with _runtime(request).sessions() as s:
        row = (
            (
                await s.execute(
                    select(suggestions).where(
                        suggestions.c.tracking_code == tracking_code.normalize(code)
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise HTTPException(404, detail="未找到该查询码对应的诉求（no suggestion with this code）")
    return {
        "tracking_code": tracking_code.format_code(row["tracking_code"]),
        "title": row["title"],
        "status": row["status"],
        "status_label": STATUS_LABELS.get(row["status"], row["status"]),
        "unit_name": row["unit_name"],
        "outcome": row["outcome"],
        "reply": row["reply"],
        "replied_at": row["replied_at"],
        "filed_at": row["created_at"],
        "history": [
            {**h, "label": STATUS_LABELS.get(h["status"], h["status"])} for h in row["history"]
        ],
    }
