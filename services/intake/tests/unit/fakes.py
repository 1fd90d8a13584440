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
    Notifications,
    PublicRatings,
    Registry,
    StoredKey,
    SuggestionRepository,
    SupportCodes,
    SupporterSessions,
    Supports,
    SupportTargets,
)
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.suggestion import FiledBefore, Suggestion
from minyi.intake.domain.support import IssuedCode, Target


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
        self.support_targets = FakeSupportTargets()
        self.support_codes = FakeSupportCodes()
        self.supporter_sessions = FakeSupporterSessions()
        self.supports = FakeSupports()
        self.public_ratings = FakePublicRatings()
        self.notifications = FakeNotifications()
        self.events: list[tuple[str, EventData]] = []
        self.at = now  # a test moves it

    def now(self) -> datetime:
        return self.at

    def emit(self, data: EventData, *, subject: str) -> str:
        self.events.append((subject, data))
        return f"event-{len(self.events)}"


class FakeSupportTargets(SupportTargets):
    """Targets as tests set them (the replica's upserts are SQL: test_support.py)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Target] = {}

    async def get(self, kind: str, target_id: str) -> Target | None:
        return self.rows.get((kind, target_id))


class FakeSupportCodes(SupportCodes):
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def serialize(self, citizen_ref: str) -> None:
        return None

    async def purge(self, before: datetime) -> None:
        self.purged_before = before

    async def issued_since(self, citizen_ref: str, since: datetime) -> list[datetime]:
        return [
            r["created_at"]
            for r in self.rows
            if r["citizen_ref"] == citizen_ref and r["created_at"] > since
        ]

    async def add(self, citizen_ref: str, digest: str, now: datetime, expires_at: datetime) -> None:
        for r in self.rows:
            if r["citizen_ref"] == citizen_ref:
                r["used"] = True
        self.rows.append(
            {"id": len(self.rows) + 1, "citizen_ref": citizen_ref, "digest": digest,
             "created_at": now, "expires_at": expires_at, "tries": 0, "used": False}
        )  # fmt: skip

    async def latest_for_update(self, citizen_ref: str) -> IssuedCode | None:
        mine = [r for r in self.rows if r["citizen_ref"] == citizen_ref]
        if not mine:
            return None
        r = mine[-1]
        return IssuedCode(r["id"], r["digest"], r["expires_at"], r["tries"], r["used"])

    async def tried(self, code_id: int, tries: int) -> None:
        self.rows[code_id - 1]["tries"] = tries

    async def use(self, code_id: int) -> None:
        self.rows[code_id - 1]["used"] = True


class FakeSupporterSessions(SupporterSessions):
    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, datetime]] = {}

    async def add(
        self, token_sha256: str, citizen_ref: str, now: datetime, expires_at: datetime
    ) -> None:
        self.rows[token_sha256] = (citizen_ref, expires_at)

    async def citizen(self, token_sha256: str, now: datetime) -> str | None:
        found = self.rows.get(token_sha256)
        return found[0] if found and found[1] > now else None

    async def purge(self, now: datetime) -> None:
        self.rows = {k: v for k, v in self.rows.items() if v[1] > now}


class FakeSupports(Supports):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], str] = {}

    async def add(
        self, support_id: str, citizen_ref: str, kind: str, target_id: str, now: datetime
    ) -> bool:
        key = (citizen_ref, kind, target_id)
        if key in self.rows:
            return False
        self.rows[key] = support_id
        return True

    async def count(self, kind: str, target_id: str) -> int:
        return sum(1 for (_, k, t) in self.rows if (k, t) == (kind, target_id))


class FakePublicRatings(PublicRatings):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], str] = {}

    async def add(self, project_id: str, citizen_ref: str, rating: str, now: datetime) -> bool:
        if (project_id, citizen_ref) in self.rows:
            return False
        self.rows[(project_id, citizen_ref)] = rating
        return True


class FakeNotifications(Notifications):
    def __init__(self) -> None:
        self.sms: list[tuple[str, str, str]] = []  # (sealed phone, kind, message)

    async def add_to_phone(self, sealed_phone: str, kind: str, message: str, now: datetime) -> int:
        self.sms.append((sealed_phone, kind, message))
        return len(self.sms)
