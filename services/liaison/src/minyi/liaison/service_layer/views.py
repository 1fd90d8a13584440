"""How receptions and places read in answers (the public pages and the staff's)."""

from __future__ import annotations

from typing import Any

from minyi.liaison.domain.reception import STATUS_LABELS, Reception, ReceptionPolicy
from minyi.liaison.domain.registry import KIND_LABELS, LEVEL_LABELS


def reception_view(r: Reception, policy: ReceptionPolicy) -> dict[str, Any]:
    start = r.starts_at.astimezone(policy.timezone)
    end = r.ends_at.astimezone(policy.timezone)
    return {
        "id": r.id,
        "station_id": r.station_id,
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "starts_at": r.starts_at.isoformat(),
        "ends_at": r.ends_at.isoformat(),
        "place": r.place,
        "deputy_ids": list(r.deputy_ids),
        "capacity": r.capacity,
        "topic": r.topic,
        "status": r.status,
        "status_label": STATUS_LABELS[r.status],
    }


def labelled(item: dict[str, Any]) -> dict[str, Any]:
    """A deputy or station with the Chinese label of its level or kind."""
    if "level" in item:
        return {**item, "level_label": LEVEL_LABELS.get(item["level"], item["level"])}
    return {**item, "kind_label": KIND_LABELS.get(item["kind"], item["kind"])}
