"""Projects in public (issue 19) as the producers publish them: every event built from its
contract model, so a field the contracts lack is an error here.

- Stations: S1 in 东宝区 and S2 in 钟祥市 with coordinates; S3 without (never a point).
- Citizens' appeals: 6 in 东宝区 (3 in 龙泉街道, 2 in 子陵铺镇, 1 naming no township), 2 in
  钟祥市, 1 in 漳河新区; A1 (consented to publication) and A2 (did not) in cluster C1 (路灯),
  A3 in cluster C2 (停车), A9 in cluster C3 (withdrawn after publication).
- Appeals published: C1 "老旧小区路灯不亮" (2 suggestions, 1 support), C2 "城区停车难" (1
  suggestion, 3 supports: it outranks C1), C3 published then withdrawn.
- P-1 城区老旧小区改造 (东宝区, 城市能级): three milestones, linked to C1 and C2 and to A1,
  A2; 60 % reported with evidence; m1 delivered on time; m2's item reminded and marked
  overdue, the status turned late; inspected by two deputies, one finding made a commitment
  (``CommitmentMade`` with ``project_id``, no station).
- P-2 钟祥文旅步道 (钟祥市, 文旅产业): done, rated by three deputies (2 满意, 1 基本满意),
  accepted 满意.
- A formal B delivery item (``F1~B``) is resolved: it must stay out of the projects.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from minyi.contracts.envelope import EventData, RawEvent
from minyi.contracts.intake import SuggestionFiled
from minyi.contracts.liaison import StationRegistered
from minyi.contracts.projects import (
    EvidenceFile,
    InspectionFinding,
    MilestoneDelivered,
    ProjectAccepted,
    ProjectCompleted,
    ProjectInspected,
    ProjectLinks,
    ProjectProgressReported,
    ProjectRated,
    ProjectRegistered,
    ProjectStatusChanged,
    RecurringAppealPublished,
    SupportAdded,
)
from minyi.contracts.projects import Milestone as M
from minyi.contracts.routing import SuggestionClustered
from minyi.contracts.supervision import MarkedOverdue, ReminderIssued, Resolved
from minyi.contracts.visits import CommitmentMade

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 2 November 2026, 09:00 in Jingmen
TODAY = T0 + timedelta(days=30)  # the service's clock in the tests
P1, P2 = "P-2026-001", "P-2026-002"
DONGBAO, ZHONGXIANG, ZHANGHE = "420802", "420881", "420800-ZH"
ZJJ = "jm-zjj"
# Free text no public answer may hold (a citizen's, not consented).
PRIVATE_TITLE = "我家门口路灯坏了三个月 张某某"
CONSENTED_TITLE = "幸福小区路灯不亮"


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


def station(sid: str, name: str, division: str, lat: float | None, lon: float | None) -> RawEvent:
    data = StationRegistered(
        station_id=sid, name=name, kind="station", division_codes=[division], latitude=lat,
        longitude=lon, version=1, changed_at=at(0),
    )  # fmt: skip
    return ev(data, sid, 0)


def filed(
    sid: str,
    district: str,
    township: str | None,
    days: float,
    title: str = "反映问题",
    consent: bool = False,
) -> RawEvent:
    data = SuggestionFiled(
        suggestion_id=sid, title=title, content="具体情况", channel="web", district_code=district,
        citizen_ref="ref-secret-123", filed_at=at(days), township=township,
        publish_consent=consent,
    )  # fmt: skip
    return ev(data, sid, days)


def clustered(sid: str, cid: str, size: int, days: float) -> RawEvent:
    data = SuggestionClustered(
        suggestion_id=sid, cluster_id=cid, size=size, representative_title="路灯",
        district_code=DONGBAO,
    )  # fmt: skip
    return ev(data, sid, days)


def published(cid: str, title: str, version: int, days: float, public: bool = True) -> RawEvent:
    data = RecurringAppealPublished(
        cluster_id=cid, title=title, division_codes=[DONGBAO], focus_area="城市能级",
        public=public, version=version, published_at=at(days),
    )  # fmt: skip
    return ev(data, cid, days)


def support(kind: str, target: str, days: float, n: int) -> RawEvent:
    data = SupportAdded(
        support_id=f"sup-{target}-{n}", target_kind=kind,  # type: ignore[arg-type]
        target_id=target, supported_at=at(days),
    )  # fmt: skip
    return ev(data, target, days, n)


def item(pid: str, mid: str) -> str:
    return f"{pid}~{mid}"


def p1_registered() -> RawEvent:
    data = ProjectRegistered(
        project_id=P1, name="城区老旧小区改造", focus_area="城市能级", division_codes=[DONGBAO],
        unit_ids=[ZJJ], budget_yuan=12_000_000, starts_on=date(2026, 11, 1),
        ends_on=date(2027, 6, 30),
        milestones=[
            M(milestone_id="m1", title="完成入户摸底", due_on=date(2026, 11, 10),
              deliverable="摸底台账"),
            M(milestone_id="m2", title="完成施工招标", due_on=date(2026, 11, 20),
              deliverable="中标公告"),
            M(milestone_id="m3", title="主体工程完工", due_on=date(2027, 5, 31)),
        ],
        links=ProjectLinks(suggestion_ids=["A1", "A2"], cluster_ids=["C1", "C2"]),
        summary="改造东宝区 12 个老旧小区的路灯、停车和管网。", version=1, changed_at=at(1),
    )  # fmt: skip
    return ev(data, P1, 1)


def p1_events() -> list[RawEvent]:
    return [
        p1_registered(),
        ev(
            ProjectProgressReported(
                project_id=P1,
                unit_id=ZJJ,
                percent=60,
                note="入户摸底完成，招标文件已编制",
                evidence=[
                    EvidenceFile(
                        file_id="f1",
                        name="摸底台账.pdf",
                        media_type="application/pdf",
                        size_bytes=20480,
                    )
                ],
                reported_at=at(9),
            ),
            P1,
            9,
        ),
        ev(
            MilestoneDelivered(
                project_id=P1, milestone_id="m1", unit_id=ZJJ, on_time=True, delivered_at=at(8)
            ),
            P1,
            8,
        ),
        # The milestone item's own answer, published beside the delivery.
        ev(
            Resolved(
                suggestion_id=item(P1, "m1"),
                unit_id=ZJJ,
                outcome="A",
                reply="已完成摸底",
                on_time=True,
                replied_at=at(8),
                case_id=f"{item(P1, 'm1')}:1",
                case_version=2,
            ),
            item(P1, "m1"),
            8,
        ),
        ev(
            ReminderIssued(
                suggestion_id=item(P1, "m2"),
                unit_id=ZJJ,
                stage="reply",
                deadline=at(18),
                issued_at=at(16),
                case_id=f"{item(P1, 'm2')}:1",
                case_version=2,
            ),
            item(P1, "m2"),
            16,
        ),
        ev(
            MarkedOverdue(
                suggestion_id=item(P1, "m2"),
                unit_id=ZJJ,
                reply_by=at(18),
                marked_at=at(19),
                case_id=f"{item(P1, 'm2')}:1",
                case_version=3,
            ),
            item(P1, "m2"),
            19,
        ),
        ev(
            ProjectStatusChanged(
                project_id=P1,
                status="late",
                previous="on_plan",
                milestone_id="m2",
                late_working_days=2,
                reason="节点“完成施工招标”逾期 2 个工作日",
                changed_at=at(20),
            ),
            P1,
            20,
        ),
        ev(
            ProjectInspected(
                project_id=P1,
                inspection_id="I-1",
                inspector_kind="deputies",
                deputy_ids=["REP-1", "REP-2"],
                held_on=date(2026, 11, 23),
                findings=[
                    InspectionFinding(
                        text="施工围挡影响通行，需设置便道",
                        commitment_id="CM-I-1-1",
                        unit_id=ZJJ,
                        due_on=date(2026, 12, 10),
                    ),
                    InspectionFinding(text="入户摸底扎实"),
                ],
                recorded_at=at(21),
            ),
            P1,
            21,
        ),
        ev(
            CommitmentMade(
                commitment_id="CM-I-1-1",
                visit_id="I-1",
                station_id="",
                district_code=DONGBAO,
                unit_id=ZJJ,
                unit_name="荆门市住房和城乡建设局",
                text="施工围挡影响通行，需设置便道",
                due_on=date(2026, 12, 10),
                due_at=at(38),
                made_at=at(21),
                project_id=P1,
            ),
            "CM-I-1-1",
            21,
        ),
    ]


def p2_events() -> list[RawEvent]:
    rated = [
        ev(
            ProjectRated(
                project_id=P2,
                rater_kind="deputy",
                rater_id=rep,
                rating=rating,  # type: ignore[arg-type]
                rated_at=at(26 + i),
            ),
            P2,
            26 + i,
            i,
        )
        for i, (rep, rating) in enumerate(
            [("REP-1", "satisfied"), ("REP-2", "satisfied"), ("REP-3", "basically_satisfied")]
        )
    ]
    return [
        ev(
            ProjectRegistered(
                project_id=P2,
                name="钟祥文旅步道",
                focus_area="文旅产业",
                division_codes=[ZHONGXIANG],
                unit_ids=["jm-wlj"],
                starts_on=date(2026, 11, 1),
                ends_on=date(2026, 11, 30),
                milestones=[M(milestone_id="m1", title="步道贯通", due_on=date(2026, 11, 25))],
                version=1,
                changed_at=at(1),
            ),
            P2,
            1,
        ),
        ev(
            MilestoneDelivered(
                project_id=P2,
                milestone_id="m1",
                unit_id="jm-wlj",
                on_time=True,
                delivered_at=at(22),
            ),
            P2,
            22,
        ),
        ev(
            ProjectCompleted(
                project_id=P2,
                unit_id="jm-wlj",
                acceptance_by="inspectors",
                rater_ids=["REP-1", "REP-2", "REP-3"],
                completed_at=at(23),
            ),
            P2,
            23,
        ),
        *rated,
        ev(
            ProjectAccepted(
                project_id=P2,
                result="satisfied",
                satisfied=2,
                basically_satisfied=1,
                unsatisfied=0,
                rule="满意超过半数为满意",
                accepted_at=at(29),
            ),
            P2,
            29,
        ),
    ]


def ledger_history() -> list[RawEvent]:
    appeals = [
        filed("A1", DONGBAO, "龙泉街道", 2, CONSENTED_TITLE, consent=True),
        filed("A2", DONGBAO, "龙泉街道", 3, PRIVATE_TITLE),
        filed("A3", DONGBAO, "龙泉街道", 4),
        filed("A4", DONGBAO, "子陵铺镇", 5),
        filed("A5", DONGBAO, "子陵铺镇", 6),
        filed("A6", DONGBAO, None, 7),
        filed("A7", ZHONGXIANG, "郢中街道", 8),
        filed("A8", ZHONGXIANG, None, 9),
        filed("A9", ZHANGHE, "漳河镇", 10),
    ]
    return [
        station("S1", "龙泉街道人大代表联络站", DONGBAO, 31.04, 112.21),
        station("S2", "郢中街道人大代表联络站", ZHONGXIANG, 31.17, 112.59),
        station("S3", "无坐标联络站", DONGBAO, None, None),
        *appeals,
        clustered("A1", "C1", 1, 2),
        clustered("A2", "C1", 2, 3),
        clustered("A3", "C2", 1, 4),
        clustered("A9", "C3", 1, 10),
        published("C1", "老旧小区路灯不亮", 1, 11),
        published("C2", "城区停车难", 1, 11),
        published("C3", "临时标题", 1, 11),
        published("C3", "临时标题", 2, 12, public=False),
        support("appeal", "C1", 12, 1),
        *(support("appeal", "C2", 12, n) for n in range(1, 4)),
        support("project", P1, 13, 1),
        *p1_events(),
        *p2_events(),
        # A formal B answer's delivery item: no project's, whatever its id looks like.
        ev(
            Resolved(
                suggestion_id="F1~B",
                unit_id=ZJJ,
                outcome="A",
                reply="已兑现",
                round=1,
                on_time=True,
                replied_at=at(15),
                case_id="F1~B:1",
                case_version=2,
            ),
            "F1~B",
            15,
        ),
    ]
