"""Improvement projects (项目), published recurring appeals and citizens' support (附议)
(issue 19) as folds over events, whatever their order or repetition.

A project's record is the newest registration or update (by ``version``) plus what its
other events add, each keyed by the event's id so a duplicate counts once: progress reports,
deliveries, inspections, ratings, the completion and the acceptance. The status is the one
the newest status-setting event names (status changes, the completion, the acceptance; ties
by event id), so the ledger shows the schedule's colour supervision computed. The timeline is
every such event in time order.

A milestone is followed by supervision as its own item, ``<project_id>~<milestone_id>``
(kind ``milestone``): its reminders, overdue marks and escalations belong to the project's
timeline, never to the citizens' appeals (``projection.FOLLOW_UPS``).

Only what the office publishes is ever public: the project's record (no person's text), a
published appeal's title as the office wrote it, counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from minyi.contracts.envelope import RawEvent
from minyi.contracts.projects import (
    MilestoneDelivered,
    ProjectAccepted,
    ProjectCompleted,
    ProjectInspected,
    ProjectProgressReported,
    ProjectRated,
    ProjectRegistered,
    ProjectStatusChanged,
    ProjectUpdated,
    RecurringAppealPublished,
    SupportAdded,
)
from minyi.reporting.domain.events import as_datetime, as_int, step_of

View = dict[str, Any]

MILESTONE = "milestone"  # the kind of a milestone's supervised item
# Formal B deliveries are ``<sid>~B`` (``formal.DELIVERY``); any other ``<a>~<b>`` is a
# project's milestone item.
DELIVERY_SUFFIX = "B"
PROJECT_EVENTS = frozenset(
    m.event_type
    for m in (
        ProjectRegistered,
        ProjectUpdated,
        ProjectProgressReported,
        MilestoneDelivered,
        ProjectStatusChanged,
        ProjectInspected,
        ProjectCompleted,
        ProjectRated,
        ProjectAccepted,
    )
)
APPEAL_PUBLISHED = RecurringAppealPublished.event_type
SUPPORT_ADDED = SupportAdded.event_type
# A milestone item's steps (``events.STEPS``) the project's timeline shows.
ITEM_STEPS = frozenset({"reminder", "overdue", "escalated"})
STATUSES = ("on_plan", "late", "very_late", "completed", "accepted")
STATUS_LABELS = {
    "on_plan": "按计划推进",
    "late": "滞后",
    "very_late": "严重滞后",
    "completed": "已完成待验收",
    "accepted": "已验收",
}
RATING_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
NOTE_LENGTH = 2000


def milestone_item(sid: str) -> tuple[str, str] | None:
    """``P-1~m2`` → (``P-1``, ``m2``); None for anything else (a B delivery ``<sid>~B``)."""
    head, sep, tail = sid.rpartition("~")
    if not sep or not head or not tail or tail == DELIVERY_SUFFIX:
        return None
    return head, tail


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value or "")


def _when(event: RawEvent, field: str) -> str:
    return _iso(as_datetime(event.data.get(field)) or event.time)


def _entry(record: View, event: RawEvent, at: str, kind: str, **fields: Any) -> None:
    timeline = [e for e in record.get("timeline") or () if e.get("event_id") != event.id]
    timeline.append({"event_id": event.id, "at": at, "kind": kind, **fields})
    timeline.sort(key=lambda e: (e["at"], e["event_id"]))
    record["timeline"] = timeline


def _status(record: View, event: RawEvent, at: str, status: str) -> None:
    rank = [at, event.id]
    if status in STATUSES and rank > (record.get("status_rank") or ["", ""]):
        record.update(status=status, status_rank=rank)


def apply_project(record: View, event: RawEvent) -> View:
    """Return the project's record with ``event`` (a project event) folded in."""
    record = dict(record)
    d = event.data
    record.setdefault("project_id", str(d.get("project_id") or event.subject))
    t = event.type
    if t in (ProjectRegistered.event_type, ProjectUpdated.event_type):
        at = _when(event, "changed_at")
        rank = [as_int(d.get("version")), at, event.id]
        if rank > (record.get("record_rank") or [0, "", ""]):
            links = d.get("links") or {}
            record.update(
                record_rank=rank,
                name=str(d.get("name") or ""),
                focus_area=d.get("focus_area"),
                division_codes=list(d.get("division_codes") or ()),
                unit_ids=list(d.get("unit_ids") or ()),
                budget_yuan=d.get("budget_yuan"),
                starts_on=d.get("starts_on"),
                ends_on=d.get("ends_on"),
                summary=str(d.get("summary") or ""),
                acceptance_by=d.get("acceptance_by") or "inspectors",
                milestones=[
                    {
                        "milestone_id": str(m.get("milestone_id")),
                        "title": str(m.get("title") or ""),
                        "due_on": m.get("due_on"),
                        "deliverable": str(m.get("deliverable") or ""),
                    }
                    for m in d.get("milestones") or ()
                ],
                links={
                    "suggestion_ids": list(links.get("suggestion_ids") or ()),
                    "cluster_ids": list(links.get("cluster_ids") or ()),
                    "commitment_ids": list(links.get("commitment_ids") or ()),
                },
                version=as_int(d.get("version")),
            )
        if t == ProjectRegistered.event_type:
            record.setdefault("registered_at", at)
            _entry(record, event, at, "registered")
            _status(record, event, "", "on_plan")  # until supervision says otherwise
    elif t == ProjectProgressReported.event_type:
        at = _when(event, "reported_at")
        evidence = [
            {"name": str(f.get("name") or ""), "media_type": f.get("media_type"),
             "size_bytes": as_int(f.get("size_bytes"))}
            for f in d.get("evidence") or ()
        ]  # fmt: skip
        progress = {
            p["event_id"]: p for p in record.get("progress") or () if p["event_id"] != event.id
        }
        progress[event.id] = {
            "event_id": event.id,
            "percent": as_int(d.get("percent")),
            "note": str(d.get("note") or "")[:NOTE_LENGTH],
            "unit_id": d.get("unit_id"),
            "reported_at": at,
            "evidence": evidence,
        }
        ordered = sorted(progress.values(), key=lambda p: (p["reported_at"], p["event_id"]))
        record["progress"] = ordered
        record["percent"] = ordered[-1]["percent"]
        _entry(
            record, event, at, "progress",
            percent=as_int(d.get("percent")), note=str(d.get("note") or "")[:NOTE_LENGTH],
            evidence=len(evidence),
        )  # fmt: skip
    elif t == MilestoneDelivered.event_type:
        at = _when(event, "delivered_at")
        mid = str(d.get("milestone_id"))
        delivered = dict(record.get("delivered") or {})
        if mid not in delivered or [at, event.id] < [delivered[mid]["at"], delivered[mid]["id"]]:
            delivered[mid] = {"at": at, "id": event.id, "on_time": bool(d.get("on_time"))}
        record["delivered"] = delivered
        _entry(
            record, event, at, "milestone_delivered",
            milestone_id=mid, on_time=bool(d.get("on_time")), note=str(d.get("note") or ""),
        )  # fmt: skip
    elif t == ProjectStatusChanged.event_type:
        at = _when(event, "changed_at")
        status = str(d.get("status"))
        _status(record, event, at, status)
        if [at, event.id] >= (record.get("reason_rank") or ["", ""]):
            record.update(status_reason=str(d.get("reason") or ""), reason_rank=[at, event.id])
        late_id = d.get("milestone_id")
        if late_id and d.get("late_working_days") is not None:
            late = dict(record.get("late") or {})
            late[str(late_id)] = as_int(d.get("late_working_days"))
            record["late"] = late
        _entry(
            record, event, at, "status",
            status=status, previous=d.get("previous"), reason=str(d.get("reason") or ""),
            milestone_id=late_id, late_working_days=d.get("late_working_days"),
        )  # fmt: skip
    elif t == ProjectInspected.event_type:
        at = _when(event, "recorded_at")
        iid = str(d.get("inspection_id") or event.id)
        findings = [
            {"text": str(f.get("text") or ""), "commitment_id": f.get("commitment_id"),
             "due_on": f.get("due_on")}
            for f in d.get("findings") or ()
        ]  # fmt: skip
        inspections = dict(record.get("inspections") or {})
        inspections[iid] = {
            "inspection_id": iid,
            "inspector_kind": d.get("inspector_kind"),
            "deputies": len(d.get("deputy_ids") or ()),
            "held_on": d.get("held_on"),
            "findings": findings,
        }
        record["inspections"] = inspections
        _entry(
            record, event, at, "inspected",
            inspector_kind=d.get("inspector_kind"), held_on=d.get("held_on"),
            findings=len(findings),
            commitments=sum(1 for f in findings if f["commitment_id"]),
        )  # fmt: skip
    elif t == ProjectCompleted.event_type:
        at = _when(event, "completed_at")
        record["completion"] = {
            "completed_at": at,
            "note": str(d.get("note") or ""),
            "acceptance_by": d.get("acceptance_by"),
            "raters": len(d.get("rater_ids") or ()),
        }
        record["percent"] = max(as_int(record.get("percent")), 100)
        _status(record, event, at, "completed")
        _entry(record, event, at, "completed", acceptance_by=d.get("acceptance_by"))
    elif t == ProjectRated.event_type:
        ratings = dict(record.get("ratings") or {})
        # A deputy rates once (their id); a member of the public's rating is its own event.
        rater = f"deputy:{d['rater_id']}" if d.get("rater_id") else f"public:{event.id}"
        ratings[rater] = str(d.get("rating"))
        record["ratings"] = ratings
    elif t == ProjectAccepted.event_type:
        at = _when(event, "accepted_at")
        record["acceptance"] = {
            "result": d.get("result"),
            "result_label": RATING_LABELS.get(str(d.get("result")), str(d.get("result"))),
            "satisfied": as_int(d.get("satisfied")),
            "basically_satisfied": as_int(d.get("basically_satisfied")),
            "unsatisfied": as_int(d.get("unsatisfied")),
            "rule": str(d.get("rule") or ""),
            "accepted_at": at,
        }
        _status(record, event, at, "accepted")
        _entry(record, event, at, "accepted", result=d.get("result"))
    return record


