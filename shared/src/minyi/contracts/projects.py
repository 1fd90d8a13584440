"""Events about improvement projects (项目 / 民生实事), published recurring appeals and
citizens' support (附议) (version 1). See the package docstring for the rules.

How a project travels
---------------------
- **supervision** owns the project: the congress office registers it
  (:class:`ProjectRegistered`; later edits and links carry the whole record again in
  :class:`ProjectUpdated`). Each milestone is followed as its own supervised item, a case of
  kind ``milestone`` whose ``suggestion_id`` is ``<project_id>~<milestone_id>``: its
  reminders, overdue marks and escalations are the usual ``minyi.suggestion.*`` events of
  that id, and its ``Resolved`` is the milestone's delivery (see
  :class:`MilestoneDelivered`, published beside it).
- The unit reports progress (:class:`ProjectProgressReported`, with the evidence files'
  names and sizes — never their content), and finally done (:class:`ProjectCompleted`).
- Supervision recomputes the schedule's colour from the milestones and the policy's
  thresholds and publishes every change (:class:`ProjectStatusChanged`): the public
  ledger's timeline is these events.
- Deputies or supervision groups inspect (:class:`ProjectInspected`); a finding that
  becomes a commitment opens a ``commitment`` case and is published as the visits' own
  ``CommitmentMade`` (``visit_id`` the inspection id, ``station_id`` empty).
- Once done, the inspectors (or the public, as the office chose) rate it
  (:class:`ProjectRated`); the policy's rule turns the ratings into the acceptance result
  (:class:`ProjectAccepted`).

Public recurring appeals and support
------------------------------------
- **supervision**: the office publishes a recurring-appeal cluster under a title it wrote
  (:class:`RecurringAppealPublished`; ``public=False`` withdraws it).
- **intake**: a citizen whose phone was checked by a one-time code supports (+1) a public
  appeal or project, once per person and target (:class:`SupportAdded`). Intake stores only
  the phone's blind index; the event carries no reference to the person.

CloudEvents ``subject``: the project id; for an appeal, the cluster id; for support, the
target's id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from minyi.contracts.envelope import EventData
from minyi.contracts.formal import Rating

PROJECT_REGISTERED = "minyi.project.registered"
PROJECT_UPDATED = "minyi.project.updated"
PROJECT_PROGRESS_REPORTED = "minyi.project.progress_reported"
PROJECT_MILESTONE_DELIVERED = "minyi.project.milestone_delivered"
PROJECT_STATUS_CHANGED = "minyi.project.status_changed"
PROJECT_INSPECTED = "minyi.project.inspected"
PROJECT_COMPLETED = "minyi.project.completed"
PROJECT_RATED = "minyi.project.rated"
PROJECT_ACCEPTED = "minyi.project.accepted"
APPEAL_PUBLISHED = "minyi.appeal.published"
SUPPORT_ADDED = "minyi.support.added"

# The 2025 programme's seven focus areas (重点领域), one per improvement project.
FOCUS_AREAS: tuple[str, ...] = (
    "城市能级",
    "科技赋能",
    "现代服务业",
    "交通物流枢纽功能",
    "城乡统筹发展",
    "生态环境质量",
    "文旅产业",
)
# The schedule's colour: on plan (green); a milestone late by up to the policy's working
# days (orange); later than that (red); reported done, awaiting acceptance (blue); accepted.
ProjectStatus = Literal["on_plan", "late", "very_late", "completed", "accepted"]
# Who rates a finished project: the deputies who inspected it, or the public.
AcceptanceBy = Literal["inspectors", "public"]
InspectorKind = Literal["deputies", "supervision_group"]
SupportTarget = Literal["appeal", "project"]


class Milestone(BaseModel):
    milestone_id: str = Field(description="unique within the project, e.g. m1")
    title: str
    due_on: date = Field(description="the day it is due (Beijing)")
    deliverable: str = ""


class ProjectLinks(BaseModel):
    """What the project answers: citizens' suggestions and formal suggestions (both by
    suggestion id), recurring-appeal clusters, commitments."""

    suggestion_ids: list[str] = Field(default_factory=list)
    cluster_ids: list[str] = Field(default_factory=list)
    commitment_ids: list[str] = Field(default_factory=list)


class ProjectState(EventData):
    """A project's whole record (no event type of its own)."""

    project_id: str
    name: str
    focus_area: str = Field(description="one of FOCUS_AREAS")
    division_codes: list[str]
    unit_ids: list[str] = Field(description="responsible units, the lead first")
    budget_yuan: int | None = None
    starts_on: date
    ends_on: date
    milestones: list[Milestone]
    links: ProjectLinks = Field(default_factory=ProjectLinks)
    acceptance_by: AcceptanceBy = "inspectors"
    summary: str = ""
    version: int
    changed_at: datetime


class ProjectRegistered(ProjectState):
    """The congress office registered an improvement project."""

    event_type: ClassVar[str] = "cn.minyi.project.registered.v1"
    subject_name: ClassVar[str] = PROJECT_REGISTERED


