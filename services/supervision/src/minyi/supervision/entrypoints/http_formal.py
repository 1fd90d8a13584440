"""The HTTP API of deputies' formal suggestions (代表建议) beyond every case's handling:
co-units' views, contacts with the deputies, the extension asked of the office and its
decision, the C review, the office's and groups' queues, and key topics.

Access as in ``http.py``: ``unit_staff`` (its cases, and read-only those it co-handles),
``supervisor`` (its group's districts), ``admin`` (the congress office: all, and the
decisions only it takes).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from minyi.supervision.adapters.repositories import CaseFilter
from minyi.supervision.dependencies import SupervisionRuntime
from minyi.supervision.entrypoints.dependencies import (
    AdminCaller,
    Deps,
    Rt,
    SupervisorCaller,
    UnitCaller,
)
from minyi.supervision.entrypoints.http import Limit, Offset, Page, _case, _page
from minyi.supervision.service_layer import commands as uc
from minyi.supervision.service_layer import formal as fc
from minyi.supervision.service_layer import topics as tc

router = APIRouter(prefix="/v1", tags=["formal suggestions"])


class ViewsBody(BaseModel):
    views: str = Field(min_length=1, max_length=10_000, description="协办意见（书面）")


class ContactBody(BaseModel):
    contacted_on: date = Field(description="沟通日期（不晚于今天）")
    mode: Literal["meeting", "visit", "phone", "video", "letter", "other"] = Field(
        description="沟通方式：meeting 座谈, visit 走访, phone 电话, video 视频, letter 信函, other 其他"
    )
    note: str | None = Field(default=None, max_length=2_000, description="沟通情况")


class ExtensionRequestBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2_000, description="延期理由（书面说明）")
    until: date = Field(description="申请延期至（不超过交办后六个月）")


class ExtensionDecisionBody(BaseModel):
    approve: bool = Field(description="true 同意延期, false 不同意")
    note: str = Field(default="", max_length=2_000, description="审批意见（不同意时必填）")


class ReviewBody(BaseModel):
    verdict: Literal["upheld", "rehandle"] = Field(
        description="upheld 维持C类答复, rehandle 退回重新办理"
    )
    note: str = Field(default="", max_length=2_000, description="审核意见（重新办理时必填）")


class TopicBody(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="专题名称")
    year: int = Field(ge=2000, le=2100, description="年度")
    lead_id: str = Field(min_length=1, max_length=64, description="牵头督导组或专门委员会编码")
    lead_name: str = Field(min_length=1, max_length=200, description="牵头督导组或专门委员会")


class LinkBody(BaseModel):
    suggestion_id: str = Field(min_length=1, max_length=64, description="代表建议编号（案件）")


SuggestionId = Annotated[str, Path(max_length=64)]
TopicId = Annotated[str, Path(max_length=40)]


async def _read(runtime: SupervisionRuntime, action: Any) -> Any:
    async with runtime.unit_of_work() as uow:
        return await action(uow)


# -- the handling of one formal suggestion ----------------------------------------------
@router.post("/cases/{suggestion_id}/views", summary="协办意见: a co-unit's written views, once")
async def views(suggestion_id: SuggestionId, body: ViewsBody, runtime: Rt, who: UnitCaller) -> Any:
    cmd = fc.SubmitViews(suggestion_id, body.views)
    return await _case(runtime, lambda uow: fc.submit_views(cmd, who, uow), who)


@router.post(
    "/cases/{suggestion_id}/contacts",
    summary="办前沟通: the lead unit's contact with the deputies (required before replying)",
)
async def contacts(
    suggestion_id: SuggestionId, body: ContactBody, runtime: Rt, deps: Deps, who: UnitCaller
) -> Any:
    cmd = fc.RecordContact(suggestion_id, body.contacted_on, body.mode, body.note)
    return await _case(runtime, lambda uow: fc.record_contact(cmd, who, uow, deps.rules), who)


@router.post(
    "/cases/{suggestion_id}/extension-request",
    summary="延期申请: once, to the office (emits ExtensionRequested)",
)
async def extension_request(
    suggestion_id: SuggestionId,
    body: ExtensionRequestBody,
    runtime: Rt,
    deps: Deps,
    who: UnitCaller,
) -> Any:
    cmd = fc.RequestExtension(suggestion_id, body.reason, body.until)
    return await _case(runtime, lambda uow: fc.request_extension(cmd, who, uow, deps.rules), who)


@router.post(
    "/cases/{suggestion_id}/extension-decision",
    summary="延期审批 by the office (ExtensionGranted or ExtensionRefused)",
)
async def extension_decision(
    suggestion_id: SuggestionId,
    body: ExtensionDecisionBody,
    runtime: Rt,
    deps: Deps,
    who: AdminCaller,
) -> Any:
    cmd = fc.DecideExtension(suggestion_id, body.approve, body.note)
    return await _case(runtime, lambda uow: fc.decide_extension(cmd, who, uow, deps.rules))


@router.post(
    "/cases/{suggestion_id}/review",
    summary="C类答复审核 by the case's supervision group (AnswerReviewed; rehandle reopens)",
)
async def review(
    suggestion_id: SuggestionId, body: ReviewBody, runtime: Rt, deps: Deps, who: SupervisorCaller
) -> Any:
    cmd = fc.ReviewAnswer(suggestion_id, body.verdict, body.note)
    return await _case(runtime, lambda uow: fc.review_answer(cmd, who, uow, deps.rules))


@router.get("/supervision/reviews", summary="C answers of formal suggestions awaiting review")
async def reviews(
    runtime: Rt, who: SupervisorCaller, limit: Limit = 50, offset: Offset = 0
) -> Page:
    f = CaseFilter(awaiting_review=True)
    return await _page(runtime, uc.list_supervised, f, who, limit, offset)


@router.get("/supervision/extension-requests", summary="Extension requests awaiting the office")
async def extension_requests(
    runtime: Rt, who: AdminCaller, limit: Limit = 50, offset: Offset = 0
) -> Page:
    f = CaseFilter(extension_pending=True)
    return await _page(runtime, uc.list_supervised, f, who, limit, offset)


# -- key topics (重点督办专题) ------------------------------------------------------------
@router.get("/topics", summary="Key topics, with how many suggestions each links")
async def topics(runtime: Rt, who: SupervisorCaller) -> Any:
    return {"items": await _read(runtime, lambda uow: tc.list_topics(who, uow))}


@router.post("/topics", summary="Open a key topic (emits TopicOpened)", status_code=201)
async def open_topic(body: TopicBody, runtime: Rt, who: AdminCaller) -> Any:
    cmd = tc.OpenTopic(body.title, body.year, body.lead_id, body.lead_name)
    return await _read(runtime, lambda uow: tc.open_topic(cmd, who, uow))


@router.get(
    "/topics/candidates",
    summary="Proposed topics: recurring-appeal clusters and endorsed appeals, largest first",
)
async def candidates(runtime: Rt, who: SupervisorCaller) -> Any:
    return {"items": await _read(runtime, lambda uow: tc.candidates(who, uow))}


@router.get("/topics/{topic_id}", summary="A topic and every linked suggestion's state")
async def topic(topic_id: TopicId, runtime: Rt, who: SupervisorCaller) -> Any:
    return await _read(runtime, lambda uow: tc.get_topic(topic_id, who, uow))


@router.post(
    "/topics/{topic_id}/links",
    summary="Link a formal suggestion (TopicLinked; it becomes a key case)",
)
async def link(topic_id: TopicId, body: LinkBody, runtime: Rt, deps: Deps, who: AdminCaller) -> Any:
    return await _read(
        runtime, lambda uow: tc.link(topic_id, body.suggestion_id, who, uow, deps.rules)
    )


@router.delete(
    "/topics/{topic_id}/links/{suggestion_id}",
    summary="Unlink a suggestion (TopicLinked linked=false)",
)
async def unlink(
    topic_id: TopicId, suggestion_id: SuggestionId, runtime: Rt, who: AdminCaller
) -> Any:
    return await _read(runtime, lambda uow: tc.unlink(topic_id, suggestion_id, who, uow))
