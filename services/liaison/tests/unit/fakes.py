"""An in-memory unit of work for liaison's use cases: the stores as dicts and lists, the
events emitted kept in order."""

from __future__ import annotations

import base64
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from minyi.contracts.envelope import EventData
from minyi.contracts.gazetteer import Place
from minyi.liaison.adapters.repositories import DueNotice, StoredScore, Versioned
from minyi.liaison.domain.performance import Entry
from minyi.liaison.domain.reception import Booking, Reception
from minyi.liaison.domain.registry import Area
from minyi.liaison.domain.visit import Commitment, Question, Visit


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

    async def deputies_of_station(self, station_id: str) -> list[dict[str, Any]]:
        return [
            {"id": v.record.id, "name": v.record.name, "level": v.record.level}
            for v in self.deputy_rows.values()
            if station_id in v.record.station_ids and v.record.status == "serving"
        ]

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


class FakeVisits:
    def __init__(self) -> None:
        self.rows: dict[str, Visit] = {}
        self.question_rows: dict[str, Question] = {}
        self.commitment_rows: dict[str, Commitment] = {}

    async def add(self, visit: Visit) -> None:
        self.rows[visit.id] = visit

    async def get(self, visit_id: str, *, lock: bool = False) -> Visit | None:
        return self.rows.get(visit_id)

    async def save(self, visit: Visit) -> None:
        self.rows[visit.id] = visit

    async def listing(
        self,
        since: datetime,
        *,
        station_id: str | None = None,
        division: str | None = None,
        limit: int = 100,
    ) -> list[Visit]:
        found = [
            v
            for v in self.rows.values()
            if v.ends_at >= since and (station_id is None or v.station_id == station_id)
        ]
        return sorted(found, key=lambda v: v.starts_at)[:limit]

    async def add_question(self, question: Question) -> None:
        self.question_rows[question.id] = question

    async def question(self, question_id: str) -> Question | None:
        return self.question_rows.get(question_id)

    async def questions(self, visit_id: str) -> list[Question]:
        return [q for q in self.question_rows.values() if q.visit_id == visit_id]

    async def save_question(self, question: Question) -> None:
        self.question_rows[question.id] = question

    async def add_commitment(self, commitment: Commitment) -> None:
        self.commitment_rows[commitment.id] = commitment

    async def commitment(self, commitment_id: str) -> Commitment | None:
        return self.commitment_rows.get(commitment_id)

    async def commitments(self, visit_id: str) -> list[Commitment]:
        return [c for c in self.commitment_rows.values() if c.visit_id == visit_id]

    async def save_commitment(self, commitment: Commitment) -> None:
        self.commitment_rows[commitment.id] = commitment


class FakeVault:
    """Reversible and keyed enough for tests; the real vault is Fernet."""

    def encrypt(self, text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        return base64.b64decode(token).decode()

    def blind_index(self, phone: str) -> str:
        return "ref-" + phone[::-1]


class FakeActivities:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def add(self, row: Mapping[str, Any]) -> None:
        self.rows.append(dict(row))

    async def of_deputy(self, deputy_id: str, year: int | None) -> list[dict[str, Any]]:
        found = [
            r
            for r in self.rows
            if r["deputy_id"] == deputy_id and (year is None or r["on"].year == year)
        ]
        return sorted(found, key=lambda r: r["on"], reverse=True)


class FakePerformance:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.scores: dict[tuple[str, int], StoredScore] = {}
        self.snapshot_rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.dispute_rows: dict[str, dict[str, Any]] = {}

    async def add_entries(self, entries: Sequence[Entry]) -> list[Entry]:
        new = [e for e in entries if e.id not in self.entries]
        for e in new:
            self.entries[e.id] = e
        return new

    async def by_ref(self, ref: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.ref == ref]

    async def entry(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    async def update_entry(self, entry: Entry) -> None:
        self.entries[entry.id] = entry

    async def of_deputy(self, deputy_id: str, year: int) -> list[Entry]:
        found = [e for e in self.entries.values() if e.deputy_id == deputy_id and e.year == year]
        return sorted(found, key=lambda e: (e.on, e.id), reverse=True)

    async def score(self, deputy_id: str, year: int) -> StoredScore | None:
        return self.scores.get((deputy_id, year))

    async def put_score(
        self, deputy_id: str, year: int, row: Mapping[str, Any], version: int
    ) -> None:
        self.scores[(deputy_id, year)] = StoredScore(
            row["score"], row["band"], list(row["lines"]), version
        )

    async def unpublished(self, year: int, until: date, quarter: str, limit: int) -> list[str]:
        found = {
            e.deputy_id
            for e in self.entries.values()
            if e.year == year and e.on <= until and (e.deputy_id, quarter) not in self.snapshot_rows
        }
        return sorted(found)[:limit]

    async def add_snapshot(self, row: Mapping[str, Any]) -> None:
        key = (row["deputy_id"], row["quarter"])
        assert key not in self.snapshot_rows, "a snapshot is inserted once"
        self.snapshot_rows[key] = dict(row)

    async def snapshots(
        self, deputy_id: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        found = [r for r in self.snapshot_rows.values() if deputy_id in (None, r["deputy_id"])]
        return sorted(found, key=lambda r: r["quarter"], reverse=True)[:limit]

    async def add_dispute(self, row: Mapping[str, Any]) -> None:
        self.dispute_rows[row["id"]] = dict(row)

    async def dispute(self, dispute_id: str) -> dict[str, Any] | None:
        found = self.dispute_rows.get(dispute_id)
        return dict(found) if found else None

    async def open_dispute_of(self, entry_id: str) -> dict[str, Any] | None:
        return next(
            (
                dict(d)
                for d in self.dispute_rows.values()
                if d["entry_id"] == entry_id and d["status"] == "open"
            ),
            None,
        )

    async def decide(self, dispute_id: str, values: Mapping[str, Any]) -> None:
        self.dispute_rows[dispute_id].update(values)

    async def disputes(
        self, *, status: str | None = None, deputy_id: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        found = [
            dict(d)
            for d in self.dispute_rows.values()
            if status in (None, d["status"]) and deputy_id in (None, d["deputy_id"])
        ]
        return sorted(found, key=lambda d: d["opened_at"])[:limit]


class FakeUnitOfWork:
    def __init__(self, now: datetime) -> None:
        self.clock = now
        self.registry = FakeRegistry()
        self.receptions = FakeReceptions()
        self.bookings = FakeBookings(FakeVault())
        self.matters = FakeMatters()
        self.visits = FakeVisits()
        self.activities = FakeActivities()
        self.performance = FakePerformance()
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