class ProjectUpdated(ProjectState):
    """A project's record changed (an edit, a new link); the event carries the whole record."""

    event_type: ClassVar[str] = "cn.minyi.project.updated.v1"
    subject_name: ClassVar[str] = PROJECT_UPDATED


class EvidenceFile(BaseModel):
    file_id: str
    name: str
    media_type: str
    size_bytes: int


class ProjectProgressReported(EventData):
    """The responsible unit reported progress: a percentage, a note, evidence files."""

    event_type: ClassVar[str] = "cn.minyi.project.progress_reported.v1"
    subject_name: ClassVar[str] = PROJECT_PROGRESS_REPORTED

    project_id: str
    unit_id: str
    percent: int = Field(ge=0, le=100)
    note: str
    evidence: list[EvidenceFile] = Field(default_factory=list)
    reported_at: datetime


class MilestoneDelivered(EventData):
    """The unit delivered a milestone (its item's ``Resolved`` is published beside it)."""

    event_type: ClassVar[str] = "cn.minyi.project.milestone_delivered.v1"
    subject_name: ClassVar[str] = PROJECT_MILESTONE_DELIVERED

    project_id: str
    milestone_id: str
    unit_id: str
    note: str = ""
    on_time: bool
    delivered_at: datetime


class ProjectStatusChanged(EventData):
    """The schedule's colour changed; ``reason`` says why in the office's words."""

    event_type: ClassVar[str] = "cn.minyi.project.status_changed.v1"
    subject_name: ClassVar[str] = PROJECT_STATUS_CHANGED

    project_id: str
    status: ProjectStatus
    previous: ProjectStatus | None = None
    reason: str
    # The milestone that made it late, and by how many working days.
    milestone_id: str | None = None
    late_working_days: int | None = None
    changed_at: datetime


class InspectionFinding(BaseModel):
    text: str
    # Set when the finding became a commitment (a supervised ``commitment`` case).
    commitment_id: str | None = None
    unit_id: str | None = None
    due_on: date | None = None


class ProjectInspected(EventData):
    """Deputies or a supervision group inspected the project (视察) and wrote findings."""

    event_type: ClassVar[str] = "cn.minyi.project.inspected.v1"
    subject_name: ClassVar[str] = PROJECT_INSPECTED

    project_id: str
    inspection_id: str
    inspector_kind: InspectorKind
    deputy_ids: list[str] = Field(default_factory=list)
    group_id: str | None = None
    held_on: date
    findings: list[InspectionFinding] = Field(default_factory=list)
    recorded_at: datetime


class ProjectCompleted(EventData):
    """The unit reported the project done: acceptance rating opens."""

    event_type: ClassVar[str] = "cn.minyi.project.completed.v1"
    subject_name: ClassVar[str] = PROJECT_COMPLETED

    project_id: str
    unit_id: str
    note: str = ""
    acceptance_by: AcceptanceBy
    # The deputies who may rate (the inspectors); empty for a public vote.
    rater_ids: list[str] = Field(default_factory=list)
    completed_at: datetime


class ProjectRated(EventData):
    """One acceptance rating: an inspecting deputy's, or a member of the public's (then
    ``rater_id`` is None: never a reference to the person)."""

    event_type: ClassVar[str] = "cn.minyi.project.rated.v1"
    subject_name: ClassVar[str] = PROJECT_RATED

    project_id: str
    rater_kind: Literal["deputy", "public"]
    rater_id: str | None = None
    rating: Rating
    rated_at: datetime


class ProjectAccepted(EventData):
    """The acceptance result by the policy's rule (满意 if more than half are satisfied;
    基本满意 if satisfied + basically satisfied exceed half; otherwise 不满意)."""

    event_type: ClassVar[str] = "cn.minyi.project.accepted.v1"
    subject_name: ClassVar[str] = PROJECT_ACCEPTED

    project_id: str
    result: Rating
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    rule: str = Field(description="the rule applied, as the policy file states it")
    accepted_at: datetime


class RecurringAppealPublished(EventData):
    """The office published a recurring-appeal cluster under its own title (or withdrew it
    with ``public=False``). Only this title and the counts are ever public."""

    event_type: ClassVar[str] = "cn.minyi.appeal.published.v1"
    subject_name: ClassVar[str] = APPEAL_PUBLISHED

    cluster_id: str
    title: str
    summary: str = ""
    division_codes: list[str] = Field(default_factory=list)
    focus_area: str | None = None
    public: bool = True
    version: int
    published_at: datetime


class SupportAdded(EventData):
    """A citizen supported (+1, 附议) a public appeal or project. Once per person and target
    (intake keeps the phone's blind index); the event names neither."""

    event_type: ClassVar[str] = "cn.minyi.support.added.v1"
    subject_name: ClassVar[str] = SUPPORT_ADDED

    support_id: str
    target_kind: SupportTarget
    target_id: str
    supported_at: datetime
