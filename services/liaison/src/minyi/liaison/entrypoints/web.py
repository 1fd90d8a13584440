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
    ("common.js", "lookup.js", "deputy.js", "station.js", "staff.js", "liaison.css"),
)


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


@router.get("/static/{name}")
async def static(name: str) -> Response:
    return PAGES.asset(name)
