"""Every statement intake runs on its store, one class per table it owns; use cases reach
them through the unit of work (``uow.suggestions``, ``uow.idempotency``, …)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Executable,
    Result,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.contracts import tracking_code
from minyi.contracts.formal import SignerRated
from minyi.contracts.gazetteer import Place
from minyi.contracts.intake import (
    FeedbackReceived,
    SuggestionEndorsed,
)
from minyi.contracts.liaison import DeputyEnded, DeputyState, StationEnded, StationState
from minyi.contracts.supervision import Resolved
from minyi.intake.adapters.tables import (
    chat_messages,
    conversations,
    endorsements,
    feedback,
    formal_answers,
    formal_numbers,
    formal_ratings,
    formal_signers,
    formal_suggestions,
    idempotency_keys,
    notifications,
    public_ratings,
    registry_deputies,
    registry_station_areas,
    registry_stations,
    suggestions,
    support_codes,
    support_targets,
    supporter_sessions,
    supports,
)
from minyi.intake.domain.formal import FormalDraft, Signer
from minyi.intake.domain.places import Community
from minyi.intake.domain.registry import ACTIVE, SERVING, Area
from minyi.intake.domain.status import CLOSED
from minyi.intake.domain.suggestion import FiledBefore, Suggestion
from minyi.intake.domain.support import IssuedCode, Target
from minyi.platform.db import dialect_insert, insert_or_ignore, serialize_on
from minyi.platform.driver_sql import insert_many, utc_for_driver

S = suggestions.c
Ts = TypeVarTuple("Ts")
# What a citizen holding the code may see: never the contact data, never internal ids.
_TRACK_COLUMNS = (
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

    async def _execute(self, statement: Executable) -> Result[Any]:
        return await self.session.execute(statement)

    async def _first(self, query: Select[*Ts]) -> Row[*Ts] | None:
        return (await self._execute(query)).first()


# Built once (every lifecycle event runs both): building a statement and its cache key
# per call cost more than executing it. The SET columns follow the parameters given.
_PROGRESS_FOR_UPDATE = (
    select(S.status, S.status_round, S.reply_round, S.history, S.tracking_code, S.phone_enc, S.kind)
    .where(S.id == bindparam("suggestion"))
    .with_for_update()
)
_SAVE_PROGRESS = update(suggestions).where(S.id == bindparam("suggestion"))


class Progress(NamedTuple):
    """A filed suggestion as a lifecycle event finds it (locked until the commit)."""

    status: str
    status_round: int | None
    reply_round: int | None
    history: list[dict[str, Any]]
    tracking_code: str | None  # stored (normalised) form; None for a referred matter
    sealed_phone: str | None
    kind: str


class ReplyState(NamedTuple):
    id: str
    status: str
    reply_round: int | None


class TrackedStatus(NamedTuple):
    title: str
    status: str
    unit_name: str | None
    reply: str | None


def _by_code(code: str) -> ColumnElement[bool]:
    """The suggestion a valid tracking code (normalised) names: its own code, or the digest
    of the code liaison handed out for a referred matter. Both columns are uniquely
    indexed, so this stays two index look-ups in one statement."""
    return or_(S.tracking_code == code, S.tracking_code_sha256 == tracking_code.digest(code))


class NewSuggestions:
    """The suggestions a transaction filed, inserted in one statement (executemany) just
    before it commits: a group commit of filings issued one INSERT each."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def flush(self, session: AsyncSession) -> None:
        if self.rows:
            rows, self.rows = self.rows, []
            # Straight to the driver: SQLAlchemy's parameter handling of a 20-odd column
            # row cost more than the insert (py-spy, full load). Values as its column types
            # would hand them over: the JSON history as text, datetimes as UtcDateTime does.
            dialect = session.get_bind().dialect
            columns = list(rows[0])
            await insert_many(
                session,
                suggestions,
                columns,
                [
                    tuple(
                        json.dumps(r[c])
                        if c == "history"
                        else utc_for_driver(r[c], dialect)
                        if c == "created_at"
                        else r[c]
                        for c in columns
                    )
                    for r in rows
                ],
            )

    def filed_since(
        self, citizen_ref: str, fingerprint: str, since: datetime
    ) -> FiledBefore | None:
        """``SuggestionRepository.filed_since`` among the rows not inserted yet."""
        found = [
            r
            for r in self.rows
            if r["citizen_ref"] == citizen_ref
            and r["fingerprint"] == fingerprint
            and r["created_at"] >= since
            and r["tracking_code"] is not None
        ]
        first = min(found, key=lambda r: r["created_at"], default=None)
        return (
            None
            if first is None
            else FiledBefore(first["id"], first["tracking_code"], first["status"])
        )


