"""What a unit does with its case (the workbench's use cases)."""

from __future__ import annotations

from dataclasses import dataclass

from minyi.platform.service import UnitOfWork
from minyi.supervision.adapters.events import to_contract
from minyi.supervision.adapters.repository import CaseRepository
from minyi.supervision.domain import Case, CaseEvent, Rules, Status


class CaseNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ReplyToCase:
    suggestion_id: str
    outcome: str
    reply: str
    measures: str | None = None
    reason: str | None = None


async def _load(uow: UnitOfWork, suggestion_id: str) -> tuple[CaseRepository, Case]:
    repo = CaseRepository(uow.session)
    case = await repo.current_for_suggestion(suggestion_id)
    if case is None:
        raise CaseNotFound(suggestion_id)
    return repo, case


async def _commit(
    uow: UnitOfWork, repo: CaseRepository, case: Case, events: list[CaseEvent]
) -> None:
    await repo.save(case)
    for event in events:
        uow.emit(to_contract(event), subject=case.suggestion_id)


async def accept_case(suggestion_id: str, uow: UnitOfWork) -> Case:
    """签收: the unit confirms the case is in its hands."""
    repo, case = await _load(uow, suggestion_id)
    await _commit(uow, repo, case, case.accept(uow.runtime.clock.now()))
    return case


async def reply_to_case(cmd: ReplyToCase, uow: UnitOfWork, rules: Rules) -> Case:
    """答复: the unit's answer with its outcome; replying to a case not yet signed for
    signs for it first (the unit plainly has it)."""
    repo, case = await _load(uow, cmd.suggestion_id)
    now = uow.runtime.clock.now()
    events = case.accept(now) if case.status is Status.ASSIGNED else []
    events += case.reply(cmd.outcome, cmd.reply, cmd.measures, cmd.reason, now, rules)
    await _commit(uow, repo, case, events)
    return case
