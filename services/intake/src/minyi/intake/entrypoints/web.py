"""The citizens' web page: file, find your deputy (找代表), track, rate. Static files only,
so the CSP can forbid every inline script and every other origin."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Depends, HTTPException, Response

from minyi.intake.entrypoints.guard import GuardedRoute
from minyi.platform.auth import public

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    route_class=GuardedRoute,
    dependencies=[Depends(public("the citizens' page: static files"))],
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
    "app.js": "text/javascript; charset=utf-8",
    "find.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}


def _read(name: str) -> bytes:
    return resources.files("minyi.intake").joinpath("web", name).read_bytes()


@router.get("/")
async def index() -> Response:
    return Response(
        _read("index.html"), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS
    )


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC:
        raise HTTPException(404, detail="not found")
    return Response(_read(name), media_type=STATIC[name], headers=SECURITY_HEADERS)
