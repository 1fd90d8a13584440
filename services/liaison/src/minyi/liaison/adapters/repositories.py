"""All of liaison's SQL: the registry, receptions, bookings with their notices, and
matters. The use cases see these through the unit of work (``uow.registry``,
``uow.receptions``, ``uow.bookings``, ``uow.matters``); a test may give them in-memory
ones instead (the ``Protocol`` classes say what they must do).

Roster imports write with one ``executemany`` per table (Core, not row by row): 5,200
deputies are a handful of statements.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Column, Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.contracts.gazetteer import Place
from minyi.liaison.adapters.tables import (
    activities,
    bookings,
    commitments,
    deputies,
    deputy_scores,
    deputy_stations,
    disputes,
    file_entries,
    matters,
    notices,
    performance_snapshots,
    receptions,
    station_areas,
    stations,
    visit_questions,
    visits,
)
from minyi.liaison.domain.performance import Entry
from minyi.liaison.domain.reception import Booking, Reception
from minyi.liaison.domain.registry import Area, Deputy, ElectoralUnit, Station
from minyi.liaison.domain.visit import Answer, Commitment, Question, Visit

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@dataclass(frozen=True)
class Versioned:
    """A stored record and its version (grows with every change)."""

    record: Any  # Deputy or Station
    version: int


@dataclass(frozen=True)
class DueNotice:
    id: int
    booking_id: str
    contact: str  # encrypted
    message: str
    attempts: int


class Registry(Protocol):
    async def deputies(self, ids: Collection[str] | None = None) -> dict[str, Versioned]: ...
    async def stations(self, ids: Collection[str] | None = None) -> dict[str, Versioned]: ...
    async def station_ids(self) -> set[str]: ...
    async def serving_deputy_ids(self, ids: Collection[str]) -> set[str]: ...
    async def put_deputies(
        self, added: Sequence[Versioned], changed: Sequence[Versioned], at: datetime
    ) -> None: ...
    async def put_stations(
        self,
        added: Sequence[Versioned],
        changed: Sequence[Versioned],
        areas: Mapping[str, Sequence[Area]],
        at: datetime,
    ) -> None: ...
    async def counts(self) -> tuple[int, int]: ...
    async def deputies_for(self, place: Place) -> list[dict[str, Any]]: ...
    async def stations_for(self, place: Place) -> list[dict[str, Any]]: ...
    async def deputies_of_station(self, station_id: str) -> list[dict[str, Any]]: ...
    async def search_deputies(
        self, text: str | None, division: str | None, level: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]: ...
    async def search_stations(
        self, text: str | None, division: str | None, kind: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]: ...


class Receptions(Protocol):
    async def add(self, reception: Reception) -> None: ...
    async def get(self, reception_id: str, *, lock: bool = False) -> Reception | None: ...
    async def close(
        self, reception_id: str, status: str, at: datetime, reason: str | None = None
    ) -> None: ...
    async def upcoming(
        self,
        now: datetime,
        *,
        station_id: str | None = None,
        division: str | None = None,
        limit: int = 50,
    ) -> list[Reception]: ...
    async def of_station(self, station_id: str, since: datetime, limit: int) -> list[Reception]: ...
    async def next_for(
        self, station_ids: Collection[str], now: datetime
    ) -> dict[str, Reception]: ...


class Bookings(Protocol):
    async def add(self, booking: Booking) -> None: ...
    async def by_code(self, code: str, *, lock: bool = False) -> Booking | None: ...
    async def get(self, booking_id: str) -> Booking | None: ...
    async def counts(self, reception_id: str) -> tuple[int, int, int]: ...
    async def has_active(self, reception_id: str, citizen_ref: str) -> bool: ...
    async def first_waitlisted(self, reception_id: str) -> Booking | None: ...
    async def active(self, reception_id: str) -> list[Booking]: ...
    async def set_status(self, booking_id: str, status: str, at: datetime) -> None: ...
    async def notify(self, booking_id: str, kind: str, message: str, due_at: datetime) -> None: ...
    async def drop_notices(self, booking_id: str) -> None: ...
    async def claim_due_notices(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[DueNotice]: ...
    async def notice_sent(self, notice_id: int, at: datetime) -> None: ...
    async def notice_failed(self, notice_id: int, retry_at: datetime, give_up: bool) -> None: ...


class Matters(Protocol):
    async def add(self, row: Mapping[str, Any]) -> None: ...
    async def of_reception(self, reception_id: str) -> list[dict[str, Any]]: ...
    async def of_booking(self, booking_id: str) -> list[dict[str, Any]]: ...


# Registry ---------------------------------------------------------------------------------


def _from_row(kind: type[R], row: Row[Any], **overrides: Any) -> R:
    """A domain record from a row whose columns carry its field names."""
    values = {f.name: row._mapping[f.name] for f in fields(kind) if f.name in row._mapping}
    return kind(**(values | overrides))


def _deputy_row(d: Deputy, version: int, at: datetime) -> dict[str, Any]:
    own = {k: v for k, v in asdict(d).items() if k != "unit"}
    return own | {
        "division_code": d.unit.division_code,
        "township": d.unit.township or "",
        "community": d.unit.community or "",
        "version": version,
        "updated_at": at,
    }


def _deputy(r: Row[Any]) -> Deputy:
    unit = ElectoralUnit(r.division_code, r.township or None, r.community or None)
    return _from_row(Deputy, r, unit=unit, station_ids=tuple(r.station_ids))


def _station_row(s: Station, version: int, at: datetime) -> dict[str, Any]:
    return asdict(s) | {"version": version, "updated_at": at}


def _station(r: Row[Any]) -> Station:
    lists = {
        name: tuple(r._mapping[name]) for name in ("division_codes", "townships", "communities")
    }
    return _from_row(Station, r, **lists)


def _public_deputy(r: Row[Any]) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "level": r.level,
        "division_code": r.division_code,
        "township": r.township or None,
        "community": r.community or None,
        "sector": r.sector,
        "occupation": r.occupation,
    }


def _public_station(r: Row[Any]) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "kind": r.kind,
        "address": r.address,
        "division_codes": list(r.division_codes),
        "opening_hours": r.opening_hours,
        "phone": r.phone,
    }


class RegistryStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def deputies(self, ids: Collection[str] | None = None) -> dict[str, Versioned]:
        query = select(deputies)
        if ids is not None:
            query = query.where(deputies.c.id.in_(list(ids)))
        rows = (await self.session.execute(query)).all()
        return {r.id: Versioned(_deputy(r), r.version) for r in rows}

    async def stations(self, ids: Collection[str] | None = None) -> dict[str, Versioned]:
        query = select(stations)
        if ids is not None:
            query = query.where(stations.c.id.in_(list(ids)))
        rows = (await self.session.execute(query)).all()
        return {r.id: Versioned(_station(r), r.version) for r in rows}

    async def station_ids(self) -> set[str]:
        rows = await self.session.execute(
            select(stations.c.id).where(stations.c.status == "active")
        )
        return set(rows.scalars())

    async def serving_deputy_ids(self, ids: Collection[str]) -> set[str]:
        rows = await self.session.execute(
            select(deputies.c.id).where(
                deputies.c.id.in_(list(ids)), deputies.c.status == "serving"
            )
        )
        return set(rows.scalars())

    async def _put(
        self,
        table: Table,
        row: Callable[[Any, int, datetime], dict[str, Any]],
        added: Sequence[Versioned],
        changed: Sequence[Versioned],
        at: datetime,
        children: Column[str],
        child_rows: list[dict[str, Any]],
    ) -> None:
        """New rows in one executemany, changed ones in another, and the child rows
        (links, areas; ``children`` is their parent-id column) of both replaced: a roster
        of thousands is a few statements."""
        if added:
            await self.session.execute(insert(table), [row(v.record, v.version, at) for v in added])
        if changed:
            await self.session.execute(
                update(table).where(table.c.id == bindparam("b_id")),
                # ``b_id`` binds the key: an UPDATE's executemany cannot bind a column to itself.
                [{**row(v.record, v.version, at), "b_id": v.record.id} for v in changed],
            )
            await self.session.execute(
                delete(children.table).where(children.in_([v.record.id for v in changed]))
            )
        if child_rows:
            await self.session.execute(insert(children.table), child_rows)

    async def put_deputies(
        self, added: Sequence[Versioned], changed: Sequence[Versioned], at: datetime
    ) -> None:
        links = [
            {"station_id": s, "deputy_id": v.record.id}
            for v in (*added, *changed)
            if v.record.status == "serving"
            for s in v.record.station_ids
        ]
        await self._put(
            deputies, _deputy_row, added, changed, at, deputy_stations.c.deputy_id, links
        )

    async def put_stations(
        self,
        added: Sequence[Versioned],
        changed: Sequence[Versioned],
        areas: Mapping[str, Sequence[Area]],
        at: datetime,
    ) -> None:
        rows = [
            {"station_id": v.record.id, **asdict(a)}
            for v in (*added, *changed)
            if v.record.status == "active"
            for a in dict.fromkeys(areas.get(v.record.id, ()))
        ]
        await self._put(
            stations, _station_row, added, changed, at, station_areas.c.station_id, rows
        )

    async def counts(self) -> tuple[int, int]:
        found = (
            await self.session.execute(
                select(
                    select(func.count()).select_from(deputies).scalar_subquery(),
                    select(func.count()).select_from(stations).scalar_subquery(),
                )
            )
        ).one()
        return int(found[0]), int(found[1])

    async def deputies_for(self, place: Place) -> list[dict[str, Any]]:
        """Serving deputies whose electoral unit contains ``place``: the division's, the
        township's (when one is named) and the community's (when one is named)."""
        unit = and_(deputies.c.township == "", deputies.c.community == "")
        if place.township:
            unit = or_(
                unit,
                and_(deputies.c.township == place.township, deputies.c.community == ""),
            )
        if place.township and place.community:
            unit = or_(
                unit,
                and_(
                    deputies.c.township == place.township,
                    deputies.c.community == place.community,
                ),
            )
        rows = await self.session.execute(
            select(deputies)
            .where(
                deputies.c.division_code == place.division_code,
                deputies.c.status == "serving",
                unit,
            )
            .order_by(deputies.c.name, deputies.c.id)
        )
        return [_public_deputy(r) for r in rows]

    async def stations_for(self, place: Place) -> list[dict[str, Any]]:
        """Active stations serving ``place``: those serving the whole division, or the
        place's township, or its community; for a division alone, every station in it."""
        area = station_areas.c
        conditions = [area.division_code == place.division_code]
        if place.township:
            conditions.append(area.township.in_(["", place.township]))
        if place.community:
            conditions.append(area.community.in_(["", place.community]))
        served = select(area.station_id).where(*conditions).distinct()
        rows = await self.session.execute(
            select(stations)
            .where(stations.c.id.in_(served), stations.c.status == "active")
            .order_by(stations.c.kind, stations.c.name)
        )
        return [_public_station(r) for r in rows]

    async def deputies_of_station(self, station_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(deputies)
            .join(deputy_stations, deputy_stations.c.deputy_id == deputies.c.id)
            .where(deputy_stations.c.station_id == station_id, deputies.c.status == "serving")
            .order_by(deputies.c.level, deputies.c.name)
        )
        return [_public_deputy(r) for r in rows]

    async def search_deputies(
        self, text: str | None, division: str | None, level: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        where = []
        if text:
            where.append(or_(deputies.c.name.contains(text), deputies.c.id.contains(text)))
        if division:
            where.append(deputies.c.division_code == division)
        if level:
            where.append(deputies.c.level == level)
        total = await self.session.scalar(select(func.count()).select_from(deputies).where(*where))
        rows = await self.session.execute(
            select(deputies).where(*where).order_by(deputies.c.id).limit(limit).offset(offset)
        )
        return [
            {**_public_deputy(r), "status": r.status, "station_ids": list(r.station_ids)}
            for r in rows
        ], int(total or 0)

    async def search_stations(
        self, text: str | None, division: str | None, kind: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        where = []
        if text:
            where.append(or_(stations.c.name.contains(text), stations.c.id.contains(text)))
        if division:
            where.append(
                stations.c.id.in_(
                    select(station_areas.c.station_id).where(
                        station_areas.c.division_code == division
                    )
                )
            )
        if kind:
            where.append(stations.c.kind == kind)
        total = await self.session.scalar(select(func.count()).select_from(stations).where(*where))
        rows = await self.session.execute(
            select(stations).where(*where).order_by(stations.c.id).limit(limit).offset(offset)
        )
        return [{**_public_station(r), "status": r.status} for r in rows], int(total or 0)


# Receptions -------------------------------------------------------------------------------


def _reception(r: Row[Any]) -> Reception:
    return _from_row(Reception, r, deputy_ids=tuple(r.deputy_ids))


class ReceptionStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, reception: Reception) -> None:
        await self.session.execute(insert(receptions).values(asdict(reception)))

    async def get(self, reception_id: str, *, lock: bool = False) -> Reception | None:
        query = select(receptions).where(receptions.c.id == reception_id)
        if lock:  # bookings of one reception take turns (PostgreSQL; SQLite has one writer)
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return _reception(row) if row else None

    async def close(
        self, reception_id: str, status: str, at: datetime, reason: str | None = None
    ) -> None:
        await self.session.execute(
            update(receptions)
            .where(receptions.c.id == reception_id)
            .values(status=status, closed_at=at, cancel_reason=reason)
        )

    async def upcoming(
        self,
        now: datetime,
        *,
        station_id: str | None = None,
        division: str | None = None,
        limit: int = 50,
    ) -> list[Reception]:
        query = select(receptions).where(
            receptions.c.status == "scheduled", receptions.c.ends_at > now
        )
        if station_id:
            query = query.where(receptions.c.station_id == station_id)
        if division:
            query = query.where(
                receptions.c.station_id.in_(
                    select(station_areas.c.station_id).where(
                        station_areas.c.division_code == division
                    )
                )
            )
        rows = await self.session.execute(query.order_by(receptions.c.starts_at).limit(limit))
        return [_reception(r) for r in rows]

    async def of_station(self, station_id: str, since: datetime, limit: int) -> list[Reception]:
        rows = await self.session.execute(
            select(receptions)
            .where(receptions.c.station_id == station_id, receptions.c.ends_at >= since)
            .order_by(receptions.c.starts_at)
            .limit(limit)
        )
        return [_reception(r) for r in rows]

    async def next_for(self, station_ids: Collection[str], now: datetime) -> dict[str, Reception]:
        if not station_ids:
            return {}
        first = (
            select(
                receptions.c.station_id.label("sid"),
                func.min(receptions.c.starts_at).label("first"),
            )
            .where(
                receptions.c.station_id.in_(list(station_ids)),
                receptions.c.status == "scheduled",
                receptions.c.starts_at > now,
            )
            .group_by(receptions.c.station_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(receptions).join(
                first,
                and_(
                    receptions.c.station_id == first.c.sid,
                    receptions.c.starts_at == first.c.first,
                    receptions.c.status == "scheduled",
                ),
            )
        )
        return {r.station_id: _reception(r) for r in rows}


# Bookings and notices ---------------------------------------------------------------------


def _booking(r: Row[Any]) -> Booking:
    return _from_row(Booking, r)


class BookingStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, booking: Booking) -> None:
        row = asdict(booking) | {"changed_at": booking.made_at}
        await self.session.execute(insert(bookings).values(row))

    async def by_code(self, code: str, *, lock: bool = False) -> Booking | None:
        query = select(bookings).where(bookings.c.code == code)
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return _booking(row) if row else None

    async def get(self, booking_id: str) -> Booking | None:
        row = (
            await self.session.execute(select(bookings).where(bookings.c.id == booking_id))
        ).first()
        return _booking(row) if row else None

    async def counts(self, reception_id: str) -> tuple[int, int, int]:
        """Confirmed, waitlisted, and the highest sequence number so far."""
        row = (
            await self.session.execute(
                select(
                    func.count().filter(bookings.c.status == "confirmed"),
                    func.count().filter(bookings.c.status == "waitlisted"),
                    func.coalesce(func.max(bookings.c.seq), 0),
                ).where(bookings.c.reception_id == reception_id)
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2])

    async def has_active(self, reception_id: str, citizen_ref: str) -> bool:
        found = await self.session.scalar(
            select(bookings.c.id)
            .where(
                bookings.c.reception_id == reception_id,
                bookings.c.citizen_ref == citizen_ref,
                bookings.c.status != "cancelled",
            )
            .limit(1)
        )
        return found is not None

    async def first_waitlisted(self, reception_id: str) -> Booking | None:
        row = (
            await self.session.execute(
                select(bookings)
                .where(bookings.c.reception_id == reception_id, bookings.c.status == "waitlisted")
                .order_by(bookings.c.seq)
                .limit(1)
            )
        ).first()
        return _booking(row) if row else None

    async def active(self, reception_id: str) -> list[Booking]:
        rows = await self.session.execute(
            select(bookings)
            .where(bookings.c.reception_id == reception_id, bookings.c.status != "cancelled")
            .order_by(bookings.c.seq)
        )
        return [_booking(r) for r in rows]

    async def set_status(self, booking_id: str, status: str, at: datetime) -> None:
        await self.session.execute(
            update(bookings).where(bookings.c.id == booking_id).values(status=status, changed_at=at)
        )

    async def notify(self, booking_id: str, kind: str, message: str, due_at: datetime) -> None:
        await self.session.execute(
            insert(notices).values(
                booking_id=booking_id, kind=kind, message=message, due_at=due_at, attempts=0
            )
        )

    async def drop_notices(self, booking_id: str) -> None:
        await self.session.execute(
            delete(notices).where(notices.c.booking_id == booking_id, notices.c.sent_at.is_(None))
        )

    async def claim_due_notices(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[DueNotice]:
        """Due notices with the contact to send to (sealed), claimed: their ``due_at`` moves to
        ``lease_until``, so another replica's poller skips them (and they come back if this
        process dies before it records the outcome). ``SKIP LOCKED`` on PostgreSQL keeps two
        replicas from claiming the same rows at once; SQLite has one writer anyway."""
        rows = (
            await self.session.execute(
                select(
                    notices.c.id,
                    notices.c.booking_id,
                    notices.c.message,
                    notices.c.attempts,
                    bookings.c.contact,
                )
                .join(bookings, bookings.c.id == notices.c.booking_id)
                .where(notices.c.sent_at.is_(None), notices.c.due_at <= now)
                .order_by(notices.c.due_at)
                .limit(limit)
                .with_for_update(skip_locked=True, of=notices)
            )
        ).all()
        if rows:
            await self.session.execute(
                update(notices)
                .where(notices.c.id.in_([r.id for r in rows]))
                .values(due_at=lease_until)
            )
        return [DueNotice(r.id, r.booking_id, r.contact, r.message, r.attempts) for r in rows]

    async def notice_sent(self, notice_id: int, at: datetime) -> None:
        await self.session.execute(
            update(notices).where(notices.c.id == notice_id).values(sent_at=at)
        )

    async def notice_failed(self, notice_id: int, retry_at: datetime, give_up: bool) -> None:
        # Given up after the last attempt: closed (``sent_at`` set) so no pass picks it
        # again; its attempt count tells it from a delivered one.
        values: dict[str, Any] = {"attempts": notices.c.attempts + 1, "due_at": retry_at}
        if give_up:
            values["sent_at"] = retry_at
        await self.session.execute(update(notices).where(notices.c.id == notice_id).values(values))


# Matters ----------------------------------------------------------------------------------


class MatterStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: Mapping[str, Any]) -> None:
        await self.session.execute(insert(matters).values(dict(row)))

    async def of_reception(self, reception_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(matters)
            .where(matters.c.reception_id == reception_id)
            .order_by(matters.c.recorded_at)
        )
        return [dict(r._mapping) for r in rows]

    async def of_booking(self, booking_id: str) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(matters)
            .where(matters.c.booking_id == booking_id)
            .order_by(matters.c.recorded_at)
        )
        return [dict(r._mapping) for r in rows]


