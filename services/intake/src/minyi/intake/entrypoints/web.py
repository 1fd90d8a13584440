"""The citizens' web page: file, find your deputy (找代表), track, rate. Static files only,
so the CSP can forbid every inline script and every other origin."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from minyi.intake.entrypoints.guard import GuardedRoute
from minyi.platform.app.pages import Pages
from minyi.platform.auth import public

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    route_class=GuardedRoute,
    dependencies=[Depends(public("the citizens' page: static files"))],
)

PAGES = Pages("minyi.intake", "web", ("app.js", "find.js", "app.css"))


@router.get("/")
async def index() -> Response:
    return PAGES.page("index.html")


@router.get("/static/{name}")
async def static(name: str) -> Response:
    return PAGES.asset(name)