def apply_milestone_item(record: View, milestone_id: str, step: str, event: RawEvent) -> View:
    """A milestone item's reminder, overdue mark or escalation, on the project's timeline."""
    if step not in ITEM_STEPS:
        return record
    record = dict(record)
    d = event.data
    at = _iso(
        as_datetime(d.get("issued_at") or d.get("marked_at") or d.get("escalated_at")) or event.time
    )
    items = {k: dict(v) for k, v in (record.get("items") or {}).items()}
    item = items.setdefault(milestone_id, {})
    if step == "overdue":
        item["overdue"] = True
    elif step == "escalated":
        item["escalation_level"] = max(as_int(item.get("escalation_level")), as_int(d.get("level")))
    else:
        item["reminders"] = as_int(item.get("reminders")) + 1
    record["items"] = items
    _entry(
        record, event, at, f"milestone_{step}",
        milestone_id=milestone_id,
        level=as_int(d.get("level")) if step == "escalated" else None,
    )  # fmt: skip
    return record


def milestones_of(record: View) -> list[View]:
    """The milestones with where each stands: delivered (on time or late), overdue, pending."""
    delivered = record.get("delivered") or {}
    late = record.get("late") or {}
    items = record.get("items") or {}
    out = []
    for m in record.get("milestones") or ():
        mid = m["milestone_id"]
        done = delivered.get(mid)
        item = items.get(mid) or {}
        if done:
            state = "delivered"
        elif item.get("overdue") or late.get(mid):
            state = "overdue"
        else:
            state = "pending"
        out.append(
            {
                **m,
                "state": state,
                "delivered_at": done["at"] if done else None,
                "on_time": done["on_time"] if done else None,
                "late_working_days": late.get(mid),
                "reminders": as_int(item.get("reminders")),
                "escalation_level": as_int(item.get("escalation_level")),
            }
        )
    return out


