"""找代表 for the citizen page (public): the pick-lists of places and who represents a
place. Served by intake from its replica of liaison's registry, so the page reads its own
origin only (the CSP keeps ``connect-src 'self'``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from minyi.intake.entrypoints.dependencies import Rt
from minyi.intake.entrypoints.guard import JsonRoute
from minyi.intake.service_layer.places import FindRepresentatives, find_representatives, place_tree
from minyi.platform.auth import public

router = APIRouter(
    prefix="/v1/places",
    tags=["places"],
    route_class=JsonRoute,
    dependencies=[Depends(public("citizen page: public registry data, rate-limited per client"))],
)
Name = Annotated[str | None, Query(max_length=200)]


@router.get("", summary="Divisions, their townships and communities (pick-lists)")
async def places(runtime: Rt) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await place_tree(uow, runtime.deps.places)


@router.get(
    "/lookup",
    summary="找代表: the deputies representing a place, by level, and the stations serving it",
)
async def lookup(
    runtime: Rt,
    address: Name = None,
    division: Name = None,
    township: Name = None,
    community: Name = None,
) -> dict[str, Any]:
    """By free-text ``address`` or by ``division`` (code or name) / ``township`` /
    ``community``. A place nobody knows: empty lists and a hint (200)."""
    q = FindRepresentatives(address, division, township, community)
    deps = runtime.deps
    async with runtime.unit_of_work() as uow:
        return await find_representatives(q, uow, deps.places, deps.settings.liaison_public_url)
