"""A year of deputies' formal suggestions (issue 18) as the producers publish them: every
event built from its contract model, so a field the contracts lack is an error here.

- F1 ``2026-0001``: 张明 leads, 李红 and 王强 co-sign; lead 住建局, co-unit 交通运输局
  (views on time); contact; B on time, delivery promised; 王强 不满意 → re-handling →
  second B answer; everyone rates it 满意; the delivery is made on time; topic T1.
- F2 ``2026-0002``: 李红 alone; 交通运输局; A, late; 满意; topic T1.
- F3 ``2026-0003``: 张明; 住建局; no answer, overdue now.
- F4 ``2026-0004``: 王强; 住建局; an extension asked and granted, B on time (reviewed,
  upheld), its delivery overdue now.
- F9 ``2025-0099``: last year's (never in 2026's figures).
- A1: a citizen's appeal (the appeal figures must count it alone).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from minyi.contracts.envelope import EventData, RawEvent
from minyi.contracts.formal import (
    AnswerReviewed,
    CoUnit,
    CoUnitViewsSubmitted,
    DeliveryPromised,
    DeputiesContacted,
    ExtensionRequested,
    FormalDetails,
    SignerRated,
    TopicLinked,
    TopicOpened,
)
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.liaison import DeputyRegistered, ElectoralUnit
from minyi.contracts.routing import AssignedToUnit, AssignmentExplanation
from minyi.contracts.supervision import (
    CaseAccepted,
    CaseClosed,
    CaseReopened,
    ExtensionGranted,
    MarkedOverdue,
    Resolved,
)

T0 = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 10 March 2026, 09:00 in Jingmen
D1, D2, D3 = "REP-420802-201", "REP-420802-202", "REP-420804-203"
NAMES = {D1: "张明", D2: "李红", D3: "王强"}
ZJJ, JTJ = "jm-zjj", "jm-jtysj"  # in the shared unit directory
UNIT_NAMES = {ZJJ: "荆门市住房和城乡建设局", JTJ: "荆门市交通运输局"}
T1 = "T-2026-01"


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def ev(data: EventData, subject: str, days: float, n: int = 0) -> RawEvent:
    return RawEvent(
        specversion="1.0",
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{subject}/{data.event_type}/{days}/{n}")),
        source="minyi/test",
        type=data.event_type,
        subject=subject,
        time=at(days),
        data=data.model_dump(mode="json"),
    )


def _case(sid: str, unit: str) -> dict[str, Any]:
    return {"suggestion_id": sid, "unit_id": unit, "case_id": f"{sid}:1", "case_version": 1}


def filed(sid: str, number: str, lead: str, co: list[str], days: float, title: str) -> RawEvent:
    details = FormalDetails(
        number=number, lead_deputy_id=lead, co_signer_ids=co, session="in_session",
        publishable=True, reasons="理由", measures="办法",
    )  # fmt: skip
    data = SuggestionFiled(
        suggestion_id=sid, title=title, content="内容", kind="representative_suggestion",
        channel="representative", district_code="420802", representative_id=lead,
        filed_at=at(days), formal=details,
    )  # fmt: skip
    return ev(data, sid, days)


def assigned(
    sid: str, number: str, unit: str, signers: list[str], days: float, co: tuple[str, ...] = ()
) -> RawEvent:
    data = AssignedToUnit(
        suggestion_id=sid, unit_id=unit, unit_name=UNIT_NAMES[unit], category="城建",
        focus_area="基础设施", district_code="420802", kind="representative_suggestion",
        explanation=AssignmentExplanation(reason="manual", summary="人大办确认"),
        assigned_at=at(days), number=number, signer_ids=signers,
        co_units=[CoUnit(unit_id=c, unit_name=UNIT_NAMES[c]) for c in co],
        title="标题", content="内容",
    )  # fmt: skip
    return ev(data, sid, days)


def resolved(
    sid: str, unit: str, outcome: str, days: float, on_time: bool = True, rnd: int = 1,
    delivery_by: date | None = None,
) -> RawEvent:  # fmt: skip
    data = Resolved(
        **_case(sid, unit), outcome=outcome, reply="答复", replied_at=at(days), on_time=on_time,
        round=rnd, delivery_by=delivery_by,
        reason="受条件限制" if outcome == "C" else None,
    )  # fmt: skip
    return ev(data, sid, days)


def rated(sid: str, deputy: str, days: float, rnd: int, *ratings: str) -> RawEvent:
    contact, attitude, result = ratings
    data = SignerRated(
        suggestion_id=sid, deputy_id=deputy, round=rnd, contact=contact, attitude=attitude,
        result=result, rated_at=at(days),
    )  # fmt: skip
    return ev(data, sid, days, n=list(NAMES).index(deputy))


def promised(sid: str, unit: str, days: float, by: date) -> RawEvent:
    data = DeliveryPromised(
        suggestion_id=sid, delivery_id=f"DLV-{sid}", unit_id=unit, district_code="420802",
        promised_by=by, promised_at=at(days),
    )  # fmt: skip
    return ev(data, sid, days)


def registry() -> list[RawEvent]:
    return [
        ev(
            DeputyRegistered(
                deputy_id=did,
                name=name,
                level="city",
                electoral_unit=ElectoralUnit(kind="division", division_code="420802"),
                version=1,
                changed_at=at(-30),
            ),
            did,
            -30,
        )
        for did, name in NAMES.items()
    ]


def formal_history() -> list[RawEvent]:
    S = "satisfied"
    B = "basically_satisfied"
    U = "unsatisfied"
    f1, f2, f3, f4, f9 = "F1", "F2", "F3", "F4", "F9"
    events = [*registry()]
    events += [
        ev(
            TopicOpened(
                topic_id=T1,
                title="城区交通治理",
                year=2026,
                lead_id="G-1",
                lead_name="第一督导组",
                opened_at=at(1),
            ),
            T1,
            1,
        ),
        # F1: the whole path of the "done when".
        filed(f1, "2026-0001", D1, [D2, D3], 0, "关于改善城区公交线路的建议"),
        assigned(f1, "2026-0001", ZJJ, [D1, D2, D3], 2, co=(JTJ,)),
        ev(CaseAccepted(**_case(f1, ZJJ), accepted_at=at(3), on_time=True), f1, 3),
        ev(
            CoUnitViewsSubmitted(
                suggestion_id=f1,
                unit_id=JTJ,
                lead_unit_id=ZJJ,
                views="同意",
                views_by=at(32),
                on_time=True,
                submitted_at=at(20),
                case_id=f"{f1}:1",
                case_version=2,
            ),
            f1,
            20,
        ),
        ev(
            DeputiesContacted(
                **_case(f1, ZJJ), contacted_on=date(2026, 4, 1), mode="meeting", recorded_at=at(22)
            ),
            f1,
            22,
        ),
        resolved(f1, ZJJ, "B", 40, delivery_by=date(2026, 9, 30)),
        rated(f1, D1, 45, 1, S, S, S),
        rated(f1, D2, 46, 1, S, B, B),
        rated(f1, D3, 47, 1, S, S, U),
        ev(CaseReopened(**_case(f1, ZJJ), reply_by=at(77), round=2, reopened_at=at(48)), f1, 48),
        resolved(f1, ZJJ, "B", 70, rnd=2, delivery_by=date(2026, 9, 30)),
        promised(f1, ZJJ, 70, date(2026, 9, 30)),
        rated(f1, D1, 72, 2, S, S, S),
        rated(f1, D2, 73, 2, S, S, S),
        rated(f1, D3, 74, 2, S, S, B),
        ev(CaseClosed(**_case(f1, ZJJ), result="satisfied", closed_at=at(75)), f1, 75),
        ev(
            Resolved(
                **_case(f"DLV-{f1}", ZJJ),
                outcome="A",
                reply="已兑现",
                replied_at=at(150),
                on_time=True,
            ),
            f"DLV-{f1}",
            150,
        ),
        ev(TopicLinked(topic_id=T1, suggestion_id=f1, at=at(5)), f1, 5),
        # F2: answered A, late.
        filed(f2, "2026-0002", D2, [], 1, "关于增设停车位的建议"),
        assigned(f2, "2026-0002", JTJ, [D2], 3),
        resolved(f2, JTJ, "A", 100, on_time=False),
        rated(f2, D2, 101, 1, S, S, S),
        ev(TopicLinked(topic_id=T1, suggestion_id=f2, at=at(6)), f2, 6),
        # F3: no answer, overdue now.
        filed(f3, "2026-0003", D1, [], 2, "关于老旧小区改造的建议"),
        assigned(f3, "2026-0003", ZJJ, [D1], 4),
        ev(MarkedOverdue(**_case(f3, ZJJ), reply_by=at(94), marked_at=at(95)), f3, 95),
        # F4: extension asked and granted, B on time, its delivery overdue now; C review
        # of an earlier C answer first.
        filed(f4, "2026-0004", D3, [], 3, "关于河道治理的建议"),
        assigned(f4, "2026-0004", ZJJ, [D3], 5),
        ev(
            ExtensionRequested(
                **_case(f4, ZJJ),
                reason="需要论证",
                reply_by=at(95),
                requested_reply_by=at(180),
                requested_at=at(60),
            ),
            f4,
            60,
        ),
        ev(
            ExtensionGranted(
                **_case(f4, ZJJ),
                reason="同意",
                previous_reply_by=at(95),
                reply_by=at(180),
                granted_at=at(61),
            ),
            f4,
            61,
        ),
        resolved(f4, ZJJ, "B", 120, delivery_by=date(2026, 8, 1)),
        ev(
            AnswerReviewed(
                **_case(f4, ZJJ), verdict="upheld", note="可行", reviewer="G-1", reviewed_at=at(121)
            ),
            f4,
            121,
        ),
        promised(f4, ZJJ, 120, date(2026, 8, 1)),
        ev(
            MarkedOverdue(**_case(f"DLV-{f4}", ZJJ), reply_by=at(145), marked_at=at(146)),
            f"DLV-{f4}",
            146,
        ),
        # F9: last year's.
        filed(f9, "2025-0099", D1, [], -200, "去年的建议"),
        assigned(f9, "2025-0099", ZJJ, [D1], -198),
        # A1: a citizen's appeal.
        ev(
            SuggestionFiled(
                suggestion_id="A1",
                title="路灯不亮",
                content="路灯坏了",
                channel="web",
                district_code="420802",
                filed_at=at(0),
            ),
            "A1",
            0,
        ),
        ev(
            AssignedToUnit(
                suggestion_id="A1",
                unit_id=ZJJ,
                unit_name=UNIT_NAMES[ZJJ],
                category="城建",
                focus_area="基础设施",
                district_code="420802",
                explanation=AssignmentExplanation(reason="rule"),
                assigned_at=at(1),
            ),
            "A1",
            1,
        ),
    ]
    return events
