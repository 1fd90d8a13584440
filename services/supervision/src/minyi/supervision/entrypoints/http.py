"""The unit workbench and supervisors' HTTP API.

Every endpoint takes a bearer token (``minyi.platform.auth``): ``unit_staff`` acts on its
own unit's cases, ``supervisor`` on its group's districts (the group resolved against this
service's policy, which owns the groups), ``admin`` on all. A unit never sees another
unit's case: it gets 404, as for a case that does not exist. Refusals are the use cases'
errors, answered by the platform in its one error shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field
from pydantic import TypeAdapter as _TA

from minyi.contracts.reference import load_unit_names
from minyi.supervision.adapters.repositories import CaseFilter
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.dependencies import SupervisionRuntime
from minyi.supervision.domain import Case, Kind
from minyi.supervision.domain import Status as CaseStatus
from minyi.supervision.domain.case import OPEN as OPEN_STATUSES
from minyi.supervision.entrypoints.dependencies import (
    Caller,
    Deps,
    Rt,
    SupervisorCaller,
    UnitCaller,
)
from minyi.supervision.service_layer import commands as uc

router = APIRouter(prefix="/v1", tags=["workbench"])
_CASE = _TA(Case)

# ``uc.list_cases`` or ``uc.list_supervised``: (filter, actor, uow, *, limit, offset).
ListUseCase = Callable[..., Awaitable[tuple[list[dict[str, Any]], int]]]


class ReplyBody(BaseModel):
    outcome: Literal["A", "B", "C", "D"] = Field(
        description="A 已解决或基本解决, B 正在解决或列入计划, C 因条件限制暂不能解决（须说明原因）, D 留作参考"
    )
    reply: str = Field(min_length=1, max_length=10_000, description="答复内容（不少于20字）")
    measures: str | None = Field(default=None, max_length=5_000, description="采取的措施")
    reason: str | None = Field(
        default=None, max_length=5_000, description="不能解决的原因（C 类必填）"
    )
    delivery_by: date | None = Field(
        default=None,
        description="承诺兑现日期（代表建议 B 类必填，须晚于今天；兑现作为单独事项跟踪）",
    )


class ReturnBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2_000, description="退回理由")
    suggested_unit: str = Field(min_length=1, max_length=64, description="建议承办单位（单位编码）")


class ProgressBody(BaseModel):
    note: str = Field(min_length=1, max_length=5_000, description="办理进展说明")


class ExtendBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2_000, description="延期理由（书面说明）")
    until: AwareDatetime | None = Field(
        default=None, description="新的答复期限；缺省为法定最长期限（交办后六个月）"
    )


class UrgeBody(BaseModel):
    note: str = Field(default="", max_length=2_000, description="催办意见")


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


async def _case(
    runtime: SupervisionRuntime,
    action: Callable[[SupervisionUnitOfWork], Awaitable[Case]],
    who: uc.Actor | None = None,
) -> Any:
    """One use case in one transaction; the case it leaves is the answer (with the
    calling unit's ``role`` on it: "lead" or "co")."""
    async with runtime.unit_of_work() as uow:
        case = await action(uow)
    body = _CASE.dump_python(case, mode="json")
    if who is not None and who.unit_id is not None:
        body["role"] = "lead" if who.unit_id == case.unit_id else "co"
    return body


async def _page(
    runtime: SupervisionRuntime,
    use_case: ListUseCase,
    f: CaseFilter,
    who: uc.Actor,
    limit: int,
    offset: int,
) -> Page:
    async with runtime.unit_of_work() as uow:
        items, total = await use_case(f, who, uow, limit=limit, offset=offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


Limit = Annotated[int, Query(ge=1, le=200, description="每页条数")]
# Bounded: SQLite integers are 64-bit, and no page lies beyond a million cases.
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="跳过的条数")]


