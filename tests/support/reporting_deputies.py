"""A deputies' quarter for reporting tests (issue 17), as the producers would publish it:
the registry, activities recorded, a reception and an official's visit held, the
commitments and the question it left (and supervision's events on them), a cancelled visit,
policy scores and published quarters, and two people's suggestions filed that year.

Expected (see the tests): 2026-Q4 coverage 2 of 3 serving deputies (D1 by an activity and
the visit, D2 by the reception; D3 did nothing; D4's term ended); the unit u-zjj made two
commitments (one kept on time, one late) and owes one written answer, overdue now; the
year 2026 counts 5 deputy-outings (1 at the reception, 1 at the visit, 3 activities), 2
suggestions filed, 1 solved.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from minyi.contracts.envelope import EventData, RawEvent
from minyi.contracts.liaison import (
    DeputyEnded,
    DeputyRegistered,
    ElectoralUnit,
    ReceptionHeld,
    ReceptionScheduled,
)
from minyi.contracts.performance import (
    ActivityRecorded,
    DeputyScored,
    PerformancePublished,
    ScoreLine,
)
from minyi.contracts.supervision import CaseAccepted, MarkedOverdue, Resolved
from minyi.contracts.visits import (
    CommitmentMade,
    VisitCancelled,
    VisitHeld,
    VisitPlanned,
    VisitQuestionPublished,
    WrittenAnswerRequired,
)
from tests.support.reporting_history import T0, lifecycle

# Monday 12 October 2026, 09:00 in Jingmen.
Q4 = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)
D1, D2, D3, D4 = "REP-420802-101", "REP-420802-102", "REP-420804-103", "REP-420804-104"
STATION = "ST-420802-01"
UNIT, UNIT_NAME = "u-zjj", "u-zjj 名称"  # as reporting_history names it
# Minutes from reporting_history's T0 to 2026's suggestions (day offsets of ``lifecycle``).
DAYS_TO_2026 = (Q4 - T0).days


def at(days: float) -> datetime:
    return Q4 + timedelta(days=days)


def deputy_event(
    data: EventData, subject: str, days: float, source: str = "minyi/liaison"
) -> RawEvent:
    """An event as its producer's relay would publish it (built from the contract model)."""
    return RawEvent(
        specversion="1.0",
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{subject}/{data.event_type}/{days}")),
        source=source,
        type=data.event_type,
        subject=subject,
        time=at(days),
        data=data.model_dump(mode="json"),
    )


def _supervision(model: type[EventData], sid: str, days: float, **data: Any) -> RawEvent:
    fields = {"suggestion_id": sid, "unit_id": UNIT, "case_id": f"{sid}:1", **data}
    return deputy_event(model(**fields), sid, days, source="minyi/supervision")


def _lines(points: float) -> list[ScoreLine]:
    return [
        ScoreLine(kind="activity", entries=2, raw=points / 2, points=points / 2),
        ScoreLine(kind="visit", entries=1, raw=points / 2, points=points / 2),
    ]


def scored(deputy: str, score: float, band: str, label: str, version: int, days: float) -> RawEvent:
    data = DeputyScored(
        deputy_id=deputy, year=2026, score=score, band=band, band_label=label,
        lines=_lines(score), policy_version="2026.1", version=version, scored_at=at(days),
    )  # fmt: skip
    return deputy_event(data, deputy, days)


def published(deputy: str, quarter: str, score: float, label: str, days: float) -> RawEvent:
    data = PerformancePublished(
        deputy_id=deputy, quarter=quarter, score=score, band="band", band_label=label,
        lines=_lines(score), policy_version="2026.1", published_at=at(days),
    )  # fmt: skip
    return deputy_event(data, deputy, days)


