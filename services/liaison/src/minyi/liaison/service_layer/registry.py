"""Registry use cases: register, update and end deputies and stations — one at a time
from the admin's endpoints, or a whole roster at once — each change an event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Literal

from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.liaison import (
    DeputyEnded,
    DeputyRegistered,
    DeputyState,
    DeputyUpdated,
    ElectoralUnit,
    StationEnded,
    StationRegistered,
    StationState,
    StationUpdated,
)
from minyi.liaison.adapters.repositories import Versioned
from minyi.liaison.domain.registry import (
    Deputy,
    Problem,
    Station,
    areas_of,
    check_deputy,
    check_station,
    normalise_deputy,
    normalise_station,
)
from minyi.liaison.domain.roster import Parsed, RowError, parse_deputies, parse_stations
from minyi.liaison.service_layer.ports import Uow
from minyi.platform.errors import Conflict, Invalid, NotFound

Expect = Literal["new", "existing"] | None


@dataclass(frozen=True)
class Changes:
    added: int = 0
    updated: int = 0
    ended: int = 0
    unchanged: int = 0

    @property
    def events(self) -> int:
        return self.added + self.updated + self.ended


def _deputy_event(d: Deputy, version: int, at: datetime, new: bool) -> DeputyState:
    model: type[DeputyState] = DeputyRegistered if new else DeputyUpdated
    own = {k: v for k, v in asdict(d).items() if k not in ("id", "unit")}
    unit = ElectoralUnit(kind=d.unit.kind, **asdict(d.unit))
    return model(**own, deputy_id=d.id, electoral_unit=unit, version=version, changed_at=at)


def _station_event(s: Station, version: int, at: datetime, new: bool) -> StationState:
    model: type[StationState] = StationRegistered if new else StationUpdated
    own = {k: v for k, v in asdict(s).items() if k != "id"}
    return model(**own, station_id=s.id, version=version, changed_at=at)


def _sort(
    records: Sequence[Deputy] | Sequence[Station], existing: dict[str, Versioned], expect: Expect
) -> tuple[list[Versioned], list[Versioned], list[bool], int]:
    """New and changed records (with their next version), whether each change ends the
    record, and how many are unchanged."""
    added: list[Versioned] = []
    changed: list[Versioned] = []
    ending: list[bool] = []
    for record in records:
        old = existing.get(record.id)
        if old is None:
            if expect == "existing":
                raise NotFound("not_found", f"没有找到编号为 {record.id} 的记录", field="id")
            added.append(Versioned(record, 1))
        elif expect == "new":
            raise Conflict("already_exists", f"编号 {record.id} 已存在", field="id")
        elif old.record != record:
            changed.append(Versioned(record, old.version + 1))
            ending.append(record.status != old.record.status and record.status == "ended")
    unchanged = len(records) - len(added) - len(changed)
    return added, changed, ending, unchanged


async def save_deputies(uow: Uow, records: Sequence[Deputy], expect: Expect = None) -> Changes:
    """Store new and changed deputies (records already checked); the same record again
    changes nothing and emits nothing."""
    ids = None if len(records) > 500 else [d.id for d in records]
    existing = await uow.registry.deputies(ids)
    added, changed, ending, unchanged = _sort(records, existing, expect)
    now = uow.now()
    await uow.registry.put_deputies(added, changed, now)
    for v in added:
        uow.emit(_deputy_event(v.record, v.version, now, True), subject=v.record.id)
    for v, ends in zip(changed, ending, strict=True):
        if ends:
            on = v.record.term_end or now.date()
            event = DeputyEnded(
                deputy_id=v.record.id, ended_on=on, version=v.version, changed_at=now
            )
            uow.emit(event, subject=v.record.id)
        else:
            uow.emit(_deputy_event(v.record, v.version, now, False), subject=v.record.id)
    return Changes(len(added), len(changed) - sum(ending), sum(ending), unchanged)


async def save_stations(
    uow: Uow, records: Sequence[Station], places: Gazetteer, expect: Expect = None
) -> Changes:
    ids = None if len(records) > 500 else [s.id for s in records]
    existing = await uow.registry.stations(ids)
    added, changed, ending, unchanged = _sort(records, existing, expect)
    now = uow.now()
    areas = {v.record.id: areas_of(v.record, places) for v in (*added, *changed)}
    await uow.registry.put_stations(added, changed, areas, now)
    for v in added:
        uow.emit(_station_event(v.record, v.version, now, True), subject=v.record.id)
    for v, ends in zip(changed, ending, strict=True):
        if ends:
            event = StationEnded(
                station_id=v.record.id, ended_on=now.date(), version=v.version, changed_at=now
            )
            uow.emit(event, subject=v.record.id)
        else:
            uow.emit(_station_event(v.record, v.version, now, False), subject=v.record.id)
    return Changes(len(added), len(changed) - sum(ending), sum(ending), unchanged)


def _refuse(problems: Sequence[Problem]) -> None:
    if problems:
        raise Invalid("invalid_record", problems[0].reason, field=problems[0].field)


async def put_deputy(uow: Uow, deputy: Deputy, places: Gazetteer, expect: Expect) -> Changes:
    """One deputy from the admin's endpoints: 422 naming the first broken rule."""
    deputy = normalise_deputy(deputy, places)
    stations = await uow.registry.station_ids()
    _refuse(check_deputy(deputy, places, stations.__contains__))
    return await save_deputies(uow, [deputy], expect)


