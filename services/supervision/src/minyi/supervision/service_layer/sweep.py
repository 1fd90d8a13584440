"""The deadline sweep's use case: fire every timer that is due, exactly once."""

from __future__ import annotations

from minyi.supervision.adapters.events import to_contract
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.domain import Rules


async def fire_due_timers(
    uow: SupervisionUnitOfWork, batch: int, rules: Rules | None = None
) -> int:
    """One batch: lock due cases (skipping those another replica holds), fire their
    timers, save them and their events in this one transaction. Returns cases handled.
    ``rules``: a formal suggestion's rating window may end in a re-handling."""
    now = uow.now()
    due = await uow.cases.due(now, batch)
    for case in due:
        events = case.fire_timers(now, rules)
        await uow.cases.save(case)
        for event in events:
            uow.emit(to_contract(event, case), subject=case.suggestion_id)
    return len(due)
