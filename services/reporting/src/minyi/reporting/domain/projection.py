"""The suggestion view as a fold over events, whatever their order or repetition.

Every field is decided by a rule that does not depend on arrival order: a field belongs to
the event that knows it; where several events know it, the one furthest along wins (higher
round, attempt or version); counted things (reminders, reopenings, endorsements) are sets
of event ids, so a duplicate counts once. The status is the one (``minyi.contracts.status``)
whose event has the greatest position ``(round, phase, attempt, rank)``, so a stale event
never moves it back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from minyi.contracts.envelope import RawEvent
from minyi.contracts.status import STATUS_AFTER, SuggestionStatus
from minyi.reporting.domain import formal
from minyi.reporting.domain.deputies import activity_kind
from minyi.reporting.domain.events import as_datetime, as_int, attempt_of, step_of
from minyi.reporting.domain.periods import CITY_TZ, periods_of

CLOSED_ROUND = 1_000  # a closed case stays closed, whatever arrives after
# The statuses (``minyi.contracts.status``) a view moves through. Signing for a case
# (accepted) and progress reports are facts on the view (``accepted_at``, the ``progress``
# marks), not statuses: the unit still has the case as assigned until it answers.
STATUSES: tuple[str, ...] = tuple(
    s.value
    for s in (
        SuggestionStatus.FILED,
        SuggestionStatus.TRIAGE,
        SuggestionStatus.ASSIGNED,
        SuggestionStatus.RETURNED,
        SuggestionStatus.REPLIED,
        SuggestionStatus.REOPENED,
        SuggestionStatus.CLOSED,
    )
)
# A view row's status before the event that sets one has arrived.
UNKNOWN_STATUS = "unknown"
MARK_KINDS = (
    "reminders", "reopens", "returns", "escalations", "endorsers", "progress", "ratings",
)  # fmt: skip
SATISFIED, UNSATISFIED = "satisfied", "unsatisfied"
# What an official's visit leaves to follow (``minyi.contracts.visits``): supervised as cases
# under the commitment's or question's id, but no people's appeal. Such a view counts only in
# its unit's follow-up dimension, never in the cube, the heat map or any appeal figure.
# A B answer's promised delivery (``formal.DELIVERY``) is followed the same way, and so is a
# project's milestone (kind ``milestone``, ``domain/projects.py``).
FOLLOW_UPS = ("commitment", "visit_question", formal.DELIVERY, "milestone")
# The township (乡镇街道) of a filing that named none, on the map's drill-down.
NO_TOWNSHIP = ""
TITLE_LENGTH = 200  # the view's ``title`` column
# Fields a timeline never shows (pseudonymous, but still about a person).
PRIVATE_FIELDS = frozenset({"citizen_ref", "contact", "phone", "name", "tracking_code_sha256"})

View = dict[str, Any]


def _position(status: SuggestionStatus, data: dict[str, Any]) -> tuple[int, int, int, int] | None:
    rnd = as_int(data.get("round"), 1)
    attempt = attempt_of(data)
    return {
        SuggestionStatus.FILED: (1, 0, 0, 10),
        SuggestionStatus.TRIAGE: (1, 0, attempt, 15),
        SuggestionStatus.ASSIGNED: (1, 0, attempt, 20),
        SuggestionStatus.RETURNED: (1, 0, attempt, 25),
        SuggestionStatus.REOPENED: (rnd, 0, 0, 5),
        SuggestionStatus.REPLIED: (rnd, 1, 0, 40),
        SuggestionStatus.CLOSED: (CLOSED_ROUND, 0, 0, 60),
    }.get(status)


def _advance(view: View, event_type: str, data: dict[str, Any]) -> None:
    status = STATUS_AFTER.get(event_type)
    if status is None:
        return
    position = _position(status, data)
    if position is not None and list(position) > (view.get("position") or [0, 0, 0, 0]):
        view["position"] = list(position)
        view["status"] = status.value


def _mark(view: View, kind: str, value: str) -> None:
    marks = {k: list(v) for k, v in (view.get("marks") or {}).items()}
    values = set(marks.get(kind, ()))
    values.add(value)
    marks[kind] = sorted(values)
    view["marks"] = marks


def _newer(view: View, key: str, rank: tuple[Any, ...]) -> bool:
    """True (and remember ``rank``) if an event ranked ``rank`` beats the one behind ``key``."""
    ranks = dict(view.get("ranks") or {})
    old = ranks.get(key)
    new = [v.isoformat() if isinstance(v, datetime) else v for v in rank]
    if old is not None and new <= old:
        return False
    ranks[key] = new
    view["ranks"] = ranks
    return True


def apply(view: View, event: RawEvent) -> View:
    """Return the view with ``event`` folded in (``view`` may be empty)."""
    view = dict(view)
    step = step_of(event.type)
    d = event.data
    if step is None:
        return view
    _advance(view, event.type, d)
    if step == "filed":
        view.update(
            title=d.get("title"),
            district_code=d.get("district_code"),
            channel=d.get("channel"),
            kind=d.get("kind") or "citizen_appeal",
            station_id=d.get("station_id"),
            representative_id=d.get("representative_id"),
            urgent=bool(d.get("urgent")),
            filed_at=as_datetime(d.get("filed_at")) or event.time,
            township=d.get("township") or None,
            # The citizen agreed, when filing, that the text may be shown in public.
            publish_consent=bool(d.get("publish_consent")),
        )
    elif step in FOLLOW_UPS:
        # A commitment (or a question owed a written answer) is assigned to its unit when made.
        made = as_datetime(d.get("made_at") or d.get("required_at")) or event.time
        view.update(
            title=str(d.get("text") or "")[:TITLE_LENGTH] or None,
            district_code=d.get("district_code"),
            kind=step,
            # A project inspection's finding comes with no station (``project_id`` instead).
            station_id=d.get("station_id") or None,
            filed_at=made,
        )
        if _newer(view, "assigned", (0,)):  # supervision's own assignment, if any, wins
            view.update(unit_id=d.get("unit_id"), unit_name=d.get("unit_name"), assigned_at=made)
        due = as_datetime(d.get("due_at"))
        if due is not None and _newer(view, "reply_by", (0, 0, str(due))):
            view["reply_by"] = due
        position = [1, 0, 0, 20]  # as assigned (``_position``)
        if position > (view.get("position") or [0, 0, 0, 0]):
            view.update(position=position, status=SuggestionStatus.ASSIGNED.value)
    elif step == "assigned":
        if _newer(view, "assigned", (attempt_of(d),)):
            view.update(
                unit_id=d.get("unit_id"),
                unit_name=d.get("unit_name"),
                category=d.get("category"),
                focus_area=d.get("focus_area"),
                attempt=attempt_of(d),
                assigned_at=as_datetime(d.get("assigned_at")) or event.time,
                explanation=d.get("explanation"),
            )
            view["district_code"] = view.get("district_code") or d.get("district_code")
    elif step == "accepted":
        if _newer(view, "accepted", (attempt_of(d), d.get("accepted_at") or "")):
            view.update(
                accepted_at=as_datetime(d.get("accepted_at")) or event.time,
                accepted_on_time=bool(d.get("on_time")),
            )
    elif step == "resolved":
        rnd = as_int(d.get("round"), 1)
        replied_at = as_datetime(d.get("replied_at")) or event.time
        if _newer(view, "resolved", (rnd, d.get("replied_at") or "")):
            view.update(
                outcome=d.get("outcome"),
                reply=d.get("reply"),
                replied_at=replied_at,
                round=rnd,
                on_time=bool(d.get("on_time")),
            )
        if rnd == 1:
            view.update(first_replied_at=replied_at, first_reply_on_time=bool(d.get("on_time")))
    elif step == "closed":
        view.update(
            close_result=d.get("result"), closed_at=as_datetime(d.get("closed_at")) or event.time
        )
    elif step == "feedback":
        if _newer(view, "feedback", (as_int(d.get("round"), 1), str(event.time))):
            view["feedback"] = {k: v for k, v in d.items() if k not in PRIVATE_FIELDS}
        # Every rating a citizen gave, by the round it rated (a rating whose round intake
        # did not know counts on its own, never as a first rating).
        rated = d.get("round") if isinstance(d.get("round"), int) else f"?{event.id}"
        result = SATISFIED if d.get("satisfied") else UNSATISFIED
        _mark(view, "ratings", f"{rated}:{result}")
    elif step == "reopened":
        _mark(view, "reopens", event.id)
    elif step == "returned":
        _mark(view, "returns", event.id)
    elif step == "reminder":
        _mark(view, "reminders", event.id)
    elif step == "progress":
        _mark(view, "progress", event.id)
    elif step == "escalated":
        _mark(view, "escalations", event.id)
        if _newer(view, "escalated", (as_int(d.get("level")), d.get("escalated_at") or "")):
            view.update(
                escalation_level=as_int(d.get("level")),
                supervision_group=d.get("group_id") or d.get("target_id"),
                supervision_group_name=d.get("target_name") if d.get("level") == 1 else None,
            )
    elif step == "overdue":
        view["overdue_round"] = max(view.get("overdue_round") or 0, as_int(d.get("round"), 1))
    elif step == "endorsed":
        endorser = d.get("representative_id") or d.get("endorsed_by") or event.source
        _mark(view, "endorsers", str(endorser))
    elif step == "clustered":
        if _newer(view, "clustered", (as_int(d.get("size")), str(d.get("cluster_id")))):
            view["cluster_id"] = d.get("cluster_id")
    elif step == "triage":
        view["triage"] = True
    deadline = d.get("reply_by") or (d.get("deadline") if d.get("stage") == "reply" else None)
    if step in {"escalated", "overdue", "reopened", "extended", "reminder"} and deadline:
        rank = (as_int(d.get("round"), 1), as_int(d.get("case_version")), str(deadline))
        if _newer(view, "reply_by", rank):
            view["reply_by"] = as_datetime(deadline)
    return _derive(formal.fold(view, step, event))


def apply_delivery(view: View, event: RawEvent) -> View:
    """The delivery item a B answer promised (``DeliveryPromised``), as its own view: kind
    ``delivery``, due at the end of the promised day, assigned to the unit that promised.
    Supervision's events of the item (its ``Resolved`` is the delivery) fold in as usual."""
    view = dict(view)
    d = event.data
    promised_at = as_datetime(d.get("promised_at")) or event.time
    view.update(kind=formal.DELIVERY, district_code=d.get("district_code"), filed_at=promised_at)
    if _newer(view, "assigned", (0,)):
        view.update(unit_id=d.get("unit_id"), assigned_at=promised_at)
    due = formal.delivery_due(d.get("promised_by"))
    if due is not None and _newer(view, "reply_by", (0, 0, due.isoformat())):
        view["reply_by"] = due
    position = [1, 0, 0, 20]  # as assigned (``_position``)
    if position > (view.get("position") or [0, 0, 0, 0]):
        view.update(position=position, status=SuggestionStatus.ASSIGNED.value)
    return _derive(view)


