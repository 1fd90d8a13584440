"""The citizen-facing status, kept from lifecycle events in any order."""

from __future__ import annotations

# Citizen-facing labels (Simplified Chinese), in lifecycle order.
STATUS_LABELS = {
    "filed": "已受理",
    "assigned": "已交办",
    "accepted": "办理中",
    "replied": "已答复",
    "reopened": "重新办理中",
    "closed": "已办结",
}
# A reopened case is answered again ("replied" in a later round), so statuses carry the
# round: (round, rank) orders them whatever order the events arrive in.
RANK = {status: i for i, status in enumerate(("filed", "assigned", "accepted", "replied"))}
CLOSED = "closed"


def advanced(current: str, new: str) -> str:
    """The later of two statuses within one round: a stale event never moves it back."""
    if current == CLOSED:
        return current
    if new == CLOSED:
        return new
    return new if RANK.get(new, -1) > RANK.get(current, -1) else current


def next_status(current: str, current_round: int, new: str, new_round: int) -> tuple[str, int]:
    """Fold an event (status ``new`` in reply round ``new_round``) into the current state.

    A later round wins (a reopened case starts over from "reopened"); within a round the
    later status wins; "closed" is final.
    """
    if current == CLOSED:
        return current, current_round
    if new == CLOSED:
        return new, max(current_round, new_round)
    if new_round > current_round:
        return new, new_round
    if new_round < current_round:
        return current, current_round
    if current == "reopened":
        return (new, new_round) if new == "replied" else (current, current_round)
    if new == "reopened":
        return (
            (new, new_round)
            if RANK.get(current, -1) < RANK["replied"]
            else (current, current_round)
        )
    return advanced(current, new), current_round


OPEN311_STATUS = {CLOSED: "closed"}


def open311_status(status: str) -> str:
    """GeoReport v2 knows only open and closed."""
    return OPEN311_STATUS.get(status, "open")
