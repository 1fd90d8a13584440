"""Which lifecycle step an event is, read tolerantly from its CloudEvents ``type``.

Reporting consumes every event and must not break when a producer adds an event or a
field, so it keys on the step named in the type (``cn.minyi.suggestion.<step>.v1``), not on
the producers' models; unknown steps still reach the timeline.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

# Keyword in the type → step. Checked in order: the more specific words first.
_STEPS: tuple[tuple[str, str], ...] = (
    ("activity", "activity"),
    ("endorse", "endorsed"),
    ("feedback", "feedback"),
    ("triage", "triage"),
    ("cluster", "clustered"),
    ("filed", "filed"),
    ("assigned", "assigned"),
    ("accepted", "accepted"),
    ("returned", "returned"),
    ("progress", "progress"),
    ("reminder", "reminder"),
    ("overdue", "overdue"),
    ("escalat", "escalated"),
    ("extended", "extended"),
    ("key_case", "key_case"),
    ("reopen", "reopened"),
    ("resolved", "resolved"),
    ("closed", "closed"),
)
_VERSION = re.compile(r"\.v\d+$")


def step_of(event_type: str) -> str | None:
    """``cn.minyi.suggestion.reminder_issued.v1`` → ``reminder``; None if unknown."""
    name = _VERSION.sub("", event_type).removeprefix("cn.minyi.")
    for word, step in _STEPS:
        if word in name:
            return step
    return None


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def as_int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def attempt_of(data: dict[str, Any]) -> int:
    """The assignment attempt an event belongs to: ``attempt`` or the tail of ``case_id``."""
    if "attempt" in data:
        return as_int(data["attempt"], 1)
    case_id = data.get("case_id")
    if isinstance(case_id, str) and ":" in case_id:
        return as_int(case_id.rsplit(":", 1)[1], 1)
    return 1
