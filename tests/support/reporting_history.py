"""A realistic event history for reporting tests, as plain CloudEvents (reporting reads by
``type`` and ``data`` fields, so the data need not fill a whole model), and a publisher that
puts them on JetStream as a producer's relay would. Types and subjects come from the
contract models: a typo here is an error, not a test that passes on its own spelling."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import nats

from minyi.contracts.envelope import EventData, RawEvent
from minyi.contracts.events import CATALOGUE
from minyi.contracts.intake import (
    FeedbackReceived,
    RepresentativeActivityLogged,
    SuggestionEndorsed,
    SuggestionFiled,
)
from minyi.contracts.routing import AssignedToUnit, SuggestionClustered
from minyi.contracts.subjects import STREAM_NAME
from minyi.contracts.supervision import (
    CaseAccepted,
    CaseClosed,
    CaseReopened,
    Escalated,
    MarkedOverdue,
    ProgressReported,
    ReminderIssued,
    Resolved,
)

T0 = datetime(2025, 9, 29, 9, 0, tzinfo=UTC)
# The short names the history uses, and the contract each stands for.
MODELS: dict[str, type[EventData]] = {
    "filed": SuggestionFiled,
    "assigned": AssignedToUnit,
    "accepted": CaseAccepted,
    "progress_reported": ProgressReported,
    "resolved": Resolved,
    "reminder_issued": ReminderIssued,
    "overdue": MarkedOverdue,
    "escalated": Escalated,
    "reopened": CaseReopened,
    "closed": CaseClosed,
    "clustered": SuggestionClustered,
    "endorsed": SuggestionEndorsed,
    "feedback_received": FeedbackReceived,
}


def event(step: str, sid: str, minutes: float, **data: Any) -> RawEvent:
    """An event of contract ``MODELS[step]``; any other ``step`` makes a type no catalogue
    has (for tests of what reporting does with unknown events)."""
    at = T0 + timedelta(minutes=minutes)
    model = MODELS.get(step)
    return RawEvent(
        specversion="1.0",
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{sid}/{step}/{minutes}")),
        source="minyi/test",
        type=model.event_type if model else f"cn.minyi.suggestion.{step}.v1",
        subject=sid,
        time=at,
        data={"suggestion_id": sid, **data},
    )


def iso(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def lifecycle(
    sid: str,
    *,
    district: str = "420802",
    unit: str = "u-zjj",
    day: int = 0,
    outcome: str = "A",
    late: bool = False,
    reopen: bool = False,
    cluster: str | None = None,
    rep: str | None = None,
) -> list[RawEvent]:
    m = day * 1440
    events = [
        event(
            "filed",
            sid,
            m,
            title=f"{sid} 路灯不亮",
            content="路灯坏了两周，晚上出行很不安全",
            channel="web",
            district_code=district,
            kind="citizen_appeal" if not rep else "rep_suggestion",
            representative_id=rep,
            station_id="st-1",
            filed_at=iso(m),
        ),
        event(
            "assigned",
            sid,
            m + 1,
            unit_id=unit,
            unit_name=f"{unit} 名称",
            category="城乡建设",
            focus_area="城市能级",
            district_code=district,
            attempt=1,
            explanation={"reason": "rule", "rule": "路灯"},
            assigned_at=iso(m + 1),
        ),
        event(
            "accepted",
            sid,
            m + 60,
            unit_id=unit,
            accepted_at=iso(m + 60),
            on_time=True,
            case_id=f"{sid}:1",
            case_version=2,
        ),
    ]
    if late:
        events += [
            event(
                "reminder_issued",
                sid,
                m + 2000,
                unit_id=unit,
                stage="reply",
                deadline=iso(m + 3000),
                issued_at=iso(m + 2000),
                case_id=f"{sid}:1",
                case_version=3,
            ),
            event(
                "overdue",
                sid,
                m + 3001,
                unit_id=unit,
                reply_by=iso(m + 3000),
                round=1,
                marked_at=iso(m + 3001),
                case_id=f"{sid}:1",
                case_version=4,
            ),
            event(
                "escalated",
                sid,
                m + 3002,
                unit_id=unit,
                level=1,
                target_id="grp-dongbao",
                target_name="东宝区督导组",
                group_id="grp-dongbao",
                district_code=district,
                reply_by=iso(m + 3000),
                escalated_at=iso(m + 3002),
                case_id=f"{sid}:1",
                case_version=5,
            ),
        ]
    if cluster:
        events.append(
            event(
                "clustered",
                sid,
                m + 2,
                cluster_id=cluster,
                size=3,
                representative_title="路灯不亮",
                district_code=district,
            )
        )
    if rep:
        events.append(event("endorsed", sid, m + 3, representative_id="rep-2"))
    if outcome:
        events.append(
            event(
                "resolved",
                sid,
                m + 4000,
                unit_id=unit,
                outcome=outcome,
                reply="已修复",
                replied_at=iso(m + 4000),
                on_time=not late,
                round=1,
            )
        )
        if reopen:
            events += [
                event("feedback_received", sid, m + 4100, satisfied=False, round=1),
                event(
                    "reopened",
                    sid,
                    m + 4101,
                    unit_id=unit,
                    reply_by=iso(m + 9000),
                    round=2,
                    reopened_at=iso(m + 4101),
                    case_id=f"{sid}:1",
                    case_version=7,
                ),
                event(
                    "resolved",
                    sid,
                    m + 5000,
                    unit_id=unit,
                    outcome="A",
                    reply="再次修复",
                    replied_at=iso(m + 5000),
                    on_time=True,
                    round=2,
                ),
                event(
                    "closed",
                    sid,
                    m + 5100,
                    unit_id=unit,
                    result="unsatisfied",
                    closed_at=iso(m + 5100),
                    case_id=f"{sid}:1",
                    case_version=9,
                ),
            ]
        else:
            events.append(
                event(
                    "closed",
                    sid,
                    m + 4100,
                    unit_id=unit,
                    result="satisfied",
                    closed_at=iso(m + 4100),
                    case_id=f"{sid}:1",
                    case_version=6,
                )
            )
    return events


def activity(rep: str, kind: str, minutes: float) -> RawEvent:
    return RawEvent(
        specversion="1.0",
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{rep}/{kind}/{minutes}")),
        source="minyi/test",
        type=RepresentativeActivityLogged.event_type,
        subject=rep,
        time=T0 + timedelta(minutes=minutes),
        data={
            "activity_id": f"{rep}-{minutes}",
            "representative_id": rep,
            "kind": kind,
            "date": (T0 + timedelta(minutes=minutes)).date().isoformat(),
            "participants": 3,
            "logged_at": iso(minutes + 600),
        },
    )


def history() -> list[RawEvent]:
    return [
        *lifecycle("s-1", cluster="c-1"),
        *lifecycle("s-2", day=1, late=True, cluster="c-1", outcome="B"),
        *lifecycle("s-3", day=8, district="420804", unit="u-jtj", reopen=True, rep="rep-1"),
        *lifecycle("s-4", day=9, late=True, outcome=""),
        activity("rep-1", "visit", 10),
        activity("rep-1", "station_duty", 20),
    ]


def subject_of(e: RawEvent) -> str:
    return CATALOGUE[e.type].subject_name


async def _publish(url: str, events: Iterable[RawEvent]) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for e in events:
            await js.publish(
                subject_of(e),
                e.model_dump_json().encode(),
                stream=STREAM_NAME,
                headers={"Nats-Msg-Id": e.id},
            )
    finally:
        await nc.close()


def publish(url: str, events: Iterable[RawEvent]) -> None:
    """Publish with JetStream acks; in a thread of its own, since Playwright's sync API keeps
    an event loop running in the test's thread."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _publish(url, list(events))).result()


def all_projected(
    base_url: str, events: list[RawEvent], headers: dict[str, str] | None = None
) -> bool:
    """True once every published event shows in a timeline or a representative's tally."""
    import httpx

    per_subject: dict[str, set[str]] = {}
    activities = 0
    for e in events:
        if e.type == RepresentativeActivityLogged.event_type:
            activities += 1
        else:
            per_subject.setdefault(e.subject, set()).add(e.id)
    for sid, ids in per_subject.items():
        r = httpx.get(f"{base_url}/v1/suggestions/{sid}", headers=headers, timeout=10)
        if r.status_code != 200 or {t["event_id"] for t in r.json()["timeline"]} != ids:
            return False
    reps = httpx.get(f"{base_url}/v1/representatives", headers=headers, timeout=10).json()
    return sum(r["activities"] for r in reps) == activities