class SuggestionRepository(_Repository):
    """``add`` only queues the row (``NewSuggestions``); any other statement of this
    repository inserts what is queued first, so every read sees the transaction's filings."""

    def __init__(self, session: AsyncSession, new: NewSuggestions) -> None:
        super().__init__(session)
        self.new = new

    async def _execute(self, statement: Executable) -> Result[Any]:
        await self.new.flush(self.session)
        return await self.session.execute(statement)

    async def add(self, s: Suggestion) -> None:
        code = s.tracking_code
        self.new.rows.append(
            {
                **vars(s.submission),
                "id": s.id,
                "tracking_code": tracking_code.normalize(code) if code else None,
                "tracking_code_sha256": s.tracking_digest,
                "citizen_ref": s.citizen_ref,
                "name_enc": s.sealed_name,
                "phone_enc": s.sealed_phone,
                "fingerprint": s.fingerprint,
                "created_at": s.filed_at,
                "status": s.status,
                "status_round": 1,
                "history": s.history,
            }
        )

    async def serialize_filing(self, citizen_ref: str, fingerprint: str) -> None:
        """Until this transaction ends, another filing of the same words by the same citizen
        waits (PostgreSQL; SQLite has one writer anyway)."""
        await serialize_on(self.session, f"filing:{citizen_ref}:{fingerprint}")

    async def filed_since(
        self, citizen_ref: str, fingerprint: str, since: datetime
    ) -> FiledBefore | None:
        # Stored rows first (all older than the queued ones), without inserting the queue:
        # a group of filings with phone numbers stays one INSERT.
        query = (
            select(S.id, S.tracking_code, S.status)
            .where(
                S.citizen_ref == citizen_ref,
                S.fingerprint == fingerprint,
                S.created_at >= since,
                # A referred matter's code is the station's to give: never answered here.
                S.tracking_code.is_not(None),
            )
            .order_by(S.created_at)
            .limit(1)
        )
        row = (await self.session.execute(query)).first()
        if row is not None:
            return FiledBefore(*row)
        return self.new.filed_since(citizen_ref, fingerprint, since)

    async def exists(self, suggestion_id: str) -> bool:
        return await self._first(select(S.id).where(S.id == suggestion_id)) is not None

    async def reply_state(self, code: str) -> ReplyState | None:
        row = await self._first(select(S.id, S.status, S.reply_round).where(_by_code(code)))
        return None if row is None else ReplyState(*row)

    async def tracked_status(self, code: str) -> TrackedStatus | None:
        row = await self._first(
            select(S.title, S.status, S.unit_name, S.reply).where(_by_code(code))
        )
        return None if row is None else TrackedStatus(*row)

    async def progress_for_update(self, suggestion_id: str) -> Progress | None:
        found = await self.session.execute(_PROGRESS_FOR_UPDATE, {"suggestion": suggestion_id})
        row = found.first()
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
            _SAVE_PROGRESS,
            {
                "suggestion": suggestion_id,
                "status": status,
                "status_round": status_round,
                "history": history,
                **changes,
            },
        )

    async def track_row(self, code: str) -> dict[str, Any] | None:
        """What the tracking page shows (``code`` normalised)."""
        result = await self._execute(select(*_TRACK_COLUMNS).where(_by_code(code)))
        row = result.mappings().first()
        return None if row is None else dict(row)

    async def row(self, suggestion_id: str) -> dict[str, Any] | None:
        """Every column (contact data still sealed)."""
        result = await self._execute(select(suggestions).where(S.id == suggestion_id))
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
        return [dict(r) for r in (await self._execute(query)).mappings().all()]


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

    async def add_to_phone(self, sealed_phone: str, kind: str, message: str, now: datetime) -> int:
        """A message to a phone outside any suggestion (a one-time code), kept sealed."""
        result = await self.session.execute(
            notifications.insert()
            .values(
                suggestion_id=None,
                phone_enc=sealed_phone,
                kind=kind,
                message=message,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
                failed=False,
            )
            .returning(notifications.c.id)
        )
        return int(result.scalar_one())

    async def claim_due(
        self, now: datetime, *, limit: int, lease_until: datetime
    ) -> list[DueNotification]:
        """Due notifications with the phone to send to (sealed); claimed by pushing their
        next attempt to ``lease_until``, so another dispatcher skips them. ``SKIP LOCKED``
        on PostgreSQL keeps two replicas from reading the same rows before either claims
        them (both would send); SQLite has one writer anyway."""
        n = notifications.c
        due = (
            await self.session.execute(
                select(n.id, n.message, n.attempts, func.coalesce(n.phone_enc, S.phone_enc))
                .outerjoin(suggestions, S.id == n.suggestion_id)
                .where(n.sent_at.is_(None), n.failed.is_(False), n.next_attempt_at <= now)
                .order_by(n.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=notifications)
            )
        ).all()
        if due:
            await self.session.execute(
                update(notifications)
                .where(n.id.in_([d.id for d in due]))
                .values(next_attempt_at=lease_until)
            )
        return [DueNotification(*d) for d in due if d[3] is not None]

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


