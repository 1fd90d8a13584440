"""Domain events of a case → wire contracts (every domain event has one)."""

from __future__ import annotations

from typing import Any

from minyi.contracts import formal as formal_wire
from minyi.contracts import projects as project_wire
from minyi.contracts import supervision as wire
from minyi.contracts import visits as visit_wire
from minyi.contracts.envelope import EventData
from minyi.supervision import domain


def case_id_for(suggestion_id: str, attempt: int) -> str:
    # Deterministic: a republished assignment finds its case instead of opening another.
    return f"{suggestion_id}:{attempt}"


def attempt_of(case_id: str) -> int:
    return int(case_id.rsplit(":", 1)[1])


def _group_of(case: domain.Case) -> str:
    # The level-1 escalation timer targets the district's supervision group; the case keeps
    # it in every plan, so the group is known without the policy here.
    return next((t.target_id or "" for t in case.timers if t.key == "escalation:1"), "")


def to_contract(event: domain.CaseEvent, case: domain.Case) -> EventData:
    ids = {
        "suggestion_id": event.suggestion_id,
        "unit_id": event.unit_id,
        "case_id": event.case_id,
        "case_version": event.version,
    }
    match event:
        case domain.CaseAccepted():
            return wire.CaseAccepted(**ids, accepted_at=event.at, on_time=event.on_time)
        case domain.Resolved():
            return wire.Resolved(
                **ids,
                outcome=event.outcome.value,
                reply=event.reply,
                measures=event.measures,
                reason=event.reason,
                replied_at=event.at,
                on_time=event.on_time,
                round=event.round,
                feedback_by=event.feedback_by,
                delivery_by=event.delivery_by,
            )
        case domain.AssignmentReturned():
            return wire.AssignmentReturned(
                **ids,
                reason=event.reason,
                suggested_unit=event.suggested_unit,
                attempt=attempt_of(event.case_id),
                returned_at=event.at,
                within_window=event.within_window,
                supervisor_consent=event.supervisor_consent,
            )
        case domain.ProgressReported():
            return wire.ProgressReported(**ids, note=event.note, reported_at=event.at)
        case domain.ReminderIssued():
            return wire.ReminderIssued(
                **ids,
                stage=event.stage,
                mark=event.mark,
                deadline=event.deadline,
                manual=event.manual,
                note=event.note,
                issued_at=event.at,
            )
        case domain.MarkedOverdue():
            return wire.MarkedOverdue(
                **ids, reply_by=event.reply_by, round=event.round, marked_at=event.at
            )
        case domain.Escalated():
            return wire.Escalated(
                **ids,
                level=event.level,
                target_id=event.target_id,
                target_name=event.target_name,
                group_id=_group_of(case),
                district_code=case.district,
                reply_by=event.reply_by,
                escalated_at=event.at,
            )
        case domain.ExtensionGranted():
            return wire.ExtensionGranted(
                **ids,
                reason=event.reason,
                previous_reply_by=event.previous_reply_by,
                reply_by=event.reply_by,
                granted_at=event.at,
            )
        case domain.KeyCaseMarked():
            return wire.KeyCaseMarked(**ids, marked_at=event.at)
        case domain.CaseReopened():
            return wire.CaseReopened(
                **ids, reply_by=event.reply_by, round=event.round, reopened_at=event.at
            )
        case domain.CaseClosed():
            return wire.CaseClosed(
                **ids,
                result=event.result.value,
                needs_review=event.needs_review,
                closed_at=event.at,
            )
    return _formal_contract(event, case, ids)


def _formal_contract(event: domain.CaseEvent, case: domain.Case, ids: dict[str, Any]) -> EventData:
    """A formal suggestion's own events (``minyi.contracts.formal``)."""
    match event:
        case domain.CoViewsSubmitted():
            return formal_wire.CoUnitViewsSubmitted(
                **{**ids, "unit_id": event.co_unit_id},
                lead_unit_id=event.unit_id,
                views=event.views,
                views_by=event.views_by,
                on_time=event.on_time,
                submitted_at=event.at,
            )
        case domain.DeputiesContacted():
            return formal_wire.DeputiesContacted(
                **ids,
                contacted_on=event.contacted_on,
                mode=event.mode,
                note=event.note,
                recorded_at=event.at,
            )
        case domain.ExtensionRequested():
            return formal_wire.ExtensionRequested(
                **ids,
                reason=event.reason,
                reply_by=event.reply_by,
                requested_reply_by=event.requested_reply_by,
                requested_at=event.at,
            )
        case domain.ExtensionRefused():
            return formal_wire.ExtensionRefused(**ids, note=event.note, refused_at=event.at)
        case domain.AnswerReviewed():
            return formal_wire.AnswerReviewed(
                **ids,
                verdict=event.verdict,
                note=event.note,
                reviewer=event.reviewer,
                reviewed_at=event.at,
            )
        case domain.DeliveryPromised():
            return formal_wire.DeliveryPromised(
                suggestion_id=event.suggestion_id,
                delivery_id=event.delivery_id,
                unit_id=event.unit_id,
                district_code=case.district,
                promised_by=event.promised_by,
                promised_at=event.at,
            )
    raise TypeError(f"no contract for {type(event).__name__}")  # pragma: no cover


# Everything the service publishes, for its AsyncAPI document.
PUBLISHED: list[type[EventData]] = [
    wire.CaseAccepted,
    wire.AssignmentReturned,
    wire.ProgressReported,
    wire.Resolved,
    wire.ReminderIssued,
    wire.MarkedOverdue,
    wire.Escalated,
    wire.ExtensionGranted,
    wire.KeyCaseMarked,
    wire.CaseReopened,
    wire.CaseClosed,
    formal_wire.CoUnitViewsSubmitted,
    formal_wire.DeputiesContacted,
    formal_wire.ExtensionRequested,
    formal_wire.ExtensionRefused,
    formal_wire.AnswerReviewed,
    formal_wire.DeliveryPromised,
    formal_wire.TopicOpened,
    formal_wire.TopicLinked,
    project_wire.ProjectRegistered,
    project_wire.ProjectUpdated,
    project_wire.ProjectProgressReported,
    project_wire.MilestoneDelivered,
    project_wire.ProjectStatusChanged,
    project_wire.ProjectInspected,
    project_wire.ProjectCompleted,
    project_wire.ProjectRated,
    project_wire.ProjectAccepted,
    project_wire.RecurringAppealPublished,
    # A project inspection's finding that became a commitment (the visits' own event).
    visit_wire.CommitmentMade,
]
