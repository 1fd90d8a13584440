"""The suggestion view as a fold over events, whatever their order or repetition.

Each field belongs to the event that knows it; the status only moves forward (a stale
event never lowers it); a re-assignment with a higher attempt wins over an older one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from minyi.contracts.envelope import RawEvent
from minyi.contracts.events import AssignedToUnit, Resolved, SuggestionFiled

STATUS_RANK = {"filed": 1, "assigned": 2, "resolved": 3}


def _advance(view: dict[str, Any], status: str) -> None:
    if STATUS_RANK[status] > view.get("status_rank", 0):
        view["status"] = status
        view["status_rank"] = STATUS_RANK[status]


def apply(view: dict[str, Any], event: RawEvent) -> dict[str, Any]:
    """Return the view with ``event`` folded in (``view`` may be empty)."""
    view = dict(view)
    if event.type == SuggestionFiled.event_type:
        f = event.data_as(SuggestionFiled)
        view.update(
            title=f.title,
            district_code=f.district_code,
            channel=f.channel,
            kind=f.kind,
            station_id=f.station_id,
            urgent=f.urgent,
            filed_at=f.filed_at,
        )
        _advance(view, "filed")
    elif event.type == AssignedToUnit.event_type:
        a = event.data_as(AssignedToUnit)
        if a.attempt >= (view.get("attempt") or 0):
            view.update(
                unit_id=a.unit_id,
                unit_name=a.unit_name,
                category=a.category,
                focus_area=a.focus_area,
                attempt=a.attempt,
                assigned_at=a.assigned_at,
                district_code=view.get("district_code") or a.district_code,
            )
        _advance(view, "assigned")
    elif event.type == Resolved.event_type:
        r = event.data_as(Resolved)
        view.update(outcome=r.outcome, resolved_at=r.replied_at, on_time=r.on_time)
        _advance(view, "resolved")
    return view


def timeline_entry(event: RawEvent) -> dict[str, Any]:
    """What the timeline shows of an event: its time, its actor, and a summary."""
    data = event.data
    summary: dict[str, Any]
    if event.type == SuggestionFiled.event_type:
        summary = {
            "title": data.get("title"),
            "channel": data.get("channel"),
            "district_code": data.get("district_code"),
        }
    elif event.type == AssignedToUnit.event_type:
        summary = {
            "unit_id": data.get("unit_id"),
            "unit_name": data.get("unit_name"),
            "category": data.get("category"),
            "explanation": data.get("explanation"),
        }
    elif event.type == Resolved.event_type:
        summary = {
            "outcome": data.get("outcome"),
            "reply": data.get("reply"),
            "on_time": data.get("on_time"),
        }
    else:
        summary = {}
    return {
        "event_id": event.id,
        "suggestion_id": event.subject,
        "type": event.type,
        "time": event.time,
        "actor": event.source,
        "summary": summary,
    }


def sort_key(entry: dict[str, Any]) -> tuple[datetime, str]:
    return (entry["time"], entry["event_id"])
