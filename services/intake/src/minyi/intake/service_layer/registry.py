"""Intake's replica of liaison's registry (minyi.contracts.liaison): kept from its events,
it says which deputies and stations a filing, an endorsement or a duty may name, and
answers the reference lists."""

from __future__ import annotations

from typing import Any

from minyi.contracts.envelope import RawEvent
from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.liaison import (
    DeputyEnded,
    DeputyRegistered,
    DeputyState,
    DeputyUpdated,
    StationEnded,
    StationRegistered,
    StationState,
    StationUpdated,
)
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.errors import UnknownStation, unknown_representative
from minyi.intake.domain.registry import areas_of

REGISTRY_EVENTS = (
    DeputyRegistered,
    DeputyUpdated,
    DeputyEnded,
    StationRegistered,
    StationUpdated,
    StationEnded,
)
REGISTRY_TYPES = frozenset(m.event_type for m in REGISTRY_EVENTS)
# Their subjects: the server delivers only these to intake's registry consumer.
REGISTRY_SUBJECTS = tuple(m.subject_name for m in REGISTRY_EVENTS)
_STATION_STATES = frozenset({StationRegistered.event_type, StationUpdated.event_type})


async def when_registry_changed_update_replica(
    event: RawEvent, uow: IntakeUnitOfWork, places: Gazetteer
) -> None:
    """Registered and Updated carry the whole record, Ended only the end: the newest
    ``version`` wins in the store, so any order of arrival gives the same replica."""
    if event.type == DeputyEnded.event_type:
        await uow.registry.end_deputy(event.data_as(DeputyEnded))
    elif event.type == StationEnded.event_type:
        await uow.registry.end_station(event.data_as(StationEnded))
    elif event.type in _STATION_STATES:
        station = event.data_as(StationState)
        await uow.registry.put_station(station, areas_of(station, places))
    else:
        await uow.registry.put_deputy(event.data_as(DeputyState))


async def require_listed(
    uow: IntakeUnitOfWork,
    *,
    representative_id: str | None = None,
    station_id: str | None = None,
    representative_in_path: bool = False,
) -> None:
    """Refuse a deputy who is not serving or a station that is not open, as the replica
    knows them: unknown ids are refused, also before liaison's events have arrived."""
    if representative_id is None and station_id is None:
        return
    listed = await uow.registry.listed(representative_id, station_id)
    if representative_id is not None and not listed.representative:
        raise unknown_representative(representative_id, in_path=representative_in_path)
    if station_id is not None and not listed.station:
        raise UnknownStation(station_id)


async def reference_stations(uow: IntakeUnitOfWork) -> list[dict[str, Any]]:
    """Open stations (``district_code``: the first division served, as before the
    replica)."""
    return [
        {**s, "district_code": s["division_codes"][0] if s["division_codes"] else None}
        for s in await uow.registry.stations()
    ]


async def reference_representatives(uow: IntakeUnitOfWork) -> list[dict[str, Any]]:
    """Serving deputies, with the division they were elected in as ``district_code``."""
    return await uow.registry.deputies()