# Officials' visits ------------------------------------------------------------------------


class Visits(Protocol):
    async def add(self, visit: Visit) -> None: ...
    async def get(self, visit_id: str, *, lock: bool = False) -> Visit | None: ...
    async def save(self, visit: Visit) -> None: ...
    async def listing(
        self,
        since: datetime,
        *,
        station_id: str | None = None,
        division: str | None = None,
        limit: int = 100,
    ) -> list[Visit]: ...
    async def add_question(self, question: Question) -> None: ...
    async def question(self, question_id: str) -> Question | None: ...
    async def questions(self, visit_id: str) -> list[Question]: ...
    async def save_question(self, question: Question) -> None: ...
    async def add_commitment(self, commitment: Commitment) -> None: ...
    async def commitment(self, commitment_id: str) -> Commitment | None: ...
    async def commitments(self, visit_id: str) -> list[Commitment]: ...
    async def save_commitment(self, commitment: Commitment) -> None: ...


def _visit_row(v: Visit) -> dict[str, Any]:
    return asdict(v) | {"deputy_ids": list(v.deputy_ids)}


def _visit(r: Row[Any]) -> Visit:
    return _from_row(Visit, r, deputy_ids=tuple(r.deputy_ids))


def _answer_columns(a: Answer | None) -> dict[str, Any]:
    return {
        "reply": a.reply if a else None,
        "outcome": a.outcome if a else None,
        "replied_at": a.replied_at if a else None,
        "on_time": a.on_time if a else None,
        "reply_round": a.round if a else None,
    }


