"""The citizen-facing status, kept from lifecycle events in any order. The words shown for
each status are everyone's (``minyi.contracts.status``); how intake folds events into one
status is its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from minyi.contracts.status import SuggestionStatus

FILED = SuggestionStatus.FILED
REPLIED = SuggestionStatus.REPLIED
REOPENED = SuggestionStatus.REOPENED
CLOSED = SuggestionStatus.CLOSED
# A reopened case is answered again ("replied" in a later round), so statuses carry the
# round: (round, rank) orders them whatever order the events arrive in.
RANK: dict[str, int] = {
    status: i
    for i, status in enumerate(
        (FILED, SuggestionStatus.ASSIGNED, SuggestionStatus.ACCEPTED, REPLIED)
    )
}


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
    if current == REOPENED:
        return (new, new_round) if new == REPLIED else (current, current_round)
    if new == REOPENED:
        return (
            (new, new_round) if RANK.get(current, -1) < RANK[REPLIED] else (current, current_round)
        )
    return advanced(current, new), current_round


def history_entry(
    status: str, at: datetime, round_: int = 1, result: str | None = None
) -> dict[str, Any]:
    """One line of a suggestion's history, as the tracking page lists it."""
    entry: dict[str, Any] = {"status": status, "at": at.isoformat()}
    if round_ > 1:
        entry["round"] = round_
    if result is not None:
        entry["result"] = result
    return entry


def open311_status(status: str) -> str:
    """GeoReport v2 knows only open and closed."""
    return "closed" if status == CLOSED else "open"
