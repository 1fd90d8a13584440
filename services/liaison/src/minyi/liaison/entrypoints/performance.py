"""Liaison's HTTP API for deputies' duties: activities (履职登记), the performance file
(履职档案), the score (履职评价), disputes and the published quarterly snapshots."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from minyi.contracts.performance import ActivityKind
from minyi.liaison.domain.activity import ActivityInput
from minyi.liaison.entrypoints.dependencies import Deps, Rt
from minyi.liaison.service_layer import activities, performance
from minyi.liaison.service_layer.performance import Caller
from minyi.platform.auth import Principal, Role, require
from minyi.platform.auth import public as public_access

router = APIRouter(prefix="/v1", tags=["performance"])
PUBLISHED = Depends(
    public_access("quarterly snapshots are published so deputies and voters can check them")
)
Year = Annotated[int | None, Query(ge=2000, le=2100, description="年度（默认今年）")]


def _caller(principal: Principal) -> Caller:
    role: Literal["representative", "station_staff", "admin"] = (
        "admin"
        if principal.role is Role.ADMIN
        else "station_staff"
        if principal.role is Role.STATION_STAFF
        else "representative"
    )
    return Caller(principal.subject, role, principal.representative, principal.station)


async def _deputy_or_staff(
    principal: Annotated[Principal, Depends(require(Role.REPRESENTATIVE, Role.STATION_STAFF))],
) -> Caller:
    return _caller(principal)


async def _deputy(
    principal: Annotated[Principal, Depends(require(Role.REPRESENTATIVE))],
) -> Caller:
    return _caller(principal)


async def _office(principal: Annotated[Principal, Depends(require(Role.ADMIN))]) -> Caller:
    return _caller(principal)


DeputyOrStaff = Annotated[Caller, Depends(_deputy_or_staff)]
DeputyHimself = Annotated[Caller, Depends(_deputy)]
Office = Annotated[Caller, Depends(_office)]


class ActivityBody(BaseModel):
    kind: ActivityKind = Field(description="履职类型")
    title: str = Field(min_length=1, max_length=100, description="标题，如“到泉口社区走访”")
    on: date = Field(description="履职日期（北京时间，不晚于今天）")
    hours: float | None = Field(default=None, gt=0, le=24, description="学时（学习培训必填）")
    participants: int = Field(default=0, ge=0, le=100_000, description="参加群众人数")


class DisputeBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="异议理由")


class DecisionBody(BaseModel):
    accepted: bool = Field(description="true 采纳异议（该条目不再计分）；false 不采纳")
    reason: str = Field(min_length=1, max_length=500, description="处理理由")


@router.post("/deputies/{deputy_id}/activities", status_code=201)
async def record_activity(
    runtime: Rt, deps: Deps, caller: DeputyOrStaff, deputy_id: str, body: ActivityBody
) -> dict[str, Any]:
    """履职登记: the deputy, station staff of the deputy's station, or the office."""
    given = ActivityInput(body.kind, body.title, body.on, body.hours, body.participants)
    async with runtime.unit_of_work() as uow:
        return await activities.record_activity(uow, caller, deputy_id, given, deps.evaluation)


@router.get("/deputies/{deputy_id}/activities")
async def list_activities(
    runtime: Rt, caller: DeputyOrStaff, deputy_id: str, year: Year = None
) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await activities.activities_of(uow, caller, deputy_id, year)


@router.get("/deputies/{deputy_id}/file")
async def deputy_file(
    runtime: Rt, caller: DeputyHimself, deputy_id: str, year: Year = None
) -> dict[str, Any]:
    """履职档案: the deputy themself or the office."""
    async with runtime.unit_of_work() as uow:
        return await performance.file_of(uow, caller, deputy_id, year)


@router.get("/deputies/{deputy_id}/score")
async def deputy_score(
    runtime: Rt, deps: Deps, caller: DeputyHimself, deputy_id: str, year: Year = None
) -> dict[str, Any]:
    """履职评价: the score, its band, the lines per kind and the rates (样本不足 below the
    policy's minimum of cases)."""
    async with runtime.unit_of_work() as uow:
        return await performance.score_of(uow, caller, deputy_id, year, deps.evaluation)


@router.post("/deputies/{deputy_id}/file/entries/{entry_id}/disputes", status_code=201)
async def dispute_entry(
    runtime: Rt, caller: DeputyHimself, deputy_id: str, entry_id: str, body: DisputeBody
) -> dict[str, Any]:
    """提出异议 on one entry of the deputy's own file."""
    async with runtime.unit_of_work() as uow:
        return await performance.dispute_entry(uow, caller, deputy_id, entry_id, body.reason)


@router.get("/disputes")
async def list_disputes(
    runtime: Rt,
    _office: Office,
    status: Annotated[Literal["open", "accepted", "rejected"] | None, Query()] = None,
) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await performance.disputes(uow, status)


@router.post("/disputes/{dispute_id}/decision")
async def decide_dispute(
    runtime: Rt, deps: Deps, caller: Office, dispute_id: str, body: DecisionBody
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await performance.decide_dispute(
            uow, caller, dispute_id, body.accepted, body.reason, deps.evaluation
        )


@router.get("/deputies/{deputy_id}/performance", dependencies=[PUBLISHED])
async def published_of_deputy(runtime: Rt, deputy_id: str) -> list[dict[str, Any]]:
    """The deputy's published quarterly snapshots (never changed once published)."""
    async with runtime.unit_of_work() as uow:
        return await performance.snapshots_of(uow, deputy_id)


@router.get("/performance/snapshots", dependencies=[PUBLISHED])
async def published(runtime: Rt) -> list[dict[str, Any]]:
    """The newest published snapshots of every deputy."""
    async with runtime.unit_of_work() as uow:
        return await performance.snapshots_of(uow, None)
