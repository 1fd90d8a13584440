"""Liaison's pages: find your deputy (找代表), a public page per deputy and per station,
and the station staff's page. Static files only, so the CSP forbids every inline script
and every other origin; each page reads its data from the API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from minyi.platform.app.pages import Pages
from minyi.platform.auth import public

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    dependencies=[
        Depends(public("the public and staff pages: static files; data needs its own rules"))
    ],
)

PAGES = Pages(
    "minyi.liaison",
    "web",
    (
        "common.js",
        "lookup.js",
        "deputy.js",
        "station.js",
        "staff.js",
        "liaison.css",
        "visit.js",
        "visits-office.js",
        "visits.css",
        "duties.js",
        "me.js",
        "office.js",
    ),
)
PAGES.serve_files(router)


@router.get("/")
async def lookup_page() -> Response:
    return PAGES.page("lookup.html")


@router.get("/deputies/{deputy_id}")
async def deputy_page(deputy_id: str) -> Response:
    return PAGES.page("deputy.html")


@router.get("/stations/{station_id}")
async def station_page(station_id: str) -> Response:
    return PAGES.page("station.html")


@router.get("/staff")
async def staff_page() -> Response:
    return PAGES.page("staff.html")


@router.get("/visits/{visit_id}")
async def visit_page(visit_id: str) -> Response:
    return PAGES.page("visit.html")


@router.get("/office/visits")
async def visits_office_page() -> Response:
    return PAGES.page("visits-office.html")


@router.get("/me")
async def deputy_own_page() -> Response:
    """我的履职: a deputy's activities, file, score and disputes (signs in with a token)."""
    return PAGES.page("me.html")


@router.get("/office")
async def office_page() -> Response:
    """代表履职评价: the office's disputes, deputies' files and published snapshots."""
    return PAGES.page("office.html")
