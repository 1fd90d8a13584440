"""Deadline policy of one jurisdiction, parsed from its JSON text (replaceable without code).

The bundled default (``reference/deadlines.json``) cites where each number comes from; the
file is read by ``adapters/reference.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from minyi.supervision.domain.calendar import WorkingCalendar


class Kind(StrEnum):
    CITIZEN_APPEAL = "citizen_appeal"
    REPRESENTATIVE_SUGGESTION = "representative_suggestion"
    # What an official's visit to a station leaves to follow (minyi.contracts.visits): a
    # promise made there (承诺事项), and a question left for a written answer.
    COMMITMENT = "commitment"
    VISIT_QUESTION = "visit_question"
    # A B answer's promise (列入计划/正在解决 → 兑现), followed at the unit that made it until
    # the date the unit itself set (``DeliveryPromised``).
    DELIVERY = "delivery"
    # A milestone of an improvement project (项目里程碑), followed at the lead unit until the
    # end of its due day; its id is ``<project_id>~<milestone_id>``.
    MILESTONE = "milestone"


class PolicyError(ValueError):
    """The policy file is missing, not JSON, or breaks a rule; the message says where."""


class _Model(BaseModel):
    # Unknown keys are refused (typos must not silently keep a default) except "source"
    # and "comment", which document the rule for humans.
    model_config = ConfigDict(extra="forbid", frozen=True)


Unit = Literal["working_days", "calendar_hours", "months"]
# How a reply window's elapsed time is counted for reminder marks (not the time source,
# which is ``minyi.platform.clock.Clock``).
DayBasis = Literal["working", "calendar"]


class Duration(_Model):
    value: int = Field(ge=0)
    unit: Unit
    source: str = ""

    def after(self, start: datetime, cal: WorkingCalendar) -> datetime:
        if self.unit == "working_days":
            return cal.add_working_days(start, self.value)
        if self.unit == "months":
            return cal.add_months(start, self.value)
        return cal.add_hours(start, self.value)

    @property
    def basis(self) -> DayBasis:
        """How reminder marks measure elapsed time: urgent hour clocks never stop."""
        return "calendar" if self.unit == "calendar_hours" else "working"


class UrgentRules(_Model):
    accept: Duration
    reply: Duration
    source: str = ""


class ExtensionRules(_Model):
    max_total: Duration  # counted from assignment, e.g. 6 months
    max_count: int = Field(default=1, ge=1)
    reason_required: bool = True
    # "office": a formal suggestion's unit asks, the congress office decides (延期申请 →
    # 审批); "none": the unit's request is granted at once (older cases without signers).
    approval: Literal["none", "office"] = "none"
    source: str = ""


class FormalRules(_Model):
    """What a deputies' formal suggestion (代表建议 with signers) adds to its kind."""

    co_views: Duration  # co-units' written views (协办意见) due this long after assignment
    contact_before_reply: bool = True  # the lead records its contact with the deputies first
    rating_window: Duration  # the signers rate (征询意见表) within this after the answer
    source: str = ""


class KindRules(_Model):
    accept: Duration
    reply: Duration
    # Required when ``returnable``; a kind that may not be returned has no window.
    return_window: Duration | None = None
    # Required when ``feedback``: the re-handling time after a "not satisfied".
    rehandle: Duration | None = None
    urgent: UrgentRules | None = None
    extension: ExtensionRules | None = None
    # Deputies' formal suggestions only (``representative_suggestion`` with signers).
    formal: FormalRules | None = None
    # False: the unit set the item itself (a B answer's delivery date), so there is no
    # sign-for step: the case opens accepted, without a sign-for reminder.
    sign_for: bool = True
    # False: the unit cannot send the case back (退回), e.g. a promise it made itself.
    returnable: bool = True
    # False: nobody rates the answer, so the reply ends the handling: no feedback window,
    # no "no response" closure, no re-handling; the case stays ``replied``.
    feedback: bool = True
    comment: str = ""

    @model_validator(mode="after")
    def _windows_for_flags(self) -> KindRules:
        if self.returnable and self.return_window is None:
            raise ValueError("return_window is required unless returnable is false")
        if self.feedback and self.rehandle is None:
            raise ValueError("rehandle is required unless feedback is false")
        return self


class OutcomeRule(_Model):
    label: str
    reason_required: bool = False


class ReplyRules(_Model):
    min_length: int = Field(default=20, ge=1)
    outcomes: dict[Literal["A", "B", "C", "D"], OutcomeRule]
    source: str = ""

    @model_validator(mode="after")
    def _all_outcomes(self) -> ReplyRules:
        missing = {"A", "B", "C", "D"} - set(self.outcomes)
        if missing:
            raise ValueError(f"reply.outcomes lacks {sorted(missing)}")
        return self


