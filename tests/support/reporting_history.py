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
from minyi.contracts.liaison import (
    BookingCancelled,
    BookingMade,
    BookingPromoted,
    DeputyRegistered,
    ElectoralUnit,
    MatterRecorded,
    MatterReferred,
    ReceptionCancelled,
    ReceptionHeld,
    ReceptionScheduled,
    StationEnded,
    StationRegistered,
    StationUpdated,
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


def liaison_event(data: EventData, subject: str, minutes: float) -> RawEvent:
    """A liaison event as its relay would publish it (built from the contract model)."""
    return RawEvent(
        specversion="1.0",
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{subject}/{data.event_type}/{minutes}")),
        source="minyi/liaison",
        type=data.event_type,
        subject=subject,
        time=T0 + timedelta(minutes=minutes),
        data=data.model_dump(mode="json"),
    )


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# Receptions on Thursday 2 October (ISO week 2025-W40), 9 October (W41) and 16 October
# (W42), 09:00 in Jingmen.
RECEPTION_DAYS = {"r-1": 3 * 1440 - 480, "r-2": 10 * 1440 - 480, "r-3": 17 * 1440 - 480}


def liaison_history() -> list[RawEvent]:
    """Two stations (one renamed, a third opened and closed), three deputies, and three
    receptions: r-1 (东宝区) held with bookings, a cancellation, a promotion and three matters;
    r-2 called off with its booking; r-3 (掇刀区) held with a referred matter.

    Expected per station: ST-420802-01 scheduled 2 / held 1 / cancelled 1, capacity 3,
    booked 3, bookings made 5 (waitlisted 1, promoted 1, cancelled 2), matters 2 answered
    + 1 referred; ST-420804-01 held 1, capacity 5, booked 1, made 1, 1 referred."""
    dongbao, duodao = "ST-420802-01", "ST-420804-01"
    events = [
        liaison_event(
            StationRegistered(
                station_id=dongbao,
                name="龙泉街道代表联络站",
                kind="station",
                division_codes=["420802"],
                version=1,
                changed_at=_at(0),
            ),
            dongbao,
            0,
        ),
        liaison_event(
            StationUpdated(
                station_id=dongbao,
                name="东宝区龙泉街道代表联络站",
                kind="station",
                division_codes=["420802"],
                version=2,
                changed_at=_at(5),
            ),
            dongbao,
            5,
        ),
        liaison_event(
            StationRegistered(
                station_id=duodao,
                name="掇刀区团林铺镇代表联络点",
                kind="contact_point",
                division_codes=["420804"],
                version=1,
                changed_at=_at(0),
            ),
            duodao,
            0,
        ),
        liaison_event(
            StationRegistered(
                station_id="ST-420802-09",
                name="临时联络点",
                kind="contact_point",
                division_codes=["420802"],
                version=1,
                changed_at=_at(1),
            ),
            "ST-420802-09",
            1,
        ),
        liaison_event(
            StationEnded(
                station_id="ST-420802-09", ended_on=_at(2).date(), version=2, changed_at=_at(2)
            ),
            "ST-420802-09",
            2,
        ),
    ]
    for did, name, level, division, station in [
        ("REP-420802-001", "王建国", "city", "420802", dongbao),
        ("REP-420802-002", "李秀英", "county", "420802", dongbao),
        ("REP-420804-001", "张志强", "county", "420804", duodao),
    ]:
        unit = ElectoralUnit(kind="division", division_code=division)
        events.append(
            liaison_event(
                DeputyRegistered(
                    deputy_id=did,
                    name=name,
                    level=level,
                    electoral_unit=unit,
                    station_ids=[station],
                    version=1,
                    changed_at=_at(0),
                ),
                did,
                0,
            )
        )

    def schedule(rid: str, station: str, district: str, capacity: int, *deputies: str) -> RawEvent:
        starts = _at(RECEPTION_DAYS[rid])
        return liaison_event(
            ReceptionScheduled(
                reception_id=rid,
                station_id=station,
                district_codes=[district],
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                place="便民服务中心",
                deputy_ids=list(deputies),
                capacity=capacity,
                scheduled_at=_at(10),
            ),
            rid,
            10,
        )

    def booking(bid: str, rid: str, station: str, minutes: float, status: str) -> RawEvent:
        return liaison_event(
            BookingMade(booking_id=bid, reception_id=rid, station_id=station, status=status,
                        citizen_ref=f"cref-{bid}", made_at=_at(minutes)),
            bid, minutes,
        )  # fmt: skip

    held_1 = RECEPTION_DAYS["r-1"] + 200
    events += [
        schedule("r-1", dongbao, "420802", 3, "REP-420802-001", "REP-420802-002"),
        booking("b-1", "r-1", dongbao, 100, "confirmed"),
        booking("b-2", "r-1", dongbao, 110, "confirmed"),
        booking("b-3", "r-1", dongbao, 120, "confirmed"),
        booking("b-4", "r-1", dongbao, 130, "waitlisted"),
        liaison_event(
            BookingCancelled(booking_id="b-2", reception_id="r-1", station_id=dongbao,
                             was="confirmed", cancelled_at=_at(140)),
            "b-2", 140,
        ),
        liaison_event(
            BookingPromoted(booking_id="b-4", reception_id="r-1", station_id=dongbao,
                            promoted_at=_at(140)),
            "b-4", 140,
        ),
        liaison_event(
            ReceptionHeld(reception_id="r-1", station_id=dongbao, district_codes=["420802"],
                          deputy_ids=["REP-420802-001"], booked=3, held_at=_at(held_1)),
            "r-1", held_1,
        ),
        liaison_event(
            MatterRecorded(matter_id="m-1", reception_id="r-1", station_id=dongbao,
                           district_code="420802", deputy_id="REP-420802-001",
                           title="小区路灯不亮", answer="已联系街道当场派单维修",
                           citizen_ref="cref-b-1", recorded_at=_at(held_1 - 60)),
            "m-1", held_1 - 60,
        ),
        liaison_event(
            MatterReferred(matter_id="m-2", suggestion_id="s-ref-1", reception_id="r-1",
                           station_id=dongbao, district_code="420802",
                           representative_id="REP-420802-001", title="菜市场周边交通拥堵",
                           content="早高峰菜市场门口车辆乱停，建议规划临时停车位",
                           tracking_code_sha256="0" * 64, referred_at=_at(held_1 - 30)),
            "s-ref-1", held_1 - 30,
        ),
        liaison_event(
            MatterRecorded(matter_id="m-3", reception_id="r-1", station_id=dongbao,
                           district_code="420802", title="医保报销咨询", answer="已当场解答",
                           recorded_at=_at(held_1 - 20)),
            "m-3", held_1 - 20,
        ),
        schedule("r-2", dongbao, "420802", 2, "REP-420802-002"),
        booking("b-5", "r-2", dongbao, 200, "confirmed"),
        liaison_event(
            BookingCancelled(booking_id="b-5", reception_id="r-2", station_id=dongbao,
                             was="confirmed", by="reception_cancelled", cancelled_at=_at(300)),
            "b-5", 300,
        ),
        liaison_event(
            ReceptionCancelled(reception_id="r-2", station_id=dongbao, reason="场地检修",
                               cancelled_at=_at(300)),
            "r-2", 300,
        ),
        schedule("r-3", duodao, "420804", 5, "REP-420804-001"),
        booking("b-6", "r-3", duodao, 400, "confirmed"),
        liaison_event(
            ReceptionHeld(reception_id="r-3", station_id=duodao, district_codes=["420804"],
                          deputy_ids=["REP-420804-001"], booked=1,
                          held_at=_at(RECEPTION_DAYS["r-3"] + 180)),
            "r-3", RECEPTION_DAYS["r-3"] + 180,
        ),
        liaison_event(
            MatterReferred(matter_id="m-4", suggestion_id="s-ref-2", reception_id="r-3",
                           station_id=duodao, district_code="420804",
                           representative_id="REP-420804-001", title="农村道路破损",
                           content="村口道路坑洼，雨天积水", tracking_code_sha256="1" * 64,
                           referred_at=_at(RECEPTION_DAYS["r-3"] + 100)),
            "s-ref-2", RECEPTION_DAYS["r-3"] + 100,
        ),
    ]  # fmt: skip
    return events


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
