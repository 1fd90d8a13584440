"""An in-memory unit of work for liaison's use cases: the stores as dicts and lists, the
events emitted kept in order."""

from __future__ import annotations

import base64
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from minyi.contracts.envelope import EventData
from minyi.contracts.gazetteer import Place
from minyi.liaison.adapters.repositories import DueNotice, Versioned
from minyi.liaison.domain.reception import Booking, Reception
from minyi.liaison.domain.registry import Area


class FakeRegistry:
    def __init__(self) -> None:
        self.deputy_rows: dict[str, Versioned] = {}
        self.station_rows: dict[str, Versioned] = {}
        self.areas: dict[str, list[Area]] = {}

    async def deputies(self, ids: Collection[str] | None = None) -> dict[str, Versioned]:
        return {k: v for k, v in self.deputy_rows.items() if ids is None or k in ids}

    async def stations(self, ids: Collection[str] | None = None) -> dict[str, Versioned]:
        return {k: v for k, v in self.station_rows.items() if ids is None or k in ids}

    async def station_ids(self) -> set[str]:
        return {k for k, v in self.station_rows.items() if v.record.status == "active"}

    async def serving_deputy_ids(self, ids: Collection[str]) -> set[str]:
        return {
            i
            for i in ids
            if i in self.deputy_rows and self.deputy_rows[i].record.status == "serving"
        }

    async def put_deputies(
        self, added: Sequence[Versioned], changed: Sequence[Versioned], at: datetime
    ) -> None:
        for v in (*added, *changed):
            self.deputy_rows[v.record.id] = v

    async def put_stations(
        self,
        added: Sequence[Versioned],
        changed: Sequence[Versioned],
        areas: Mapping[str, Sequence[Area]],
        at: datetime,
    ) -> None:
        for v in (*added, *changed):
            self.station_rows[v.record.id] = v
            self.areas[v.record.id] = list(areas.get(v.record.id, ()))

    async def counts(self) -> tuple[int, int]:
        return len(self.deputy_rows), len(self.station_rows)

    async def deputies_for(self, place: Place) -> list[dict[str, Any]]:
        raise NotImplementedError  # SQL-only: covered by the integration tests

    stations_for = deputies_for


class FakeReceptions:
    def __init__(self) -> None:
        self.rows: dict[str, Reception] = {}

    async def add(self, reception: Reception) -> None:
        self.rows[reception.id] = reception

    async def get(self, reception_id: str, *, lock: bool = False) -> Reception | None:
        return self.rows.get(reception_id)

    async def close(
        self, reception_id: str, status: str, at: datetime, reason: str | None = None
    ) -> None:
        self.rows[reception_id] = replace(self.rows[reception_id], status=status)

    async def upcoming(
        self,
        now: datetime,
        *,
        station_id: str | None = None,
        division: str | None = None,
        limit: int = 50,
    ) -> list[Reception]:
        return [
            r
            for r in self.rows.values()
            if r.status == "scheduled" and (station_id is None or r.station_id == station_id)
        ][:limit]


class FakeBookings:
    def __init__(self, vault: Any) -> None:
        self.rows: dict[str, Booking] = {}
        self.notices: list[dict[str, Any]] = []

    async def add(self, booking: Booking) -> None:
        self.rows[booking.id] = booking

    async def by_code(self, code: str, *, lock: bool = False) -> Booking | None:
        return next((b for b in self.rows.values() if b.code == code), None)

    async def get(self, booking_id: str) -> Booking | None:
        return self.rows.get(booking_id)

    def _of(self, reception_id: str) -> list[Booking]:
        return sorted(
            (b for b in self.rows.values() if b.reception_id == reception_id), key=lambda b: b.seq
        )

    async def counts(self, reception_id: str) -> tuple[int, int, int]:
        mine = self._of(reception_id)
        return (
            sum(b.status == "confirmed" for b in mine),
            sum(b.status == "waitlisted" for b in mine),
            max((b.seq for b in mine), default=0),
        )

    async def has_active(self, reception_id: str, citizen_ref: str) -> bool:
        return any(
            b.citizen_ref == citizen_ref and b.status != "cancelled" for b in self._of(reception_id)
        )

    async def first_waitlisted(self, reception_id: str) -> Booking | None:
        return next((b for b in self._of(reception_id) if b.status == "waitlisted"), None)

    async def active(self, reception_id: str) -> list[Booking]:
        return [b for b in self._of(reception_id) if b.status != "cancelled"]

    async def set_status(self, booking_id: str, status: str, at: datetime) -> None:
        self.rows[booking_id] = replace(self.rows[booking_id], status=status)

    async def notify(self, booking_id: str, kind: str, message: str, due_at: datetime) -> None:
        self.notices.append(
            {"booking_id": booking_id, "kind": kind, "message": message, "due_at": due_at}
        )

    async def drop_notices(self, booking_id: str) -> None:
        self.notices = [n for n in self.notices if n["booking_id"] != booking_id]

    async def claim_due_notices(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[DueNotice]:
        return []


class FakeMatters:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def add(self, row: Mapping[str, Any]) -> None:
        self.rows.append(dict(row))

    async def of_booking(self, booking_id: str) -> list[dict[str, Any]]:
        return [m for m in self.rows if m["booking_id"] == booking_id]


class FakeVault:
    """Reversible and keyed enough for tests; the real vault is Fernet."""

    def encrypt(self, text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        return base64.b64decode(token).decode()

    def blind_index(self, phone: str) -> str:
        return "ref-" + phone[::-1]


class FakeUnitOfWork:
    def __init__(self, now: datetime) -> None:
        self.clock = now
        self.registry = FakeRegistry()
        self.receptions = FakeReceptions()
        self.bookings = FakeBookings(FakeVault())
        self.matters = FakeMatters()
        self.events: list[tuple[str, EventData]] = []

    def now(self) -> datetime:
        return self.clock

    def emit(self, data: EventData, *, subject: str) -> str:
        self.events.append((subject, data))
        return str(len(self.events))

    def emitted(self, kind: type[EventData]) -> list[Any]:
        return [e for _, e in self.events if isinstance(e, kind)]

    def contact(self, booking: Booking) -> dict[str, str]:
        result: dict[str, str] = json.loads(FakeVault().decrypt(booking.contact))
        return result