def _answer(r: Row[Any]) -> Answer | None:
    if r.replied_at is None:
        return None
    return Answer(r.reply, r.outcome, r.replied_at, bool(r.on_time), int(r.reply_round or 1))


def _question_row(q: Question) -> dict[str, Any]:
    own = {f.name: getattr(q, f.name) for f in fields(Question) if f.name != "written"}
    return own | _answer_columns(q.written)


def _question(r: Row[Any]) -> Question:
    return _from_row(Question, r, written=_answer(r))


def _commitment_row(c: Commitment) -> dict[str, Any]:
    own = {f.name: getattr(c, f.name) for f in fields(Commitment) if f.name != "kept"}
    return own | _answer_columns(c.kept)


def _commitment(r: Row[Any]) -> Commitment:
    return _from_row(Commitment, r, kept=_answer(r))


class VisitStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, visit: Visit) -> None:
        await self.session.execute(insert(visits).values(_visit_row(visit)))

    async def get(self, visit_id: str, *, lock: bool = False) -> Visit | None:
        query = select(visits).where(visits.c.id == visit_id)
        if lock:  # recording a visit takes turns with moderation (PostgreSQL)
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return _visit(row) if row else None

    async def save(self, visit: Visit) -> None:
        await self.session.execute(
            update(visits).where(visits.c.id == visit.id).values(_visit_row(visit))
        )

    async def listing(
        self,
        since: datetime,
        *,
        station_id: str | None = None,
        division: str | None = None,
        limit: int = 100,
    ) -> list[Visit]:
        query = select(visits).where(visits.c.ends_at >= since)
        if station_id:
            query = query.where(visits.c.station_id == station_id)
        if division:
            query = query.where(
                visits.c.station_id.in_(
                    select(station_areas.c.station_id).where(
                        station_areas.c.division_code == division
                    )
                )
            )
        rows = await self.session.execute(query.order_by(visits.c.starts_at).limit(limit))
        return [_visit(r) for r in rows]

    async def add_question(self, question: Question) -> None:
        await self.session.execute(insert(visit_questions).values(_question_row(question)))

    async def question(self, question_id: str) -> Question | None:
        row = (
            await self.session.execute(
                select(visit_questions).where(visit_questions.c.id == question_id)
            )
        ).first()
        return _question(row) if row else None

    async def questions(self, visit_id: str) -> list[Question]:
        rows = await self.session.execute(
            select(visit_questions)
            .where(visit_questions.c.visit_id == visit_id)
            .order_by(visit_questions.c.submitted_at, visit_questions.c.id)
        )
        return [_question(r) for r in rows]

    async def save_question(self, question: Question) -> None:
        await self.session.execute(
            update(visit_questions)
            .where(visit_questions.c.id == question.id)
            .values(_question_row(question))
        )

    async def add_commitment(self, commitment: Commitment) -> None:
        await self.session.execute(insert(commitments).values(_commitment_row(commitment)))

    async def commitment(self, commitment_id: str) -> Commitment | None:
        row = (
            await self.session.execute(select(commitments).where(commitments.c.id == commitment_id))
        ).first()
        return _commitment(row) if row else None

    async def commitments(self, visit_id: str) -> list[Commitment]:
        rows = await self.session.execute(
            select(commitments)
            .where(commitments.c.visit_id == visit_id)
            .order_by(commitments.c.made_at, commitments.c.id)
        )
        return [_commitment(r) for r in rows]

    async def save_commitment(self, commitment: Commitment) -> None:
        await self.session.execute(
            update(commitments)
            .where(commitments.c.id == commitment.id)
            .values(_commitment_row(commitment))
        )


