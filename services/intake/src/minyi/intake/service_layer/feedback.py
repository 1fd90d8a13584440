"""The citizen rates the unit's answer, once per reply round."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from minyi.contracts.intake import FeedbackReceived
from minyi.intake.adapters.tables import feedback, suggestions
from minyi.intake.service_layer.errors import Conflict, NotFound
from minyi.platform.db import insert_or_ignore
from minyi.platform.service import UnitOfWork


@dataclass(frozen=True)
class GiveFeedback:
    tracking_code: str  # normalised
    satisfied: bool
    score: int | None = None
    comment: str | None = None
    channel: str = "web"


@dataclass(frozen=True)
class FeedbackRecorded:
    suggestion_id: str
    round: int


async def give_feedback(cmd: GiveFeedback, uow: UnitOfWork) -> FeedbackRecorded:
    """Record the rating and emit FeedbackReceived; refused before a reply, or when this
    reply round was rated already."""
    row = (
        await uow.session.execute(
            select(suggestions.c.id, suggestions.c.status, suggestions.c.reply_round).where(
                suggestions.c.tracking_code == cmd.tracking_code
            )
        )
    ).first()
    if row is None:
        raise NotFound("未找到该查询码对应的诉求（no suggestion with this code）")
    if row.status != "replied" or row.reply_round is None:
        raise Conflict("该诉求尚未答复，答复后才能评价（feedback is taken only after a reply）")
    now = uow.runtime.clock.now()
    added = await insert_or_ignore(
        uow.session,
        feedback,
        {
            "suggestion_id": row.id,
            "round": row.reply_round,
            "satisfied": cmd.satisfied,
            "score": cmd.score,
            "comment": cmd.comment,
            "channel": cmd.channel,
            "received_at": now,
        },
    )
    if not added:
        raise Conflict("本轮答复已评价，不能重复评价（this reply round was rated already）")
    uow.emit(
        FeedbackReceived(
            suggestion_id=row.id,
            satisfied=cmd.satisfied,
            score=cmd.score,
            comment=cmd.comment,
            round=row.reply_round,
            received_at=now,
        ),
        subject=row.id,
    )
    return FeedbackRecorded(row.id, row.reply_round)
