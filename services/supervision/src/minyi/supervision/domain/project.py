"""An improvement project (改善项目 / 民生实事): registration, milestones, progress,
inspections (视察), completion and acceptance (验收); its colour from the schedule.

Pure: the caller passes the time, the policy's project rules and the calendar. Every
change bumps ``version``; a change of colour is appended to ``timeline`` and returned by
:meth:`Project.refresh_status` so the caller can publish it. Bad input raises
:class:`InvalidInput` (HTTP 422, naming the field); a refused action raises
:class:`IllegalTransition` (HTTP 409).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Literal

from minyi.supervision.domain.calendar import WorkingCalendar, require_aware
from minyi.supervision.domain.case import IllegalTransition, InvalidInput
from minyi.supervision.domain.policy import ProjectRules

ProjectStatus = Literal["on_plan", "late", "very_late", "completed", "accepted"]
AcceptanceBy = Literal["inspectors", "public"]
InspectorKind = Literal["deputies", "supervision_group"]
Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]

STATUS_LABELS: dict[str, str] = {
    "on_plan": "按计划推进",
    "late": "滞后",
    "very_late": "严重滞后",
    "completed": "已完成待验收",
    "accepted": "已验收",
}
RATING_LABELS: dict[str, str] = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
}
MAX_MILESTONES = 20
# Where the schedule still matters: a finished project's colour no longer moves.
_SCHEDULED = ("on_plan", "late", "very_late")
_AFTER = timedelta(seconds=1)


@dataclass
class MilestoneState:
    milestone_id: str
    title: str
    due_on: date
    deliverable: str = ""
    delivered_at: datetime | None = None
    delivery_note: str = ""
    on_time: bool | None = None
    late_working_days: int | None = None  # when delivered late: by how many working days


@dataclass
class Evidence:
    file_id: str
    name: str
    media_type: str
    size_bytes: int


@dataclass
class ProgressEntry:
    percent: int
    note: str
    unit_id: str
    reported_at: datetime
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Finding:
    text: str
    commitment_id: str | None = None
    unit_id: str | None = None
    due_on: date | None = None


@dataclass
class Inspection:
    inspection_id: str
    inspector_kind: InspectorKind
    held_on: date
    recorded_at: datetime
    deputy_ids: list[str] = field(default_factory=list)
    group_id: str | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class RatingEntry:
    rater_kind: Literal["deputy", "public"]
    rating: Rating
    rated_at: datetime
    rater_id: str | None = None


@dataclass
class Acceptance:
    result: Rating
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    rule: str
    accepted_at: datetime


@dataclass
class TimelineEntry:
    at: datetime
    status: ProjectStatus
    previous: ProjectStatus | None
    reason: str
    milestone_id: str | None = None
    late_working_days: int | None = None


@dataclass
class Links:
    suggestion_ids: list[str] = field(default_factory=list)
    cluster_ids: list[str] = field(default_factory=list)
    commitment_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    due_on: date
    deliverable: str = ""


@dataclass(frozen=True)
class Schedule:
    """The colour the schedule gives now, and why."""

    status: ProjectStatus
    reason: str
    milestone_id: str | None = None
    late_working_days: int | None = None


# -- pure rules ---------------------------------------------------------------------------
def _text(value: str | None) -> str:
    return (value or "").strip()


def late_working_days(due_on: date, today: date, cal: WorkingCalendar) -> int | None:
    """How many working days a milestone due on ``due_on`` is late on ``today``; None if it
    is not late. A due day that is a day off moves to the next working day (as every
    deadline does); a milestone past its day counts as late by at least one working day."""
    effective = cal.next_working_day_on_or_after(due_on)
    if today <= effective:
        return None
    days, d = 0, effective
    while d < today:
        d += timedelta(days=1)
        if cal.is_working_day(d):
            days += 1
    return max(days, 1)


def schedule_status(
    milestones: Sequence[MilestoneState], today: date, cal: WorkingCalendar, late_limit: int
) -> Schedule:
    """on_plan, or late/very_late by the latest undelivered milestone (> ``late_limit``
    working days: very_late)."""
    worst: tuple[int, MilestoneState] | None = None
    for m in milestones:
        if m.delivered_at is not None:
            continue
        days = late_working_days(m.due_on, today, cal)
        if days is not None and (worst is None or days > worst[0]):
            worst = (days, m)
    if worst is None:
        return Schedule("on_plan", "各里程碑均按计划推进")
    days, m = worst
    reason = f"里程碑「{m.title}」已逾期 {days} 个工作日"
    if days > late_limit:
        return Schedule("very_late", f"{reason}，超过 {late_limit} 个工作日", m.milestone_id, days)
    return Schedule("late", reason, m.milestone_id, days)


def acceptance_result(
    satisfied: int,
    basically: int,
    unsatisfied: int,
    satisfied_share: float = 0.5,
    positive_share: float = 0.5,
) -> Rating:
    """满意 if satisfied are more than ``satisfied_share`` of the ratings; 基本满意 if
    satisfied and basically satisfied together are more than ``positive_share``;
    otherwise 不满意. Exactly the share is not more than it. Exact fractions, no floats."""
    total = satisfied + basically + unsatisfied
    if total <= 0:
        raise ValueError("no ratings to decide on")
    if Fraction(satisfied, total) > Fraction(str(satisfied_share)):
        return "satisfied"
    if Fraction(satisfied + basically, total) > Fraction(str(positive_share)):
        return "basically_satisfied"
    return "unsatisfied"


def validate_registration(
    *,
    name: str,
    focus_area: str,
    focus_areas: Collection[str],
    division_codes: Sequence[str],
    known_divisions: Collection[str],
    unit_ids: Sequence[str],
    known_units: Collection[str],
    starts_on: date,
    ends_on: date,
    milestones: Sequence[MilestoneInput],
    budget_yuan: int | None,
) -> list[MilestoneState]:
    """The registration's rules; returns the milestones numbered m1..mN in due order."""
    if not _text(name):
        raise InvalidInput("name_required", "项目名称不能为空", field="name")
    if focus_area not in focus_areas:
        raise InvalidInput(
            "unknown_focus_area",
            f"重点领域须为以下之一：{'、'.join(focus_areas)}（收到 {focus_area}）",
            field="focus_area",
        )
    if not division_codes:
        raise InvalidInput("divisions_required", "至少选择一个行政区划", field="division_codes")
    unknown = [c for c in division_codes if c not in known_divisions]
    if unknown:
        raise InvalidInput(
            "unknown_division", f"未知的行政区划代码：{'、'.join(unknown)}", field="division_codes"
        )
    if not unit_ids:
        raise InvalidInput(
            "units_required", "至少指定一个责任单位（牵头单位在前）", field="unit_ids"
        )
    unknown = [u for u in unit_ids if u not in known_units]
    if unknown:
        raise InvalidInput(
            "unknown_unit", f"未知的责任单位：{'、'.join(unknown)}", field="unit_ids"
        )
    if len(set(unit_ids)) != len(unit_ids):
        raise InvalidInput("duplicate_unit", "责任单位不能重复", field="unit_ids")
    if budget_yuan is not None and budget_yuan < 0:
        raise InvalidInput("budget_negative", "预算金额不能为负数", field="budget_yuan")
    if starts_on > ends_on:
        raise InvalidInput("ends_before_start", "结束日期不能早于开始日期", field="ends_on")
    return number_milestones(milestones, starts_on, ends_on)


