"""Key topics (重点督办专题): the office opens them, each led by a supervision group or a
committee, and links key formal suggestions to them; a topic shows every linked
suggestion's state. Candidates for new topics come from recurring-appeal clusters and
appeals deputies endorsed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from minyi.contracts.formal import TopicLinked, TopicOpened
from minyi.platform import errors
from minyi.supervision.adapters.events import to_contract
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.domain import Case, InvalidInput, Rules
from minyi.supervision.service_layer.commands import Actor, CaseNotFound, with_delivery_status

# A cluster of one is no recurring appeal, one endorsement no heavy support.
CANDIDATE_MIN_SIZE = 2
CANDIDATES_SHOWN = 50


class TopicNotFound(errors.NotFound):
    def __init__(self, topic_id: str) -> None:
        super().__init__("topic_not_found", f"没有找到重点督办专题 {topic_id}")


@dataclass(frozen=True)
class OpenTopic:
    title: str
    year: int
    lead_id: str
    lead_name: str


def _required(value: str, field: str, label: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(f"{field}_required", f"{label}不能为空", field=field)
    return text


async def open_topic(cmd: OpenTopic, actor: Actor, uow: SupervisionUnitOfWork) -> dict[str, Any]:
    """The office opens a topic → ``TopicOpened``."""
    actor.require_admin()
    row: dict[str, Any] = {
        "topic_id": f"topic-{cmd.year}-{uuid.uuid4().hex[:8]}",
        "title": _required(cmd.title, "title", "专题名称"),
        "year": cmd.year,
        "lead_id": _required(cmd.lead_id, "lead_id", "牵头督办组或委员会"),
        "lead_name": _required(cmd.lead_name, "lead_name", "牵头督办组或委员会名称"),
        "opened_at": uow.now(),
    }
    await uow.topics.add(row)
    uow.emit(TopicOpened(**row), subject=row["topic_id"])
    return {**row, "linked": 0}


async def list_topics(actor: Actor, uow: SupervisionUnitOfWork) -> list[dict[str, Any]]:
    actor.require_supervisor()
    return await uow.topics.all()


async def _topic(uow: SupervisionUnitOfWork, topic_id: str) -> dict[str, Any]:
    topic = await uow.topics.get(topic_id)
    if topic is None:
        raise TopicNotFound(topic_id)
    return topic


def _state(case: Case) -> dict[str, Any]:
    """What a topic's page shows of one linked suggestion."""
    formal = case.formal
    delivery = None if formal is None else formal.delivery
    return {
        "suggestion_id": case.suggestion_id,
        "number": None if formal is None else formal.number,
        "title": case.title,
        "unit_id": case.unit_id,
        "status": str(case.status),
        "reply_by": case.reply_by,
        "overdue": case.overdue,
        "outcome": None if case.outcome is None else str(case.outcome),
        "round": case.round,
        "delivery": None
        if delivery is None
        else {
            "delivery_id": delivery.delivery_id,
            "promised_by": delivery.promised_by,
            "status": delivery.status,
        },
    }


async def get_topic(topic_id: str, actor: Actor, uow: SupervisionUnitOfWork) -> dict[str, Any]:
    """The topic and every linked suggestion's state now."""
    actor.require_supervisor()
    topic = await _topic(uow, topic_id)
    suggestions = []
    for sid in await uow.topics.linked(topic_id):
        case = await uow.cases.current_for_suggestion(sid, lock=False)
        if case is None:
            continue
        await with_delivery_status(uow.cases, case)
        suggestions.append(_state(case))
    return {**topic, "linked": len(suggestions), "suggestions": suggestions}


async def link(
    topic_id: str, suggestion_id: str, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> dict[str, Any]:
    """列入专题: ``TopicLinked``, and the suggestion becomes a key case while open."""
    actor.require_admin()
    await _topic(uow, topic_id)
    case = await uow.cases.current_for_suggestion(suggestion_id)
    if case is None:
        raise CaseNotFound(suggestion_id)
    now = uow.now()
    events = case.link_topic(topic_id, now, rules)
    await uow.cases.save(case)
    for event in events:
        uow.emit(to_contract(event, case), subject=suggestion_id)
    if await uow.topics.link(topic_id, suggestion_id, now):
        uow.emit(
            TopicLinked(topic_id=topic_id, suggestion_id=suggestion_id, linked=True, at=now),
            subject=topic_id,
        )
    return await get_topic(topic_id, actor, uow)


async def unlink(
    topic_id: str, suggestion_id: str, actor: Actor, uow: SupervisionUnitOfWork
) -> dict[str, Any]:
    """移出专题: ``TopicLinked(linked=false)``; the key-case mark stays."""
    actor.require_admin()
    await _topic(uow, topic_id)
    if not await uow.topics.unlink(topic_id, suggestion_id):
        raise errors.NotFound("link_not_found", f"建议 {suggestion_id} 不在此专题中")
    case = await uow.cases.current_for_suggestion(suggestion_id)
    if case is not None and case.unlink_topic(topic_id):
        await uow.cases.save(case)
    uow.emit(
        TopicLinked(topic_id=topic_id, suggestion_id=suggestion_id, linked=False, at=uow.now()),
        subject=topic_id,
    )
    return await get_topic(topic_id, actor, uow)


def _why(row: dict[str, Any]) -> str:
    if row["source"] == "cluster":
        why = f"同类诉求反复出现：近期已聚集 {row['size']} 件"
        supports = int(row.get("supports") or 0)
        return f"{why}，公开后获群众附议 {supports} 次" if supports else why
    return f"代表附议或转为代表建议 {row['size']} 次"


async def candidates(actor: Actor, uow: SupervisionUnitOfWork) -> list[dict[str, Any]]:
    """Proposed topics, largest first, each saying why."""
    actor.require_supervisor()
    rows = await uow.topics.candidates(CANDIDATES_SHOWN, CANDIDATE_MIN_SIZE)
    return [{**row, "why": _why(row)} for row in rows]