class Listed(NamedTuple):
    """Whether the replica lists the deputy as serving and the station as open."""

    representative: bool
    station: bool


D, ST, AR = registry_deputies.c, registry_stations.c, registry_station_areas.c
# An electoral unit's township and community as answers show them: null, not "".
_UNIT = (
    func.nullif(D.township, "").label("township"),
    func.nullif(D.community, "").label("community"),
)


class Registry(_Repository):
    """Intake's replica of liaison's registry: the newest ``version`` of each record wins,
    whatever order the events arrive in (one upsert statement each)."""

    async def _upsert(self, table: Table, row: dict[str, Any], blank: dict[str, Any]) -> bool:
        """Insert ``row`` (``blank`` fills what an Ended event does not say), or update the
        stored record to it when it is newer. True when ``row`` won."""
        stmt = dialect_insert(self.session.get_bind().dialect.name)(table).values(blank | row)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={name: stmt.excluded[name] for name in row if name != "id"},
            where=table.c.version < stmt.excluded.version,
        )
        return (await self.session.execute(stmt.returning(table.c.id))).first() is not None

    async def put_deputy(self, d: DeputyState) -> None:
        unit = d.electoral_unit
        row = {
            "id": d.deputy_id,
            "name": d.name,
            "level": d.level,
            "division_code": unit.division_code,
            "township": unit.township or "",
            "community": unit.community or "",
            "status": d.status,
            "sector": d.sector,
            "occupation": d.occupation,
            "version": d.version,
            "changed_at": d.changed_at,
        }
        await self._upsert(registry_deputies, row, {})

    async def end_deputy(self, e: DeputyEnded) -> None:
        row = {
            "id": e.deputy_id,
            "status": "ended",
            "version": e.version,
            "changed_at": e.changed_at,
        }
        blank = dict.fromkeys(("name", "level", "division_code", "township", "community"), "")
        await self._upsert(registry_deputies, row, blank)

    async def put_station(self, s: StationState, areas: Sequence[Area]) -> None:
        row = {
            "id": s.station_id,
            "name": s.name,
            "kind": s.kind,
            "division_codes": list(s.division_codes),
            "townships": list(s.townships),
            "address": s.address,
            "opening_hours": s.opening_hours,
            "phone": s.phone,
            "status": s.status,
            "version": s.version,
            "changed_at": s.changed_at,
        }
        if await self._upsert(registry_stations, row, {}):
            await self.session.execute(
                delete(registry_station_areas).where(AR.station_id == s.station_id)
            )
            if areas:
                await self.session.execute(
                    insert(registry_station_areas),
                    [{"station_id": s.station_id, **vars(a)} for a in areas],
                )

    async def end_station(self, e: StationEnded) -> None:
        row = {
            "id": e.station_id,
            "status": "ended",
            "version": e.version,
            "changed_at": e.changed_at,
        }
        blank = {"name": "", "kind": "", "division_codes": [], "townships": []}
        await self._upsert(registry_stations, row, blank)

    async def listed(self, representative_id: str | None, station_id: str | None) -> Listed:
        """One statement, whichever of the two is asked."""

        def present(table: Table, key: str | None, status: str) -> ColumnElement[bool]:
            if key is None:
                return false()
            return exists().where(table.c.id == key, table.c.status == status)

        row = (
            await self.session.execute(
                select(
                    present(registry_deputies, representative_id, SERVING),
                    present(registry_stations, station_id, ACTIVE),
                )
            )
        ).one()
        return Listed(bool(row[0]), bool(row[1]))

    async def deputies_for(self, place: Place) -> list[dict[str, Any]]:
        """Serving deputies whose electoral unit contains ``place``: the division's, and the
        township's and the community's when the place names them."""
        units = [(D.township == "") & (D.community == "")]
        if place.township:
            units.append((D.township == place.township) & (D.community == ""))
            if place.community:
                units.append((D.township == place.township) & (D.community == place.community))
        rows = await self.session.execute(
            select(D.id, D.name, D.level, *_UNIT, D.sector, D.occupation)
            .where(D.division_code == place.division_code, D.status == SERVING, or_(*units))
            .order_by(D.name, D.id)
        )
        return [dict(r._mapping) for r in rows]

    async def stations_for(self, place: Place) -> list[dict[str, Any]]:
        """Open stations serving ``place``: the whole division, or its township, or its
        community; for a division alone, every station in it."""
        conditions = [AR.division_code == place.division_code]
        if place.township:
            conditions.append(AR.township.in_(["", place.township]))
        if place.community:
            conditions.append(AR.community.in_(["", place.community]))
        served = select(AR.station_id).where(*conditions)
        rows = await self.session.execute(
            select(ST.id, ST.name, ST.kind, ST.address, ST.opening_hours, ST.phone)
            .where(ST.id.in_(served), ST.status == ACTIVE)
            .order_by(ST.name)
        )
        return [dict(r._mapping) for r in rows]

    async def communities(self) -> list[Community]:
        """The communities the registry names, with their townships."""
        named = union(
            select(D.division_code, D.township, D.community).where(
                D.township != "", D.community != ""
            ),
            select(AR.division_code, AR.township, AR.community).where(
                AR.township != "", AR.community != ""
            ),
        )
        return [Community(*r) for r in await self.session.execute(named)]

    async def stations(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(ST.id, ST.name, ST.kind, ST.division_codes, ST.townships, ST.address)
            .where(ST.status == ACTIVE)
            .order_by(ST.id)
        )
        return [dict(r._mapping) for r in rows]

    async def deputies(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(D.id, D.name, D.level, D.division_code.label("district_code"), *_UNIT)
            .where(D.status == SERVING)
            .order_by(D.id)
        )
        return [dict(r._mapping) for r in rows]

    async def serving_among(self, deputy_ids: Sequence[str]) -> set[str]:
        """Which of ``deputy_ids`` the replica lists as serving (one statement)."""
        if not deputy_ids:
            return set()
        rows = await self.session.execute(
            select(D.id).where(D.id.in_(list(deputy_ids)), D.status == SERVING)
        )
        return {r[0] for r in rows}

    async def names(self, deputy_ids: Sequence[str]) -> dict[str, str]:
        """Deputies' names as the replica has them (ended ones too)."""
        if not deputy_ids:
            return {}
        rows = await self.session.execute(select(D.id, D.name).where(D.id.in_(list(deputy_ids))))
        return {r[0]: r[1] for r in rows}

    async def division_of(self, deputy_id: str) -> str | None:
        row = await self._first(select(D.division_code).where(D.id == deputy_id))
        return row[0] if row is not None and row[0] else None


