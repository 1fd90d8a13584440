"""Every statement intake runs on its store, one class per table it owns; use cases reach
them through the unit of work (``uow.suggestions``, ``uow.idempotency``, …)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVarTuple

from sqlalchemy import Row, Select, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.contracts.intake import (
    FeedbackReceived,
    RepresentativeActivityLogged,
    SuggestionEndorsed,
)
from minyi.intake.adapters.tables import (
    activities,
    chat_messages,
    conversations,
    endorsements,
    feedback,
    idempotency_keys,
    notifications,
    suggestions,
)
from minyi.intake.domain import tracking_code
from minyi.intake.domain.status import CLOSED
from minyi.intake.domain.suggestion import FiledBefore, Suggestion
from minyi.platform.db import insert_or_ignore, serialize_on

S = suggestions.c
Ts = TypeVarTuple("Ts")
# What a citizen holding the code may see: never the contact data, never internal ids.
_TRACK_COLUMNS = (
    S.tracking_code,
    S.title,
    S.status,
    S.unit_name,
    S.outcome,
    S.reply,
    S.replied_at,
    S.reply_round,
    S.created_at,
    S.history,
)
_OPEN311_COLUMNS = (
    S.id,
    S.title,
    S.content,
    S.status,
    S.unit_name,
    S.reply,
    S.category_hint,
    S.created_at,
    S.replied_at,
    S.history,
    S.address,
    S.lat,
    S.lon,
)


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _first(self, query: Select[*Ts]) -> Row[*Ts] | None:
        return (await self.session.execute(query)).first()


class Progress(NamedTuple):
    """A filed suggestion as a lifecycle event finds it (locked until the commit)."""

    status: str
    status_round: int | None
    reply_round: int | None
    history: list[dict[str, Any]]
    tracking_code: str  # stored (normalised) form
    sealed_phone: str | None


class ReplyState(NamedTuple):
    id: str
    status: str
    reply_round: int | None


class TrackedStatus(NamedTuple):
    title: str
    status: str
    unit_name: str | None
    reply: str | None


class SuggestionRepository(_Repository):
    async def add(self, s: Suggestion) -> None:
        await self.session.execute(
            suggestions.insert(),
            {
                **vars(s.submission),
                "id": s.id,
                "tracking_code": tracking_code.normalize(s.tracking_code),
                "citizen_ref": s.citizen_ref,
                "name_enc": s.sealed_name,
                "phone_enc": s.sealed_phone,
                "fingerprint": s.fingerprint,
                "created_at": s.filed_at,
                "status": s.status,
                "status_round": 1,
                "history": s.history,
            },
        )

    async def serialize_filing(self, citizen_ref: str, fingerprint: str) -> None:
        """Until this transaction ends, another filing of the same words by the same citizen
        waits (PostgreSQL; SQLite has one writer anyway)."""
        await serialize_on(self.session, f"filing:{citizen_ref}:{fingerprint}")

    async def filed_since(
        self, citizen_ref: str, fingerprint: str, since: datetime
    ) -> FiledBefore | None:
        row = await self._first(
            select(S.id, S.tracking_code, S.status)
            .where(
                S.citizen_ref == citizen_ref,
                S.fingerprint == fingerprint,
                S.created_at >= since,
            )
            .order_by(S.created_at)
            .limit(1)
        )
        return None if row is None else FiledBefore(*row)

    async def exists(self, suggestion_id: str) -> bool:
        return await self._first(select(S.id).where(S.id == suggestion_id)) is not None

    async def reply_state(self, code: str) -> ReplyState | None:
        row = await self._first(
            select(S.id, S.status, S.reply_round).where(S.tracking_code == code)
        )
        return None if row is None else ReplyState(*row)

    async def tracked_status(self, code: str) -> TrackedStatus | None:
        row = await self._first(
            select(S.title, S.status, S.unit_name, S.reply).where(S.tracking_code == code)
        )
        return None if row is None else TrackedStatus(*row)

    async def progress_for_update(self, suggestion_id: str) -> Progress | None:
        row = await self._first(
            select(
                S.status,
                S.status_round,
                S.reply_round,
                S.history,
                S.tracking_code,
                S.phone_enc,
            )
            .where(S.id == suggestion_id)
            .with_for_update()
        )
        return None if row is None else Progress(*row)

    async def save_progress(
        self,
        suggestion_id: str,
        status: str,
        status_round: int,
        history: list[dict[str, Any]],
        changes: Mapping[str, object],
    ) -> None:
        """``changes``: other fields the event settled (unit_name; outcome, reply, …)."""
        await self.session.execute(
            update(suggestions)
            .where(S.id == suggestion_id)
            .values(status=status, status_round=status_round, history=history, **changes)
        )

    async def track_row(self, code: str) -> dict[str, Any] | None:
        """What the tracking page shows (``code`` normalised)."""
        result = await self.session.execute(select(*_TRACK_COLUMNS).where(S.tracking_code == code))
        row = result.mappings().first()
        return None if row is None else dict(row)

    async def row(self, suggestion_id: str) -> dict[str, Any] | None:
        """Every column (contact data still sealed)."""
        result = await self.session.execute(select(suggestions).where(S.id == suggestion_id))
        row = result.mappings().first()
        return None if row is None else dict(row)

    async def open311_rows(
        self,
        *,
        ids: Sequence[str] | None = None,
        service_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        closed: bool | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        query = select(*_OPEN311_COLUMNS)
        if ids is not None:
            query = query.where(S.id.in_(ids))
        if service_code is not None:
            query = query.where(S.category_hint == service_code)
        if start is not None:
            query = query.where(S.created_at >= start)
        if end is not None:
            query = query.where(S.created_at <= end)
        if closed is True:
            query = query.where(S.status == CLOSED)
        elif closed is False:
            query = query.where(S.status != CLOSED)
        query = query.order_by(S.created_at.desc()).limit(limit)
        return [dict(r) for r in (await self.session.execute(query)).mappings().all()]


class KeyTaken(Exception):
    """Another transaction stored this Idempotency-Key between our look-up and our insert
    (PostgreSQL, several group commits at once): ask again, and its answer is found."""


class StoredKey(NamedTuple):
    request_hash: str
    status_code: int
    response: dict[str, Any]


class IdempotencyKeys(_Repository):
    async def find(self, key: str) -> StoredKey | None:
        row = await self._first(select(idempotency_keys).where(idempotency_keys.c.key == key))
        return None if row is None else StoredKey(row.request_hash, row.status_code, row.response)

    async def add(
        self, key: str, request_hash: str, status_code: int, response: dict[str, Any], now: datetime
    ) -> None:
        try:
            await self.session.execute(
                idempotency_keys.insert().values(
                    key=key,
                    request_hash=request_hash,
                    status_code=status_code,
                    response=response,
                    created_at=now,
                )
            )
        except IntegrityError as exc:
            raise KeyTaken(key) from exc


class FeedbackRepository(_Repository):
    async def add(self, rating: FeedbackReceived, channel: str) -> bool:
        """False when this reply round was rated already (the primary key refuses it)."""
        return await insert_or_ignore(
            self.session,
            feedback,
            {
                "suggestion_id": rating.suggestion_id,
                "round": rating.round,
                "satisfied": rating.satisfied,
                "score": rating.score,
                "comment": rating.comment,
                "channel": channel,
                "received_at": rating.received_at,
            },
        )


class Endorsements(_Repository):
    async def add(self, endorsed: SuggestionEndorsed) -> bool:
        """False when this representative already did so in this mode."""
        return await insert_or_ignore(self.session, endorsements, dict(endorsed))


class Activities(_Repository):
    async def add(self, logged: RepresentativeActivityLogged) -> None:
        row = dict(logged)
        row["id"] = row.pop("activity_id")
        await self.session.execute(activities.insert().values(row))


class DueNotification(NamedTuple):
    id: int
    message: str
    attempts: int
    sealed_phone: str


class Notifications(_Repository):
    """Citizen notifications waiting for the SMS gateway (an outbox of their own)."""

    async def add(self, suggestion_id: str, kind: str, message: str, now: datetime) -> None:
        await self.session.execute(
            notifications.insert().values(
                suggestion_id=suggestion_id,
                kind=kind,
                message=message,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
                failed=False,
            )
        )

    async def claim_due(
        self, now: datetime, *, limit: int, lease_until: datetime
    ) -> list[DueNotification]:
        """Due notifications with the phone to send to (sealed); claimed by pushing their
        next attempt to ``lease_until``, so another dispatcher skips them."""
        n = notifications.c
        due = (
            await self.session.execute(
                select(n.id, n.message, n.attempts, S.phone_enc)
                .join(suggestions, S.id == n.suggestion_id)
                .where(n.sent_at.is_(None), n.failed.is_(False), n.next_attempt_at <= now)
                .order_by(n.id)
                .limit(limit)
            )
        ).all()
        if due:
            await self.session.execute(
                update(notifications)
                .where(n.id.in_([d.id for d in due]))
                .values(next_attempt_at=lease_until)
            )
        return [DueNotification(*d) for d in due]

    async def failed(
        self, notification_id: int, attempts: int, *, retry_at: datetime, final: bool, error: str
    ) -> None:
        await self.session.execute(
            update(notifications)
            .where(notifications.c.id == notification_id)
            .values(attempts=attempts, next_attempt_at=retry_at, failed=final, last_error=error)
        )

    async def sent(self, notification_id: int, attempts: int, now: datetime) -> None:
        await self.session.execute(
            update(notifications)
            .where(notifications.c.id == notification_id)
            .values(attempts=attempts, sent_at=now)
        )


class Conversations(_Repository):
    """Chat conversations waiting for the citizen to name the district."""

    async def pending_text(self, user_ref: str) -> str | None:
        row = await self._first(select(conversations).where(conversations.c.user_ref == user_ref))
        if row is None:
            return None
        text: str | None = row.pending_text
        return text

    async def forget(self, user_ref: str) -> None:
        await self.session.execute(
            delete(conversations).where(conversations.c.user_ref == user_ref)
        )

    async def wait_for_district(
        self, user_ref: str, state: str, pending_text: str, now: datetime
    ) -> None:
        await self.forget(user_ref)
        await self.session.execute(
            conversations.insert().values(
                user_ref=user_ref, state=state, pending_text=pending_text, updated_at=now
            )
        )


class ChatMessages(_Repository):
    """Chat messages answered already: a replayed message_id gets the same reply."""

    async def reply_to(self, message_id: str) -> dict[str, Any] | None:
        row = await self._first(
            select(chat_messages.c.reply).where(chat_messages.c.message_id == message_id)
        )
        return None if row is None else dict(row.reply)

    async def add(self, message_id: str, reply: dict[str, Any], now: datetime) -> None:
        await insert_or_ignore(
            self.session,
            chat_messages,
            {"message_id": message_id, "reply": reply, "received_at": now},
        )