# Activities, the performance file, scores, snapshots and disputes -------------------------


@dataclass(frozen=True)
class StoredScore:
    score: float
    band: str
    lines: list[dict[str, Any]]
    version: int


class Activities(Protocol):
    async def add(self, row: Mapping[str, Any]) -> None: ...
    async def of_deputy(self, deputy_id: str, year: int | None) -> list[dict[str, Any]]: ...


class Performance(Protocol):
    async def add_entries(self, entries: Sequence[Entry]) -> list[Entry]: ...
    async def by_ref(self, ref: str) -> list[Entry]: ...
    async def entry(self, entry_id: str) -> Entry | None: ...
    async def update_entry(self, entry: Entry) -> None: ...
    async def of_deputy(self, deputy_id: str, year: int) -> list[Entry]: ...
    async def score(self, deputy_id: str, year: int) -> StoredScore | None: ...
    async def put_score(
        self, deputy_id: str, year: int, row: Mapping[str, Any], version: int
    ) -> None: ...
    async def unpublished(self, year: int, until: date, quarter: str, limit: int) -> list[str]: ...
    async def add_snapshot(self, row: Mapping[str, Any]) -> None: ...
    async def snapshots(
        self, deputy_id: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]: ...
    async def add_dispute(self, row: Mapping[str, Any]) -> None: ...
    async def dispute(self, dispute_id: str) -> dict[str, Any] | None: ...
    async def open_dispute_of(self, entry_id: str) -> dict[str, Any] | None: ...
    async def decide(self, dispute_id: str, values: Mapping[str, Any]) -> None: ...
    async def disputes(
        self, *, status: str | None = None, deputy_id: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]: ...