def apply_milestone(view: View, event: RawEvent) -> View:
    """A project milestone's supervised item (``<project_id>~<milestone_id>``): folded as
    usual, but of kind ``milestone`` — the project's, never a citizens' appeal."""
    view = apply(view, event)
    view["kind"] = "milestone"
    return view


def _derive(view: View) -> View:
    """Flags that follow from the folded fields (kept as columns so queries can index them)."""
    marks = view.get("marks") or {}
    rnd = view.get("round") or 0
    view["reopen_count"] = len(marks.get("reopens", ()))
    view["reminder_count"] = len(marks.get("reminders", ()))
    view["endorsement_count"] = len(marks.get("endorsers", ()))
    ratings = ratings_of(view)
    view["ratings"] = len(ratings)
    view["ratings_satisfied"] = sum(r == SATISFIED for r in ratings.values())
    view["first_rating"] = ratings.get("1")
    # Overdue now: marked overdue in a round that has no answer yet, and not closed.
    view["overdue_open"] = bool(
        (view.get("overdue_round") or 0) > rnd and view.get("status") != SuggestionStatus.CLOSED
    )
    return view


def ratings_of(view: View) -> dict[str, str]:
    """The ratings given, by round: the feedback events', and the closure's result for the
    final round when no feedback event of that round is known (an unsatisfied and a
    satisfied rating of one round, which intake never sends, count as unsatisfied)."""
    by_round: dict[str, str] = {}
    for mark in (view.get("marks") or {}).get("ratings", ()):
        rnd, _, result = str(mark).rpartition(":")
        if by_round.get(rnd) != UNSATISFIED:
            by_round[rnd] = result
    final = view.get("close_result")
    if final in (SATISFIED, UNSATISFIED):
        by_round.setdefault(str(view.get("round") or 1), final)
    return by_round