async def put_station(uow: Uow, station: Station, places: Gazetteer, expect: Expect) -> Changes:
    station = normalise_station(station, places)
    _refuse(check_station(station, places))
    return await save_stations(uow, [station], places, expect)


async def end_deputy(uow: Uow, deputy_id: str, on: date | None, reason: str | None) -> Changes:
    found = (await uow.registry.deputies([deputy_id])).get(deputy_id)
    if found is None:
        raise NotFound("deputy_not_found", f"没有找到代表 {deputy_id}", field="deputy_id")
    deputy: Deputy = found.record
    if deputy.status == "ended":
        raise Conflict("already_ended", "该代表的任期已终止")
    ended_on = on or uow.now().date()
    return await save_deputies(uow, [replace(deputy, status="ended", term_end=ended_on)])


async def end_station(uow: Uow, station_id: str, places: Gazetteer) -> Changes:
    found = (await uow.registry.stations([station_id])).get(station_id)
    if found is None:
        raise NotFound("station_not_found", f"没有找到联络站 {station_id}", field="station_id")
    station: Station = found.record
    if station.status == "ended":
        raise Conflict("already_ended", "该站点已撤销")
    return await save_stations(uow, [replace(station, status="ended")], places)


async def import_deputies(
    uow: Uow, header: Sequence[str], rows: Sequence[Sequence[str]], places: Gazetteer
) -> Changes | list[RowError]:
    """A whole roster, all or nothing: the row errors, or the changes made."""
    stations = await uow.registry.station_ids()
    parsed: Parsed[Deputy] = parse_deputies(header, rows, places, stations.__contains__)
    if parsed.errors:
        return parsed.errors
    return await save_deputies(uow, parsed.records)


async def import_stations(
    uow: Uow, header: Sequence[str], rows: Sequence[Sequence[str]], places: Gazetteer
) -> Changes | list[RowError]:
    parsed = parse_stations(header, rows, places)
    if parsed.errors:
        return parsed.errors
    return await save_stations(uow, parsed.records, places)


async def seed_demo(
    uow: Uow, stations: Sequence[Station], deputies: Sequence[Deputy], places: Gazetteer
) -> Changes | None:
    """The demo registry, into an empty store only (None when the store has records)."""
    if await uow.registry.counts() != (0, 0):
        return None
    made = await save_stations(uow, [normalise_station(s, places) for s in stations], places)
    people = await save_deputies(uow, [normalise_deputy(d, places) for d in deputies])
    return Changes(made.added + people.added)
