"""Liaison's unit of work: one transaction, with its stores on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from minyi.liaison.adapters.repositories import (
    Activities,
    ActivityStore,
    Bookings,
    BookingStore,
    Matters,
    MatterStore,
    Performance,
    PerformanceStore,
    Receptions,
    ReceptionStore,
    Registry,
    RegistryStore,
    Visits,
    VisitStore,
)
from minyi.platform.runtime import Runtime, UnitOfWork


class LiaisonUnitOfWork(UnitOfWork):
    def __init__(self, runtime: Runtime[Any, Any], session: AsyncSession) -> None:
        super().__init__(runtime, session)
        self.registry: Registry = RegistryStore(session)
        self.receptions: Receptions = ReceptionStore(session)
        self.bookings: Bookings = BookingStore(session)
        self.matters: Matters = MatterStore(session)
        self.visits: Visits = VisitStore(session)
        self.activities: Activities = ActivityStore(session)
        self.performance: Performance = PerformanceStore(session)
