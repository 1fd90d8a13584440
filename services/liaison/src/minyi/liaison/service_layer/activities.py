"""Deputies' activities (履职登记): recorded by the deputy, by station staff for a deputy
of their station, or by the office; each emits ``ActivityRecorded`` and is at once an
entry of the deputy's file (the consumer's later copy of the event adds nothing)."""

from __future__ import annotations

import uuid
from typing import Any

from minyi.contracts.performance import ActivityRecorded, RecordedBy
from minyi.liaison.domain import activity as rules
from minyi.liaison.domain import performance as file_rules
from minyi.liaison.domain.evaluation import EvaluationPolicy
from minyi.liaison.domain.registry import Deputy
from minyi.liaison.service_layer.performance import Caller, add_to_files
from minyi.liaison.service_layer.ports import Uow
from minyi.platform.errors import Forbidden, NotFound

_RECORDED_BY: dict[str, RecordedBy] = {
    "representative": "deputy",
    "station_staff": "station_staff",
    "admin": "office",
}


async def _deputy(uow: Uow, deputy_id: str) -> Deputy:
    found = await uow.registry.deputies([deputy_id])
    if deputy_id not in found:
        raise NotFound("deputy_not_found", "没有该代表", field="deputy_id")
    deputy: Deputy = found[deputy_id].record
    return deputy


def _check_access(caller: Caller, deputy: Deputy) -> None:
    """The deputy themself, station staff of a station the deputy belongs to, or admin."""
    if caller.admin:
        return
    if caller.role == "representative" and caller.deputy_id == deputy.id:
        return
    if caller.role == "station_staff" and caller.station in deputy.station_ids:
        return
    raise Forbidden(
        "not_your_deputy",
        "只能登记或查看本人的履职，或本联络站代表的履职",
        field="deputy_id",
    )


async def record_activity(
    uow: Uow,
    caller: Caller,
    deputy_id: str,
    activity: rules.ActivityInput,
    policy: EvaluationPolicy,
) -> dict[str, Any]:
    """履职登记: one activity of a deputy."""
    deputy = await _deputy(uow, deputy_id)
    _check_access(caller, deputy)
    now = uow.now()
    checked = rules.check(activity, file_rules.beijing_day(now))
    station = caller.station if caller.role == "station_staff" else None
    station = station or (deputy.station_ids[0] if deputy.station_ids else None)
    activity_id = str(uuid.uuid4())
    row: dict[str, Any] = {
        "id": activity_id,
        "deputy_id": deputy_id,
        "kind": checked.kind,
        "title": checked.title,
        "on": checked.on,
        "hours": checked.hours,
        "participants": checked.participants,
        "station_id": station,
        "district_code": deputy.unit.division_code,
        "recorded_by": _RECORDED_BY[caller.role],
        "recorded_by_subject": caller.subject,
        "recorded_at": now,
    }
    await uow.activities.add(row)
    recorded = ActivityRecorded(
        activity_id=activity_id,
        deputy_id=deputy_id,
        kind=checked.kind,
        title=checked.title,
        on=checked.on,
        hours=checked.hours,
        participants=checked.participants,
        station_id=station,
        district_code=deputy.unit.division_code,
        recorded_by=_RECORDED_BY[caller.role],
        recorded_at=now,
    )
    event_id = uow.emit(recorded, subject=activity_id)
    entries = file_rules.entries_from(
        ActivityRecorded.event_type, event_id, recorded.model_dump(mode="json")
    )
    await add_to_files(uow, policy, entries)
    return {**activity_view(row), "event_id": event_id, "entry_id": entries[0].id}


def activity_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "deputy_id": row["deputy_id"],
        "kind": row["kind"],
        "kind_label": rules.KIND_LABELS.get(row["kind"], row["kind"]),
        "title": row["title"],
        "on": row["on"].isoformat(),
        "hours": row["hours"],
        "participants": row["participants"],
        "station_id": row["station_id"],
        "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"].isoformat(),
    }


async def activities_of(
    uow: Uow, caller: Caller, deputy_id: str, year: int | None
) -> list[dict[str, Any]]:
    deputy = await _deputy(uow, deputy_id)
    _check_access(caller, deputy)
    return [activity_view(r) for r in await uow.activities.of_deputy(deputy_id, year)]
