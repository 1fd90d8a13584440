"""The handling case (办理案件) of one suggestion at one unit: state machine and timers.

Lifecycle: assigned → accepted (签收) → in_progress → replied → closed, with returned
(back to routing; terminal for this case, routing opens a new one), reopened (citizen not
satisfied → same unit handles again, round 2) and ``overdue`` as a flag.

Every transition returns the domain events to emit (plain dataclasses below). A refused
transition raises :class:`IllegalTransition` (HTTP 409); bad input raises
:class:`InvalidInput` (HTTP 422, naming the ``field``). Both carry an English ``code`` and a
Chinese ``message`` (the platform's errors, mapped to HTTP once by the platform).

Idempotency (events may be redelivered or arrive out of order): repeating a transition
whose effect already holds returns ``[]`` instead of failing — accept on an accepted case,
return on a returned case, mark_key_case on a key case, feedback or no-response on a
closed case, feedback for an earlier round. A second *reply* is refused (its content may
differ), as is a second extension.

Follow-up kinds (``commitment``, ``visit_question``: what an official's visit to a station
leaves to follow) run the same machine with two flags from the policy, kept on the case
when it opens: they cannot be returned (``returnable``: the unit made the promise, or owes
the answer, itself; routing has nothing to re-route), and nobody rates the answer
(``awaits_feedback``: the reply ends the handling, the case stays ``replied``, with no
feedback window and no "no response" closure). A commitment's reply deadline is the date
promised at the visit (``due_at``), moved to the end of the next working day when that day
is not one; reminder marks are measured in working days between opening and that deadline.

Timers are planned when deadlines are set and stored on the case (``timers``), so
``due_timer_actions(now)`` is pure and ``next_due_at()`` can be an indexed column for a
deadline sweep. ``fire_timers(now)`` records each timer as issued, so each reminder,
overdue flag and escalation happens exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, ClassVar, Literal, TypeVar

from pydantic import ConfigDict, Field

from minyi.contracts.status import SuggestionStatus
from minyi.platform.errors import Conflict, Invalid
from minyi.supervision.domain.calendar import WorkingCalendar, require_aware
from minyi.supervision.domain.formal import (
    CONTACT_MODES,
    Contact,
    CoUnitViews,
    Delivery,
    ExtensionRequest,
    Formal,
    Review,
    SignerRating,
    delivery_id_for,
)
from minyi.supervision.domain.policy import DayBasis, Kind, Rules


class Outcome(StrEnum):
    A = "A"  # 已解决或基本解决
    B = "B"  # 正在解决或列入计划解决
    C = "C"  # 因条件限制暂时不能解决 (reason required)
    D = "D"  # 留作参考


class CloseResult(StrEnum):
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    NO_RESPONSE = "no_response"


@dataclass(frozen=True, kw_only=True)
class CaseEvent:
    case_id: str
    suggestion_id: str
    unit_id: str
    at: datetime
    version: int  # the case's version after this change: per-aggregate ordering


@dataclass(frozen=True, kw_only=True)
class CaseAccepted(CaseEvent):
    on_time: bool


@dataclass(frozen=True, kw_only=True)
class ProgressReported(CaseEvent):
    note: str


@dataclass(frozen=True, kw_only=True)
class Resolved(CaseEvent):
    outcome: Outcome
    reply: str
    measures: str | None
    reason: str | None
    round: int
    on_time: bool
    feedback_by: datetime | None  # None for kinds nobody rates
    delivery_by: date | None = None  # a formal suggestion's B: the unit's own date


@dataclass(frozen=True, kw_only=True)
class AssignmentReturned(CaseEvent):
    reason: str
    suggested_unit: str
    within_window: bool
    supervisor_consent: bool


@dataclass(frozen=True, kw_only=True)
class ExtensionGranted(CaseEvent):
    reason: str
    previous_reply_by: datetime
    reply_by: datetime


@dataclass(frozen=True, kw_only=True)
class ReminderIssued(CaseEvent):
    stage: Literal["accept", "reply"]
    mark: float | None  # fraction of the reply window; None for a manual 催办
    deadline: datetime
    manual: bool = False
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class MarkedOverdue(CaseEvent):
    reply_by: datetime
    round: int


@dataclass(frozen=True, kw_only=True)
class Escalated(CaseEvent):
    level: int  # 1 督导组, 2 人大常委会办公室
    target_id: str
    target_name: str
    reply_by: datetime


@dataclass(frozen=True, kw_only=True)
class CaseReopened(CaseEvent):
    reply_by: datetime
    round: int


@dataclass(frozen=True, kw_only=True)
class CaseClosed(CaseEvent):
    result: CloseResult
    needs_review: bool


@dataclass(frozen=True, kw_only=True)
class KeyCaseMarked(CaseEvent):
    pass


# -- a formal suggestion's events (minyi.contracts.formal) -------------------------------
@dataclass(frozen=True, kw_only=True)
class CoViewsSubmitted(CaseEvent):
    co_unit_id: str
    views: str
    views_by: datetime
    on_time: bool


@dataclass(frozen=True, kw_only=True)
class DeputiesContacted(CaseEvent):
    contacted_on: date
    mode: str
    note: str | None


@dataclass(frozen=True, kw_only=True)
class ExtensionRequested(CaseEvent):
    reason: str
    reply_by: datetime
    requested_reply_by: datetime


@dataclass(frozen=True, kw_only=True)
class ExtensionRefused(CaseEvent):
    note: str


@dataclass(frozen=True, kw_only=True)
class AnswerReviewed(CaseEvent):
    verdict: str
    note: str
    reviewer: str


@dataclass(frozen=True, kw_only=True)
class DeliveryPromised(CaseEvent):
    delivery_id: str
    promised_by: date


_E = TypeVar("_E", bound="CaseEvent")


# -- errors -------------------------------------------------------------------------------
class _CodeInText:
    """``str(error)`` reads "code: message", so a log line names the rule that refused."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class IllegalTransition(_CodeInText, Conflict):
    """The case's state refuses this action (HTTP 409)."""


