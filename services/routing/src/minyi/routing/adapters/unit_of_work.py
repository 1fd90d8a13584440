"""Routing's unit of work: one transaction, with routing's repositories on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.runtime import Runtime, UnitOfWork
from minyi.routing.adapters.appeal_index import AppealIndex, PendingBands
from minyi.routing.adapters.models import ModelVersions
from minyi.routing.adapters.repositories import (
    Assignments,
    FormalQueue,
    PendingRows,
    Suggestions,
    TrainingExamples,
    TriageQueue,
)


class RoutingUnitOfWork(UnitOfWork):
    def __init__(self, runtime: Runtime[Any, Any], session: AsyncSession) -> None:
        super().__init__(runtime, session)
        # Filings' suggestion and assignment rows wait in the transaction's batch too.
        self.suggestions = Suggestions(session, self._pending_rows)
        self.assignments = Assignments(session, self._pending_rows)
        self.triage = TriageQueue(session, self._pending_rows)
        self.formal = FormalQueue(session, self._pending_rows)
        self.training_examples = TrainingExamples(session)
        self.model_versions = ModelVersions(session)
        # Band rows wait in the transaction's batch: one executemany per group commit.
        self.appeal_index = AppealIndex(session, lambda: self.batch(PendingBands))

    def _pending_rows(self) -> PendingRows:
        return self.batch(PendingRows)