def rating_counts(record: View) -> dict[str, int]:
    counts = dict.fromkeys(RATING_LABELS, 0)
    for rating in (record.get("ratings") or {}).values():
        if rating in counts:
            counts[rating] += 1
    return counts


def apply_appeal(appeal: View, event: RawEvent) -> View:
    """A published recurring appeal: the newest version (then time, then event id) wins."""
    d = event.data
    rank = [as_int(d.get("version")), _when(event, "published_at"), event.id]
    if rank <= (appeal.get("rank") or [0, "", ""]):
        return appeal
    return {
        **appeal,
        "rank": rank,
        "title": str(d.get("title") or "")[:200],
        "summary": str(d.get("summary") or ""),
        "division_codes": list(d.get("division_codes") or ()),
        "focus_area": d.get("focus_area"),
        "public": bool(d.get("public", True)),
        "version": as_int(d.get("version")),
        "published_at": as_datetime(d.get("published_at")) or event.time,
    }


def is_public_change(event: RawEvent) -> bool:
    """Whether the public pages may show something new after ``event`` (a tick, no data)."""
    if event.type in PROJECT_EVENTS or event.type in (APPEAL_PUBLISHED, SUPPORT_ADDED):
        return True
    sid = str(event.data.get("suggestion_id") or event.subject)
    return step_of(event.type) in ("filed", "clustered") or milestone_item(sid) is not None