class InvalidInput(_CodeInText, Invalid):
    """The action is allowed but its content is not (HTTP 422, naming the field)."""


# -- status and timers --------------------------------------------------------------------
class Status(StrEnum):
    """The case's states: words of the one status vocabulary (``SuggestionStatus``), whose
    ``LABELS`` are what a person reads."""

    ASSIGNED = SuggestionStatus.ASSIGNED.value
    ACCEPTED = SuggestionStatus.ACCEPTED.value
    IN_PROGRESS = SuggestionStatus.IN_PROGRESS.value
    REPLIED = SuggestionStatus.REPLIED.value
    REOPENED = SuggestionStatus.REOPENED.value
    RETURNED = SuggestionStatus.RETURNED.value
    CLOSED = SuggestionStatus.CLOSED.value


# Why a kind cannot be returned, as the unit reads it.
_NOT_RETURNABLE = {
    Kind.COMMITMENT: "承诺事项由本单位当场作出，不能退回；如需调整请联系人大常委会办公室",
    Kind.VISIT_QUESTION: "进站时未能当场答复的问题由本单位书面答复，不能退回；"
    "如需调整请联系人大常委会办公室",
    Kind.DELIVERY: "B类答复的兑现事项由本单位承诺，不能退回；如需调整请联系人大常委会办公室",
    Kind.MILESTONE: "项目里程碑由本单位按登记的计划交付，不能退回；如需调整请联系人大常委会办公室",
}

# Statuses in which the unit is handling (the reply clock runs).
OPEN = frozenset({Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED})
HANDLING = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED})

TimerKind = Literal["accept_reminder", "reminder", "overdue", "escalation", "no_response"]
# A deadline of 23:59:59 is missed from the next second on.
_AFTER = timedelta(seconds=1)


@dataclass(frozen=True)
class TimerAction:
    """One planned timer. ``issued_at`` is set once fired (or skipped as superseded)."""

    key: str  # unique in the case's current plan, e.g. "reminder:0.5", "escalation:2"
    kind: TimerKind
    due_at: datetime
    mark: float | None = None
    level: int | None = None
    target_id: str | None = None
    target_name: str | None = None
    issued_at: datetime | None = None
    skipped: bool = False  # superseded (e.g. a 50 % reminder when already overdue)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    detail: dict[str, str]


def _text(value: str | None) -> str:
    return (value or "").strip()


def _mark_instants(
    start: datetime, end: datetime, marks: Sequence[float], basis: DayBasis, cal: WorkingCalendar
) -> list[datetime]:
    if end <= start:  # a promise due before it was recorded: no window to mark
        return [start for _ in marks]
    if basis == "calendar":
        return [start + (end - start) * mark for mark in marks]
    total = cal.working_days_between(start, end)  # once for all the marks: a day-by-day walk
    return [cal.advance_working_time(start, total * mark) for mark in marks]