class ReminderRules(_Model):
    normal: list[float]
    key_case: list[float]
    source: str = ""

    @model_validator(mode="after")
    def _marks_are_fractions(self) -> ReminderRules:
        for name, marks in (("normal", self.normal), ("key_case", self.key_case)):
            if any(not 0 < m < 1 for m in marks) or marks != sorted(set(marks)):
                raise ValueError(
                    f"reminders.{name} must be increasing fractions strictly between 0 and 1"
                )
        return self


class EscalationTarget(_Model):
    target_id: str
    target_name: str


class EscalationRules(_Model):
    # Level 1 fires at the reply deadline, to the district's supervision group.
    level2_after: Duration  # after the reply deadline, e.g. 5 working days
    level2: EscalationTarget  # the congress office
    source: str = ""


class FeedbackRules(_Model):
    window: Duration  # no feedback within this after the reply → closed "no_response"
    max_rehandles: int = Field(default=1, ge=0)
    source: str = ""


class Number(_Model):
    """A number of the projects' rules with where it comes from."""

    value: float = Field(ge=0)
    source: str = ""


class Count(_Model):
    value: int = Field(ge=0)
    source: str = ""


class AcceptanceRule(_Model):
    """满意 if the satisfied share exceeds ``satisfied_share``; 基本满意 if satisfied and
    basically satisfied together exceed ``positive_share``; otherwise 不满意."""

    rule: str
    satisfied_share: Number
    positive_share: Number
    source: str = ""


class PublicVote(_Model):
    window_days: Count  # calendar days after completion
    min_votes: Count
    source: str = ""


class ProjectRules(_Model):
    """Improvement projects (项目): the schedule's colour and the acceptance (验收)."""

    # A milestone late by up to this many working days is ``late``; more is ``very_late``.
    late_working_days: Count
    acceptance: AcceptanceRule
    inspector_rating_window: Duration  # after completion, for the inspecting deputies
    public_vote: PublicVote
    comment: str = ""
    source: str = ""


class SupervisionGroup(_Model):
    name: str
    districts: list[str]


class Deadlines(_Model):
    accept_by: datetime
    reply_by: datetime
    return_until: datetime | None  # None: the kind may not be returned
    basis: DayBasis  # how reply-window reminder marks are measured


@dataclass(frozen=True)
class Escalation:
    level: int
    target_id: str
    target_name: str


