"""Events liaison publishes about deputies' duties (履职登记) and their evaluation (履职评价),
version 1. See the package docstring for the rules.

CloudEvents ``subject``: the activity id for an activity; the deputy id for a score or a
published snapshot.

A deputy's score is computed by liaison from the performance file (履职档案) under the
deployment's evaluation policy; ``DeputyScored`` is published whenever a deputy's score
for a year changes (reporting keeps the newest by ``version``), and
``PerformancePublished`` once per deputy and quarter when the quarter's snapshot is
published: a snapshot never changes afterwards.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from minyi.contracts.envelope import EventData

ACTIVITY_RECORDED = "minyi.deputy.activity_recorded"
DEPUTY_SCORED = "minyi.deputy.scored"
PERFORMANCE_PUBLISHED = "minyi.deputy.performance_published"

# What deputies do, in the practice's terms: 接待 reception, 走访 visit, 视察 inspection,
# 调研 research, 学习培训 training (with hours), 列席 sitting in on standing-committee
# meetings, 述职 reporting to voters, 三进三访 outreach, other.
ActivityKind = Literal[
    "reception",
    "visit",
    "inspection",
    "research",
    "training",
    "sitting_in",
    "report_to_voters",
    "outreach",
    "other",
]
RecordedBy = Literal["deputy", "station_staff", "office"]


class ActivityRecorded(EventData):
    """A deputy's duty was recorded (履职登记), by the deputy or station staff. ``notes``
    never hold a citizen's contact data."""

    event_type: ClassVar[str] = "cn.minyi.deputy.activity_recorded.v1"
    subject_name: ClassVar[str] = ACTIVITY_RECORDED

    activity_id: str
    deputy_id: str
    kind: ActivityKind
    title: str
    on: date  # the day it took place (Beijing)
    hours: float | None = Field(default=None, ge=0)  # training hours
    participants: int = Field(default=0, ge=0)
    station_id: str | None = None
    district_code: str | None = None
    recorded_by: RecordedBy
    recorded_at: datetime


class ScoreLine(EventData):
    """One kind's part of a score: entries counted, points before and after the cap."""

    kind: str
    entries: int = Field(ge=0)
    raw: float
    points: float


class DeputyScored(EventData):
    """A deputy's score for ``year`` under the evaluation policy changed."""

    event_type: ClassVar[str] = "cn.minyi.deputy.scored.v1"
    subject_name: ClassVar[str] = DEPUTY_SCORED

    deputy_id: str
    year: int
    score: float = Field(ge=0, le=100)
    band: str  # the policy's band id, e.g. "excellent"
    band_label: str  # as people read it, e.g. "优秀"
    lines: list[ScoreLine]
    policy_version: str
    version: int  # grows with every change of this deputy's score for the year
    scored_at: datetime


class PerformancePublished(EventData):
    """The quarter's snapshot of a deputy's file and score was published (never changes)."""

    event_type: ClassVar[str] = "cn.minyi.deputy.performance_published.v1"
    subject_name: ClassVar[str] = PERFORMANCE_PUBLISHED

    deputy_id: str
    quarter: str  # "2026-Q4"
    score: float = Field(ge=0, le=100)
    band: str
    band_label: str
    lines: list[ScoreLine]
    policy_version: str
    published_at: datetime
