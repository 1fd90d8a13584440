"""Officials' visits to stations (局长进站 / 国家机关联系代表): the rules a plan keeps,
questions moderated before they are public, what is recorded at the visit (attendance,
answers on the spot, commitments), and how a promise reads once the unit has answered.
Times are Beijing time (the policy's zone)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from minyi.platform.errors import Conflict, Invalid

VisitStatus = Literal["planned", "held", "cancelled"]
QuestionStatus = Literal["submitted", "published", "rejected"]
Asker = Literal["deputy", "citizen"]
# How a commitment (or a question left for a written answer) stands, for the public page.
FollowUpState = Literal["open", "kept_on_time", "kept_late", "overdue"]

VISIT_LABELS: dict[VisitStatus, str] = {
    "planned": "已安排",
    "held": "已举行",
    "cancelled": "已取消",
}
QUESTION_LABELS: dict[QuestionStatus, str] = {
    "submitted": "待审核",
    "published": "已公开",
    "rejected": "未采用",
}
COMMITMENT_LABELS: dict[FollowUpState, str] = {
    "open": "进行中",
    "kept_on_time": "按期兑现",
    "kept_late": "逾期兑现",
    "overdue": "已逾期",
}
WRITTEN_ANSWER_LABELS: dict[FollowUpState, str] = {
    "open": "待书面答复",
    "kept_on_time": "已书面答复",
    "kept_late": "逾期答复",
    "overdue": "逾期未答复",
}

QUESTION_MIN_CHARS = 5
QUESTION_MAX_CHARS = 1000


@dataclass(frozen=True)
class VisitPolicy:
    """From ``reference/policy.json``: each number with the rule it comes from."""

    written_answer_days: int  # working days for the written answer (supervision's clock)
    written_answer_source: str
    max_commitments: int
    max_commitment_days: int  # how far ahead a promised day may lie
    timezone: ZoneInfo

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    def end_of(self, day: date) -> datetime:
        """The last instant of ``day`` in Beijing: a promise ``by 12月31日`` is kept
        until midnight."""
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.timezone) - (
            timedelta(microseconds=1)
        )


@dataclass(frozen=True)
class VisitPlan:
    """What the office asks for."""

    station_id: str
    official_name: str
    official_post: str
    unit_id: str
    day: date
    start: time
    end: time
    theme: str
    place: str | None = None


@dataclass(frozen=True)
class Visit:
    id: str
    station_id: str
    official_name: str
    official_post: str
    unit_id: str
    unit_name: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    theme: str
    status: VisitStatus
    planned_at: datetime
    planned_by: str
    deputy_ids: tuple[str, ...] = ()  # present (once held)
    citizens: int | None = None  # present (once held)
    closed_at: datetime | None = None  # held or cancelled
    cancel_reason: str | None = None


@dataclass(frozen=True)
class Answer:
    """A unit's answer to a follow-up (supervision's ``Resolved``)."""

    reply: str
    outcome: str
    replied_at: datetime
    on_time: bool
    round: int


@dataclass(frozen=True)
class Question:
    id: str
    visit_id: str
    asked_by: Asker
    deputy_id: str | None
    text: str
    status: QuestionStatus
    submitted_at: datetime
    moderated_at: datetime | None = None
    moderated_by: str | None = None
    reject_reason: str | None = None
    answer: str | None = None  # on the spot
    written_required_at: datetime | None = None  # left for a written answer
    written: Answer | None = None
    overdue_at: datetime | None = None


@dataclass(frozen=True)
class Commitment:
    id: str
    visit_id: str
    text: str
    unit_id: str
    unit_name: str
    due_on: date
    due_at: datetime
    made_at: datetime
    kept: Answer | None = None
    overdue_at: datetime | None = None


@dataclass(frozen=True)
class CommitmentDraft:
    text: str
    unit_id: str
    due_on: date


def _text(value: str, field: str, label: str, limit: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise Invalid(f"{field}_required", f"请填写{label}", field=field)
    if len(cleaned) > limit:
        raise Invalid(f"{field}_too_long", f"{label}不能超过 {limit} 字", field=field)
    return cleaned


def check_plan(
    plan: VisitPlan, now: datetime, policy: VisitPolicy, units: Mapping[str, str]
) -> tuple[datetime, datetime]:
    """The visit's start and end, or 422 naming the field and the rule."""
    _text(plan.official_name, "official_name", "来访负责同志姓名", 50)
    _text(plan.official_post, "official_post", "职务", 100)
    _text(plan.theme, "theme", "主题", 200)
    if plan.unit_id not in units:
        raise Invalid(
            "unknown_unit", f"单位目录中没有编号为 {plan.unit_id} 的单位", field="unit_id"
        )
    if plan.day < policy.local_day(now):
        raise Invalid("visit_in_past", f"进站日期 {plan.day} 已经过去", field="date")
    if plan.end <= plan.start:
        raise Invalid("end_before_start", "结束时间须晚于开始时间", field="end")
    starts_at = datetime.combine(plan.day, plan.start, tzinfo=policy.timezone)
    if starts_at <= now:
        raise Invalid("visit_in_past", "开始时间已经过去", field="start")
    return starts_at, datetime.combine(plan.day, plan.end, tzinfo=policy.timezone)