# -- the entity ---------------------------------------------------------------------------
@dataclass
class Case:
    """Plain fields (easy SQL columns) plus ``timers`` and ``history`` (JSON lists)."""

    # ``basis`` keeps its JSON key "clock" (stored cases, the API): only the Python name
    # changed, as the platform's time source is the ``Clock``.
    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(serialize_by_alias=True)

    case_id: str
    suggestion_id: str
    unit_id: str
    district: str
    kind: Kind
    urgent: bool
    key_case: bool
    status: Status
    assigned_at: datetime
    accept_by: datetime
    reply_by: datetime
    return_until: datetime | None  # None: the kind may not be returned
    # How reminder marks of the current window are measured.
    basis: Annotated[DayBasis, Field(alias="clock")]
    window_start: datetime  # start of the current reply window (assignment or reopening)
    round: int = 1  # 2 after the citizen's first "not satisfied"
    version: int = 0
    # What the unit reads in its list: a visit's commitment or question, a formal
    # suggestion's title, a citizen appeal's when routing sent it; None otherwise.
    title: str | None = None
    content: str | None = None  # a formal suggestion's text as assigned
    # A ``delivery`` item: the suggestion whose B answer promised it.
    delivery_of: str | None = None
    # A deputies' formal suggestion (代表建议 with signers); None for every other case.
    formal: Formal | None = None
    returnable: bool = True  # from the policy's kind, when the case opened
    awaits_feedback: bool = True  # from the policy's kind (``feedback``), when it opened
    accepted_at: datetime | None = None
    replied_at: datetime | None = None
    feedback_by: datetime | None = None
    closed_at: datetime | None = None
    returned_at: datetime | None = None
    outcome: Outcome | None = None
    reply_text: str | None = None
    measures: str | None = None
    reason: str | None = None
    return_reason: str | None = None
    suggested_unit: str | None = None
    extension_count: int = 0
    extension_reason: str | None = None
    overdue: bool = False
    escalation_level: int = 0
    close_result: CloseResult | None = None
    needs_review: bool = False
    timers: list[TimerAction] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)

    # -- creation -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        *,
        case_id: str,
        suggestion_id: str,
        unit_id: str,
        district: str,
        kind: Kind | str,
        urgent: bool,
        assigned_at: datetime,
        rules: Rules,
        key_case: bool = False,
        title: str | None = None,
        promised: datetime | None = None,
        content: str | None = None,
        delivery_of: str | None = None,
        number: str | None = None,
        signer_ids: list[str] | None = None,
        co_units: list[tuple[str, str]] | None = None,
    ) -> Case:
        """A new case from AssignedToUnit (or a visit's follow-up, or a B answer's
        delivery); deadlines from the policy, the reply deadline from ``promised`` when
        given (a commitment's or delivery's date). A ``representative_suggestion`` with a
        ``number`` is a formal one: its signers and co-units ``(unit_id, unit_name)``, each
        co-unit's views due by the policy. No event: the assigner already told everyone."""
        require_aware(assigned_at, "assigned_at")
        if promised is not None:
            require_aware(promised, "promised")
        try:
            kind = Kind(kind)
        except ValueError:
            raise InvalidInput("unknown_kind", f"未知的事项类型：{kind}") from None
        kind_rules = rules.policy.rules_for(kind)
        d = rules.policy.deadlines_for(kind, urgent, assigned_at, rules.calendar, promised)
        case = cls(
            case_id=case_id,
            suggestion_id=suggestion_id,
            unit_id=unit_id,
            district=district,
            kind=kind,
            urgent=urgent,
            key_case=key_case,
            status=Status.ASSIGNED,
            assigned_at=assigned_at,
            accept_by=d.accept_by,
            reply_by=d.reply_by,
            return_until=d.return_until,
            basis=d.basis,
            window_start=assigned_at,
            title=title,
            returnable=kind_rules.returnable,
            awaits_feedback=kind_rules.feedback,
            content=content,
            delivery_of=delivery_of,
        )
        if number is not None and kind is Kind.REPRESENTATIVE_SUGGESTION:
            views_by = rules.policy.formal_rules().co_views.after(assigned_at, rules.calendar)
            case.formal = Formal(
                number=number,
                signer_ids=list(dict.fromkeys(signer_ids or [])),
                co_units=[
                    CoUnitViews(unit_id=u, unit_name=n, views_by=views_by)
                    for u, n in dict(co_units or []).items()
                    if u != unit_id
                ],
            )
        accept_timer = [TimerAction("accept", "accept_reminder", d.accept_by + _AFTER)]
        if not kind_rules.sign_for:  # the unit set the item itself: it is in its hands
            case.status, case.accepted_at, accept_timer = Status.ACCEPTED, assigned_at, []
        case.timers = [*accept_timer, *case._plan_reply_window(rules, now=assigned_at)]
        case._log(assigned_at, "CaseOpened", reply_by=d.reply_by.isoformat())
        return case

    # -- transitions by the unit ----------------------------------------------------------
    def accept(self, at: datetime) -> list[CaseEvent]:
        """签收. Idempotent: a case already accepted gives no new event."""
        require_aware(at)
        if self.status is Status.RETURNED:
            raise IllegalTransition("case_returned", "案件已退回，不能签收")
        if self.accepted_at is not None:
            return []
        if self.status is not Status.ASSIGNED:  # pragma: no cover - guarded by accepted_at
            raise IllegalTransition("not_assigned", "案件不在待签收状态")
        self.status = Status.ACCEPTED
        self.accepted_at = at
        return [self._event(CaseAccepted, at, on_time=at <= self.accept_by)]

    def report_progress(self, note: str, at: datetime) -> list[CaseEvent]:
        require_aware(at)
        self._require_handling("报告进展")
        if not _text(note):
            raise InvalidInput("note_required", "进展说明不能为空", field="note")
        self.status = Status.IN_PROGRESS
        return [self._event(ProgressReported, at, note=_text(note))]

    def reply(
        self,
        outcome: Outcome | str,
        reply: str,
        measures: str | None,
        reason: str | None,
        at: datetime,
        rules: Rules,
        delivery_by: date | None = None,
    ) -> list[CaseEvent]:
        """答复 with outcome A/B/C/D; C needs a reason; text ≥ policy.reply.min_length.
        A formal suggestion's answer needs a recorded contact with the deputies first, and
        a B needs ``delivery_by`` (after today), followed as its own item
        (``DeliveryPromised``); its signers then rate it within the rating window. A
        ``delivery`` item is answered A (delivered)."""
        require_aware(at)
        if self.status is Status.REPLIED:
            waiting = "，等待评价" if self.awaits_feedback else ""
            raise IllegalTransition("already_replied", f"案件已答复{waiting}")
        self._require_handling("答复")
        try:
            outcome = Outcome(outcome)
        except ValueError:
            raise InvalidInput(
                "invalid_outcome", f"答复类型须为 A/B/C/D，收到 {outcome}", field="outcome"
            ) from None
        if self.kind is Kind.DELIVERY and outcome is not Outcome.A:
            raise InvalidInput(
                "delivery_outcome", "兑现情况按 A（已兑现）报告，并说明兑现结果", field="outcome"
            )
        formal = self.formal
        if formal is not None:
            if rules.policy.formal_rules().contact_before_reply and not formal.contacts:
                raise IllegalTransition(
                    "contact_required", "答复代表建议前，须先登记与代表的联系沟通情况"
                )
            if outcome is Outcome.B:
                today = rules.calendar.local_date(at)
                if delivery_by is None:
                    raise InvalidInput(
                        "delivery_by_required",
                        "B类答复须填写承诺兑现日期（delivery_by）",
                        field="delivery_by",
                    )
                if delivery_by <= today:
                    raise InvalidInput(
                        "delivery_by_not_future",
                        f"承诺兑现日期须晚于今天（{today.isoformat()}）",
                        field="delivery_by",
                    )
        if formal is None or outcome is not Outcome.B:
            delivery_by = None  # only a formal suggestion's B promises a delivery
        reply_rules = rules.policy.reply
        if len(_text(reply)) < reply_rules.min_length:
            raise InvalidInput(
                "reply_too_short", f"答复内容不少于{reply_rules.min_length}个字", field="reply"
            )
        if reply_rules.outcomes[outcome.value].reason_required and not _text(reason):
            raise InvalidInput(
                "reason_required", f"答复类型 {outcome.value} 须说明原因", field="reason"
            )
        self.status = Status.REPLIED
        self.replied_at = at
        self.outcome = outcome
        self.reply_text = _text(reply)
        self.measures = _text(measures) or None
        self.reason = _text(reason) or None
        if formal is not None:  # the signers' rating window (征询意见表)
            window = rules.policy.formal_rules().rating_window
            self.feedback_by = formal.rating_by = window.after(at, rules.calendar)
        elif self.awaits_feedback:
            self.feedback_by = rules.policy.feedback_deadline(at, rules.calendar)
        if self.feedback_by is not None:
            self.timers.append(TimerAction("no_response", "no_response", self.feedback_by + _AFTER))
        events: list[CaseEvent] = [
            self._event(
                Resolved,
                at,
                outcome=outcome,
                reply=self.reply_text,
                measures=self.measures,
                reason=self.reason,
                round=self.round,
                on_time=at <= self.reply_by,
                feedback_by=self.feedback_by,
                delivery_by=delivery_by,
            )
        ]
        if formal is not None and delivery_by is not None:
            formal.delivery = Delivery(
                delivery_id=delivery_id_for(self.suggestion_id),
                promised_by=delivery_by,
                round=self.round,
            )
            events.append(
                self._event(
                    DeliveryPromised,
                    at,
                    delivery_id=formal.delivery.delivery_id,
                    promised_by=delivery_by,
                )
            )
        return events

    def return_(
        self, reason: str, suggested_unit: str, at: datetime, supervisor_consent: bool = False
    ) -> list[CaseEvent]:
        """退回: within the return window freely, later only with a supervisor's consent."""
        require_aware(at)
        if self.status is Status.RETURNED:
            return []
        if not self.returnable:
            raise IllegalTransition(
                "not_returnable", _NOT_RETURNABLE.get(self.kind, "此类事项不能退回")
            )
        if self.round > 1:
            raise IllegalTransition(
                "rehandling_same_unit", "重新办理的案件须由原承办单位办理，不能退回"
            )
        if self.status not in OPEN:
            raise IllegalTransition("not_returnable", "案件已答复或已办结，不能退回")
        if not _text(reason):
            raise InvalidInput("reason_required", "退回须说明理由", field="reason")
        if not _text(suggested_unit):
            raise InvalidInput(
                "suggested_unit_required", "退回须提出建议承办单位", field="suggested_unit"
            )
        if _text(suggested_unit) == self.unit_id:
            raise InvalidInput(
                "suggested_unit_is_self", "建议承办单位不能是本单位", field="suggested_unit"
            )
        within = self.return_until is not None and at <= self.return_until
        if not within and not supervisor_consent:
            raise IllegalTransition(
                "return_window_passed", "已超过退回期限（交办后5个工作日），须经督办人员同意"
            )
        self.status = Status.RETURNED
        self.returned_at = at
        self.return_reason = _text(reason)
        self.suggested_unit = _text(suggested_unit)
        return [
            self._event(
                AssignmentReturned,
                at,
                reason=self.return_reason,
                suggested_unit=self.suggested_unit,
                within_window=within,
                supervisor_consent=supervisor_consent,
            )
        ]

    def extend(
        self, reason: str, at: datetime, rules: Rules, until: datetime | None = None
    ) -> list[CaseEvent]:
        """延期 (representative suggestions): once, with a reason, to ≤ 6 months (代表法 51).
        Where the policy wants the office's approval (a formal suggestion), the unit asks
        instead (``request_extension``)."""
        require_aware(at)
        ext = rules.policy.rules_for(self.kind).extension
        if ext is not None and ext.approval == "office" and self.formal is not None:
            raise IllegalTransition(
                "extension_needs_approval", "代表建议延期须提出申请，经人大常委会办公室同意"
            )
        new_deadline = self._check_extension(reason, at, rules, until)
        return self._grant_extension(_text(reason), new_deadline, at, rules)

    def request_extension(
        self, reason: str, until: datetime, at: datetime, rules: Rules
    ) -> list[CaseEvent]:
        """延期申请 of a formal suggestion: once, with a reason, to ≤ 6 months after
        assignment; the office decides (``decide_extension``)."""
        require_aware(at)
        formal = self._require_formal()
        if formal.extension_request is not None:
            raise IllegalTransition("extension_requested", "延期只能申请一次")
        new_deadline = self._check_extension(reason, at, rules, until)
        formal.extension_request = ExtensionRequest(
            reason=_text(reason), requested_reply_by=new_deadline, requested_at=at
        )
        return [
            self._event(
                ExtensionRequested,
                at,
                reason=_text(reason),
                reply_by=self.reply_by,
                requested_reply_by=new_deadline,
            )
        ]

    def decide_extension(
        self, approve: bool, note: str, at: datetime, rules: Rules
    ) -> list[CaseEvent]:
        """The office grants (``ExtensionGranted``, the deadline moves to the date asked)
        or refuses (``ExtensionRefused``, with a note) the pending request."""
        require_aware(at)
        request = self._require_formal().extension_request
        if request is None or request.status != "pending":
            raise IllegalTransition("no_pending_request", "没有待审批的延期申请")
        if self.status not in HANDLING:
            raise IllegalTransition("not_extendable", "案件已不在办理中，无需审批延期")
        if not approve and not _text(note):
            raise InvalidInput("note_required", "不同意延期须说明理由", field="note")
        request.status = "granted" if approve else "refused"
        request.note = _text(note) or None
        request.decided_at = at
        if approve:
            return self._grant_extension(request.reason, request.requested_reply_by, at, rules)
        return [self._event(ExtensionRefused, at, note=_text(note))]

    def _check_extension(
        self, reason: str, at: datetime, rules: Rules, until: datetime | None
    ) -> datetime:
        """The deadline an extension asked now would set, or why it may not."""
        ext = rules.policy.rules_for(self.kind).extension
        if ext is None:
            raise IllegalTransition("extension_not_allowed", "此类事项不能延期")
        if self.status is Status.ASSIGNED:
            raise IllegalTransition("not_accepted", "案件尚未签收，不能申请延期")
        if self.status not in HANDLING or self.round > 1:
            raise IllegalTransition("not_extendable", "只有首轮办理中的案件可以延期")
        if self.extension_count >= ext.max_count:
            raise IllegalTransition("extension_used", "延期只能申请一次")
        if at > self.reply_by:
            raise IllegalTransition("deadline_passed", "已超过答复期限，不能再申请延期")
        if ext.reason_required and not _text(reason):
            raise InvalidInput("reason_required", "延期须书面说明理由", field="reason")
        limit = rules.policy.extension_limit(self.kind, self.assigned_at, rules.calendar)
        assert limit is not None
        new_deadline = limit if until is None else until
        require_aware(new_deadline, "until")
        if new_deadline > limit:
            raise InvalidInput(
                "extension_too_long", f"延期不能超过 {limit.isoformat()}", field="until"
            )
        if new_deadline <= self.reply_by:
            raise InvalidInput("extension_too_short", "延期后的期限须晚于原期限", field="until")
        return new_deadline

    def repromise(self, promised: datetime, at: datetime, rules: Rules) -> list[CaseEvent]:
        """A delivery item whose suggestion was answered B again after a re-handling: the
        new promise replaces the old one, so the deadline moves to the new date
        (``ExtensionGranted``). An item already delivered stays as it is."""
        require_aware(promised, "promised")
        if self.kind not in (Kind.DELIVERY, Kind.MILESTONE):
            raise IllegalTransition("not_a_delivery", "只有兑现事项可以重新承诺兑现时间")
        if self.status in (Status.REPLIED, Status.CLOSED) or promised == self.reply_by:
            return []
        reason = "重新办理后承办单位重新承诺的兑现时间"
        if self.kind is Kind.MILESTONE:  # the office moved the milestone's day
            reason = "人大常委会办公室调整了项目里程碑的完成日期"
        return self._grant_extension(reason, promised, at, rules)

    def _grant_extension(
        self, reason: str, new_deadline: datetime, at: datetime, rules: Rules
    ) -> list[CaseEvent]:
        previous = self.reply_by
        self.reply_by = new_deadline
        self.extension_count += 1
        self.extension_reason = reason or None
        # A deadline that passed while the office decided is a deadline again.
        self.overdue = False
        self.escalation_level = 0
        self._replace_reply_timers(self._plan_reply_window(rules, now=at))
        return [
            self._event(
                ExtensionGranted,
                at,
                reason=reason,
                previous_reply_by=previous,
                reply_by=new_deadline,
            )
        ]

    # -- the citizen's (or representative's) feedback -------------------------------------
    def record_feedback(
        self, satisfied: bool, at: datetime, rules: Rules, for_round: int | None = None
    ) -> list[CaseEvent]:
        """满意 → closed; 不满意 → reopened once for the same unit, then closed unsatisfied."""
        require_aware(at)
        if self.status is Status.CLOSED or (for_round is not None and for_round != self.round):
            return []  # stale or duplicate feedback: already settled
        if self.formal is not None:
            raise IllegalTransition("rated_by_signers", "代表建议由联名代表填写征询意见表评价")
        if not self.awaits_feedback:
            raise IllegalTransition("no_feedback", "此类事项的答复无需评价")
        if self.status is not Status.REPLIED:
            raise IllegalTransition("not_replied", "案件尚未答复，不能评价")
        if satisfied:
            return self._close(CloseResult.SATISFIED, at, needs_review=False)
        if self.round - 1 >= rules.policy.feedback.max_rehandles:
            return self._close(CloseResult.UNSATISFIED, at, needs_review=True)
        return self._reopen(at, rules)

    def close_without_response(self, at: datetime, rules: Rules | None = None) -> list[CaseEvent]:
        """No feedback within the window after the reply → closed as no_response. For a
        formal suggestion the rating window's end settles the round with the ratings in
        (which may reopen it: hence ``rules``)."""
        require_aware(at)
        if self.status is Status.CLOSED:
            return []
        if self.status is not Status.REPLIED or self.feedback_by is None:
            raise IllegalTransition("not_replied", "案件尚未答复")
        if at <= self.feedback_by:
            raise IllegalTransition("feedback_window_open", "评价期限未满，不能按无回复办结")
        if self.formal is not None:
            if rules is None:
                raise ValueError("a formal suggestion's rating window needs the rules")
            return self._settle_round(at, rules)
        return self._close(CloseResult.NO_RESPONSE, at, needs_review=False)

    def _reopen(self, at: datetime, rules: Rules) -> list[CaseEvent]:
        """The same unit handles it again (round + 1) within the policy's re-handling time."""
        self._log(at, "PreviousReply", outcome=str(self.outcome), reply=self.reply_text or "")
        self.round += 1
        self.status = Status.REOPENED
        self.window_start = at
        self.reply_by = rules.policy.rehandle_deadline(self.kind, at, rules.calendar)
        self.basis = rules.policy.rehandle_basis(self.kind)
        self.overdue = False
        self.escalation_level = 0
        self.replied_at = self.feedback_by = None
        self.outcome = None
        self.reply_text = self.measures = self.reason = None
        if self.formal is not None:
            self.formal.rating_by = None
        self.timers = self._plan_reply_window(rules, now=at)
        return [self._event(CaseReopened, at, reply_by=self.reply_by, round=self.round)]

    # -- a formal suggestion: co-units, contacts, signers' ratings, the C review ----------
    def submit_views(self, co_unit_id: str, views: str, at: datetime) -> list[CaseEvent]:
        """协办意见: a co-unit's written views to the lead unit, once."""
        require_aware(at)
        co = self._require_formal().co_unit(co_unit_id)
        if co is None:
            raise IllegalTransition("not_co_unit", "本单位不是此建议的协办单位")
        if co.submitted_at is not None:
            raise IllegalTransition("views_submitted", "协办意见已提交，不能重复提交")
        if self.status in (Status.RETURNED, Status.CLOSED):
            raise IllegalTransition("case_not_open", "建议已退回或已办结，不能提交协办意见")
        if not _text(views):
            raise InvalidInput("views_required", "协办意见不能为空", field="views")
        co.views, co.submitted_at, co.on_time = _text(views), at, at <= co.views_by
        return [
            self._event(
                CoViewsSubmitted,
                at,
                co_unit_id=co_unit_id,
                views=co.views,
                views_by=co.views_by,
                on_time=co.on_time,
            )
        ]

    def record_contact(
        self, contacted_on: date, mode: str, note: str | None, at: datetime, rules: Rules
    ) -> list[CaseEvent]:
        """办前沟通: the lead unit met or called the deputies (on a day not after today)."""
        require_aware(at)
        formal = self._require_formal()
        if self.status not in OPEN:
            raise IllegalTransition("case_not_open", "建议不在办理中，不能登记沟通情况")
        if mode not in CONTACT_MODES:
            raise InvalidInput(
                "invalid_mode", f"沟通方式须为 {'/'.join(sorted(CONTACT_MODES))}", field="mode"
            )
        today = rules.calendar.local_date(at)
        if contacted_on > today:
            raise InvalidInput("contacted_on_future", "沟通日期不能晚于今天", field="contacted_on")
        contact = Contact(contacted_on, mode, _text(note) or None, at)  # type: ignore[arg-type]
        formal.contacts.append(contact)
        return [
            self._event(
                DeputiesContacted, at, contacted_on=contacted_on, mode=mode, note=contact.note
            )
        ]

    def record_rating(self, rating: SignerRating, rules: Rules) -> list[CaseEvent]:
        """A signer's opinion form for the current answer, once per signer and round. The
        round settles when every signer has rated (or, by the sweep, when the window ends):
        any 不满意 → one re-handling, after which 不满意 closes it unsatisfied for review."""
        require_aware(rating.rated_at, "rated_at")
        formal = self._require_formal()
        if self.status is Status.CLOSED or rating.round != self.round:
            return []  # stale or late: that round is settled
        if rating.deputy_id not in formal.signer_ids:
            raise InvalidInput(
                "not_a_signer", "评价人不是此建议的领衔或联名代表", field="deputy_id"
            )
        if self.status is not Status.REPLIED:
            raise IllegalTransition("not_replied", "建议尚未答复，不能评价")
        if any(r.deputy_id == rating.deputy_id for r in formal.ratings_of(self.round)):
            return []  # one form per signer and round: the first stands
        formal.ratings.append(rating)
        self._log(
            rating.rated_at,
            "SignerRated",
            deputy_id=rating.deputy_id,
            contact=rating.contact,
            attitude=rating.attitude,
            result=rating.result,
        )
        return self._settle_round(rating.rated_at, rules)

    def review_answer(
        self, verdict: str, note: str, reviewer: str, at: datetime, rules: Rules
    ) -> list[CaseEvent]:
        """C类答复审核 by the supervision group: ``upheld`` lets the ratings settle the
        round; ``rehandle`` sends it back to the unit (reopened, with a note)."""
        require_aware(at)
        formal = self._require_formal()
        if self.status is not Status.REPLIED or self.outcome is not Outcome.C:
            raise IllegalTransition("not_c_answer", "只有待评价的C类答复需要审核")
        if not self.awaiting_review:
            raise IllegalTransition("already_reviewed", "此答复已审核")
        if verdict not in ("upheld", "rehandle"):
            raise InvalidInput(
                "invalid_verdict", "审核结论须为 upheld 或 rehandle", field="verdict"
            )
        if verdict == "rehandle" and not _text(note):
            raise InvalidInput("note_required", "要求重新办理须说明理由", field="note")
        formal.review = Review(verdict, _text(note), reviewer, at, self.round)  # type: ignore[arg-type]
        events: list[CaseEvent] = [
            self._event(AnswerReviewed, at, verdict=verdict, note=_text(note), reviewer=reviewer)
        ]
        if verdict == "rehandle":
            return events + self._reopen(at, rules)
        return events + self._settle_round(at, rules)

    @property
    def awaiting_review(self) -> bool:
        """A formal suggestion's C answer of this round not yet reviewed."""
        return (
            self.formal is not None
            and self.status is Status.REPLIED
            and self.outcome is Outcome.C
            and (self.formal.review is None or self.formal.review.round != self.round)
        )

    @property
    def extension_pending(self) -> bool:
        """A request the office has still to decide (moot once the unit has answered)."""
        request = None if self.formal is None else self.formal.extension_request
        return request is not None and request.status == "pending" and self.status in HANDLING

    def _settle_round(self, at: datetime, rules: Rules) -> list[CaseEvent]:
        """Close or reopen once every signer rated or the window ended; a C answer waits
        for its review first."""
        formal = self._require_formal()
        window_ended = formal.rating_by is not None and at > formal.rating_by
        if not (window_ended or formal.all_rated(self.round)) or self.awaiting_review:
            return []
        rated = formal.ratings_of(self.round)
        if not rated:
            return self._close(CloseResult.NO_RESPONSE, at, needs_review=False)
        if not any(r.unsatisfied for r in rated):
            return self._close(CloseResult.SATISFIED, at, needs_review=False)
        if self.round - 1 >= rules.policy.feedback.max_rehandles:
            return self._close(CloseResult.UNSATISFIED, at, needs_review=True)
        return self._reopen(at, rules)

    def link_topic(self, topic_id: str, at: datetime, rules: Rules) -> list[CaseEvent]:
        """列入重点督办专题: the suggestion joins the topic and, while open, becomes a key
        case (tighter reminders). Idempotent."""
        require_aware(at)
        formal = self._require_formal()
        if topic_id not in formal.topic_ids:
            formal.topic_ids.append(topic_id)
        return self.mark_key_case(at, rules) if self.status in OPEN else []

    def unlink_topic(self, topic_id: str) -> bool:
        """Leave the topic (the key-case mark stays); False if it was not linked."""
        formal = self._require_formal()
        if topic_id not in formal.topic_ids:
            return False
        formal.topic_ids.remove(topic_id)
        return True

    # -- supervision ----------------------------------------------------------------------
    def urge(self, note: str, at: datetime) -> list[CaseEvent]:
        """Manual 催办 by a supervisor."""
        require_aware(at)
        if self.status not in OPEN:
            raise IllegalTransition("case_not_open", "案件不在办理中，无需催办")
        stage: Literal["accept", "reply"] = "accept" if self.status is Status.ASSIGNED else "reply"
        deadline = self.accept_by if stage == "accept" else self.reply_by
        return [
            self._event(
                ReminderIssued,
                at,
                stage=stage,
                mark=None,
                deadline=deadline,
                manual=True,
                note=_text(note),
            )
        ]

    def mark_key_case(self, at: datetime, rules: Rules) -> list[CaseEvent]:
        """重点督办: tighter reminder marks from the policy; idempotent."""
        require_aware(at)
        if self.key_case:
            return []
        if self.status not in OPEN:
            raise IllegalTransition("case_not_open", "案件不在办理中，不能列为重点督办")
        self.key_case = True
        self._replace_reply_timers(self._plan_reply_window(rules, now=at))
        return [self._event(KeyCaseMarked, at)]

    # -- timers ---------------------------------------------------------------------------
    def _applies(self, timer: TimerAction) -> bool:
        if timer.kind == "accept_reminder":
            return self.status is Status.ASSIGNED
        if timer.kind == "no_response":
            return self.status is Status.REPLIED
        return self.status in OPEN

    def due_timer_actions(self, now: datetime) -> list[TimerAction]:
        """Timers due at ``now`` that apply to the current status and were never issued."""
        require_aware(now, "now")
        due = [
            t for t in self.timers if t.issued_at is None and t.due_at <= now and self._applies(t)
        ]
        return sorted(due, key=lambda t: (t.due_at, t.level or 0, t.mark or 0.0))

    def next_due_at(self) -> datetime | None:
        """Earliest pending timer: store it as an indexed column for the deadline sweep."""
        pending = [t.due_at for t in self.timers if t.issued_at is None and self._applies(t)]
        return min(pending, default=None)

    def fire_timers(self, now: datetime, rules: Rules | None = None) -> list[CaseEvent]:
        """Issue what is due, exactly once. A sweep that comes late issues only what still
        matters: among due reminders only the latest mark, and none once overdue. ``rules``:
        a formal suggestion's rating window may end in a re-handling."""
        due = self.due_timer_actions(now)
        if not due:
            return []
        deadline_passed = any(t.kind in ("overdue", "escalation", "no_response") for t in due)
        reminders = [t for t in due if t.kind in ("reminder", "accept_reminder")]
        keep_reminder = None if deadline_passed or not reminders else reminders[-1]
        events: list[CaseEvent] = []
        for timer in due:
            is_reminder = timer.kind in ("reminder", "accept_reminder")
            skipped = is_reminder and timer is not keep_reminder
            self._set_timer(replace(timer, issued_at=now, skipped=skipped))
            if not skipped:
                events.extend(self._fire(timer, now, rules))
        return events

    def _fire(self, timer: TimerAction, now: datetime, rules: Rules | None) -> list[CaseEvent]:
        if timer.kind == "accept_reminder":
            return [
                self._event(ReminderIssued, now, stage="accept", mark=1.0, deadline=self.accept_by)
            ]
        if timer.kind == "reminder":
            return [
                self._event(
                    ReminderIssued, now, stage="reply", mark=timer.mark, deadline=self.reply_by
                )
            ]
        if timer.kind == "overdue":
            self.overdue = True
            return [self._event(MarkedOverdue, now, reply_by=self.reply_by, round=self.round)]
        if timer.kind == "escalation":
            assert timer.level is not None
            self.escalation_level = max(self.escalation_level, timer.level)
            return [
                self._event(
                    Escalated,
                    now,
                    level=timer.level,
                    target_id=timer.target_id or "",
                    target_name=timer.target_name or "",
                    reply_by=self.reply_by,
                )
            ]
        return self.close_without_response(now, rules)

    def _plan_reply_window(self, rules: Rules, now: datetime) -> list[TimerAction]:
        """Reminders at the policy's marks, overdue and escalations for the current window.
        Marks already past at ``now`` (late planning, key case marked mid-way) are skipped."""
        policy, cal = rules.policy, rules.calendar
        plan: list[TimerAction] = []
        marks = policy.reminder_marks(self.key_case)
        instants = _mark_instants(self.window_start, self.reply_by, marks, self.basis, cal)
        for mark, due in zip(marks, instants, strict=True):
            past = due <= now and now > self.window_start
            plan.append(
                TimerAction(
                    f"reminder:{mark}",
                    "reminder",
                    due,
                    mark=mark,
                    issued_at=now if past else None,
                    skipped=past,
                )
            )
        plan.append(TimerAction("overdue", "overdue", self.reply_by + _AFTER))
        level1 = policy.escalation_target(1, self.district)
        level2 = policy.escalation_target(2, self.district)
        plan.append(
            TimerAction(
                "escalation:1",
                "escalation",
                self.reply_by + _AFTER,
                level=1,
                target_id=level1.target_id,
                target_name=level1.target_name,
            )
        )
        plan.append(
            TimerAction(
                "escalation:2",
                "escalation",
                policy.level2_escalation_at(self.reply_by, cal) + _AFTER,
                level=2,
                target_id=level2.target_id,
                target_name=level2.target_name,
            )
        )
        return plan

    def _replace_reply_timers(self, plan: list[TimerAction]) -> None:
        keep = [t for t in self.timers if t.kind in ("accept_reminder", "no_response")]
        self.timers = keep + plan

    def _set_timer(self, timer: TimerAction) -> None:
        self.timers = [timer if t.key == timer.key else t for t in self.timers]

    # -- helpers --------------------------------------------------------------------------
    def _require_formal(self) -> Formal:
        if self.formal is None:
            raise IllegalTransition("not_formal", "此事项不是代表建议")
        return self.formal

    def _require_handling(self, action: str) -> None:
        if self.status is Status.ASSIGNED:
            raise IllegalTransition("not_accepted", f"案件尚未签收，不能{action}")
        if self.status is Status.RETURNED:
            raise IllegalTransition("case_returned", f"案件已退回，不能{action}")
        if self.status is Status.CLOSED:
            raise IllegalTransition("case_closed", f"案件已办结，不能{action}")
        if self.status is Status.REPLIED:
            raise IllegalTransition("already_replied", f"案件已答复，不能{action}")

    def _close(self, result: CloseResult, at: datetime, needs_review: bool) -> list[CaseEvent]:
        self.status = Status.CLOSED
        self.closed_at = at
        self.close_result = result
        self.needs_review = needs_review
        return [self._event(CaseClosed, at, result=result, needs_review=needs_review)]

    def _event(self, cls: type[_E], at: datetime, **data: object) -> _E:
        self.version += 1
        event = cls(
            case_id=self.case_id,
            suggestion_id=self.suggestion_id,
            unit_id=self.unit_id,
            at=at,
            version=self.version,
            **data,
        )
        self._log(at, cls.__name__, **{k: str(v) for k, v in data.items()})
        return event

    def _log(self, at: datetime, action: str, **detail: str) -> None:
        self.history.append(HistoryEntry(at=at, action=action, detail=detail))
