"""Supervision's reactions to events."""

from __future__ import annotations

import logging
from datetime import datetime

from minyi.contracts.envelope import RawEvent
from minyi.contracts.formal import SignerRated
from minyi.contracts.intake import SuggestionEndorsed
from minyi.contracts.routing import AssignedToUnit, SuggestionClustered
from minyi.contracts.visits import CommitmentMade, WrittenAnswerRequired
from minyi.platform.errors import DomainError
from minyi.supervision.adapters.events import case_id_for, to_contract
from minyi.supervision.adapters.unit_of_work import SupervisionUnitOfWork
from minyi.supervision.domain import Case, Kind, Rules, SignerRating

log = logging.getLogger(__name__)


def _aware(value: object) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


async def when_assigned_open_case(
    event: RawEvent, uow: SupervisionUnitOfWork, rules: Rules
) -> None:
    """Open the handling case, with its deadlines, at the unit routing chose."""
    a = event.data_as(AssignedToUnit)
    case = Case.open(
        case_id=case_id_for(a.suggestion_id, a.attempt),
        suggestion_id=a.suggestion_id,
        unit_id=a.unit_id,
        district=a.district_code,
        kind=a.kind,
        urgent=a.urgent,
        assigned_at=a.assigned_at,
        rules=rules,
        title=a.title,
        content=a.content,
        # A formal suggestion (代表建议) comes with its number, signers and co-units.
        number=a.number,
        signer_ids=a.signer_ids,
        co_units=[(c.unit_id, c.unit_name) for c in a.co_units],
    )
    # A republished assignment (same attempt) finds its case and leaves it as it is.
    await uow.cases.add_new(case, attempt=a.attempt, category=a.category)


async def open_follow_up(
    uow: SupervisionUnitOfWork,
    rules: Rules,
    item_id: str,
    kind: Kind,
    *,
    unit_id: str,
    district: str,
    assigned_at: datetime,
    title: str | None,
    promised: datetime | None = None,
    content: str | None = None,
    delivery_of: str | None = None,
) -> None:
    """Open, once, the case that follows an item a visit (or a B answer) left: its only
    attempt."""
    case_id = case_id_for(item_id, 1)
    if await uow.cases.exists(case_id):
        return
    case = Case.open(
        case_id=case_id,
        suggestion_id=item_id,
        unit_id=unit_id,
        district=district,
        kind=kind,
        urgent=False,
        assigned_at=assigned_at,
        rules=rules,
        title=title,
        promised=promised,
        content=content,
        delivery_of=delivery_of,
    )
    await uow.cases.add(case, attempt=1, category=None)


async def when_commitment_made_open_case(
    event: RawEvent, uow: SupervisionUnitOfWork, rules: Rules
) -> None:
    """Follow a promise made at an official's visit: a ``commitment`` case at the unit
    that made it, due on the promised date (the next working day's end if that is a day
    off), its text as the case's title."""
    c = event.data_as(CommitmentMade)
    await open_follow_up(
        uow,
        rules,
        c.commitment_id,
        Kind.COMMITMENT,
        unit_id=c.unit_id,
        district=c.district_code,
        assigned_at=c.made_at,
        title=c.text,
        promised=c.due_at,
    )


async def when_written_answer_required_open_case(
    event: RawEvent, uow: SupervisionUnitOfWork, rules: Rules
) -> None:
    """Follow a question the official could not answer at the visit: a ``visit_question``
    case at the unit, the written answer due by the policy counted from the visit's end."""
    q = event.data_as(WrittenAnswerRequired)
    await open_follow_up(
        uow,
        rules,
        q.question_id,
        Kind.VISIT_QUESTION,
        unit_id=q.unit_id,
        district=q.district_code,
        assigned_at=q.required_at,
        title=q.text,
    )


async def when_feedback_received_close_or_reopen(
    event: RawEvent, uow: SupervisionUnitOfWork, rules: Rules
) -> None:
    """满意 closes the case; 不满意 reopens it once for the same unit, then closes it
    unsatisfied for review. Stale or duplicate feedback changes nothing.

    Intake's ``FeedbackReceived`` is read tolerantly from ``event.data`` (only the fields
    below), so a change elsewhere in intake's model never stops this consumer."""
    data = event.data
    suggestion_id = str(data["suggestion_id"])
    satisfied = bool(data["satisfied"])
    raw_round = data.get("round")
    for_round = int(raw_round) if raw_round is not None else None
    at = _aware(data.get("received_at")) or event.time
    case = await uow.cases.current_for_suggestion(suggestion_id)
    if case is None:
        log.warning("feedback %s for %s: no case here; ignored", event.id, suggestion_id)
        return
    try:
        events = case.record_feedback(satisfied, at, rules, for_round=for_round)
    except DomainError as exc:
        # Feedback on a case that is not waiting for it (e.g. a citizen rating twice)
        # cannot succeed on retry: record it as handled and move on.
        log.warning("feedback %s for %s ignored: %s", event.id, suggestion_id, exc)
        return
    await uow.cases.save(case)
    for e in events:
        uow.emit(to_contract(e, case), subject=suggestion_id)


async def when_signer_rated_record_it(
    event: RawEvent, uow: SupervisionUnitOfWork, rules: Rules
) -> None:
    """A signer's opinion form (征询意见表): recorded for the current answer; once every
    signer has rated, the round closes or (any 不满意) goes back to the unit once. A form
    that cannot apply (not a signer, no answer yet) is logged and acknowledged."""
    r = event.data_as(SignerRated)
    case = await uow.cases.current_for_suggestion(r.suggestion_id)
    if case is None:
        log.warning("rating %s for %s: no case here; ignored", event.id, r.suggestion_id)
        return
    rating = SignerRating(
        deputy_id=r.deputy_id,
        round=r.round,
        contact=r.contact,
        attitude=r.attitude,
        result=r.result,
        comment=r.comment,
        rated_at=r.rated_at,
    )
    try:
        events = case.record_rating(rating, rules)
    except DomainError as exc:
        log.warning("rating %s for %s ignored: %s", event.id, r.suggestion_id, exc)
        return
    await uow.cases.save(case)
    for e in events:
        uow.emit(to_contract(e, case), subject=r.suggestion_id)


async def when_clustered_or_endorsed_count_candidate(
    event: RawEvent, uow: SupervisionUnitOfWork
) -> None:
    """Candidates for key topics: a recurring-appeal cluster's size (routing), and how
    many times deputies endorsed an appeal (intake)."""
    if event.type == SuggestionClustered.event_type:
        c = event.data_as(SuggestionClustered)
        await uow.topics.count_cluster(
            c.cluster_id, c.size, c.representative_title, c.district_code, event.time
        )
    elif event.type == SuggestionEndorsed.event_type:
        e = event.data_as(SuggestionEndorsed)
        await uow.topics.count_endorsement(e.suggestion_id, e.endorsed_at)
