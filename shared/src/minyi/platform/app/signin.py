"""``GET /v1/session``: who the caller's bearer token names, as the service sees it. The
staff pages' sign-in kit (``web/session.js``) asks it first, so an expired or revoked
token — or, behind the deployment's sign-in proxy, a missing session — sends the person
to the sign-in screen before the page loads anything, and a page learns its caller's
station, unit or deputy from the server rather than from a token it cannot read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from minyi.platform.auth import Principal, Role, require

router = APIRouter(prefix="/v1", tags=["session"])

# Every role that signs in to a page (admin is always allowed).
Caller = Annotated[
    Principal,
    Depends(
        require(
            Role.STATION_STAFF,
            Role.REPRESENTATIVE,
            Role.UNIT_STAFF,
            Role.SUPERVISOR,
            Role.ANALYST,
        )
    ),
]


@router.get("/session", summary="Who the bearer token names (the sign-in kit asks)")
async def current_session(caller: Caller) -> dict[str, Any]:
    return caller.claims()
