"""The deadline sweep's use case: fire every timer that is due, exactly once."""

from __future__ import annotations

from minyi.platform.service import UnitOfWork
from minyi.supervision.adapters.events import to_contract
from minyi.supervision.adapters.repository import CaseRepository


async def fire_due_timers(uow: UnitOfWork, batch: int) -> int:
    """One batch: lock due cases (skipping those another replica holds), fire their
    timers, save them and their events in this one transaction. Returns cases handled."""
    now = uow.runtime.clock.now()
    repo = CaseRepository(uow.session)
    due = await repo.due(now, batch)
    for case in due:
        events = case.fire_timers(now)
        await repo.save(case)
        for event in events:
            uow.emit(to_contract(event, case), subject=case.suggestion_id)
    return len(due)
