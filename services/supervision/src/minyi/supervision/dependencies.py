"""What supervision's handlers, endpoints and poller need, typed; built once at start-up by
``bootstrap.dependencies``."""

from __future__ import annotations

from dataclasses import dataclass

from minyi.platform.runtime import Runtime
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.config import SupervisionSettings
from minyi.supervision.domain import DeadlinePolicy, Rules


@dataclass(frozen=True)
class SupervisionDeps:
    settings: SupervisionSettings  # the sweep's pace and batch
    rules: Rules  # the deadline policy on the working-day calendar

    @property
    def policy(self) -> DeadlinePolicy:
        return self.rules.policy


SupervisionRuntime = Runtime[SupervisionDeps, SupervisionUnitOfWork]
