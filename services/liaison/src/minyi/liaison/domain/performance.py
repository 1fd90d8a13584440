"""The performance file (履职档案): per deputy and year, the entries built from events —
activities, receptions, visits, matters, formal suggestions, endorsements, commitments —
each with the id and type of the event it came from.

How an event becomes entries is here, pure: ``entries_from`` reads an event's data
tolerantly (only the fields it needs) and gives one entry per deputy it names; an entry's
id is derived from (event id, deputy), so a redelivered event yields the same entry and
adds nothing. Later events about the same thing (a suggestion's ``Resolved``, its
``FeedbackReceived``) change an entry's state through ``with_outcome`` and ``with_rating``,
which keep the newest round whatever the order they arrive in.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from minyi.contracts.intake import FeedbackReceived, SuggestionEndorsed, SuggestionFiled
from minyi.contracts.liaison import MatterRecorded, MatterReferred, ReceptionHeld
from minyi.contracts.performance import ActivityRecorded
from minyi.contracts.supervision import Resolved
from minyi.contracts.visits import CommitmentMade, VisitHeld
from minyi.liaison.domain.activity import KIND_LABELS

BEIJING = ZoneInfo("Asia/Shanghai")
_NAMESPACE = uuid.UUID("6f1c0a52-4d1e-4b7e-9a57-0d7f3c5e2b11")

# What a file holds, by kind: the nine kinds of activity a deputy records, and what the
# events of stations, visits, intake and supervision say the deputy did.
ENTRY_KINDS: dict[str, str] = {
    **{kind: label for kind, label in KIND_LABELS.items()},
    "reception_held": "联络站接待日",
    "visit_attended": "局长进站（国家机关联系代表）",
    "matter_answered": "当场答复群众反映",
    "matter_referred": "群众反映转办",
    "suggestion": "提出代表建议",
    "endorsement": "附议、联名或转为代表建议",
    "commitment": "跟踪承诺事项",
}

# The events the file is built from, by what they give.
FILE_EVENTS = (
    ActivityRecorded,
    ReceptionHeld,
    VisitHeld,
    MatterRecorded,
    MatterReferred,
    SuggestionFiled,
    SuggestionEndorsed,
    CommitmentMade,
    Resolved,
    FeedbackReceived,
)
ACTIVITY_RECORDED = ActivityRecorded.event_type
RECEPTION_HELD = ReceptionHeld.event_type
VISIT_HELD = VisitHeld.event_type
MATTER_RECORDED = MatterRecorded.event_type
MATTER_REFERRED = MatterReferred.event_type
SUGGESTION_FILED = SuggestionFiled.event_type
SUGGESTION_ENDORSED = SuggestionEndorsed.event_type
COMMITMENT_MADE = CommitmentMade.event_type
RESOLVED = Resolved.event_type
FEEDBACK_RECEIVED = FeedbackReceived.event_type

# The states an entry can be in (policy weights are keyed by them).
STATE_LABELS: dict[str, str] = {
    "recorded": "已登记",
    "held": "已举行",
    "attended": "已参加",
    "answered": "已答复",
    "referred": "已转办，待答复",
    "filed": "已提出，待答复",
    "A": "A类（已解决或基本解决）",
    "B": "B类（正在解决或列入计划）",
    "C": "C类（因条件限制暂不能解决）",
    "D": "D类（留作参考）",
    "endorse": "附议",
    "convert": "转为代表建议",
    "cosign": "联名提出代表建议",
    "open": "跟踪中",
    "on_time": "按期兑现",
    "late": "逾期兑现",
}
OUTCOMES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Entry:
    """One line of a deputy's file. ``ref`` is what later events name it by (the
    suggestion id of a referred matter or a formal suggestion, a commitment's id)."""

    id: str
    deputy_id: str
    year: int
    kind: str
    on: date
    event_id: str
    event_type: str
    ref: str
    title: str
    state: str
    hours: float | None = None
    round: int = 0  # the answer round the state comes from (0: none yet)
    details: Mapping[str, Any] = field(default_factory=dict)
    struck: bool = False  # struck by an accepted dispute: kept, but counts no more


def entry_id(event_id: str, deputy_id: str) -> str:
    """The same (event, deputy) always names the same entry: a redelivery adds nothing."""
    return str(uuid.uuid5(_NAMESPACE, f"{event_id}|{deputy_id}"))


def beijing_day(at: datetime) -> date:
    return at.astimezone(BEIJING).date()


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _entry(
    event_id: str,
    event_type: str,
    deputy_id: str,
    kind: str,
    on: date,
    ref: str,
    title: str,
    state: str,
    *,
    hours: float | None = None,
    **details: Any,
) -> Entry:
    return Entry(
        id=entry_id(event_id, deputy_id),
        deputy_id=deputy_id,
        year=on.year,
        kind=kind,
        on=on,
        event_id=event_id,
        event_type=event_type,
        ref=ref,
        title=title,
        state=state,
        hours=hours,
        details={k: v for k, v in details.items() if v is not None},
    )


def _deputies(value: Any) -> list[str]:
    """Deputy ids named by an event, each once, in order."""
    return list(dict.fromkeys(str(v) for v in value or () if v))