F, SG, FA, FR = formal_suggestions.c, formal_signers.c, formal_answers.c, formal_ratings.c
_FORMAL_FIELDS = (
    "id", "lead_deputy_id", "title", "content", "reasons", "measures", "session",
    "publishable", "district_code", "created_at", "converted_from", "state", "number",
    "submitted_at",
)  # fmt: skip


class FormalSuggestions(_Repository):
    """Formal suggestions (代表建议): drafts with their signers, numbers, answers, ratings."""

    async def add(self, draft: FormalDraft) -> None:
        await self.session.execute(
            formal_suggestions.insert().values({f: getattr(draft, f) for f in _FORMAL_FIELDS})
        )
        await self._put_signers(draft)

    async def _put_signers(self, draft: FormalDraft) -> None:
        await self.session.execute(
            insert(formal_signers),
            [{"suggestion_id": draft.id, **vars(s)} for s in draft.signers],
        )

    async def save(self, draft: FormalDraft) -> None:
        """The draft's state and signers as they are now (its row was locked by ``get``)."""
        await self.session.execute(
            update(formal_suggestions)
            .where(F.id == draft.id)
            .values(state=draft.state, number=draft.number, submitted_at=draft.submitted_at)
        )
        await self.session.execute(delete(formal_signers).where(SG.suggestion_id == draft.id))
        await self._put_signers(draft)

    async def get(self, suggestion_id: str, *, for_update: bool = False) -> FormalDraft | None:
        query = select(formal_suggestions).where(F.id == suggestion_id)
        if for_update:  # two co-signers confirming at once take turns (PostgreSQL)
            query = query.with_for_update()
        found = await self._load(query)
        return found[0] if found else None

    async def of_deputy(self, deputy_id: str) -> list[FormalDraft]:
        """Every formal suggestion ``deputy_id`` leads or was asked to co-sign, newest first."""
        mine = select(SG.suggestion_id).where(SG.deputy_id == deputy_id)
        return await self._load(
            select(formal_suggestions).where(F.id.in_(mine)).order_by(F.created_at.desc())
        )

    async def _load(self, query: Select[Any]) -> list[FormalDraft]:
        rows = (await self.session.execute(query)).mappings().all()
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        signers: dict[str, list[Signer]] = {i: [] for i in ids}
        for s in await self.session.execute(
            select(formal_signers)
            .where(SG.suggestion_id.in_(ids))
            .order_by(SG.role.desc(), SG.deputy_id)
        ):
            signers[s.suggestion_id].append(Signer(s.deputy_id, s.role, s.state, s.answered_at))
        return [
            FormalDraft(**{f: r[f] for f in _FORMAL_FIELDS}, signers=tuple(signers[r["id"]]))
            for r in rows
        ]

    async def exists(self, suggestion_id: str) -> bool:
        return await self._first(select(F.id).where(F.id == suggestion_id)) is not None

    async def next_number(self, year: int) -> int:
        """The year's next sequence number: one upsert on the counter row, held until the
        transaction ends, so concurrent submits get distinct numbers and a rollback leaves
        no gap."""
        stmt = dialect_insert(self.session.get_bind().dialect.name)(formal_numbers).values(
            year=year, last=1
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[formal_numbers.c.year],
            set_={"last": formal_numbers.c.last + 1},
        ).returning(formal_numbers.c.last)
        return int((await self.session.execute(stmt)).scalar_one())

    async def add_answer(self, r: Resolved) -> None:
        """An answer round (a redelivery changes nothing)."""
        await insert_or_ignore(
            self.session,
            formal_answers,
            {
                "suggestion_id": r.suggestion_id,
                "round": r.round,
                "unit_id": r.unit_id,
                "outcome": r.outcome,
                "reply": r.reply,
                "measures": r.measures,
                "reason": r.reason,
                "delivery_by": r.delivery_by,
                "replied_at": r.replied_at,
            },
        )

    async def answers(self, suggestion_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(formal_answers).where(FA.suggestion_id == suggestion_id).order_by(FA.round)
        )
        return [dict(r._mapping) for r in rows]

    async def add_rating(self, rated: SignerRated) -> bool:
        """False when this signer rated this round already (the primary key refuses it)."""
        return await insert_or_ignore(self.session, formal_ratings, dict(rated))

    async def ratings(self, suggestion_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(formal_ratings)
            .where(FR.suggestion_id == suggestion_id)
            .order_by(FR.round, FR.rated_at)
        )
        return [dict(r._mapping) for r in rows]


