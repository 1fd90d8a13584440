"""Intake follows each suggestion's lifecycle to answer citizens who track it, and tells
the citizen when an answer arrives."""

from __future__ import annotations

from typing import Any

from minyi.contracts import tracking_code
from minyi.contracts.envelope import RawEvent
from minyi.contracts.routing import AssignedToUnit
from minyi.contracts.status import STATUS_AFTER
from minyi.contracts.supervision import CaseAccepted, CaseClosed, CaseReopened, Resolved
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.status import history_entry, next_status

LIFECYCLE_EVENTS = (AssignedToUnit, CaseAccepted, Resolved, CaseReopened, CaseClosed)
LIFECYCLE_TYPES = frozenset(m.event_type for m in LIFECYCLE_EVENTS)
# Their subjects: the server delivers only these (filings, clusters… never reach intake).
LIFECYCLE_SUBJECTS = tuple(m.subject_name for m in LIFECYCLE_EVENTS)
_STATUS_OF = {t: STATUS_AFTER[t] for t in LIFECYCLE_TYPES}
FORMAL_KIND = "representative_suggestion"
REPLY_NOTICE = "【民意】您反映的问题已有答复，请凭查询码 {code} 查看并评价。"


def _round(data: dict[str, Any]) -> int:
    value = data.get("round")
    return value if isinstance(value, int) and value >= 1 else 1


def _result(event: RawEvent) -> str | None:
    result = event.data.get("result") if event.type == CaseClosed.event_type else None
    return result if isinstance(result, str) else None


async def when_lifecycle_event_update_status(event: RawEvent, uow: IntakeUnitOfWork) -> None:
    """Fold a lifecycle event into the citizen-facing status and history; on a reply,
    queue a notification to the citizen in the same transaction. Reopened and closed
    events are read by field (``round``, ``result``), tolerant of what else they carry."""
    found = await uow.suggestions.progress_for_update(event.subject)
    if found is None:
        return  # not filed here (another deployment's suggestion)
    new_status, new_round = _STATUS_OF[event.type], _round(event.data)
    changes: dict[str, object] = {}
    if event.type == AssignedToUnit.event_type:
        changes["unit_name"] = event.data_as(AssignedToUnit).unit_name
    elif event.type == Resolved.event_type:
        r = event.data_as(Resolved)
        if found.kind == FORMAL_KIND and await uow.formal.exists(event.subject):
            await uow.formal.add_answer(r)  # every round, for every signer to see and rate
        if r.round >= (found.reply_round or 0):
            changes.update(
                outcome=r.outcome, reply=r.reply, replied_at=r.replied_at, reply_round=r.round
            )
    status, status_round = next_status(found.status, found.status_round or 1, new_status, new_round)
    entry = history_entry(new_status, event.time, new_round, _result(event))
    history = sorted([*found.history, entry], key=lambda h: h["at"])
    await uow.suggestions.save_progress(event.subject, status, status_round, history, changes)
    # A referred matter has no phone here: liaison tells its citizen.
    if event.type == Resolved.event_type and found.sealed_phone and found.tracking_code:
        code = tracking_code.format_code(found.tracking_code)
        await uow.notifications.add(
            event.subject, "replied", REPLY_NOTICE.format(code=code), uow.now()
        )
