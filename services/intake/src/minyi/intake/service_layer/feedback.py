"""The citizen rates the unit's answer, once per reply round."""

from __future__ import annotations

from dataclasses import dataclass

from minyi.contracts import tracking_code
from minyi.contracts.intake import FeedbackReceived
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.errors import InvalidTrackingCode, UnknownTrackingCode
from minyi.intake.domain.status import REPLIED
from minyi.platform.errors import Conflict


@dataclass(frozen=True)
class GiveFeedback:
    tracking_code: str  # as the citizen typed it
    satisfied: bool
    score: int | None = None
    comment: str | None = None
    channel: str = "web"


@dataclass(frozen=True)
class FeedbackRecorded:
    suggestion_id: str
    round: int


async def give_feedback(cmd: GiveFeedback, uow: IntakeUnitOfWork) -> FeedbackRecorded:
    """Record the rating and emit FeedbackReceived; refused before a reply, or when this
    reply round was rated already."""
    if not tracking_code.is_valid(cmd.tracking_code):
        raise InvalidTrackingCode()
    found = await uow.suggestions.reply_state(tracking_code.normalize(cmd.tracking_code))
    if found is None:
        raise UnknownTrackingCode()
    if found.status != REPLIED or found.reply_round is None:
        raise Conflict(
            "not_replied",
            "该诉求尚未答复，答复后才能评价（feedback is taken only after a reply）",
        )
    rating = FeedbackReceived(
        suggestion_id=found.id,
        satisfied=cmd.satisfied,
        score=cmd.score,
        comment=cmd.comment,
        round=found.reply_round,
        received_at=uow.now(),
    )
    if not await uow.feedback.add(rating, cmd.channel):
        raise Conflict(
            "already_rated",
            "本轮答复已评价，不能重复评价（this reply round was rated already）",
        )
    uow.emit(rating, subject=found.id)
    return FeedbackRecorded(found.id, found.reply_round)
