"""A deputy's duties (履职登记): the kinds the practice knows, with their Chinese labels,
and what a recorded activity must satisfy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from minyi.platform.errors import Invalid

KIND_LABELS: dict[str, str] = {
    "reception": "接待群众",
    "visit": "走访",
    "inspection": "视察",
    "research": "调研",
    "training": "学习培训",
    "sitting_in": "列席常委会会议",
    "report_to_voters": "向选民述职",
    "outreach": "三进三访",
    "other": "其他",
}

TITLE_MAX = 100
MAX_HOURS_PER_DAY = 24.0
MAX_PARTICIPANTS = 100_000


@dataclass(frozen=True)
class ActivityInput:
    """What the deputy (or station staff) says took place."""

    kind: str
    title: str
    on: date
    hours: float | None = None
    participants: int = 0


def check(activity: ActivityInput, today: date) -> ActivityInput:
    """The activity as it will be recorded, or ``Invalid`` naming the field and the rule."""
    if activity.kind not in KIND_LABELS:
        raise Invalid(
            "unknown_activity_kind",
            "履职类型须为：" + "、".join(f"{k}（{v}）" for k, v in KIND_LABELS.items()),
            field="kind",
        )
    title = activity.title.strip()
    if not title:
        raise Invalid("title_required", "请填写履职活动的标题", field="title")
    if len(title) > TITLE_MAX:
        raise Invalid("title_too_long", f"标题不超过{TITLE_MAX}个字", field="title")
    if activity.on > today:
        raise Invalid("date_in_future", "履职日期不能晚于今天（北京时间）", field="on")
    hours = activity.hours
    if activity.kind == "training":
        if hours is None or hours <= 0:
            raise Invalid("hours_required", "学习培训须填写学时（大于0）", field="hours")
        if hours > MAX_HOURS_PER_DAY:
            raise Invalid("hours_too_many", "一天的学时不能超过24小时", field="hours")
    elif hours is not None:
        raise Invalid("hours_only_for_training", "只有学习培训填写学时", field="hours")
    if not 0 <= activity.participants <= MAX_PARTICIPANTS:
        raise Invalid(
            "participants_out_of_range",
            f"参加人数须在0到{MAX_PARTICIPANTS}之间",
            field="participants",
        )
    return ActivityInput(activity.kind, title, activity.on, hours, activity.participants)