def number_milestones(
    milestones: Sequence[MilestoneInput], starts_on: date, ends_on: date
) -> list[MilestoneState]:
    if not 1 <= len(milestones) <= MAX_MILESTONES:
        raise InvalidInput(
            "milestone_count", f"里程碑须为 1 至 {MAX_MILESTONES} 个", field="milestones"
        )
    for i, m in enumerate(milestones):
        if not _text(m.title):
            raise InvalidInput(
                "milestone_title_required", f"第 {i + 1} 个里程碑的名称不能为空", field="milestones"
            )
        if not starts_on <= m.due_on <= ends_on:
            raise InvalidInput(
                "milestone_outside_project",
                f"里程碑「{_text(m.title)}」的完成日期须在项目起止日期之间"
                f"（{starts_on.isoformat()} 至 {ends_on.isoformat()}）",
                field="milestones",
            )
    ordered = sorted(milestones, key=lambda m: m.due_on)  # stable: same day keeps input order
    return [
        MilestoneState(f"m{i}", _text(m.title), m.due_on, _text(m.deliverable))
        for i, m in enumerate(ordered, start=1)
    ]


# -- the entity ---------------------------------------------------------------------------
@dataclass
class Project:
    project_id: str
    name: str
    focus_area: str
    division_codes: list[str]
    unit_ids: list[str]  # the lead first
    starts_on: date
    ends_on: date
    milestones: list[MilestoneState]
    registered_at: datetime
    changed_at: datetime
    budget_yuan: int | None = None
    summary: str = ""
    acceptance_by: AcceptanceBy = "inspectors"
    links: Links = field(default_factory=Links)
    status: ProjectStatus = "on_plan"
    status_reason: str = ""
    percent: int = 0
    version: int = 1
    progress: list[ProgressEntry] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    ratings: list[RatingEntry] = field(default_factory=list)
    rater_ids: list[str] = field(default_factory=list)
    completed_at: datetime | None = None
    completion_note: str = ""
    rating_closes_at: datetime | None = None
    acceptance: Acceptance | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def lead_unit(self) -> str:
        return self.unit_ids[0]

    def milestone(self, milestone_id: str) -> MilestoneState | None:
        return next((m for m in self.milestones if m.milestone_id == milestone_id), None)

    def _touch(self, at: datetime) -> None:
        require_aware(at)
        self.version += 1
        self.changed_at = at

    def _require_scheduled(self, action: str) -> None:
        if self.status not in _SCHEDULED:
            raise IllegalTransition("project_completed", f"项目已报告完成，不能{action}")

    def require_unit(self, unit_id: str) -> None:
        if unit_id not in self.unit_ids:
            raise IllegalTransition("not_responsible", "本单位不是该项目的责任单位")

    # -- the schedule -------------------------------------------------------------------
    def refresh_status(
        self, now: datetime, rules: ProjectRules, cal: WorkingCalendar, reason: str | None = None
    ) -> TimelineEntry | None:
        """Recompute the colour; a change is recorded in the timeline and returned.
        ``reason`` replaces the schedule's own words (a completion, an acceptance)."""
        require_aware(now, "now")
        if self.status in _SCHEDULED:
            s = schedule_status(
                self.milestones, cal.local_date(now), cal, rules.late_working_days.value
            )
        elif self.status == "completed" and self.acceptance is not None:
            a = self.acceptance
            s = Schedule(
                "accepted",
                f"验收结果：{RATING_LABELS[a.result]}（满意 {a.satisfied}、基本满意"
                f" {a.basically_satisfied}、不满意 {a.unsatisfied}）",
            )
        else:
            s = Schedule(self.status, self.status_reason)
        if s.status == self.status and self.timeline:
            self.status_reason = s.reason if self.status in _SCHEDULED else self.status_reason
            return None
        entry = TimelineEntry(
            at=now,
            status=s.status,
            previous=self.status if self.timeline else None,
            reason=reason or s.reason,
            milestone_id=s.milestone_id,
            late_working_days=s.late_working_days,
        )
        self.status, self.status_reason = s.status, entry.reason
        self.timeline.append(entry)
        return entry

    def next_check_at(
        self, now: datetime, rules: ProjectRules, cal: WorkingCalendar
    ) -> datetime | None:
        """When the colour (or the acceptance) may next change without anyone acting: a
        milestone's day passing, a late one turning very late, a rating window closing."""
        if self.status in _SCHEDULED:
            limit = int(rules.late_working_days.value)
            times = []
            for m in self.milestones:
                if m.delivered_at is not None:
                    continue
                due_end = cal.end_of_day(cal.next_working_day_on_or_after(m.due_on))
                times.append(due_end + _AFTER)
                times.append(cal.add_working_days(due_end, limit) + _AFTER)
            return min((t for t in times if t > now), default=None)
        closes = self.rating_closes_at
        if self.status == "completed" and self.acceptance is None and closes is not None:
            # Once closed without a decision (no rating, too few votes) nothing is left to
            # wait for: the office acts.
            return closes + _AFTER if closes + _AFTER > now else None
        return None

    # -- changes ------------------------------------------------------------------------
    def report_progress(
        self, unit_id: str, percent: int, note: str, evidence: list[Evidence], at: datetime
    ) -> ProgressEntry:
        self.require_unit(unit_id)
        self._require_scheduled("报告进展")
        if not 0 <= percent <= 100:
            raise InvalidInput("percent_range", "完成比例须在 0 至 100 之间", field="percent")
        if not _text(note):
            raise InvalidInput("note_required", "进展说明不能为空", field="note")
        entry = ProgressEntry(percent, _text(note), unit_id, at, list(evidence))
        self.progress.append(entry)
        self.percent = percent
        self._touch(at)
        return entry

    def deliver(
        self, milestone_id: str, unit_id: str, note: str, at: datetime, cal: WorkingCalendar
    ) -> MilestoneState:
        self.require_unit(unit_id)
        self._require_scheduled("交付里程碑")
        m = self.milestone(milestone_id)
        if m is None:
            raise InvalidInput(
                "unknown_milestone", f"项目没有里程碑 {milestone_id}", field="milestone_id"
            )
        if m.delivered_at is not None:
            raise IllegalTransition("already_delivered", f"里程碑「{m.title}」已交付")
        late = late_working_days(m.due_on, cal.local_date(at), cal)
        m.delivered_at, m.delivery_note = at, _text(note)
        m.on_time, m.late_working_days = late is None, late
        self._touch(at)
        return m

    def complete(
        self, unit_id: str, note: str, at: datetime, rules: ProjectRules, cal: WorkingCalendar
    ) -> None:
        if unit_id != self.lead_unit:
            raise IllegalTransition("lead_unit_only", "只有牵头单位可以报告项目完成")
        self._require_scheduled("再次报告完成")
        pending = [m.title for m in self.milestones if m.delivered_at is None]
        if pending:
            raise IllegalTransition("milestones_pending", f"尚有里程碑未交付：{'、'.join(pending)}")
        self.completed_at, self.completion_note, self.percent = at, _text(note), 100
        if self.acceptance_by == "inspectors":
            self.rater_ids = self.inspector_ids()
            self.rating_closes_at = rules.inspector_rating_window.after(at, cal)
        else:
            days = rules.public_vote.window_days.value
            self.rating_closes_at = cal.end_of_day(cal.local_date(at) + timedelta(days=days))
        self._touch(at)
        reason = "承办单位报告项目已完成，等待验收"
        entry = TimelineEntry(at, "completed", self.status, reason)
        self.status, self.status_reason = "completed", reason
        self.timeline.append(entry)

    def inspector_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for i in self.inspections:
            for d in i.deputy_ids:
                seen[d] = None
        return list(seen)

    def inspect(self, inspection: Inspection) -> None:
        if self.status == "accepted":
            raise IllegalTransition("project_accepted", "项目已验收，不能再登记视察")
        if inspection.inspector_kind == "deputies" and not inspection.deputy_ids:
            raise InvalidInput(
                "deputies_required", "代表视察须列出参加视察的代表", field="deputy_ids"
            )
        if inspection.inspector_kind == "supervision_group" and not inspection.group_id:
            raise InvalidInput("group_required", "督导组视察须注明督导组", field="group_id")
        if not inspection.findings:
            raise InvalidInput("findings_required", "至少填写一条视察意见", field="findings")
        for f in inspection.findings:
            if not _text(f.text):
                raise InvalidInput("finding_text_required", "视察意见不能为空", field="findings")
        self.inspections.append(inspection)
        self._touch(inspection.recorded_at)

    def rate_by_deputy(self, deputy_id: str, rating: Rating, at: datetime) -> RatingEntry:
        if self.status != "completed":
            raise IllegalTransition("not_completed", "项目尚未报告完成或已验收，不能评价")
        if self.acceptance_by != "inspectors":
            raise IllegalTransition("public_vote", "此项目由公众评议验收，代表不在此评价")
        if deputy_id not in self.rater_ids:
            raise IllegalTransition("not_a_rater", "只有视察过该项目的代表可以评价")
        if any(r.rater_id == deputy_id for r in self.ratings):
            raise IllegalTransition("already_rated", "您已评价过该项目")
        entry = RatingEntry("deputy", rating, at, deputy_id)
        self.ratings.append(entry)
        self._touch(at)
        return entry

    def rate_by_public(self, rating: Rating, at: datetime) -> RatingEntry:
        if self.status != "completed" or self.acceptance_by != "public":
            raise IllegalTransition("not_open_for_public", "项目不在公众评议中")
        if self.rating_closes_at is not None and at > self.rating_closes_at:
            raise IllegalTransition("vote_closed", "公众评议已结束")
        entry = RatingEntry("public", rating, at)
        self.ratings.append(entry)
        self._touch(at)
        return entry

    def counts(self) -> tuple[int, int, int]:
        return (
            sum(r.rating == "satisfied" for r in self.ratings),
            sum(r.rating == "basically_satisfied" for r in self.ratings),
            sum(r.rating == "unsatisfied" for r in self.ratings),
        )

    def decide(self, now: datetime, rules: ProjectRules) -> Acceptance | None:
        """The acceptance, when it is due: every inspector rated, or the window closed with
        at least one rating (a public vote: with the minimum votes). None otherwise."""
        if self.status != "completed" or self.acceptance is not None:
            return None
        closed = self.rating_closes_at is not None and now > self.rating_closes_at
        if self.acceptance_by == "inspectors":
            rated = {r.rater_id for r in self.ratings}
            due = (bool(self.rater_ids) and rated >= set(self.rater_ids)) or (
                closed and bool(self.ratings)
            )
        else:
            due = closed and len(self.ratings) >= rules.public_vote.min_votes.value
        if not due:
            return None
        s, b, u = self.counts()
        a = rules.acceptance
        result = acceptance_result(s, b, u, a.satisfied_share.value, a.positive_share.value)
        self.acceptance = Acceptance(result, s, b, u, a.rule, now)
        self._touch(now)
        return self.acceptance
