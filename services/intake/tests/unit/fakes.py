"""Intake's unit of work without a database: suggestions and idempotency keys in dicts,
events in a list. The filing use cases run on it as on the real one (``uow.suggestions``,
``uow.idempotency``, ``uow.emit``, ``uow.now``)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from minyi.contracts.envelope import EventData
from minyi.intake.adapters.repositories import (
    IdempotencyKeys,
    KeyTaken,
    StoredKey,
    SuggestionRepository,
)
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain import tracking_code
from minyi.intake.domain.suggestion import FiledBefore, Suggestion


class FakeSuggestions(SuggestionRepository):
    def __init__(self) -> None:
        self.rows: dict[str, Suggestion] = {}
        self.locks: list[tuple[str, str]] = []  # (citizen_ref, fingerprint) serialised on

    async def add(self, s: Suggestion) -> None:
        assert s.id not in self.rows, "a suggestion id was used twice"
        self.rows[s.id] = s

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
        if not found:
            return None
        first = found[0]
        return FiledBefore(first.id, tracking_code.normalize(first.tracking_code), first.status)


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


class FakeUnitOfWork(IntakeUnitOfWork):
    def __init__(self, now: datetime) -> None:
        # Neither runtime nor session: nothing here reaches a store or a broker.
        self.suggestions = FakeSuggestions()
        self.idempotency = FakeIdempotencyKeys()
        self.events: list[tuple[str, EventData]] = []
        self.at = now  # a test moves it

    def now(self) -> datetime:
        return self.at

    def emit(self, data: EventData, *, subject: str) -> str:
        self.events.append((subject, data))
        return f"event-{len(self.events)}"
