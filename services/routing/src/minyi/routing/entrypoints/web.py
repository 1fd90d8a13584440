"""Routing's page for the congress office: 代表建议交办 (the formal suggestions' queue).
Static files only, so the CSP forbids every inline script and every other origin; the page
reads and confirms through the API, whose rules (admin) protect the data."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from minyi.platform.app.pages import Pages
from minyi.platform.auth import public

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    dependencies=[Depends(public("the office's page: static files; data needs its own rules"))],
)

PAGES = Pages("minyi.routing", "web", ("assign.js", "routing.css"))
PAGES.serve_files(router)


@router.get("/office/assign")
async def assign_page() -> Response:
    """代表建议交办: the queue, each with routing's proposal; confirm or change the units."""
    return PAGES.page("assign.html")
