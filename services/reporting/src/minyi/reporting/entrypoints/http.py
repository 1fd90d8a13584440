"""Reporting's HTTP API (read only, apart from webhook subscriptions).

Access (``minyi.platform.auth``): aggregates for analysts and supervisors, never a title or
any other free text for an analyst; one suggestion's timeline for its unit and its
districts' supervisors; webhook subscriptions for the admin; the public summary and the
dashboard's static files for anyone.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import AnyHttpUrl, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.auth import Principal, Role, forbidden, public, require
from minyi.platform.auth_limits import rate_limit
from minyi.platform.service import Runtime
from minyi.reporting.adapters import store
from minyi.reporting.adapters.tables import events, subscriptions, suggestions
from minyi.reporting.domain.periods import local_day
from minyi.reporting.domain.projection import STATUS_NAMES_ZH, sort_key
from minyi.reporting.entrypoints.export import csv_response, json_response, xlsx_response
from minyi.reporting.service_layer import queries
from minyi.reporting.service_layer.live import Broadcaster
from minyi.reporting.service_layer.queries import Filters

router = APIRouter(prefix="/v1", tags=["reporting"])
# Per client address (and per token subject, when one is sent): generous for a person
# reading the dashboard, low for a scraper.
PUBLIC_LIMIT = Depends(rate_limit("public", per_minute=120, burst=60))
pages = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(public("the dashboard's static files")), PUBLIC_LIMIT],
)
Analysts = Annotated[Principal, Depends(require(Role.ANALYST, Role.SUPERVISOR))]
CaseReaders = Annotated[Principal, Depends(require(Role.UNIT_STAFF, Role.SUPERVISOR))]
AdminOnly = Depends(require(Role.ADMIN))
# Free text a citizen or a unit wrote: an analyst sees none of it.
FREE_TEXT = frozenset({"title"})

Format = Literal["json", "csv", "xlsx"]
# Content-Security-Policy of the dashboard: scripts only from this service, no inline
# script. ECharts sets element styles from script, which 'unsafe-inline' styles allow.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# SSE connections end after this long and the browser reconnects at once: an open stream
# would otherwise hold up a graceful shutdown of the server indefinitely.
SSE_MAX_SECONDS = 25.0
SSE_KEEPALIVE_SECONDS = 10.0


def _invalid(loc: list[str], message: str) -> HTTPException:
    """422 in the shape the OpenAPI document promises (FastAPI's validation errors)."""
    return HTTPException(422, detail=[{"loc": loc, "msg": message, "type": "value_error"}])


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def filters(
    start: Annotated[date | None, Query(alias="from", description="first day (YYYY-MM-DD)")] = None,
    end: Annotated[date | None, Query(alias="to", description="last day, included")] = None,
    district: str | None = None,
    category: str | None = None,
    focus_area: str | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> Filters:
    if (start is None) != (end is None):
        raise _invalid(["query", "from"], "give both 'from' and 'to', or neither")
    if start and end and start > end:
        raise _invalid(["query", "from"], "'from' must not be after 'to'")
    if status and status not in STATUS_NAMES_ZH:
        raise _invalid(
            ["query", "status"], f"unknown status {status!r}; one of {sorted(STATUS_NAMES_ZH)}"
        )
    return Filters(start, end, district, category, focus_area, kind, status)


FiltersDep = Annotated[Filters, Depends(filters)]
Query_ = Callable[[AsyncSession, int, Filters], Awaitable[Any]]


async def _run(runtime: Runtime, query: Query_, f: Filters) -> Any:
    async with runtime.sessions() as s:
        return await query(s, await store.live_generation(s), f)


def _flat_heatmap(result: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    axes = {
        "district_focus": ("district_code", "focus_area"),
        "district_category": ("district_code", "category"),
        "week_category": ("week", "category"),
        "station_category": ("station_id", "category"),
    }
    return [
        {"matrix": name, "x": row[axes[name][0]], "y": row[axes[name][1]], "count": row["count"]}
        for name, rows in result.items()
        for row in rows
    ]


# Table views: name → (query, how to flatten to rows). All can be exported.
TABLES: dict[str, tuple[Query_, Callable[[Any], list[dict[str, Any]]]]] = {
    "heatmap": (queries.heatmap, _flat_heatmap),
    "trends": (queries.trends, list),
    "recurring": (queries.recurring, list),
    "units": (queries.units, list),
    "supervision-groups": (queries.supervision_groups, list),
    "representatives": (queries.representatives, list),
    "overdue": (queries.overdue, list),
    "headline": (queries.headline, lambda h: [h]),
    "public-summary": (queries.public_summary, lambda p: p["by_district"]),
}
EXPORT_VIEWS = (*TABLES, "suggestions")
SUGGESTION_EXPORT_COLUMNS = [
    "suggestion_id",
    "status",
    "kind",
    "channel",
    "district_code",
    "station_id",
    "category",
    "focus_area",
    "unit_id",
    "unit_name",
    "outcome",
    "round",
    "on_time",
    "close_result",
    "escalation_level",
    "reopen_count",
    "reminder_count",
    "filed_at",
    "assigned_at",
    "replied_at",
    "closed_at",
    "title",
]


async def _iterate(rows: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for row in rows:
        yield row


async def _suggestion_rows(runtime: Runtime, f: Filters) -> AsyncIterator[dict[str, Any]]:
    """Every suggestion, streamed from the database in chunks (exports of any size)."""
    async with runtime.sessions() as s:
        gen = await store.live_generation(s)
        where = [suggestions.c.generation == gen, suggestions.c.filed_at.is_not(None)]
        for column, value in f.wanted().items():
            where.append(suggestions.c[column] == value)
        stmt = select(*(suggestions.c[c] for c in SUGGESTION_EXPORT_COLUMNS)).where(*where)
        result = await s.stream(
            stmt.order_by(suggestions.c.suggestion_id).execution_options(yield_per=1000)
        )
        async for row in result.mappings():
            if f.start and f.end and row["filed_at"]:
                if not f.start <= local_day(row["filed_at"]) <= f.end:
                    continue
            yield dict(row)


def _without_free_text(who: Principal | None, result: Any) -> Any:
    """Rows of a view as ``who`` may see them: no free text for an analyst."""
    if who is None or who.role is not Role.ANALYST or not isinstance(result, list):
        return result
    return [
        {k: v for k, v in row.items() if k not in FREE_TEXT} if isinstance(row, dict) else row
        for row in result
    ]


async def _render(
    runtime: Runtime, view: str, fmt: Format, f: Filters, who: Principal | None = None
) -> Any:
    if view == "suggestions":
        if fmt == "json":
            raise _invalid(
                ["query", "format"], "the suggestions list is an export: use csv or xlsx"
            )
        if who is not None and who.role is Role.SUPERVISOR and not who.sees_district(f.district):
            raise forbidden(
                "district_required",
                "请用 district 参数选择本督导组的区县（district outside your group）",
            )
        rows_iter = _suggestion_rows(runtime, f)
        columns = SUGGESTION_EXPORT_COLUMNS
        if who is not None and who.role is Role.ANALYST:
            columns = [c for c in columns if c not in FREE_TEXT]
    else:
        query, flatten = TABLES[view]
        result = _without_free_text(who, await _run(runtime, query, f))
        if fmt == "json":
            return json_response(result)
        rows = flatten(result)
        columns = list(rows[0]) if rows else ["empty"]
        rows_iter = _iterate(rows)
    name = f"minyi-{view}"
    if fmt == "csv":
        return csv_response(name, columns, rows_iter)
    return await xlsx_response(name, columns, rows_iter)


def _table_endpoint(view: str) -> Callable[..., Awaitable[Any]]:
    async def endpoint(
        request: Request, f: FiltersDep, who: Analysts, format: Format = "json"
    ) -> Any:
        return await _render(_runtime(request), view, format, f, who)

    endpoint.__name__ = f"get_{view.replace('-', '_')}"
    return endpoint


SUMMARIES = {
    "heatmap": "Heat map: district × focus area, district × category, week × category, station × category",
    "trends": "Filed, answered and solved per week",
    "recurring": "Recurring appeals: clusters by size and growth in the window",
    "units": "Unit scorecards (league table)",
    "supervision-groups": "Overdue and escalated cases by supervision group",
    "representatives": "Representatives: activities, suggestions filed and endorsed, ranking",
    "overdue": "Cases overdue now (oldest deadline first)",
    "headline": "Headline figures for a period",
}
for _view, _summary in SUMMARIES.items():
    router.add_api_route(f"/{_view}", _table_endpoint(_view), methods=["GET"], summary=_summary)


@router.get(
    "/public/summary",
    summary="Public aggregates: no personal data, no free text",
    dependencies=[
        Depends(public("aggregates only; no personal data, no free text")),
        PUBLIC_LIMIT,
    ],
)
async def public_summary(request: Request, f: FiltersDep, format: Format = "json") -> Any:
    return await _render(_runtime(request), "public-summary", format, f)


@router.get("/export/{name}", summary="Any table view as CSV or XLSX: /v1/export/units.csv")
async def export(name: str, request: Request, f: FiltersDep, who: Analysts) -> Any:
    view, _, ext = name.rpartition(".")
    if ext not in ("csv", "xlsx") or view not in EXPORT_VIEWS:
        raise HTTPException(
            404, detail=f"export one of {list(EXPORT_VIEWS)} as .csv or .xlsx, e.g. units.csv"
        )
    return await _render(_runtime(request), view, ext, f, who)  # type: ignore[arg-type]


@router.get("/suggestions/{suggestion_id}", summary="A suggestion's status, unit and timeline")
async def get_suggestion(suggestion_id: str, request: Request, who: CaseReaders) -> dict[str, Any]:
    runtime = _runtime(request)
    async with runtime.sessions() as s:
        gen = await store.live_generation(s)
        view = (
            (
                await s.execute(
                    select(suggestions).where(
                        suggestions.c.generation == gen,
                        suggestions.c.suggestion_id == suggestion_id,
                    )
                )
            )
            .mappings()
            .first()
        )
        timeline = (
            (
                await s.execute(
                    select(events).where(
                        events.c.generation == gen, events.c.suggestion_id == suggestion_id
                    )
                )
            )
            .mappings()
            .all()
        )
    # Out of scope answers as not found: nothing about other units' or districts' cases.
    in_scope = view is not None and (
        view["unit_id"] == who.unit
        if who.role is Role.UNIT_STAFF
        else who.sees_district(view["district_code"])
    )
    if view is None or not in_scope:
        raise HTTPException(
            404, detail=f"suggestion {suggestion_id} is not known to reporting (yet)"
        )
    hidden = {"generation", "position", "marks", "ranks"}
    result = {k: v for k, v in view.items() if k not in hidden}
    result["status_name"] = STATUS_NAMES_ZH.get(view["status"], view["status"])
    entries = sorted((dict(e) for e in timeline), key=sort_key)
    result["timeline"] = [
        {k: v for k, v in e.items() if k not in ("suggestion_id", "generation")} for e in entries
    ]
    return result


@router.get("/stats", summary="Counts by status and by district")
async def stats(request: Request, f: FiltersDep, _who: Analysts) -> dict[str, Any]:
    summary = await _run(_runtime(request), queries.public_summary, f)
    by_status = {r["status"]: r["count"] for r in summary["by_status"] if r["count"]}
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_district": [
            {k: r[k] for k in ("district_code", "district_name", "count")}
            for r in summary["by_district"]
            if r["count"] and r["district_code"]
        ],
    }


@router.get(
    "/stream/resolutions",
    summary="Server-sent events: each new Resolved event (event: resolution)",
    response_class=StreamingResponse,
)
async def stream_resolutions(request: Request, _who: Analysts) -> StreamingResponse:
    broadcaster: Broadcaster = _runtime(request).extras["resolutions"]
    queue = broadcaster.subscribe()

    async def body() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        ends = loop.time() + SSE_MAX_SECONDS
        try:
            yield b"retry: 1000\n: connected\n\n"
            while loop.time() < ends and not await request.is_disconnected():
                try:
                    message = await asyncio.wait_for(queue.get(), SSE_KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield b": keepalive\n\n"
                    continue
                data = json.dumps(message, ensure_ascii=False, default=str)
                yield f"id: {message['event_id']}\nevent: resolution\ndata: {data}\n\n".encode()
        finally:
            broadcaster.unsubscribe(queue)

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


class SubscriptionIn(BaseModel):
    url: AnyHttpUrl
    secret: str = Field(min_length=16, max_length=200, description="HMAC-SHA256 key, ≥ 16 chars")


@router.post(
    "/subscriptions",
    status_code=201,
    summary="Subscribe a webhook to resolutions",
    dependencies=[AdminOnly],
)
async def subscribe(body: SubscriptionIn, request: Request) -> dict[str, Any]:
    runtime = _runtime(request)
    sub = {
        "id": f"sub-{uuid.uuid4().hex[:16]}",
        "url": str(body.url),
        "secret": body.secret,
        "created_at": runtime.clock.now(),
        "active": True,
    }
    async with runtime.sessions() as s, s.begin():
        await s.execute(subscriptions.insert().values(**sub))
    return {k: v for k, v in sub.items() if k != "secret"} | {"events": ["resolution"]}


@router.delete(
    "/subscriptions/{sub_id}",
    status_code=204,
    summary="End a webhook subscription",
    dependencies=[AdminOnly],
)
async def unsubscribe(sub_id: str, request: Request) -> Response:
    async with _runtime(request).sessions() as s, s.begin():
        result = await s.execute(
            subscriptions.update().where(subscriptions.c.id == sub_id).values(active=False)
        )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise HTTPException(404, detail=f"no subscription {sub_id}")
    return Response(status_code=204)


# ---- the dashboard -------------------------------------------------------------------

STATIC_FILES = {
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
    "echarts.min.js": "text/javascript",
}


def _static(name: str) -> Path:
    return Path(str(resources.files("minyi.reporting").joinpath("static", name)))


@pages.get("/")
async def dashboard() -> FileResponse:
    return FileResponse(
        _static("index.html"),
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


@pages.get("/static/{name}")
async def static(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise HTTPException(404, detail="no such file")
    return FileResponse(
        _static(name),
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