def contributions(view: View) -> dict[tuple[str, str, str], dict[str, int]]:
    """What one suggestion adds to the pre-aggregated counters, by (dimension, key, period).

    Counters are the sum of every suggestion's contribution, so a change to a suggestion is
    applied as ``contributions(new) - contributions(old)``: the same totals whatever order
    the events came in. A suggestion contributes nothing until its filing is known.
    """
    filed_at = view.get("filed_at")
    if not isinstance(filed_at, datetime):
        return {}
    # Every row carries the same measures: one dict shared by all, only ever read
    # (``delta``); a Counter per row was a large share of the fold's CPU, and a Counter
    # at all costs more than the plain dict.
    m = _measures(view)
    kind, district = view.get("kind") or "", view.get("district_code") or ""
    if kind in FOLLOW_UPS:
        unit = view.get("unit_id") or ""
        followup = encode_key((kind, district, unit))
        return {("followup", followup, period): m for period in periods_of(filed_at)}
    if view.get("formal_number"):
        # A deputy's formal suggestion is no people's appeal: it counts as the suggestion
        # its deputies filed and seconded, and in the formal report (``formal.summarize``).
        reps = (
            [("rep_filed", (view["representative_id"],))] if view.get("representative_id") else []
        )
        reps += [("rep_endorsed", (e,)) for e in (view.get("marks") or {}).get("endorsers", ())]
        encoded = [(dimension, encode_key(key)) for dimension, key in reps]
        return {
            (dimension, key, period): m
            for period in periods_of(filed_at)
            for dimension, key in encoded
        }
    # Only the cube carries the status: a status change then moves one cube row, and the
    # other dimensions keep few keys (fast to sum; their measures already tell the stage).
    head = (kind, district)
    keys: list[tuple[str, tuple[str, ...]]] = [
        (
            "cube",
            (
                kind,
                view.get("status") or "",
                district,
                view.get("category") or "",
                view.get("focus_area") or "",
            ),
        ),
    ]
    # The cube without the status: what the heat map, the headline and the weekly series
    # read when no status filter is given (a fifth of the cube's rows, or less).
    keys.append(
        ("area", (*head, view.get("category") or "", view.get("focus_area") or "")),
    )
    # The map's drill-down: a district's townships (none named: ``NO_TOWNSHIP``).
    keys.append(("township", (*head, view.get("township") or NO_TOWNSHIP)))
    if view.get("unit_id"):
        keys.append(("unit", (*head, view["unit_id"])))
    if view.get("supervision_group"):
        keys.append(("group", (*head, view["supervision_group"])))
    # Stations, clusters and representatives number in the thousands: their keys carry
    # only themselves (a station, a cluster and a representative each belong to a district
    # already), which keeps those views' sums small.
    if view.get("station_id"):
        keys.append(("station", (view["station_id"], view.get("category") or "")))
    if view.get("cluster_id"):
        keys.append(("cluster", (str(view["cluster_id"]),)))
    if view.get("representative_id"):
        keys.append(("rep_filed", (view["representative_id"],)))
    for endorser in (view.get("marks") or {}).get("endorsers", ()):
        keys.append(("rep_endorsed", (endorser,)))
    encoded = [(dimension, encode_key(key)) for dimension, key in keys]
    return {
        (dimension, key, period): m for period in periods_of(filed_at) for dimension, key in encoded
    }


