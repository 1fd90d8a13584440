"""Supervision's pages: the units' workbench (承办单位工作台), the supervision group's and
office's page (督导组, with the improvement projects' tabs) and the deputies' inspection and
acceptance page (视察与验收). Static files only, so the CSP forbids every inline script and
every other origin; each page signs in with the platform's kit and reads its data from the
API, whose own rules decide what a token may see."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from minyi.contracts.reference import load_divisions
from minyi.platform.app.pages import CSP, Pages
from minyi.platform.auth import public

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    dependencies=[Depends(public("staff pages: static files; their data needs its own rules"))],
)

PAGES = Pages(
    "minyi.supervision",
    "web",
    (
        "common.js",
        "workbench.js",
        "group.js",
        "supervision.css",
        "projects.js",
        "office_projects.js",
        "unit_projects.js",
        "inspect.js",
    ),
)


# Before the file routes: /static/{name} would take this path otherwise.
@router.get("/static/divisions.json")
async def divisions() -> Response:
    """The city's divisions (code and name) for the pages' pickers: the shared reference,
    public like every division name."""
    body = [{"code": d.code, "name": d.name} for d in load_divisions().values()]
    headers = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}
    return JSONResponse(body, headers={**headers, "Cache-Control": "no-cache"})


PAGES.serve_files(router)


@router.get("/workbench")
async def workbench_page() -> Response:
    """承办单位工作台: a unit's cases by urgency, one item's history and its actions; its
    improvement projects (progress with evidence, milestones, done)."""
    return PAGES.page("workbench.html")


@router.get("/group")
async def group_page() -> Response:
    """督导组: overdue and escalated cases, urging, C reviews, extensions, key topics; the
    office's improvement projects and published recurring appeals."""
    return PAGES.page("group.html")


@router.get("/inspect")
async def inspect_page() -> Response:
    """视察与验收: deputies and supervision groups record inspections of improvement
    projects; the inspecting deputies rate a finished one."""
    return PAGES.page("inspect.html")
