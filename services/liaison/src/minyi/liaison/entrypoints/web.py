"""Liaison's pages: find your deputy (找代表), a public page per deputy and per station,
and the station staff's page. Static files only, so the CSP forbids every inline script
and every other origin; each page reads its data from the API."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Depends, HTTPException, Response

from minyi.platform.auth import public

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    dependencies=[
        Depends(public("the public and staff pages: static files; data needs its own rules"))
    ],
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
STATIC = {
    "common.js": "text/javascript; charset=utf-8",
    "lookup.js": "text/javascript; charset=utf-8",
    "deputy.js": "text/javascript; charset=utf-8",
    "station.js": "text/javascript; charset=utf-8",
    "staff.js": "text/javascript; charset=utf-8",
    "liaison.css": "text/css; charset=utf-8",
}


def _read(name: str) -> bytes:
    return resources.files("minyi.liaison").joinpath("web", name).read_bytes()


def _page(name: str) -> Response:
    return Response(_read(name), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/")
async def lookup_page() -> Response:
    return _page("lookup.html")


@router.get("/deputies/{deputy_id}")
async def deputy_page(deputy_id: str) -> Response:
    return _page("deputy.html")


@router.get("/stations/{station_id}")
async def station_page(station_id: str) -> Response:
    return _page("station.html")


@router.get("/staff")
async def staff_page() -> Response:
    return _page("staff.html")


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC:
        raise HTTPException(404, detail="not found")
    return Response(_read(name), media_type=STATIC[name], headers=SECURITY_HEADERS)
