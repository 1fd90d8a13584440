"""The unit workbench's HTTP API."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from pydantic import TypeAdapter as _TA

from minyi.platform.service import Runtime
from minyi.supervision.adapters.repository import CaseRepository
from minyi.supervision.domain import Case, IllegalTransition, InvalidInput, Rules
from minyi.supervision.service_layer.commands import (
    CaseNotFound,
    ReplyToCase,
    accept_case,
    reply_to_case,
)

router = APIRouter(prefix="/v1", tags=["workbench"])
_CASE = _TA(Case)


class ReplyBody(BaseModel):
    outcome: Literal["A", "B", "C", "D"] = Field(
        description="A 已解决或基本解决, B 正在解决或列入计划, C 因条件限制暂不能解决（须说明原因）, D 留作参考"
    )
    reply: str = Field(min_length=1, max_length=10_000, description="答复内容（不少于20字）")
    measures: str | None = Field(default=None, max_length=5_000, description="采取的措施")
    reason: str | None = Field(
        default=None, max_length=5_000, description="不能解决的原因（C 类必填）"
    )


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _view(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = _CASE.dump_python(case, mode="json")
    return data


async def _run(request: Request, action: Any) -> dict[str, Any]:
    try:
        async with _runtime(request).unit_of_work() as uow:
            case = await action(uow)
    except CaseNotFound as exc:
        raise HTTPException(404, detail=f"no open case for suggestion {exc}") from exc
    except IllegalTransition as exc:
        raise HTTPException(409, detail={"code": exc.code, "message": exc.message}) from exc
    except InvalidInput as exc:
        raise HTTPException(422, detail={"code": exc.code, "message": exc.message}) from exc
    return _view(case)


@router.get(
    "/cases/{suggestion_id}", summary="The suggestion's current case, with deadlines and history"
)
async def get_case(suggestion_id: str, request: Request) -> dict[str, Any]:
    async with _runtime(request).sessions() as session:
        case = await CaseRepository(session).current_for_suggestion(suggestion_id, lock=False)
    if case is None:
        raise HTTPException(404, detail=f"no open case for suggestion {suggestion_id}")
    return _view(case)


@router.post("/cases/{suggestion_id}/accept", summary="签收: the unit signs for the case")
async def accept(suggestion_id: str, request: Request) -> dict[str, Any]:
    return await _run(request, lambda uow: accept_case(suggestion_id, uow))


@router.post("/cases/{suggestion_id}/reply", summary="答复: the unit's answer (emits Resolved)")
async def reply(suggestion_id: str, body: ReplyBody, request: Request) -> dict[str, Any]:
    rules: Rules = _runtime(request).extras["rules"]
    cmd = ReplyToCase(suggestion_id, body.outcome, body.reply, body.measures, body.reason)
    return await _run(request, lambda uow: reply_to_case(cmd, uow, rules))
