"""The unit workbench and supervisors' HTTP API.

Every endpoint takes a bearer token (``minyi.platform.auth``): ``unit_staff`` acts on its
own unit's cases, ``supervisor`` on its group's districts (the group resolved against this
service's policy, which owns the groups), ``admin`` on all. A unit never sees another
unit's case: it gets 404, as for a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import AwareDatetime, BaseModel, Field
from pydantic import TypeAdapter as _TA

from minyi.platform.auth import Principal, Role, require
from minyi.platform.service import Runtime, UnitOfWork
from minyi.supervision.adapters.repository import CaseFilter, ConcurrentUpdate
from minyi.supervision.domain import Case, IllegalTransition, InvalidInput, Rules
from minyi.supervision.domain import Status as CaseStatus
from minyi.supervision.domain.case import OPEN as OPEN_STATUSES
from minyi.supervision.service_layer import commands as uc

router = APIRouter(prefix="/v1", tags=["workbench"])
_CASE = _TA(Case)
T = TypeVar("T")

# Which request field a domain refusal is about, so a 422 names it.
_FIELD_OF = {
    "note_required": "note",
    "reply_too_short": "reply",
    "invalid_outcome": "outcome",
    "reason_required": "reason",
    "suggested_unit_required": "suggested_unit",
    "suggested_unit_is_self": "suggested_unit",
    "extension_too_long": "until",
    "extension_too_short": "until",
}


class ReplyBody(BaseModel):
    outcome: Literal["A", "B", "C", "D"] = Field(
        description="A 已解决或基本解决, B 正在解决或列入计划, C 因条件限制暂不能解决（须说明原因）, D 留作参考"
    )
    reply: str = Field(min_length=1, max_length=10_000, description="答复内容（不少于20字）")
    measures: str | None = Field(default=None, max_length=5_000, description="采取的措施")
    reason: str | None = Field(
        default=None, max_length=5_000, description="不能解决的原因（C 类必填）"
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


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _rules(request: Request) -> Rules:
    rules: Rules = _runtime(request).extras["rules"]
    return rules


def _actor(principal: Principal, request: Request) -> uc.Actor:
    """The token's principal as the use cases' actor."""
    if principal.role is Role.UNIT_STAFF:
        return uc.Actor(unit_id=principal.unit)
    if principal.role is Role.ADMIN:
        return uc.Actor(supervisor=True)
    group = _rules(request).policy.supervision_groups.get(principal.group or "")
    if group is None:
        raise HTTPException(
            403, detail={"code": "unknown_group", "message": f"未知的督导组：{principal.group}"}
        )
    return uc.Actor(supervisor=True, districts=frozenset(group.districts))


def caller(*roles: Role) -> Callable[..., uc.Actor]:
    """A dependency: a token of one of ``roles`` (or admin), as an actor."""

    def dependency(request: Request, principal: Principal) -> uc.Actor:
        return _actor(principal, request)

    # Set as an object, not a string: this module's annotations are postponed and
    # ``roles`` is not visible to FastAPI's evaluation of them.
    dependency.__annotations__["principal"] = Annotated[Principal, Depends(require(*roles))]
    return dependency


# Units act on their cases, supervisors urge and watch; both read.
Caller = Annotated[uc.Actor, Depends(caller(Role.UNIT_STAFF, Role.SUPERVISOR))]
UnitCaller = Annotated[uc.Actor, Depends(caller(Role.UNIT_STAFF))]
SupervisorCaller = Annotated[uc.Actor, Depends(caller(Role.SUPERVISOR))]


def _view(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = _CASE.dump_python(case, mode="json")
    return data


async def _run(request: Request, action: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """One use case in one transaction; domain refusals become 404/403/409/422."""
    try:
        async with _runtime(request).unit_of_work() as uow:
            return await action(uow)
    except uc.CaseNotFound as exc:
        raise HTTPException(
            404, detail={"code": "case_not_found", "message": f"没有找到建议 {exc} 的案件"}
        ) from exc
    except uc.Forbidden as exc:
        raise HTTPException(403, detail={"code": exc.code, "message": exc.message}) from exc
    except IllegalTransition as exc:
        raise HTTPException(409, detail={"code": exc.code, "message": exc.message}) from exc
    except ConcurrentUpdate as exc:
        raise HTTPException(
            409,
            detail={"code": "concurrent_update", "message": "案件刚被其他操作修改，请刷新后重试"},
        ) from exc
    except InvalidInput as exc:
        detail = {"code": exc.code, "message": exc.message, "field": _FIELD_OF.get(exc.code)}
        raise HTTPException(422, detail=detail) from exc


async def _case(request: Request, action: Callable[[UnitOfWork], Awaitable[Case]]) -> Any:
    return _view(await _run(request, action))


async def _page(request: Request, f: CaseFilter, who: uc.Actor, limit: int, offset: int) -> Page:
    items, total = await _run(
        request, lambda uow: uc.list_cases(f, who, uow, limit=limit, offset=offset)
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


Limit = Annotated[int, Query(ge=1, le=200, description="每页条数")]
# Bounded: SQLite integers are 64-bit, and no page lies beyond a million cases.
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="跳过的条数")]


@router.get("/cases", summary="The caller's cases (a unit: its own; a supervisor: its group's)")
async def list_cases(
    request: Request,
    who: Caller,
    status: CaseStatus | None = None,
    overdue: bool | None = None,
    due_before: AwareDatetime | None = None,
    category: str | None = None,
    unit: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page:
    statuses = None if status is None else frozenset({status})
    f = CaseFilter(unit, None, statuses, overdue, due_before, category)
    return await _page(request, f, who, limit, offset)


@router.get("/cases/{suggestion_id}", summary="The case, with deadlines, timers and history")
async def get_case(suggestion_id: str, request: Request, who: Caller) -> Any:
    return await _case(request, lambda uow: uc.get_case(suggestion_id, who, uow))


@router.post("/cases/{suggestion_id}/accept", summary="签收: the unit signs for the case")
async def accept(suggestion_id: str, request: Request, who: UnitCaller) -> Any:
    return await _case(request, lambda uow: uc.accept_case(suggestion_id, who, uow))


@router.post(
    "/cases/{suggestion_id}/return", summary="退回: not this unit's (emits AssignmentReturned)"
)
async def return_(suggestion_id: str, body: ReturnBody, request: Request, who: UnitCaller) -> Any:
    cmd = uc.ReturnCase(suggestion_id, body.reason, body.suggested_unit)
    return await _case(request, lambda uow: uc.return_case(cmd, who, uow))


@router.post("/cases/{suggestion_id}/progress", summary="办理进展: report progress")
async def progress(
    suggestion_id: str, body: ProgressBody, request: Request, who: UnitCaller
) -> Any:
    cmd = uc.ReportProgress(suggestion_id, body.note)
    return await _case(request, lambda uow: uc.report_progress(cmd, who, uow))


@router.post("/cases/{suggestion_id}/reply", summary="答复: the unit's answer (emits Resolved)")
async def reply(suggestion_id: str, body: ReplyBody, request: Request, who: UnitCaller) -> Any:
    cmd = uc.ReplyToCase(suggestion_id, body.outcome, body.reply, body.measures, body.reason)
    return await _case(request, lambda uow: uc.reply_to_case(cmd, who, uow, _rules(request)))


@router.post("/cases/{suggestion_id}/extend", summary="延期: representative suggestions, once")
async def extend(suggestion_id: str, body: ExtendBody, request: Request, who: UnitCaller) -> Any:
    cmd = uc.ExtendDeadline(suggestion_id, body.reason, body.until)
    return await _case(request, lambda uow: uc.extend_deadline(cmd, who, uow, _rules(request)))


@router.post("/cases/{suggestion_id}/urge", summary="催办: a supervisor reminds the unit now")
async def urge(suggestion_id: str, body: UrgeBody, request: Request, who: SupervisorCaller) -> Any:
    cmd = uc.UrgeCase(suggestion_id, body.note)
    return await _case(request, lambda uow: uc.urge_case(cmd, who, uow))


@router.post("/cases/{suggestion_id}/key-case", summary="重点督办: mark as a key case")
async def key_case(suggestion_id: str, request: Request, who: SupervisorCaller) -> Any:
    return await _case(
        request, lambda uow: uc.mark_key_case(suggestion_id, who, uow, _rules(request))
    )


@router.get("/supervision/overdue", summary="Open cases past their reply deadline")
async def overdue(
    request: Request, who: SupervisorCaller, limit: Limit = 50, offset: Offset = 0
) -> Page:
    f = CaseFilter(statuses=OPEN_STATUSES, overdue=True)
    return await _page(request, _supervisors_only(who, f), who, limit, offset)


@router.get("/supervision/escalations", summary="Open cases escalated (督办) to at least ``level``")
async def escalations(
    request: Request,
    who: SupervisorCaller,
    level: Annotated[int, Query(ge=1, le=2, description="最低督办级别")] = 1,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page:
    f = CaseFilter(statuses=OPEN_STATUSES, min_escalation=level)
    return await _page(request, _supervisors_only(who, f), who, limit, offset)


def _supervisors_only(who: uc.Actor, f: CaseFilter) -> CaseFilter:
    if not who.supervisor:
        raise HTTPException(
            403, detail={"code": "supervisor_only", "message": "只有督办人员可以查看督办列表"}
        )
    return f
