"""Liaison's HTTP API, part one: find your deputy (public), the public pages' data and QR
codes, and the admin's registry endpoints. Every route parses, calls a use case, returns."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from minyi.contracts.liaison import DeputyLevel, StationKind
from minyi.liaison.adapters import printables
from minyi.liaison.domain.registry import Deputy, ElectoralUnit, Station
from minyi.liaison.entrypoints.dependencies import Admin, Deps, Rt
from minyi.liaison.service_layer import public as uc
from minyi.liaison.service_layer import registry
from minyi.platform.auth import public

PUBLIC = Depends(public("public registry and look-ups: deputies' and stations' public data"))
router = APIRouter(prefix="/v1", tags=["liaison"])

Text = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class DeputyBody(BaseModel):
    name: str = Field(min_length=1, max_length=50, description="姓名")
    level: DeputyLevel = Field(description="层级：national/provincial/city/county/township")
    division: str = Field(min_length=1, max_length=20, description="选举单位所在区县（代码或名称）")
    township: str | None = Field(default=None, max_length=50, description="选举单位乡镇街道")
    community: str | None = Field(default=None, max_length=50, description="选举单位社区或村")
    station_ids: list[str] = Field(
        default_factory=list, max_length=20, description="所属联络站编号"
    )
    term_start: date | None = None
    term_end: date | None = None
    sector: str | None = Field(default=None, max_length=50, description="界别")
    occupation: str | None = Field(default=None, max_length=100, description="职业")
    photo_url: str | None = Field(default=None, max_length=500, description="照片网址")

    def record(self, deputy_id: str) -> Deputy:
        unit = ElectoralUnit(self.division, self.township, self.community)
        return Deputy(
            deputy_id,
            self.name,
            self.level,
            unit,
            tuple(self.station_ids),
            self.term_start,
            self.term_end,
            "serving",
            self.sector,
            self.occupation,
            self.photo_url,
        )


class NewDeputy(DeputyBody):
    id: str = Field(min_length=1, max_length=64, description="代表编号")


class StationBody(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="名称")
    kind: StationKind = Field(description="station/online_station/contact_point/observation_point")
    division_codes: list[str] = Field(
        min_length=1, max_length=20, description="服务区县（代码或名称）"
    )
    townships: list[str] = Field(default_factory=list, max_length=100)
    communities: list[str] = Field(default_factory=list, max_length=500)
    address: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    opening_hours: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=30, description="站点公开电话")

    def record(self, station_id: str) -> Station:
        return Station(
            station_id,
            self.name,
            self.kind,
            tuple(self.division_codes),
            tuple(self.townships),
            tuple(self.communities),
            self.address,
            self.latitude,
            self.longitude,
            self.opening_hours,
            self.phone,
        )


class NewStation(StationBody):
    id: str = Field(min_length=1, max_length=64, description="站点编号")


class EndBody(BaseModel):
    on: date | None = Field(default=None, description="终止日期（缺省为今天）")
    reason: str | None = Field(default=None, max_length=500)


def _changes(changes: registry.Changes) -> dict[str, int]:
    return {"added": changes.added, "updated": changes.updated, "ended": changes.ended}


# Public ------------------------------------------------------------------------------------


@router.get("/lookup", dependencies=[PUBLIC])
async def lookup(
    runtime: Rt,
    deps: Deps,
    address: Text = None,
    division: Text = None,
    township: Text = None,
    community: Text = None,
) -> dict[str, Any]:
    """找代表: the deputies representing a place (grouped by level) and the stations
    serving it. An address naming no known place gets empty lists and a hint."""
    async with runtime.unit_of_work() as uow:
        return await uc.lookup(
            uow,
            deps.places,
            deps.policy,
            address=address,
            division=division,
            township=township,
            community=community,
        )


@router.get("/places", dependencies=[PUBLIC])
async def places(deps: Deps) -> list[dict[str, Any]]:
    """The pick-lists: divisions, their townships and the communities listed."""
    return deps.place_tree


@router.get("/deputies", dependencies=[PUBLIC])
async def deputies(
    runtime: Rt,
    q: Text = None,
    division: Text = None,
    level: DeputyLevel | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        items, total = await uow.registry.search_deputies(q, division, level, limit, offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/stations", dependencies=[PUBLIC])
async def stations(
    runtime: Rt,
    q: Text = None,
    division: Text = None,
    kind: StationKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        items, total = await uow.registry.search_stations(q, division, kind, limit, offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/deputies/{deputy_id}", dependencies=[PUBLIC])
async def deputy(runtime: Rt, deps: Deps, deputy_id: str) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        page = await uc.deputy_page(uow, deputy_id, deps.places, deps.policy)
    return {**page, "page_url": _page_url(deps, "deputies", deputy_id)}


@router.get("/stations/{station_id}", dependencies=[PUBLIC])
async def station(runtime: Rt, deps: Deps, station_id: str) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        page = await uc.station_page(uow, station_id, deps.policy)
    return {**page, "page_url": _page_url(deps, "stations", station_id)}


def _page_url(deps: Deps, kind: str, ident: str) -> str:
    return f"{deps.settings.public_base_url.rstrip('/')}/{kind}/{ident}"


async def _qr(runtime: Rt, deps: Deps, kind: str, ident: str, svg: bool) -> Response:
    async with runtime.unit_of_work() as uow:  # 404 for an id nobody registered
        if kind == "deputies":
            await uc.deputy_page(uow, ident, deps.places, deps.policy)
        else:
            await uc.station_page(uow, ident, deps.policy)
    url = _page_url(deps, kind, ident)
    if svg:
        return Response(printables.qr_svg(url), media_type="image/svg+xml")
    return Response(printables.qr_png(url), media_type="image/png")


@router.get("/deputies/{deputy_id}/qr.png", dependencies=[PUBLIC])
async def deputy_qr_png(runtime: Rt, deps: Deps, deputy_id: str) -> Response:
    """代表码: a QR code opening the deputy's public page."""
    return await _qr(runtime, deps, "deputies", deputy_id, svg=False)