def may_ask(visit: Visit, now: datetime) -> None:
    """Questions are taken until the visit starts."""
    if visit.status != "planned":
        raise Conflict("visit_not_open", f"该次进站{VISIT_LABELS[visit.status]}，不再征集问题")
    if now >= visit.starts_at:
        raise Conflict("visit_started", "进站活动已开始，不再征集问题")


def check_question(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) < QUESTION_MIN_CHARS:
        raise Invalid("question_too_short", f"问题至少写 {QUESTION_MIN_CHARS} 个字", field="text")
    if len(cleaned) > QUESTION_MAX_CHARS:
        raise Invalid("question_too_long", f"问题不能超过 {QUESTION_MAX_CHARS} 字", field="text")
    return cleaned


def may_moderate(visit: Visit, question: Question) -> None:
    """A submitted question is published or rejected once, before the visit is recorded."""
    if visit.status != "planned":
        raise Conflict("visit_not_open", f"该次进站{VISIT_LABELS[visit.status]}，不能再审核问题")
    if question.status != "submitted":
        raise Conflict(
            "question_already_moderated",
            f"该问题已审核（{QUESTION_LABELS[question.status]}）",
            field="question_id",
        )


def may_cancel(visit: Visit) -> None:
    if visit.status != "planned":
        raise Conflict("visit_not_planned", f"该次进站{VISIT_LABELS[visit.status]}，不能取消")


def check_record(
    visit: Visit,
    now: datetime,
    present: Sequence[str],
    station_deputies: Collection[str],
    citizens: int,
    answers: Mapping[str, str],
    published: Collection[str],
    commitments: Sequence[CommitmentDraft],
    units: Mapping[str, str],
    policy: VisitPolicy,
) -> None:
    """What staff record at the visit: once, after it started, deputies of the station,
    answers to published questions only, commitments the policy allows."""
    if visit.status != "planned":
        raise Conflict("visit_not_planned", f"该次进站{VISIT_LABELS[visit.status]}，不能再登记")
    if now < visit.starts_at:
        raise Conflict("visit_not_started", "进站活动尚未开始，不能登记为已举行")
    strangers = [d for d in present if d not in station_deputies]
    if strangers:
        raise Invalid(
            "deputy_not_of_station",
            f"不是本联络站的代表：{'、'.join(strangers)}",
            field="deputy_ids",
        )
    if citizens < 0:
        raise Invalid("citizens_negative", "到场群众人数不能为负数", field="citizens")
    for question_id, answer in answers.items():
        if question_id not in published:
            raise Invalid("unknown_question", "只能答复本次进站已公开的问题", field="answers")
        if not answer.strip():
            raise Invalid("answer_required", "当场答复须填写答复内容", field="answers")
    if len(commitments) > policy.max_commitments:
        raise Invalid(
            "too_many_commitments",
            f"一次进站最多登记 {policy.max_commitments} 项承诺事项",
            field="commitments",
        )
    for i, c in enumerate(commitments):
        check_commitment(c, visit, now, units, policy, field=f"commitments.{i}")


def check_commitment(
    c: CommitmentDraft,
    visit: Visit,
    now: datetime,
    units: Mapping[str, str],
    policy: VisitPolicy,
    *,
    field: str = "commitments",
) -> None:
    if not c.text.strip():
        raise Invalid("commitment_text_required", "请填写承诺事项的内容", field=f"{field}.text")
    if len(c.text.strip()) > 1000:
        raise Invalid("commitment_too_long", "承诺事项不能超过 1000 字", field=f"{field}.text")
    if c.unit_id not in units:
        raise Invalid(
            "unknown_unit", f"单位目录中没有编号为 {c.unit_id} 的单位", field=f"{field}.unit_id"
        )
    first = max(policy.local_day(visit.starts_at), policy.local_day(now))
    if c.due_on < first:
        raise Invalid(
            "due_before_visit",
            f"承诺完成日期不能早于 {first.isoformat()}（进站当天或登记当天）",
            field=f"{field}.due_on",
        )
    last = policy.local_day(visit.starts_at) + timedelta(days=policy.max_commitment_days)
    if c.due_on > last:
        raise Invalid(
            "due_too_far",
            f"承诺完成日期不能晚于进站后 {policy.max_commitment_days} 天（{last.isoformat()}）",
            field=f"{field}.due_on",
        )


def follow_up_state(answer: Answer | None, overdue_at: datetime | None) -> FollowUpState:
    """An answer decides (on time or late, as supervision judged it); without one, the
    deadline passing makes it overdue. Either event may arrive first."""
    if answer is not None:
        return "kept_on_time" if answer.on_time else "kept_late"
    return "overdue" if overdue_at is not None else "open"


def newer(current: Answer | None, incoming: Answer) -> bool:
    """A later round's answer replaces the earlier one; the same round again is the same
    answer (a redelivery) and changes nothing."""
    return current is None or incoming.round > current.round
