"""The citizens' web page (file, find your deputy 找代表, track, rate) and the deputies'
page (/deputy: 我的代表建议, signed in with the platform's kit). Static files only, so the
CSP can forbid every inline script and every other origin."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from minyi.intake.entrypoints.guard import GuardedRoute
from minyi.platform.app.pages import Pages
from minyi.platform.auth import public

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    route_class=GuardedRoute,
    dependencies=[
        Depends(public("the citizens' and deputies' pages: static files; data needs a token"))
    ],
)

PAGES = Pages(
    "minyi.intake",
    "web",
    ("app.js", "find.js", "app.css", "deputy.js", "deputy.css", "support.js", "support.css"),
)
PAGES.serve_files(router)


@router.get("/")
async def index() -> Response:
    return PAGES.page("index.html")


@router.get("/deputy")
async def deputy_page() -> Response:
    """我的代表建议: file with co-signers, confirm, follow the answers, rate them."""
    return PAGES.page("deputy.html")


@router.get("/support")
async def support_page() -> Response:
    """附议: a citizen supports a public appeal or project (``?kind=&id=``) with a phone
    checked by a one-time code; rates a finished project put to a public vote."""
    return PAGES.page("support.html")
