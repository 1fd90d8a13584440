"""The deadline sweep: a poller in every replica ("timers that survive").

Timers live in the database (each case's plan, with ``next_due_at`` indexed), not in
memory, so a restart or a crash loses none: the next pass of any replica finds them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from minyi.platform.periodic import Periodic
from minyi.supervision.dependencies import SupervisionRuntime
from minyi.supervision.service_layer.projects import check_due_projects
from minyi.supervision.service_layer.sweep import fire_due_timers

log = logging.getLogger(__name__)


async def sweep_batch(runtime: SupervisionRuntime, batch: int) -> int:
    """One transaction of at most ``batch`` due cases and ``batch`` projects to look at
    (a milestone's day passed, a rating window closed); returns the larger count, so a
    full batch of either runs again. A lost race or a database hiccup rolls it back: the
    timers stay due for the next pass."""
    async with runtime.unit_of_work() as uow:
        handled = await fire_due_timers(uow, batch, runtime.deps.rules)
        projects = await check_due_projects(uow, batch, runtime.deps.rules)
    if handled or projects:
        log.info("deadline sweep: %d case(s) with due timers, %d project(s)", handled, projects)
    return max(handled, projects)


def deadline_sweep(runtime: SupervisionRuntime) -> Periodic:
    """Every ``sweep_seconds``, batches until none is due (a full batch runs again at once)."""
    settings = runtime.deps.settings

    async def tick() -> bool:
        return await sweep_batch(runtime, settings.sweep_batch) == settings.sweep_batch

    return Periodic("deadline-sweep", tick, settings.sweep_seconds)


def pollers(runtime: SupervisionRuntime) -> Sequence[Periodic]:
    return [deadline_sweep(runtime)]
