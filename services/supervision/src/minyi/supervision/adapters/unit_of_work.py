"""Supervision's unit of work: one transaction, with the stores of cases, topics and projects on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.runtime import Runtime, UnitOfWork
from minyi.supervision.adapters.repositories import (
    CaseRepository,
    Cases,
    ClusterCounts,
    NewCases,
    ProjectRepository,
    Projects,
    TopicRepository,
    Topics,
)


class SupervisionUnitOfWork(UnitOfWork):
    def __init__(self, runtime: Runtime[Any, Any], session: AsyncSession) -> None:
        super().__init__(runtime, session)
        new_cases = self.batch(NewCases)  # written before the commit or a read of cases
        self.cases: Cases = CaseRepository(session, new_cases)
        self.topics: Topics = TopicRepository(session, new_cases, self.batch(ClusterCounts))
        self.projects: Projects = ProjectRepository(session)