TG, SC, SS, SP, PR = (
    support_targets.c,
    support_codes.c,
    supporter_sessions.c,
    supports.c,
    public_ratings.c,
)


class SupportTargets(_Repository):
    """Intake's replica of the public appeals and projects (supervision's events): the
    newest ``version`` of a record wins; completion and acceptance only ever turn on."""

    async def put(
        self, kind: str, target_id: str, *, title: str, public: bool,
        acceptance_by: str | None, version: int, changed_at: datetime,
    ) -> None:  # fmt: skip
        row = {
            "kind": kind,
            "id": target_id,
            "title": title[:200],
            "public": public,
            "acceptance_by": acceptance_by,
            "version": version,
            "changed_at": changed_at,
        }
        stmt = dialect_insert(self.session.get_bind().dialect.name)(support_targets).values(
            {**row, "completed": False, "accepted": False}
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[TG.kind, TG.id],
            set_={name: stmt.excluded[name] for name in row if name not in ("kind", "id")},
            where=TG.version < stmt.excluded.version,
        )
        await self.session.execute(stmt)

    async def mark(
        self, kind: str, target_id: str, changed_at: datetime, **flags: bool | str
    ) -> None:
        """Turn on ``completed`` / ``accepted`` (and set ``acceptance_by``); a record not
        known yet is kept as a placeholder (version 0, not public) until it is."""
        stmt = dialect_insert(self.session.get_bind().dialect.name)(support_targets).values(
            {
                "kind": kind,
                "id": target_id,
                "title": "",
                "public": False,
                "acceptance_by": None,
                "completed": False,
                "accepted": False,
                "version": 0,
                "changed_at": changed_at,
                **flags,
            }
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[TG.kind, TG.id], set_={k: stmt.excluded[k] for k in flags}
        )
        await self.session.execute(stmt)

    async def get(self, kind: str, target_id: str) -> Target | None:
        row = await self._first(
            select(
                TG.kind, TG.id, TG.title, TG.public, TG.acceptance_by, TG.completed, TG.accepted
            ).where(TG.kind == kind, TG.id == target_id)
        )
        return None if row is None else Target(*row)