@router.get("/cases", summary="The caller's cases (a unit: its own; a supervisor: its group's)")
async def list_cases(
    runtime: Rt,
    who: Caller,
    status: CaseStatus | None = None,
    overdue: bool | None = None,
    due_before: AwareDatetime | None = None,
    category: str | None = None,
    unit: str | None = None,
    kind: Kind | None = None,
    role: Annotated[
        Literal["lead", "co"] | None,
        Query(description="lead 本单位主办的，co 本单位协办的；缺省两者都有"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page:
    statuses = None if status is None else frozenset({status})
    f = CaseFilter(unit, None, statuses, overdue, due_before, category, kind=kind, role=role)
    return await _page(runtime, uc.list_cases, f, who, limit, offset)


@router.get("/cases/{suggestion_id}", summary="The case, with deadlines, timers and history")
async def get_case(suggestion_id: str, runtime: Rt, who: Caller) -> Any:
    return await _case(runtime, lambda uow: uc.get_case(suggestion_id, who, uow), who)


@router.post("/cases/{suggestion_id}/accept", summary="签收: the unit signs for the case")
async def accept(suggestion_id: str, runtime: Rt, who: UnitCaller) -> Any:
    return await _case(runtime, lambda uow: uc.accept_case(suggestion_id, who, uow))


@router.post(
    "/cases/{suggestion_id}/return", summary="退回: not this unit's (emits AssignmentReturned)"
)
async def return_(suggestion_id: str, body: ReturnBody, runtime: Rt, who: UnitCaller) -> Any:
    cmd = uc.ReturnCase(suggestion_id, body.reason, body.suggested_unit)
    return await _case(runtime, lambda uow: uc.return_case(cmd, who, uow))


@router.post("/cases/{suggestion_id}/progress", summary="办理进展: report progress")
async def progress(suggestion_id: str, body: ProgressBody, runtime: Rt, who: UnitCaller) -> Any:
    cmd = uc.ReportProgress(suggestion_id, body.note)
    return await _case(runtime, lambda uow: uc.report_progress(cmd, who, uow))


@router.post("/cases/{suggestion_id}/reply", summary="答复: the unit's answer (emits Resolved)")
async def reply(
    suggestion_id: str, body: ReplyBody, runtime: Rt, deps: Deps, who: UnitCaller
) -> Any:
    cmd = uc.ReplyToCase(
        suggestion_id, body.outcome, body.reply, body.measures, body.reason, body.delivery_by
    )
    return await _case(runtime, lambda uow: uc.reply_to_case(cmd, who, uow, deps.rules))


@router.post(
    "/cases/{suggestion_id}/extend",
    summary="延期: representative suggestions without signers, once (a formal suggestion: 409 "
    "extension_needs_approval, use extension-request)",
)
async def extend(
    suggestion_id: str, body: ExtendBody, runtime: Rt, deps: Deps, who: UnitCaller
) -> Any:
    cmd = uc.ExtendDeadline(suggestion_id, body.reason, body.until)
    return await _case(runtime, lambda uow: uc.extend_deadline(cmd, who, uow, deps.rules))


@router.post("/cases/{suggestion_id}/urge", summary="催办: a supervisor reminds the unit now")
async def urge(suggestion_id: str, body: UrgeBody, runtime: Rt, who: SupervisorCaller) -> Any:
    cmd = uc.UrgeCase(suggestion_id, body.note)
    return await _case(runtime, lambda uow: uc.urge_case(cmd, who, uow))


@router.post("/cases/{suggestion_id}/key-case", summary="重点督办: mark as a key case")
async def key_case(suggestion_id: str, runtime: Rt, deps: Deps, who: SupervisorCaller) -> Any:
    return await _case(runtime, lambda uow: uc.mark_key_case(suggestion_id, who, uow, deps.rules))


@router.get("/supervision/overdue", summary="Open cases past their reply deadline")
async def overdue(
    runtime: Rt, who: SupervisorCaller, limit: Limit = 50, offset: Offset = 0
) -> Page:
    f = CaseFilter(statuses=OPEN_STATUSES, overdue=True)
    return await _page(runtime, uc.list_supervised, f, who, limit, offset)


@router.get("/supervision/escalations", summary="Open cases escalated (督办) to at least ``level``")
async def escalations(
    runtime: Rt,
    who: SupervisorCaller,
    level: Annotated[int, Query(ge=1, le=2, description="最低督办级别")] = 1,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page:
    f = CaseFilter(statuses=OPEN_STATUSES, min_escalation=level)
    return await _page(runtime, uc.list_supervised, f, who, limit, offset)


@router.get("/reference/units", summary="Unit names by id (the shared unit directory), for pages")
async def unit_names(who: Caller) -> dict[str, str]:
    return {u.id: u.name for u in load_unit_names().values()}
