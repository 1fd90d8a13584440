"""Events liaison publishes about officials' visits to stations (局长进站 / 国家机关联系代表)
and the promises made there (version 1). See the package docstring for the rules.

CloudEvents ``subject``: the visit id; for a commitment, the commitment id; for a question
left for a written answer, the question id.

How a promise is followed
-------------------------
A commitment (承诺事项) made at a visit, and a question the official could not answer on
the spot, each become a supervised item: supervision opens a case of kind ``commitment``
(due at ``due_at``, the end of the promised day) or ``visit_question`` (a written answer
due within the policy's working days of the visit) for ``unit_id``, with the same
reminders and escalation as any case. The case's events are supervision's usual ones
(``minyi.suggestion.*``) whose ``suggestion_id`` is the commitment's or question's id; the
unit's ``Resolved`` answer is the commitment kept (on time or late) or the written answer,
which liaison publishes on the visit's page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from minyi.contracts.envelope import EventData

VISIT_PLANNED = "minyi.visit.planned"
VISIT_QUESTION_PUBLISHED = "minyi.visit.question_published"
VISIT_HELD = "minyi.visit.held"
VISIT_CANCELLED = "minyi.visit.cancelled"
VISIT_WRITTEN_ANSWER_REQUIRED = "minyi.visit.written_answer_required"
COMMITMENT_MADE = "minyi.commitment.made"

Asker = Literal["deputy", "citizen"]
# The case kinds supervision opens for what a visit leaves to follow.
FollowUpKind = Literal["commitment", "visit_question"]


class VisitPlanned(EventData):
    """The office planned an official's visit to a station: who, from which unit, when,
    on what theme."""

    event_type: ClassVar[str] = "cn.minyi.visit.planned.v1"
    subject_name: ClassVar[str] = VISIT_PLANNED

    visit_id: str
    official_name: str
    official_post: str
    unit_id: str
    unit_name: str
    station_id: str
    district_codes: list[str]  # the station's divisions
    starts_at: datetime
    theme: str
    planned_at: datetime


class VisitQuestionPublished(EventData):
    """Station staff approved a question submitted before the visit; it is now public.
    Never the asker's name or contact: a deputy's id at most."""

    event_type: ClassVar[str] = "cn.minyi.visit.question_published.v1"
    subject_name: ClassVar[str] = VISIT_QUESTION_PUBLISHED

    question_id: str
    visit_id: str
    asked_by: Asker
    deputy_id: str | None = None
    text: str
    published_at: datetime


class VisitHeld(EventData):
    """The visit took place: who attended, how many questions were answered on the spot
    and how many are left for a written answer, how many commitments were made."""

    event_type: ClassVar[str] = "cn.minyi.visit.held.v1"
    subject_name: ClassVar[str] = VISIT_HELD

    visit_id: str
    station_id: str
    district_codes: list[str]
    unit_id: str
    unit_name: str
    deputy_ids: list[str]  # deputies present
    citizens: int = Field(ge=0)  # citizens present
    answered: int = Field(ge=0)
    pending: int = Field(ge=0)  # left for a written answer
    commitments: int = Field(ge=0)
    held_at: datetime


class VisitCancelled(EventData):
    """The visit was called off."""

    event_type: ClassVar[str] = "cn.minyi.visit.cancelled.v1"
    subject_name: ClassVar[str] = VISIT_CANCELLED

    visit_id: str
    station_id: str
    reason: str
    cancelled_at: datetime


class CommitmentMade(EventData):
    """A promise made at a visit (承诺事项): what, by which unit, by when. Supervision opens
    a ``commitment`` case due at ``due_at``."""

    event_type: ClassVar[str] = "cn.minyi.commitment.made.v1"
    subject_name: ClassVar[str] = COMMITMENT_MADE

    commitment_id: str
    # For a finding of a project inspection (视察) that became a commitment: the
    # inspection's id, ``station_id`` empty and ``project_id`` set (added in v1, optional).
    visit_id: str
    station_id: str
    district_code: str
    unit_id: str
    unit_name: str
    text: str
    due_on: date  # the promised day (Beijing)
    due_at: datetime  # the end of that day, as an instant
    deputy_ids: list[str] = Field(default_factory=list)  # deputies present, who follow it
    made_at: datetime
    project_id: str | None = None


class WrittenAnswerRequired(EventData):
    """A question not answered at the visit: the unit owes a public written answer.
    Supervision opens a ``visit_question`` case due by its policy (5 working days)."""

    event_type: ClassVar[str] = "cn.minyi.visit.written_answer_required.v1"
    subject_name: ClassVar[str] = VISIT_WRITTEN_ANSWER_REQUIRED

    question_id: str
    visit_id: str
    station_id: str
    district_code: str
    unit_id: str
    unit_name: str
    text: str
    required_at: datetime  # the visit's end: the clock starts here