class SupportCodes(_Repository):
    async def serialize(self, citizen_ref: str) -> None:
        """Two code requests for one phone at once take turns (PostgreSQL), so the limits
        count both."""
        await serialize_on(self.session, f"support-code:{citizen_ref}")

    async def issued_since(self, citizen_ref: str, since: datetime) -> list[datetime]:
        rows = await self.session.execute(
            select(SC.created_at).where(SC.citizen_ref == citizen_ref, SC.created_at > since)
        )
        return [r[0] for r in rows]

    async def add(self, citizen_ref: str, digest: str, now: datetime, expires_at: datetime) -> None:
        """The new code replaces any earlier one still alive (only the newest counts)."""
        await self.session.execute(
            update(support_codes)
            .where(SC.citizen_ref == citizen_ref, SC.used.is_(False))
            .values(used=True)
        )
        await self.session.execute(
            support_codes.insert().values(
                citizen_ref=citizen_ref,
                code_digest=digest,
                created_at=now,
                expires_at=expires_at,
                tries=0,
                used=False,
            )
        )

    async def latest_for_update(self, citizen_ref: str) -> IssuedCode | None:
        row = await self._first(
            select(SC.id, SC.code_digest, SC.expires_at, SC.tries, SC.used)
            .where(SC.citizen_ref == citizen_ref)
            .order_by(SC.created_at.desc(), SC.id.desc())
            .limit(1)
            .with_for_update()
        )
        return None if row is None else IssuedCode(*row)

    async def tried(self, code_id: int, tries: int) -> None:
        await self.session.execute(
            update(support_codes).where(SC.id == code_id).values(tries=tries)
        )

    async def use(self, code_id: int) -> None:
        await self.session.execute(update(support_codes).where(SC.id == code_id).values(used=True))

    async def purge(self, before: datetime) -> None:
        """Codes issued before ``before``: dead, and past every limit's window."""
        await self.session.execute(delete(support_codes).where(SC.created_at < before))


class SupporterSessions(_Repository):
    async def add(
        self, token_sha256: str, citizen_ref: str, now: datetime, expires_at: datetime
    ) -> None:
        await self.session.execute(
            supporter_sessions.insert().values(
                token_sha256=token_sha256,
                citizen_ref=citizen_ref,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def citizen(self, token_sha256: str, now: datetime) -> str | None:
        row = await self._first(
            select(SS.citizen_ref).where(SS.token_sha256 == token_sha256, SS.expires_at > now)
        )
        return None if row is None else str(row[0])

    async def purge(self, now: datetime) -> None:
        await self.session.execute(delete(supporter_sessions).where(SS.expires_at <= now))


class Supports(_Repository):
    async def add(
        self, support_id: str, citizen_ref: str, kind: str, target_id: str, now: datetime
    ) -> bool:
        """False when this person supported this target already (the unique constraint)."""
        return await insert_or_ignore(
            self.session,
            supports,
            {
                "id": support_id,
                "citizen_ref": citizen_ref,
                "target_kind": kind,
                "target_id": target_id,
                "supported_at": now,
            },
        )

    async def count(self, kind: str, target_id: str) -> int:
        row = await self._first(
            select(func.count()).where(SP.target_kind == kind, SP.target_id == target_id)
        )
        return int(row[0]) if row else 0


class PublicRatings(_Repository):
    async def add(self, project_id: str, citizen_ref: str, rating: str, now: datetime) -> bool:
        """False when this person rated this project already (the primary key)."""
        return await insert_or_ignore(
            self.session,
            public_ratings,
            {
                "project_id": project_id,
                "citizen_ref": citizen_ref,
                "rating": rating,
                "rated_at": now,
            },
        )
