"""What the use cases need from a unit of work: liaison's stores, the clock and the
outbox. ``LiaisonUnitOfWork`` is the real one; unit tests pass an in-memory one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from minyi.contracts.envelope import EventData
from minyi.liaison.adapters.repositories import (
    Activities,
    Bookings,
    Matters,
    Performance,
    Receptions,
    Registry,
    Visits,
)
from minyi.platform.errors import Forbidden


class Uow(Protocol):
    registry: Registry
    receptions: Receptions
    bookings: Bookings
    matters: Matters
    visits: Visits
    activities: Activities
    performance: Performance

    def now(self) -> datetime: ...

    def emit(self, data: EventData, *, subject: str) -> str: ...


@dataclass(frozen=True)
class Actor:
    """Who acts: station staff (scoped to one station) or the admin (every station)."""

    subject: str
    station: str | None = None
    admin: bool = False

    def check_station(self, station_id: str) -> None:
        if not self.admin and self.station != station_id:
            raise Forbidden(
                "outside_station_scope",
                f"只能管理本联络站（{self.station}）的接待日",
                field="station_id",
            )
