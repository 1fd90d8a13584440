"""Supervision's pages: the units' workbench (承办单位工作台) and the supervision group's
page (督导组). Static files only, so the CSP forbids every inline script and every other
origin; each page signs in with the platform's kit and reads its data from the API, whose
own rules decide what a token may see."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from minyi.platform.app.pages import Pages
from minyi.platform.auth import public

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    dependencies=[Depends(public("staff pages: static files; their data needs its own rules"))],
)

PAGES = Pages(
    "minyi.supervision",
    "web",
    ("common.js", "workbench.js", "group.js", "supervision.css"),
)
PAGES.serve_files(router)


@router.get("/workbench")
async def workbench_page() -> Response:
    """承办单位工作台: a unit's cases by urgency, one item's history and its actions."""
    return PAGES.page("workbench.html")


@router.get("/group")
async def group_page() -> Response:
    """督导组: overdue and escalated cases, urging, C reviews, extensions, key topics."""
    return PAGES.page("group.html")
