"""The citizen-facing status, kept from lifecycle events in any order."""

from __future__ import annotations

# Citizen-facing labels (Simplified Chinese), in lifecycle order.
STATUS_LABELS = {
    "filed": "已受理",
    "assigned": "已交办",
    "accepted": "办理中",
    "replied": "已答复",
    "closed": "已办结",
}
RANK = {status: i for i, status in enumerate(STATUS_LABELS)}


def advanced(current: str, new: str) -> str:
    """The later of two statuses: a stale event never moves the status back."""
    return new if RANK.get(new, -1) > RANK.get(current, -1) else current