def entries_from(event_type: str, event_id: str, data: Mapping[str, Any]) -> list[Entry]:
    """The entries an event adds to deputies' files (none for an event the file ignores,
    such as a citizen's appeal)."""
    if event_type == ACTIVITY_RECORDED:
        kind = str(data["kind"])
        hours = data.get("hours")
        return [
            _entry(
                event_id,
                event_type,
                str(data["deputy_id"]),
                kind,
                _day(data["on"]),
                str(data["activity_id"]),
                str(data["title"]),
                "recorded",
                hours=float(hours) if hours is not None else None,
                participants=data.get("participants") or None,
                station_id=data.get("station_id"),
                recorded_by=data.get("recorded_by"),
            )
        ]
    if event_type == RECEPTION_HELD:
        on = beijing_day(_instant(data["held_at"]))
        return [
            _entry(
                event_id,
                event_type,
                deputy,
                "reception_held",
                on,
                str(data["reception_id"]),
                "联络站接待日",
                "held",
                station_id=data.get("station_id"),
                booked=data.get("booked"),
            )
            for deputy in _deputies(data.get("deputy_ids"))
        ]
    if event_type == VISIT_HELD:
        on = beijing_day(_instant(data["held_at"]))
        unit = str(data.get("unit_name") or "")
        return [
            _entry(
                event_id,
                event_type,
                deputy,
                "visit_attended",
                on,
                str(data["visit_id"]),
                f"局长进站：{unit}" if unit else "局长进站",
                "attended",
                station_id=data.get("station_id"),
                commitments=data.get("commitments"),
            )
            for deputy in _deputies(data.get("deputy_ids"))
        ]
    if event_type == MATTER_RECORDED:
        return [
            _entry(
                event_id,
                event_type,
                deputy,
                "matter_answered",
                beijing_day(_instant(data["recorded_at"])),
                str(data["matter_id"]),
                str(data.get("title") or ""),
                "answered",
                reception_id=data.get("reception_id"),
            )
            for deputy in _deputies([data.get("deputy_id")])
        ]
    if event_type == MATTER_REFERRED:
        return [
            _entry(
                event_id,
                event_type,
                deputy,
                "matter_referred",
                beijing_day(_instant(data["referred_at"])),
                str(data["suggestion_id"]),
                str(data.get("title") or ""),
                "referred",
                matter_id=data.get("matter_id"),
            )
            for deputy in _deputies([data.get("representative_id")])
        ]
    if event_type == SUGGESTION_FILED:
        if data.get("kind") != "representative_suggestion":
            return []  # a citizen's appeal: no deputy's file
        return [
            _entry(
                event_id,
                event_type,
                deputy,
                "suggestion",
                beijing_day(_instant(data["filed_at"])),
                str(data["suggestion_id"]),
                str(data.get("title") or ""),
                "filed",
            )
            for deputy in _deputies([data.get("representative_id")])
        ] + [
            # Each co-signer (联名) of a formal suggestion: an endorsement-weight entry.
            _entry(
                event_id,
                event_type,
                deputy,
                "endorsement",
                beijing_day(_instant(data["filed_at"])),
                str(data["suggestion_id"]),
                "联名提出代表建议",
                "cosign",
            )
            for deputy in _deputies((data.get("formal") or {}).get("co_signer_ids"))
            if deputy != data.get("representative_id")
        ]
    if event_type == SUGGESTION_ENDORSED:
        mode = "convert" if data.get("mode") == "convert" else "endorse"
        return [
            _entry(
                event_id,
                event_type,
                str(data["representative_id"]),
                "endorsement",
                beijing_day(_instant(data["endorsed_at"])),
                str(data["suggestion_id"]),
                "转为代表建议" if mode == "convert" else "附议群众建议",
                mode,
            )
        ]
    if event_type == COMMITMENT_MADE:
        return [
            _entry(
                event_id,
                event_type,
                deputy,
                "commitment",
                beijing_day(_instant(data["made_at"])),
                str(data["commitment_id"]),
                str(data.get("text") or "")[:100],
                "open",
                unit_name=data.get("unit_name"),
                due_on=str(data["due_on"]) if data.get("due_on") else None,
                visit_id=data.get("visit_id"),
            )
            for deputy in _deputies(data.get("deputy_ids"))
        ]
    return []


# The kinds a supervision answer (``Resolved``) or a rating (``FeedbackReceived``) changes.
FOLLOWED_KINDS = frozenset({"matter_referred", "suggestion", "commitment"})


def with_outcome(entry: Entry, data: Mapping[str, Any]) -> Entry | None:
    """The entry once the unit answered (``Resolved``), or None when nothing changes: a
    later round replaces an earlier one, never the other way round."""
    if entry.kind not in FOLLOWED_KINDS:
        return None
    answer_round = int(data.get("round") or 1)
    if answer_round < entry.round or (answer_round == entry.round and entry.round > 0):
        return None
    outcome = str(data.get("outcome") or "")
    on_time = bool(data.get("on_time", True))
    details = {
        **entry.details,
        "outcome": outcome or None,
        "on_time": on_time,
        "answered_on": str(beijing_day(_instant(data["replied_at"])))
        if data.get("replied_at")
        else None,
    }
    if entry.kind == "suggestion":
        state = outcome if outcome in OUTCOMES else "filed"
    elif entry.kind == "matter_referred":
        state = "answered"
    else:
        state = "on_time" if on_time else "late"
    return replace(
        entry,
        state=state,
        round=answer_round,
        details={k: v for k, v in details.items() if v is not None},
    )


def with_rating(entry: Entry, data: Mapping[str, Any]) -> Entry | None:
    """The entry with the signer's rating of the answer (征询意见表), the newest round's."""
    if entry.kind not in FOLLOWED_KINDS:
        return None
    rated_round = int(data.get("round") or 0)
    previous = entry.details.get("rating")
    if isinstance(previous, Mapping) and int(previous.get("round") or 0) > rated_round:
        return None
    rating = {
        "satisfied": bool(data.get("satisfied")),
        "score": data.get("score"),
        "round": rated_round,
    }
    if previous == rating:
        return None
    return replace(entry, details={**entry.details, "rating": rating})


def struck(entry: Entry) -> Entry:
    """The entry once a dispute of it was accepted: it stays in the file, counting nothing."""
    return replace(entry, struck=True)