def deputies_history() -> list[RawEvent]:
    events: list[RawEvent] = []
    for did, name, level, division in (
        (D1, "张明", "city", "420802"),
        (D2, "李红", "county", "420802"),
        (D3, "王强", "township", "420804"),
        (D4, "赵丽", "provincial", "420804"),
    ):
        registered = DeputyRegistered(
            deputy_id=did, name=name, level=level,
            electoral_unit=ElectoralUnit(kind="division", division_code=division),
            station_ids=[STATION], version=1, changed_at=at(-100),
        )  # fmt: skip
        events.append(deputy_event(registered, did, -100))
    ended = DeputyEnded(deputy_id=D4, ended_on=date(2026, 9, 1), version=2, changed_at=at(-50))
    events.append(deputy_event(ended, D4, -50))

    def activity(
        aid: str, deputy: str, kind: str, days: float, hours: float | None = None
    ) -> RawEvent:
        data = ActivityRecorded(
            activity_id=aid, deputy_id=deputy, kind=kind, title=f"{kind} 活动",
            on=at(days).date(), hours=hours, recorded_by="deputy", recorded_at=at(days + 1),
        )  # fmt: skip
        return deputy_event(data, aid, days)

    events += [
        activity("a-1", D1, "research", 2),
        activity("a-2", D1, "training", 21, hours=4),
        activity("a-3", D2, "inspection", -103),  # 1 July: the third quarter
    ]
    schedule = ReceptionScheduled(
        reception_id="r-9", station_id=STATION, district_codes=["420802"], starts_at=at(3),
        ends_at=at(3.1), place="龙泉街道", deputy_ids=[D2, D3], capacity=5,
        scheduled_at=at(-5),
    )  # fmt: skip
    held = ReceptionHeld(
        reception_id="r-9", station_id=STATION, district_codes=["420802"], deputy_ids=[D2],
        booked=0, held_at=at(3.1),
    )  # fmt: skip
    events += [deputy_event(schedule, "r-9", -5), deputy_event(held, "r-9", 3.1)]

    visit = {"visit_id": "v-1", "station_id": STATION, "district_codes": ["420802"]}
    unit = {"unit_id": UNIT, "unit_name": UNIT_NAME}
    planned = VisitPlanned(
        **visit, **unit, official_name="陈局长", official_post="局长", starts_at=at(8),
        theme="老旧小区改造", planned_at=at(-10),
    )  # fmt: skip
    question = VisitQuestionPublished(
        question_id="q-1", visit_id="v-1", asked_by="citizen", text="加装电梯何时开工？",
        published_at=at(-3),
    )  # fmt: skip
    visit_held = VisitHeld(
        **visit, **unit, deputy_ids=[D1], citizens=12, answered=1, pending=1, commitments=2,
        held_at=at(8.1),
    )  # fmt: skip
    events += [
        deputy_event(planned, "v-1", -10),
        deputy_event(question, "q-1", -3),
        deputy_event(visit_held, "v-1", 8.1),
    ]
    place = {"visit_id": "v-1", "station_id": STATION, "district_code": "420802", **unit}
    for cid, days_due in (("c-1", 40), ("c-2", 30)):
        made = CommitmentMade(
            commitment_id=cid, **place, text=f"{cid}：年底前完成小区路面修补",
            due_on=at(days_due).date(), due_at=at(days_due), deputy_ids=[D1], made_at=at(8.1),
        )  # fmt: skip
        events.append(deputy_event(made, cid, 8.1))
    owed = WrittenAnswerRequired(
        question_id="q-1", **place, text="加装电梯何时开工？", required_at=at(8.1)
    )
    events.append(deputy_event(owed, "q-1", 8.1))
    events += [
        _supervision(CaseAccepted, "c-1", 9, accepted_at=at(9), on_time=True),
        _supervision(
            Resolved,
            "c-1",
            35,
            outcome="A",
            reply="已完成修补",
            replied_at=at(35),
            on_time=True,
            case_version=3,
        ),
        _supervision(
            MarkedOverdue, "c-2", 30.5, reply_by=at(30), marked_at=at(30.5), case_version=2
        ),
        _supervision(
            Resolved,
            "c-2",
            33,
            outcome="A",
            reply="已完成",
            replied_at=at(33),
            on_time=False,
            case_version=3,
        ),
        _supervision(MarkedOverdue, "q-1", 16, reply_by=at(15), marked_at=at(16), case_version=2),
    ]
    cancelled = VisitPlanned(
        visit_id="v-2", station_id=STATION, district_codes=["420802"], **unit,
        official_name="刘局长", official_post="副局长", starts_at=at(20), theme="物业管理",
        planned_at=at(-8),
    )  # fmt: skip
    events += [
        deputy_event(cancelled, "v-2", -8),
        deputy_event(
            VisitCancelled(visit_id="v-2", station_id=STATION, reason="改期", cancelled_at=at(18)),
            "v-2",
            18,
        ),
        scored(D1, 41.0, "fair", "一般", 1, 3),
        scored(D1, 72.5, "good", "良好", 2, 9),
        scored(D3, 55.0, "fair", "一般", 1, 9),
        published(D1, "2026-Q3", 30.0, "较差", -11),
        published(D1, "2026-Q3", 99.0, "优秀", -2),  # a second publication changes nothing
    ]
    # Two people's suggestions filed in 2026 (one solved) and one in 2025.
    events += lifecycle("s-2026-1", day=DAYS_TO_2026 + 1)
    events += lifecycle("s-2026-2", day=DAYS_TO_2026 + 2, outcome="B")
    events += lifecycle("s-2025-1", day=1)
    return events