def encode_key(parts: tuple[str, ...]) -> str:
    return "|".join(p.replace("|", "/") for p in parts)


def decode_key(key: str) -> list[str]:
    return key.split("|")


def _measures(view: View) -> dict[str, int]:
    outcome = view.get("outcome")
    replied = view.get("first_replied_at") or view.get("replied_at")
    start = view.get("assigned_at") or view.get("filed_at")
    reply_days = 0
    if isinstance(replied, datetime) and isinstance(start, datetime):
        # Calendar days (not working days): reporting has no holiday calendar of its own.
        reply_days = max(0, round((replied - start).total_seconds() / 86400))
    result = view.get("close_result")
    measures = {
        "n": 1,
        "assigned": int(bool(view.get("unit_id"))),
        "accepted": int(view.get("accepted_at") is not None),
        "accepted_on_time": int(bool(view.get("accepted_on_time"))),
        "replied": int(replied is not None),
        "replied_on_time": int(bool(view.get("first_reply_on_time", view.get("on_time")))),
        "reply_days": reply_days if replied is not None else 0,
        "solved": int(outcome == "A"),
        "outcome_a": int(outcome == "A"),
        "outcome_b": int(outcome == "B"),
        "outcome_c": int(outcome == "C"),
        "outcome_d": int(outcome == "D"),
        "closed": int(view.get("status") == SuggestionStatus.CLOSED),
        "rated": int(result in (SATISFIED, UNSATISFIED)),
        "satisfied": int(result == SATISFIED),
        # Every rating citizens gave (first and after re-handling), and the first ones.
        "ratings": int(view.get("ratings") or 0),
        "ratings_satisfied": int(view.get("ratings_satisfied") or 0),
        "first_rated": int(view.get("first_rating") is not None),
        "first_satisfied": int(view.get("first_rating") == SATISFIED),
        "reopened": int((view.get("reopen_count") or 0) > 0),
        "escalated": int((view.get("escalation_level") or 0) > 0),
        "reminded": int((view.get("reminder_count") or 0) > 0),
        "overdue_open": int(bool(view.get("overdue_open"))),
        "endorsements": int(view.get("endorsement_count") or 0),
    }
    return {k: v for k, v in measures.items() if v}


