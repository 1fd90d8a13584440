"""What a unit and a supervisor do with a case (the workbench's use cases)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from minyi.platform import errors
from minyi.supervision.adapters.events import case_id_for, to_contract
from minyi.supervision.adapters.repositories import CaseFilter, Cases
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.domain import (
    Case,
    CaseEvent,
    DeliveryPromised,
    IllegalTransition,
    Kind,
    Rules,
    Status,
)
from minyi.supervision.service_layer.handlers import open_follow_up


class CaseNotFound(errors.NotFound):
    """No case for the suggestion that this caller may see (also for another unit's case,
    so a unit cannot probe which suggestions exist elsewhere)."""

    def __init__(self, suggestion_id: str) -> None:
        super().__init__("case_not_found", f"没有找到建议 {suggestion_id} 的案件")
        self.suggestion_id = suggestion_id


class Forbidden(errors.Forbidden):
    """The caller's role or scope does not allow this (HTTP 403)."""


@dataclass(frozen=True)
class Actor:
    """Who calls: unit staff (its own cases, and read-only those it co-handles) or a
    supervisor (a group's districts, or all of them when ``districts`` is None); the
    admin (the congress office) is a supervisor of every district who also decides."""

    unit_id: str | None = None
    supervisor: bool = False
    districts: frozenset[str] | None = None
    admin: bool = False
    name: str = ""  # the token's subject, recorded as a reviewer
    # A deputy (representative): inspects and rates projects; a supervisor's group id.
    deputy_id: str | None = None
    group_id: str | None = None

    def require_admin(self) -> None:
        if not self.admin:
            raise Forbidden("admin_only", "只有人大常委会办公室可以执行此操作")

    def require_unit(self) -> str:
        if self.unit_id is None:
            raise Forbidden("unit_only", "只有承办单位可以办理案件")
        return self.unit_id

    def require_supervisor(self) -> None:
        if not self.supervisor:
            raise Forbidden("supervisor_only", "只有督办人员可以执行此操作")


@dataclass(frozen=True)
class ReplyToCase:
    suggestion_id: str
    outcome: str
    reply: str
    measures: str | None = None
    reason: str | None = None
    delivery_by: date | None = None


@dataclass(frozen=True)
class ReturnCase:
    suggestion_id: str
    reason: str
    suggested_unit: str


@dataclass(frozen=True)
class ReportProgress:
    suggestion_id: str
    note: str


@dataclass(frozen=True)
class ExtendDeadline:
    suggestion_id: str
    reason: str
    until: datetime | None = None


@dataclass(frozen=True)
class UrgeCase:
    suggestion_id: str
    note: str


async def _find(
    repo: Cases, suggestion_id: str, actor: Actor, lock: bool, *, co: bool = False
) -> Case:
    """The caller's case. A co-unit (协办) finds the live case it co-handles only where
    ``co`` allows (reading it, sending its views); elsewhere it is refused (403)."""
    if actor.unit_id is not None:
        case = await repo.latest_at_unit(suggestion_id, actor.unit_id, lock=lock)
        if case is None:
            live = await repo.current_for_suggestion(suggestion_id, lock=lock)
            if live is not None and live.formal and live.formal.co_unit(actor.unit_id):
                if not co:
                    raise Forbidden("co_unit_read_only", "协办单位只能查看此建议并提交协办意见")
                case = live
    elif actor.supervisor:
        case = await repo.current_for_suggestion(suggestion_id, lock=lock)
        if (
            case is not None
            and actor.districts is not None
            and case.district not in actor.districts
        ):
            case = None
    else:
        case = None
    if case is None:
        raise CaseNotFound(suggestion_id)
    return case


async def change_case(
    uow: SupervisionUnitOfWork,
    suggestion_id: str,
    actor: Actor,
    transition: Callable[[Case, datetime], list[CaseEvent]],
    *,
    co: bool = False,
) -> Case:
    """Load the caller's case, apply one transition, save it and its events together."""
    case = await _find(uow.cases, suggestion_id, actor, lock=True, co=co)
    events = transition(case, uow.now())
    await uow.cases.save(case)
    for event in events:
        uow.emit(to_contract(event, case), subject=case.suggestion_id)
    return case


async def get_case(suggestion_id: str, actor: Actor, uow: SupervisionUnitOfWork) -> Case:
    """The case with its deadlines, timers and history (a co-unit reads it too), a B
    answer's delivery status as its item stands now."""
    case = await _find(uow.cases, suggestion_id, actor, lock=False, co=True)
    await with_delivery_status(uow.cases, case)
    return case


async def with_delivery_status(repo: Cases, case: Case) -> None:
    """Set a formal suggestion's ``delivery.status`` from its delivery item's case."""
    delivery = None if case.formal is None else case.formal.delivery
    if delivery is None:
        return
    item = await repo.current_for_suggestion(delivery.delivery_id, lock=False)
    if item is None:
        return
    if item.replied_at is not None:
        on_time = item.replied_at <= item.reply_by
        delivery.status = "delivered_on_time" if on_time else "delivered_late"
    elif item.overdue:
        delivery.status = "overdue"


