"""Intake's unit of work without a database: suggestions, idempotency keys and the
registry replica's listed ids in dicts, events in a list. The filing use cases run on it as
on the real one (``uow.suggestions``, ``uow.idempotency``, ``uow.registry``, ``uow.emit``,
``uow.now``)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from minyi.contracts import tracking_code
from minyi.contracts.envelope import EventData
from minyi.intake.adapters.repositories import (
    IdempotencyKeys,
    KeyTaken,
    Listed,
    Registry,
    StoredKey,
    SuggestionRepository,
)
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.suggestion import FiledBefore, Suggestion


class FakeSuggestions(SuggestionRepository):
    def __init__(self) -> None:
        self.rows: dict[str, Suggestion] = {}
        self.locks: list[tuple[str, str]] = []  # (citizen_ref, fingerprint) serialised on

    async def add(self, s: Suggestion) -> None:
        assert s.id not in self.rows, "a suggestion id was used twice"
        self.rows[s.id] = s

    async def exists(self, suggestion_id: str) -> bool:
        return suggestion_id in self.rows

    async def serialize_filing(self, citizen_ref: str, fingerprint: str) -> None:
        self.locks.append((citizen_ref, fingerprint))

    async def filed_since(
        self, citizen_ref: str, fingerprint: str, since: datetime
    ) -> FiledBefore | None:
        found = sorted(
            (
                s
                for s in self.rows.values()
                if s.citizen_ref == citizen_ref
                and s.fingerprint == fingerprint
                and s.filed_at >= since
            ),
            key=lambda s: s.filed_at,
        )
        found = [s for s in found if s.tracking_code is not None]
        if not found:
            return None
        first = found[0]
        code = tracking_code.normalize(first.tracking_code or "")
        return FiledBefore(first.id, code, first.status)


class FakeIdempotencyKeys(IdempotencyKeys):
    def __init__(self) -> None:
        self.keys: dict[str, StoredKey] = {}

    async def find(self, key: str) -> StoredKey | None:
        return self.keys.get(key)

    async def add(
        self, key: str, request_hash: str, status_code: int, response: dict[str, Any], now: datetime
    ) -> None:
        if key in self.keys:
            raise KeyTaken(key)
        # Stored as JSON is: a later change to the answer object does not reach it.
        self.keys[key] = StoredKey(request_hash, status_code, copy.deepcopy(response))


class FakeRegistry(Registry):
    """Only what filings ask: is the deputy serving, the station open? (The replica's
    upserts are SQL: tests/integration/test_registry.py.)"""

    def __init__(self) -> None:
        self.serving: set[str] = set()
        self.open: set[str] = set()
        self.asked = 0

    async def listed(self, representative_id: str | None, station_id: str | None) -> Listed:
        self.asked += 1
        return Listed(representative_id in self.serving, station_id in self.open)


class FakeUnitOfWork(IntakeUnitOfWork):
    def __init__(self, now: datetime) -> None:
        # Neither runtime nor session: nothing here reaches a store or a broker.
        self.suggestions = FakeSuggestions()
        self.idempotency = FakeIdempotencyKeys()
        self.registry = FakeRegistry()
        self.events: list[tuple[str, EventData]] = []
        self.at = now  # a test moves it

    def now(self) -> datetime:
        return self.at

    def emit(self, data: EventData, *, subject: str) -> str:
        self.events.append((subject, data))
        return f"event-{len(self.events)}"