class DeadlinePolicy(_Model):
    schema_version: Literal[1]
    jurisdiction: str
    comment: str = ""
    kinds: dict[Kind, KindRules]
    reply: ReplyRules
    reminders: ReminderRules
    escalation: EscalationRules
    feedback: FeedbackRules
    supervision_groups: dict[str, SupervisionGroup]
    default_group: str
    districts: dict[str, str] = Field(default_factory=dict)  # code → name, for display
    # Issue 19: improvement projects. Optional here only so that its absence is refused
    # below with a message saying how to fix it.
    projects: ProjectRules | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DeadlinePolicy:
        missing = set(Kind) - set(self.kinds)
        if missing:
            # A policy file written before visits (issue 17) lacks the two follow-up kinds:
            # refused at start-up rather than guessed, since every number needs a source.
            hint = ""
            if missing <= {Kind.COMMITMENT, Kind.VISIT_QUESTION, Kind.DELIVERY, Kind.MILESTONE}:
                hint = " (the follow-up kinds of officials' visits, B answers' delivery and"
                hint += " projects' milestones: copy their rules from the bundled"
                hint += " reference/deadlines.json and adjust their sources)"
            raise ValueError(f"kinds lacks {sorted(str(k) for k in missing)}{hint}")
        if self.projects is None:
            raise ValueError(
                "projects is missing (improvement projects: late_working_days, acceptance,"
                " inspector_rating_window, public_vote: copy the section from the bundled"
                " reference/deadlines.json and adjust its sources)"
            )
        if self.kinds[Kind.REPRESENTATIVE_SUGGESTION].formal is None:
            # Issue 18: the co-units' views, contact and rating windows need their sources.
            raise ValueError(
                "kinds.representative_suggestion.formal is missing (co_views,"
                " contact_before_reply, rating_window: copy them from the bundled"
                " reference/deadlines.json and adjust their sources)"
            )
        if len(self.supervision_groups) == 0:
            raise ValueError("supervision_groups is empty")
        if self.default_group not in self.supervision_groups:
            raise ValueError(f"default_group {self.default_group!r} is not a supervision group")
        seen: dict[str, str] = {}
        for gid, group in self.supervision_groups.items():
            for code in group.districts:
                if code in seen:
                    raise ValueError(
                        f"district {code} is in both groups {seen[code]!r} and {gid!r}"
                    )
                seen[code] = gid
        for kind, rules in self.kinds.items():
            ext = rules.extension
            if ext is not None and ext.max_total.unit != rules.reply.unit:
                raise ValueError(f"kinds.{kind}.extension.max_total must use the reply unit")
            if ext is not None and ext.max_total.value <= rules.reply.value:
                raise ValueError(f"kinds.{kind}.extension.max_total must exceed the reply time")
        return self

    # -- parsing ------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, where: str = "<policy>") -> DeadlinePolicy:
        """Validate a policy's JSON text; ``where`` names its file in the error."""
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"{where}: not valid JSON: {exc}") from exc
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
                for err in exc.errors()
            )
            raise PolicyError(f"{where}: invalid deadline policy: {problems}") from exc

    # -- questions the case asks --------------------------------------------------------
    def rules_for(self, kind: Kind | str) -> KindRules:
        return self.kinds[Kind(kind)]

    def deadlines_for(
        self,
        kind: Kind | str,
        urgent: bool,
        assigned_at: datetime,
        cal: WorkingCalendar,
        promised: datetime | None = None,
    ) -> Deadlines:
        """The case's deadlines. ``promised`` (a commitment's ``due_at``) replaces the
        policy's reply time; on a day off it moves to the end of the next working day, and
        the sign-for deadline is never later than it."""
        rules = self.rules_for(kind)
        # Urgency only changes kinds that define urgent rules (citizen appeals: 24 h).
        accept, reply = rules.accept, rules.reply
        if urgent and rules.urgent is not None:
            accept, reply = rules.urgent.accept, rules.urgent.reply
        accept_by = accept.after(assigned_at, cal)
        if promised is None:
            reply_by = reply.after(assigned_at, cal)
        else:
            reply_by = cal.on_working_day(promised)
            accept_by = min(accept_by, max(reply_by, assigned_at))
        window = rules.return_window if rules.returnable else None
        return Deadlines(
            accept_by=accept_by,
            reply_by=reply_by,
            return_until=None if window is None else window.after(assigned_at, cal),
            basis=reply.basis,
        )

    def _rehandle(self, kind: Kind | str) -> Duration:
        rehandle = self.rules_for(kind).rehandle
        if rehandle is None:  # only kinds without feedback, which are never reopened
            raise ValueError(f"kind {kind} has no rehandle rule")
        return rehandle

    def rehandle_deadline(
        self, kind: Kind | str, reopened_at: datetime, cal: WorkingCalendar
    ) -> datetime:
        return self._rehandle(kind).after(reopened_at, cal)

    def rehandle_basis(self, kind: Kind | str) -> DayBasis:
        return self._rehandle(kind).basis

    def extension_limit(
        self, kind: Kind | str, assigned_at: datetime, cal: WorkingCalendar
    ) -> datetime | None:
        """Latest reply deadline an extension may set; None when the kind has no extension."""
        ext = self.rules_for(kind).extension
        return None if ext is None else ext.max_total.after(assigned_at, cal)

    def feedback_deadline(self, replied_at: datetime, cal: WorkingCalendar) -> datetime:
        return self.feedback.window.after(replied_at, cal)

    def formal_rules(self) -> FormalRules:
        """The formal-suggestion rules (of ``representative_suggestion``)."""
        formal = self.rules_for(Kind.REPRESENTATIVE_SUGGESTION).formal
        if formal is None:
            raise ValueError("kinds.representative_suggestion.formal is missing")
        return formal

    def project_rules(self) -> ProjectRules:
        if self.projects is None:  # pragma: no cover - refused when the policy is parsed
            raise ValueError("projects is missing")
        return self.projects

    def reminder_marks(self, key_case: bool) -> list[float]:
        return list(self.reminders.key_case if key_case else self.reminders.normal)

    def level2_escalation_at(self, reply_by: datetime, cal: WorkingCalendar) -> datetime:
        return self.escalation.level2_after.after(reply_by, cal)

    def escalation_target(self, level: int, district: str) -> Escalation:
        if level == 1:
            gid = self.group_for_district(district)
            return Escalation(1, gid, self.supervision_groups[gid].name)
        if level == 2:
            target = self.escalation.level2
            return Escalation(2, target.target_id, target.target_name)
        raise ValueError(f"unknown escalation level {level}")

    def group_for_district(self, code: str) -> str:
        """Group id for a district code; unknown districts go to ``default_group``."""
        for gid, group in self.supervision_groups.items():
            if code in group.districts:
                return gid
        return self.default_group


@dataclass(frozen=True)
class Rules:
    """What a case needs to compute deadlines: the policy and the calendar."""

    policy: DeadlinePolicy
    calendar: WorkingCalendar