@router.get("/deputies/{deputy_id}/qr.svg", dependencies=[PUBLIC])
async def deputy_qr_svg(runtime: Rt, deps: Deps, deputy_id: str) -> Response:
    return await _qr(runtime, deps, "deputies", deputy_id, svg=True)


@router.get("/stations/{station_id}/qr.png", dependencies=[PUBLIC])
async def station_qr_png(runtime: Rt, deps: Deps, station_id: str) -> Response:
    """联络站码: a QR code opening the station's public page."""
    return await _qr(runtime, deps, "stations", station_id, svg=False)


@router.get("/stations/{station_id}/qr.svg", dependencies=[PUBLIC])
async def station_qr_svg(runtime: Rt, deps: Deps, station_id: str) -> Response:
    return await _qr(runtime, deps, "stations", station_id, svg=True)


# Admin: the registry -----------------------------------------------------------------------


@router.post("/deputies", status_code=201)
async def register_deputy(runtime: Rt, deps: Deps, _: Admin, body: NewDeputy) -> dict[str, int]:
    async with runtime.unit_of_work() as uow:
        made = await registry.put_deputy(uow, body.record(body.id), deps.places, "new")
    return _changes(made)


@router.put("/deputies/{deputy_id}")
async def update_deputy(
    runtime: Rt, deps: Deps, _: Admin, deputy_id: str, body: DeputyBody
) -> dict[str, int]:
    async with runtime.unit_of_work() as uow:
        made = await registry.put_deputy(uow, body.record(deputy_id), deps.places, "existing")
    return _changes(made)


@router.post("/deputies/{deputy_id}/end")
async def end_deputy(runtime: Rt, _: Admin, deputy_id: str, body: EndBody) -> dict[str, int]:
    async with runtime.unit_of_work() as uow:
        return _changes(await registry.end_deputy(uow, deputy_id, body.on, body.reason))


@router.post("/stations", status_code=201)
async def register_station(runtime: Rt, deps: Deps, _: Admin, body: NewStation) -> dict[str, int]:
    async with runtime.unit_of_work() as uow:
        made = await registry.put_station(uow, body.record(body.id), deps.places, "new")
    return _changes(made)


@router.put("/stations/{station_id}")
async def update_station(
    runtime: Rt, deps: Deps, _: Admin, station_id: str, body: StationBody
) -> dict[str, int]:
    async with runtime.unit_of_work() as uow:
        made = await registry.put_station(uow, body.record(station_id), deps.places, "existing")
    return _changes(made)


@router.post("/stations/{station_id}/end")
async def end_station(runtime: Rt, deps: Deps, _: Admin, station_id: str) -> dict[str, int]:
    async with runtime.unit_of_work() as uow:
        return _changes(await registry.end_station(uow, station_id, deps.places))
