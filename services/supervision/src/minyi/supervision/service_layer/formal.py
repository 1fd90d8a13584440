"""What the units, the office and the supervision groups do with a deputies' formal
suggestion (代表建议) beyond every case's handling: co-units' views, the lead's contacts
with the deputies, the extension asked of the office, the C review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.domain import Case, Rules
from minyi.supervision.service_layer.commands import Actor, change_case


@dataclass(frozen=True)
class SubmitViews:
    suggestion_id: str
    views: str


@dataclass(frozen=True)
class RecordContact:
    suggestion_id: str
    contacted_on: date
    mode: str
    note: str | None = None


@dataclass(frozen=True)
class RequestExtension:
    suggestion_id: str
    reason: str
    until: date  # the last day of the new deadline


@dataclass(frozen=True)
class DecideExtension:
    suggestion_id: str
    approve: bool
    note: str = ""


@dataclass(frozen=True)
class ReviewAnswer:
    suggestion_id: str
    verdict: str
    note: str = ""


async def submit_views(cmd: SubmitViews, actor: Actor, uow: SupervisionUnitOfWork) -> Case:
    """协办意见: a co-unit sends its written views to the lead unit, once."""
    unit = actor.require_unit()
    return await change_case(
        uow,
        cmd.suggestion_id,
        actor,
        lambda c, now: c.submit_views(unit, cmd.views, now),
        co=True,
    )


async def record_contact(
    cmd: RecordContact, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> Case:
    """办前沟通: the lead unit records its contact with the deputies (before replying)."""
    actor.require_unit()
    return await change_case(
        uow,
        cmd.suggestion_id,
        actor,
        lambda c, now: c.record_contact(cmd.contacted_on, cmd.mode, cmd.note, now, rules),
    )


async def request_extension(
    cmd: RequestExtension, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> Case:
    """延期申请: the lead unit asks the office, once, with a reason, for a new deadline
    (the end of ``until``)."""
    actor.require_unit()
    until = rules.calendar.end_of_day(cmd.until)
    return await change_case(
        uow,
        cmd.suggestion_id,
        actor,
        lambda c, now: c.request_extension(cmd.reason, until, now, rules),
    )


async def decide_extension(
    cmd: DecideExtension, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> Case:
    """The congress office grants or refuses the pending extension request."""
    actor.require_admin()
    return await change_case(
        uow,
        cmd.suggestion_id,
        actor,
        lambda c, now: c.decide_extension(cmd.approve, cmd.note, now, rules),
    )


async def review_answer(
    cmd: ReviewAnswer, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> Case:
    """C类答复审核 by the case's supervision group (or the office): upheld, or handled
    again by the unit."""
    actor.require_supervisor()
    return await change_case(
        uow,
        cmd.suggestion_id,
        actor,
        lambda c, now: c.review_answer(cmd.verdict, cmd.note, actor.name, now, rules),
    )