async def list_cases(
    f: CaseFilter, actor: Actor, uow: SupervisionUnitOfWork, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of case summaries, narrowed to what the caller may see."""
    if actor.unit_id is not None:
        if f.unit_id not in (None, actor.unit_id):
            raise Forbidden("other_unit", "不能查看其他单位的案件")
        f = replace(f, unit_id=actor.unit_id)
    elif actor.supervisor:
        f = replace(f, districts=actor.districts)
    else:
        raise Forbidden("no_identity", "缺少调用者身份")
    return await uow.cases.search(f, limit=limit, offset=offset)


async def list_supervised(
    f: CaseFilter, actor: Actor, uow: SupervisionUnitOfWork, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A supervisors' list (overdue, escalated cases): supervisors only."""
    if not actor.supervisor:
        raise Forbidden("supervisor_only", "只有督办人员可以查看督办列表")
    return await list_cases(f, actor, uow, limit=limit, offset=offset)


async def accept_case(suggestion_id: str, actor: Actor, uow: SupervisionUnitOfWork) -> Case:
    """签收: the unit confirms the case is in its hands."""
    actor.require_unit()
    return await change_case(uow, suggestion_id, actor, lambda c, now: c.accept(now))


async def return_case(cmd: ReturnCase, actor: Actor, uow: SupervisionUnitOfWork) -> Case:
    """退回: not ours; routing re-routes (to the suggested unit if it agrees)."""
    actor.require_unit()
    return await change_case(
        uow, cmd.suggestion_id, actor, lambda c, now: c.return_(cmd.reason, cmd.suggested_unit, now)
    )


async def report_progress(cmd: ReportProgress, actor: Actor, uow: SupervisionUnitOfWork) -> Case:
    """办理进展: what the unit has done so far."""
    actor.require_unit()
    return await change_case(
        uow, cmd.suggestion_id, actor, lambda c, now: c.report_progress(cmd.note, now)
    )


async def reply_to_case(
    cmd: ReplyToCase, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> Case:
    """答复: the unit's answer with its outcome; replying to a case not yet signed for
    signs for it first (the unit plainly has it)."""
    actor.require_unit()

    promised: list[DeliveryPromised] = []

    def reply(case: Case, now: datetime) -> list[CaseEvent]:
        if case.kind is Kind.MILESTONE:  # its delivery is the project's, with its events
            raise IllegalTransition(
                "milestone_via_project", "项目里程碑请在项目页面报告交付，不在此答复"
            )
        events = case.accept(now) if case.status is Status.ASSIGNED else []
        events += case.reply(
            cmd.outcome, cmd.reply, cmd.measures, cmd.reason, now, rules, cmd.delivery_by
        )
        promised.extend(e for e in events if isinstance(e, DeliveryPromised))
        return events

    case = await change_case(uow, cmd.suggestion_id, actor, reply)
    for p in promised:  # a B answer's promise: its own item, in this same transaction
        due = rules.calendar.end_of_day(p.promised_by)
        if await uow.cases.exists(case_id_for(p.delivery_id, 1)):  # a B again: re-promised

            def repromise(item: Case, now: datetime, due: datetime = due) -> list[CaseEvent]:
                return item.repromise(due, now, rules)

            await change_case(uow, p.delivery_id, actor, repromise)
            continue
        await open_follow_up(
            uow,
            rules,
            p.delivery_id,
            Kind.DELIVERY,
            unit_id=case.unit_id,
            district=case.district,
            assigned_at=p.at,
            title=case.title,
            promised=due,
            content=case.measures or case.reply_text,
            delivery_of=case.suggestion_id,
        )
    return case


async def extend_deadline(
    cmd: ExtendDeadline, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> Case:
    """延期: once, for representative suggestions, with a written reason."""
    actor.require_unit()
    return await change_case(
        uow, cmd.suggestion_id, actor, lambda c, now: c.extend(cmd.reason, now, rules, cmd.until)
    )


async def urge_case(cmd: UrgeCase, actor: Actor, uow: SupervisionUnitOfWork) -> Case:
    """催办 by hand: a supervisor reminds the unit now."""
    actor.require_supervisor()
    return await change_case(uow, cmd.suggestion_id, actor, lambda c, now: c.urge(cmd.note, now))


async def mark_key_case(
    suggestion_id: str, actor: Actor, uow: SupervisionUnitOfWork, rules: Rules
) -> Case:
    """重点督办: the case gets the tighter reminder plan."""
    actor.require_supervisor()
    return await change_case(uow, suggestion_id, actor, lambda c, now: c.mark_key_case(now, rules))
