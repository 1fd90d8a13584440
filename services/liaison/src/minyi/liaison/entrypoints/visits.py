"""Liaison's HTTP API, part three: officials' visits (局长进站). Public: the list, a visit's
page, a question submitted before it. The office (admin) plans and cancels; station staff
(their station; or the admin) moderate questions and record the visit."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from minyi.liaison.domain.visit import CommitmentDraft, VisitPlan
from minyi.liaison.entrypoints.dependencies import PUBLIC_LIMIT, Admin, Deps, Rt, Staff
from minyi.liaison.service_layer import visits
from minyi.platform.auth import Principal, Role
from minyi.platform.auth import public as public_access

PUBLIC = Depends(public_access("officials' visits, their questions and commitments are public"))
ASKING = public_access(
    "anyone may submit a question before a visit: rate-limited, nothing about the asker "
    "is kept, and it is published only after station staff approve it"
)
router = APIRouter(prefix="/v1", tags=["visits"])


class VisitBody(BaseModel):
    station_id: str = Field(min_length=1, max_length=64, description="联络站编号")
    official_name: str = Field(min_length=1, max_length=50, description="来访负责同志姓名")
    official_post: str = Field(min_length=1, max_length=100, description="职务，如 局长")
    unit_id: str = Field(min_length=1, max_length=64, description="所在单位（单位目录编号）")
    day: date = Field(alias="date", description="进站日期（北京时间）")
    start: time = Field(description="开始时间，如 09:00")
    end: time = Field(description="结束时间，如 11:30")
    theme: str = Field(min_length=1, max_length=200, description="主题")
    place: str | None = Field(default=None, max_length=200, description="地点（缺省为联络站）")


class CancelBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="取消原因（公开）")


class QuestionBody(BaseModel):
    text: str = Field(min_length=1, max_length=1000, description="想问的问题（请勿填写姓名电话）")


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="不予公开的理由（不公开）")


class AnswerBody(BaseModel):
    question_id: str = Field(min_length=1, max_length=36)
    answer: str = Field(min_length=1, max_length=5000, description="当场答复的内容")


class CommitmentBody(BaseModel):
    text: str = Field(min_length=1, max_length=1000, description="承诺事项")
    unit_id: str = Field(min_length=1, max_length=64, description="责任单位（单位目录编号）")
    due_on: date = Field(description="承诺完成日期（北京时间，当天结束前）")


class HeldBody(BaseModel):
    deputy_ids: list[str] = Field(default_factory=list, max_length=200, description="到场代表")
    citizens: int = Field(ge=0, le=100_000, description="到场群众人数")
    answers: list[AnswerBody] = Field(
        default_factory=list, max_length=500, description="当场答复的问题；其余已公开问题转书面答复"
    )
    commitments: list[CommitmentBody] = Field(
        default_factory=list, max_length=100, description="承诺事项"
    )


# Public ------------------------------------------------------------------------------------


@router.get("/visits", dependencies=[PUBLIC])
async def listing(
    runtime: Rt,
    deps: Deps,
    station_id: Annotated[str | None, Query(max_length=64)] = None,
    division: Annotated[str | None, Query(max_length=20)] = None,
) -> list[dict[str, Any]]:
    """Visits to come and of the last months, of a station or a division."""
    async with runtime.unit_of_work() as uow:
        return await visits.public_list(
            uow, deps.visit_policy, station_id=station_id, division=division
        )


@router.get("/visits/{visit_id}", dependencies=[PUBLIC])
async def visit(runtime: Rt, deps: Deps, visit_id: str) -> dict[str, Any]:
    """A visit's page: published questions and answers, commitments and how each stands."""
    async with runtime.unit_of_work() as uow:
        return await visits.public_visit(uow, visit_id, deps.visit_policy)


@router.post("/visits/{visit_id}/questions", status_code=201, dependencies=[PUBLIC_LIMIT])
async def ask(
    runtime: Rt,
    visit_id: str,
    body: QuestionBody,
    caller: Annotated[Principal | None, Depends(ASKING)],
) -> dict[str, Any]:
    """A question before the visit; a deputy signed in asks as a deputy."""
    deputy = None
    if caller is not None and caller.role is Role.REPRESENTATIVE:
        deputy = caller.representative
    async with runtime.unit_of_work() as uow:
        return await visits.submit_question(uow, visit_id, body.text, deputy)


# The office --------------------------------------------------------------------------------


@router.post("/visits", status_code=201)
async def plan(runtime: Rt, deps: Deps, admin: Admin, body: VisitBody) -> dict[str, Any]:
    """Plan an official's visit to a station."""
    p = VisitPlan(
        body.station_id,
        body.official_name,
        body.official_post,
        body.unit_id,
        body.day,
        body.start,
        body.end,
        body.theme,
        body.place,
    )
    async with runtime.unit_of_work() as uow:
        return await visits.plan(uow, admin.subject, p, deps.visit_policy, deps.unit_names)


@router.post("/visits/{visit_id}/cancel")
async def cancel(
    runtime: Rt, deps: Deps, _admin: Admin, visit_id: str, body: CancelBody
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await visits.cancel(uow, visit_id, body.reason, deps.visit_policy)


# Station staff (and the office) -----------------------------------------------------------


@router.get("/office/visits")
async def office_list(runtime: Rt, deps: Deps, actor: Staff) -> dict[str, Any]:
    """The office's visits (every station), or a station's, with their follow-ups."""
    async with runtime.unit_of_work() as uow:
        return await visits.office_list(uow, actor, deps.visit_policy, deps.unit_names)


@router.get("/office/visits/{visit_id}")
async def office_visit(runtime: Rt, deps: Deps, actor: Staff, visit_id: str) -> dict[str, Any]:
    """One visit with every question (those awaiting moderation too)."""
    async with runtime.unit_of_work() as uow:
        return await visits.office_visit(uow, actor, visit_id, deps.visit_policy, deps.unit_names)


@router.post("/visits/{visit_id}/questions/{question_id}/publish")
async def publish(runtime: Rt, actor: Staff, visit_id: str, question_id: str) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await visits.moderate(uow, actor, visit_id, question_id, publish=True)


@router.post("/visits/{visit_id}/questions/{question_id}/reject")
async def reject(
    runtime: Rt, actor: Staff, visit_id: str, question_id: str, body: RejectBody
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await visits.moderate(
            uow, actor, visit_id, question_id, publish=False, reason=body.reason
        )


@router.post("/visits/{visit_id}/held")
async def hold(
    runtime: Rt, deps: Deps, actor: Staff, visit_id: str, body: HeldBody
) -> dict[str, Any]:
    """Record the visit: attendance, answers on the spot, commitments (each followed by
    supervision, as is every published question left unanswered)."""
    answers: dict[str, str] = {}
    for a in body.answers:
        answers[a.question_id] = a.answer
    rec = visits.VisitRecord(
        tuple(body.deputy_ids),
        body.citizens,
        answers,
        [CommitmentDraft(c.text, c.unit_id, c.due_on) for c in body.commitments],
    )
    async with runtime.unit_of_work() as uow:
        return await visits.record(uow, actor, visit_id, rec, deps.visit_policy, deps.unit_names)