def _activity_row(r: Row[Any]) -> dict[str, Any]:
    row = dict(r._mapping)
    row["on"] = row.pop("on_day")
    return row


class ActivityStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: Mapping[str, Any]) -> None:
        values = dict(row)
        values["on_day"] = values.pop("on")
        await self.session.execute(insert(activities).values(values))

    async def of_deputy(self, deputy_id: str, year: int | None) -> list[dict[str, Any]]:
        query = select(activities).where(activities.c.deputy_id == deputy_id)
        if year is not None:
            query = query.where(
                activities.c.on_day >= date(year, 1, 1), activities.c.on_day <= date(year, 12, 31)
            )
        rows = await self.session.execute(
            query.order_by(activities.c.on_day.desc(), activities.c.recorded_at.desc())
        )
        return [_activity_row(r) for r in rows]


def _entry_row(e: Entry) -> dict[str, Any]:
    row = asdict(e)
    row["on_day"] = row.pop("on")
    row["details"] = dict(e.details)
    return row


def _entry(r: Row[Any]) -> Entry:
    m = dict(r._mapping)
    m["on"] = m.pop("on_day")
    m["details"] = dict(m["details"] or {})
    return Entry(**m)


class PerformanceStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_entries(self, entries: Sequence[Entry]) -> list[Entry]:
        """Inserts the entries not yet in the file; returns those (a redelivery: none)."""
        if not entries:
            return []
        rows = await self.session.execute(
            select(file_entries.c.id).where(file_entries.c.id.in_([e.id for e in entries]))
        )
        known = set(rows.scalars())
        new = [e for e in entries if e.id not in known]
        if new:
            await self.session.execute(insert(file_entries), [_entry_row(e) for e in new])
        return new

    async def by_ref(self, ref: str) -> list[Entry]:
        rows = await self.session.execute(select(file_entries).where(file_entries.c.ref == ref))
        return [_entry(r) for r in rows]

    async def entry(self, entry_id: str) -> Entry | None:
        row = (
            await self.session.execute(select(file_entries).where(file_entries.c.id == entry_id))
        ).first()
        return _entry(row) if row else None

    async def update_entry(self, entry: Entry) -> None:
        await self.session.execute(
            update(file_entries)
            .where(file_entries.c.id == entry.id)
            .values(
                state=entry.state,
                round=entry.round,
                details=dict(entry.details),
                struck=entry.struck,
            )
        )

    async def of_deputy(self, deputy_id: str, year: int) -> list[Entry]:
        rows = await self.session.execute(
            select(file_entries)
            .where(file_entries.c.deputy_id == deputy_id, file_entries.c.year == year)
            .order_by(file_entries.c.on_day.desc(), file_entries.c.id)
        )
        return [_entry(r) for r in rows]

    async def score(self, deputy_id: str, year: int) -> StoredScore | None:
        row = (
            await self.session.execute(
                select(deputy_scores).where(
                    deputy_scores.c.deputy_id == deputy_id, deputy_scores.c.year == year
                )
            )
        ).first()
        if row is None:
            return None
        return StoredScore(row.score, row.band, list(row.lines), row.version)

    async def put_score(
        self, deputy_id: str, year: int, row: Mapping[str, Any], version: int
    ) -> None:
        values = {**row, "version": version}
        if version == 1:
            await self.session.execute(
                insert(deputy_scores).values(deputy_id=deputy_id, year=year, **values)
            )
            return
        await self.session.execute(
            update(deputy_scores)
            .where(deputy_scores.c.deputy_id == deputy_id, deputy_scores.c.year == year)
            .values(values)
        )

    async def unpublished(self, year: int, until: date, quarter: str, limit: int) -> list[str]:
        """Deputies with entries in ``year`` up to ``until`` and no snapshot for
        ``quarter`` yet."""
        published = select(performance_snapshots.c.deputy_id).where(
            performance_snapshots.c.quarter == quarter
        )
        rows = await self.session.execute(
            select(file_entries.c.deputy_id)
            .where(
                file_entries.c.year == year,
                file_entries.c.on_day <= until,
                file_entries.c.deputy_id.not_in(published),
            )
            .group_by(file_entries.c.deputy_id)
            .order_by(file_entries.c.deputy_id)
            .limit(limit)
        )
        return list(rows.scalars())

    async def add_snapshot(self, row: Mapping[str, Any]) -> None:
        await self.session.execute(insert(performance_snapshots).values(dict(row)))

    async def snapshots(
        self, deputy_id: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        query = select(performance_snapshots)
        if deputy_id is not None:
            query = query.where(performance_snapshots.c.deputy_id == deputy_id)
        rows = await self.session.execute(
            query.order_by(
                performance_snapshots.c.quarter.desc(), performance_snapshots.c.deputy_id
            ).limit(limit)
        )
        return [dict(r._mapping) for r in rows]

    async def add_dispute(self, row: Mapping[str, Any]) -> None:
        await self.session.execute(insert(disputes).values(dict(row)))

    async def dispute(self, dispute_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(select(disputes).where(disputes.c.id == dispute_id))
        ).first()
        return dict(row._mapping) if row else None

    async def open_dispute_of(self, entry_id: str) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                select(disputes).where(disputes.c.entry_id == entry_id, disputes.c.status == "open")
            )
        ).first()
        return dict(row._mapping) if row else None

    async def decide(self, dispute_id: str, values: Mapping[str, Any]) -> None:
        await self.session.execute(
            update(disputes).where(disputes.c.id == dispute_id).values(dict(values))
        )

    async def disputes(
        self, *, status: str | None = None, deputy_id: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        query = select(disputes)
        if status is not None:
            query = query.where(disputes.c.status == status)
        if deputy_id is not None:
            query = query.where(disputes.c.deputy_id == deputy_id)
        rows = await self.session.execute(query.order_by(disputes.c.opened_at).limit(limit))
        return [dict(r._mapping) for r in rows]
