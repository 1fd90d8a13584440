"""项目进展与民意公开 (issue 19): the public ledger's API, for anyone (no sign-in), and the
office dashboard's map with its own filters (signed in).

Public answers hold only what the office published (``service_layer/public_queries.py``) and
may be cached for a few seconds; the pages hear "something changed" ticks (no data) on
``/v1/public/stream`` and read again.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from minyi.platform.auth import public
from minyi.reporting.entrypoints.dependencies import Deps, Views
from minyi.reporting.entrypoints.export import json_response
from minyi.reporting.entrypoints.http import PUBLIC_LIMIT, Analysts, FiltersDep
from minyi.reporting.entrypoints.sse import event_stream
from minyi.reporting.service_layer import public_queries

PUBLIC = [
    Depends(public("what the office published: projects, appeals' titles, counts; no PII")),
    PUBLIC_LIMIT,
]
router = APIRouter(prefix="/v1", tags=["ledger"])
# Public answers: the same for everyone, fine to cache briefly (the pages also hear ticks).
CACHE = "public, max-age=10"
# At most one tick per connection this often, however many events arrive.
TICK_SECONDS = 1.0

DivisionCode = Annotated[
    str | None,
    Query(max_length=20, pattern=r"^[0-9A-Za-z-]+$", description="a division, e.g. 420802"),
]
FocusArea = Annotated[str | None, Query(max_length=40, description="a focus area (重点领域)")]
Days = Annotated[
    int | None,
    Query(description=f"the last N days (1…{public_queries.MAX_DAYS}); none: all time"),
]
ProjectId = Annotated[
    str, Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._~-]*$", description="a project")
]
Code = Annotated[str, Path(max_length=20, pattern=r"^[0-9A-Za-z-]+$", description="a division")]


def _cached(content: Any) -> Response:
    response = json_response(content)
    response.headers["Cache-Control"] = CACHE
    return response


@router.get(
    "/public/projects",
    summary="The improvement projects: colour, progress, milestones",
    dependencies=PUBLIC,
)
async def public_projects(
    views: Views, division_code: DivisionCode = None, focus_area: FocusArea = None
) -> Response:
    return _cached(await public_queries.projects(views, division_code, focus_area))


@router.get(
    "/public/projects/{project_id}",
    summary="One project: milestones, progress, inspections, acceptance, linked appeals, timeline",
    dependencies=PUBLIC,
)
async def public_project(project_id: ProjectId, views: Views) -> Response:
    return _cached(await public_queries.project(views, project_id))


@router.get(
    "/public/appeals",
    summary="Published recurring appeals ranked by suggestions + supports (附议)",
    dependencies=PUBLIC,
)
async def public_appeals(views: Views) -> Response:
    return _cached(await public_queries.appeals(views))


@router.get(
    "/public/map",
    summary="Suggestions per division, stations with coordinates",
    dependencies=PUBLIC,
)
async def public_map(views: Views, deps: Deps, days: Days = None) -> Response:
    f = public_queries.window(public_queries.today(views), days)
    return _cached(await public_queries.city_map(views, deps.geography, f))


@router.get(
    "/public/map/{division_code}",
    summary="Suggestions per township of a division (未注明乡镇: none named)",
    dependencies=PUBLIC,
)
async def public_townships(
    division_code: Code, views: Views, deps: Deps, days: Days = None
) -> Response:
    f = public_queries.window(public_queries.today(views), days)
    return _cached(await public_queries.townships(views, deps.geography, division_code, f))


@router.get(
    "/public/stream",
    summary="Server-sent events: 'changed' ticks (no data) when the public pages may differ",
    response_class=StreamingResponse,
    dependencies=PUBLIC,
)
async def public_stream(request: Request, deps: Deps) -> StreamingResponse:
    return event_stream(
        request, deps.public_changes, _tick, retry_ms=2000, pause_seconds=TICK_SECONDS
    )


def _tick(_message: dict[str, Any], queue: asyncio.Queue[dict[str, Any]]) -> bytes:
    while not queue.empty():  # a burst of events is one tick
        queue.get_nowait()
    return b"event: changed\ndata: {}\n\n"


# ---- the office dashboard's map tab (signed in, with the dashboard's filters) -------------


@router.get("/map", summary="The dashboard's map: suggestions per division in the filters")
async def office_map(f: FiltersDep, _who: Analysts, views: Views, deps: Deps) -> Any:
    return json_response(await public_queries.city_map(views, deps.geography, f))


@router.get("/map/{division_code}", summary="The dashboard's map: a division's townships")
async def office_townships(
    division_code: Code, f: FiltersDep, _who: Analysts, views: Views, deps: Deps
) -> Any:
    return json_response(await public_queries.townships(views, deps.geography, division_code, f))