MEASURES = (
    "n",
    "assigned",
    "accepted",
    "accepted_on_time",
    "replied",
    "replied_on_time",
    "reply_days",
    "solved",
    "outcome_a",
    "outcome_b",
    "outcome_c",
    "outcome_d",
    "closed",
    "rated",
    "satisfied",
    "ratings",
    "ratings_satisfied",
    "first_rated",
    "first_satisfied",
    "reopened",
    "escalated",
    "reminded",
    "overdue_open",
    "endorsements",
)


def delta(
    old: Mapping[tuple[str, str, str], dict[str, int]],
    new: Mapping[tuple[str, str, str], dict[str, int]],
) -> dict[tuple[str, str, str], dict[str, int]]:
    """New contribution minus old, only the rows and measures that change."""
    changes: dict[tuple[str, str, str], dict[str, int]] = {}
    for row, after in new.items():
        before = old.get(row)
        if before is None:
            diff = {m: v for m, v in after.items() if v}
        elif dict.__eq__(before, after):
            # Most rows of a change (dict's C comparison: a Counter's own is Python).
            continue
        else:
            diff = {m: after.get(m, 0) - before.get(m, 0) for m in before.keys() | after.keys()}
            diff = {m: v for m, v in diff.items() if v}
        if diff:
            changes[row] = diff
    for row, before in old.items():
        if row not in new:
            diff = {m: -v for m, v in before.items() if v}
            if diff:
                changes[row] = diff
    return changes


def apply_cluster(cluster: View, event: RawEvent) -> View:
    """A recurring-appeal cluster: its biggest reported size wins, with that report's title."""
    d = event.data
    cluster = dict(cluster)
    # Every field is part of the rank, so that two reports of one size still give one
    # answer whichever came first.
    rank = [
        as_int(d.get("size")),
        str(d.get("representative_title") or ""),
        str(d.get("district_code") or ""),
    ]
    if rank > (cluster.get("rank") or [0, "", ""]):
        cluster.update(
            rank=rank,
            size=rank[0],
            representative_title=d.get("representative_title"),
            district_code=d.get("district_code"),
        )
    return cluster


def names_in(event: RawEvent) -> list[tuple[str, Any, Any]]:
    """The (kind, id, name) an event tells: a unit's name, a level-1 supervision group's."""
    d = event.data
    found: list[tuple[str, Any, Any]] = []
    if d.get("unit_id") and d.get("unit_name"):
        found.append(("unit", d["unit_id"], d["unit_name"]))
    if d.get("level") == 1 and d.get("target_id") and d.get("target_name"):
        found.append(("group", d["target_id"], d["target_name"]))
    return found


def activity_of(event: RawEvent) -> tuple[str, str, datetime] | None:
    """A deputy's activity, recorded in liaison or logged in intake (history): (deputy,
    activity kind in liaison's terms, when)."""
    d = event.data
    rep = d.get("deputy_id") or d.get("representative_id") or event.subject
    when = as_datetime(d.get("recorded_at") or d.get("logged_at")) or event.time
    day = d.get("on") or d.get("date")
    if isinstance(day, str) and len(day) == 10:
        # The day the activity took place counts, not the day it was logged.
        with contextlib.suppress(ValueError):
            when = datetime.combine(date.fromisoformat(day), time(12), CITY_TZ)
    kind = activity_kind(str(d.get("activity_kind") or d.get("kind") or "other"))
    return (str(rep), kind, when) if rep else None


def timeline_entry(event: RawEvent) -> dict[str, Any]:
    """What the timeline shows of an event: its time, its actor, and what it said."""
    d = event.data
    actor = (
        d.get("actor")
        or d.get("unit_name")
        or d.get("unit_id")
        or d.get("representative_id")
        or d.get("target_name")
        or event.source
    )
    return {
        "event_id": event.id,
        "suggestion_id": event.subject,
        "type": event.type,
        "step": step_of(event.type) or "other",
        "time": event.time,
        "actor": str(actor),
        "summary": {k: v for k, v in d.items() if k not in PRIVATE_FIELDS},
    }


def sort_key(entry: dict[str, Any]) -> tuple[datetime, str]:
    return (entry["time"], entry["event_id"])
