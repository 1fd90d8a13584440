"""Officials' visits (局长进站): the office plans one; citizens and deputies submit
questions, published once station staff approve them; at the visit staff record who came,
the answers given on the spot and the commitments made. Each commitment, and each
published question left unanswered, becomes a case in supervision (see
``minyi.contracts.visits``); supervision's answer comes back here as the promise kept."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from minyi.contracts.envelope import RawEvent
from minyi.contracts.supervision import MarkedOverdue, Resolved
from minyi.contracts.visits import (
    CommitmentMade,
    VisitCancelled,
    VisitHeld,
    VisitPlanned,
    VisitQuestionPublished,
    WrittenAnswerRequired,
)
from minyi.liaison.domain import visit as rules
from minyi.liaison.domain.registry import Station
from minyi.liaison.domain.visit import (
    Answer,
    Commitment,
    CommitmentDraft,
    Question,
    Visit,
    VisitPlan,
    VisitPolicy,
)
from minyi.liaison.service_layer.ports import Actor, Uow
from minyi.liaison.service_layer.receptions import station_of
from minyi.platform.errors import Invalid, NotFound

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# Public lists show visits from this far back (and every one to come).
RECENT = timedelta(days=120)


@dataclass(frozen=True)
class VisitRecord:
    """What staff record at the visit."""

    deputy_ids: tuple[str, ...]
    citizens: int
    answers: Mapping[str, str]  # question id → the answer given on the spot
    commitments: Sequence[CommitmentDraft]


async def visit_of(uow: Uow, visit_id: str, *, lock: bool = False) -> Visit:
    found = await uow.visits.get(visit_id, lock=lock)
    if found is None:
        raise NotFound("visit_not_found", "没有找到该次进站活动", field="visit_id")
    return found


async def _question_of(uow: Uow, visit: Visit, question_id: str) -> Question:
    found = await uow.visits.question(question_id)
    if found is None or found.visit_id != visit.id:
        raise NotFound("question_not_found", "本次进站没有该问题", field="question_id")
    return found


# Office and station staff -----------------------------------------------------------------


async def plan(
    uow: Uow, planned_by: str, p: VisitPlan, policy: VisitPolicy, units: Mapping[str, str]
) -> dict[str, Any]:
    """The office plans a visit (admin only: the route says so)."""
    station = await station_of(uow, p.station_id)
    now = uow.now()
    starts_at, ends_at = rules.check_plan(p, now, policy, units)
    visit = Visit(
        id=str(uuid.uuid4()),
        station_id=station.id,
        official_name=p.official_name.strip(),
        official_post=p.official_post.strip(),
        unit_id=p.unit_id,
        unit_name=units[p.unit_id],
        starts_at=starts_at,
        ends_at=ends_at,
        place=(p.place or "").strip() or None,
        theme=p.theme.strip(),
        status="planned",
        planned_at=now,
        planned_by=planned_by,
    )
    await uow.visits.add(visit)
    uow.emit(
        VisitPlanned(
            visit_id=visit.id,
            official_name=visit.official_name,
            official_post=visit.official_post,
            unit_id=visit.unit_id,
            unit_name=visit.unit_name,
            station_id=station.id,
            district_codes=list(station.division_codes),
            starts_at=starts_at,
            theme=visit.theme,
            planned_at=now,
        ),
        subject=visit.id,
    )
    return visit_view(visit, station, policy)


async def cancel(uow: Uow, visit_id: str, reason: str, policy: VisitPolicy) -> dict[str, Any]:
    visit = await visit_of(uow, visit_id, lock=True)
    rules.may_cancel(visit)
    reason = reason.strip()
    if not reason:
        raise Invalid("reason_required", "请填写取消原因", field="reason")
    now = uow.now()
    visit = replace(visit, status="cancelled", closed_at=now, cancel_reason=reason)
    await uow.visits.save(visit)
    uow.emit(
        VisitCancelled(
            visit_id=visit.id, station_id=visit.station_id, reason=reason, cancelled_at=now
        ),
        subject=visit.id,
    )
    return visit_view(visit, await station_of(uow, visit.station_id), policy)


async def moderate(
    uow: Uow,
    actor: Actor,
    visit_id: str,
    question_id: str,
    publish: bool,
    reason: str | None = None,
) -> dict[str, Any]:
    """Station staff publish a submitted question, or reject it (with a reason kept for
    the record, never shown publicly)."""
    visit = await visit_of(uow, visit_id, lock=True)
    actor.check_station(visit.station_id)
    question = await _question_of(uow, visit, question_id)
    rules.may_moderate(visit, question)
    now = uow.now()
    if publish:
        question = replace(
            question, status="published", moderated_at=now, moderated_by=actor.subject
        )
        uow.emit(
            VisitQuestionPublished(
                question_id=question.id,
                visit_id=visit.id,
                asked_by=question.asked_by,
                deputy_id=question.deputy_id,
                text=question.text,
                published_at=now,
            ),
            subject=visit.id,
        )
    else:
        why = (reason or "").strip()
        if not why:
            raise Invalid("reason_required", "不予公开须说明理由", field="reason")
        question = replace(
            question,
            status="rejected",
            moderated_at=now,
            moderated_by=actor.subject,
            reject_reason=why[:500],
        )
    await uow.visits.save_question(question)
    return {"id": question.id, "status": question.status, **_labels(question)}


async def record(
    uow: Uow,
    actor: Actor,
    visit_id: str,
    rec: VisitRecord,
    policy: VisitPolicy,
    units: Mapping[str, str],
) -> dict[str, Any]:
    """The visit took place: attendance, answers on the spot, commitments. Each commitment
    and each published question left unanswered goes to supervision as a case."""
    visit = await visit_of(uow, visit_id, lock=True)
    actor.check_station(visit.station_id)
    station = await station_of(uow, visit.station_id)
    now = uow.now()
    present = tuple(dict.fromkeys(rec.deputy_ids))
    station_deputies = {d["id"] for d in await uow.registry.deputies_of_station(station.id)}
    questions = await uow.visits.questions(visit.id)
    published = {q.id: q for q in questions if q.status == "published"}
    rules.check_record(
        visit,
        now,
        present,
        station_deputies,
        rec.citizens,
        rec.answers,
        published,
        rec.commitments,
        units,
        policy,
    )
    district = station.division_codes[0]
    pending = 0
    for q in published.values():
        answer = (rec.answers.get(q.id) or "").strip()
        if answer:
            await uow.visits.save_question(replace(q, answer=answer))
            continue
        pending += 1
        await uow.visits.save_question(replace(q, written_required_at=now))
        uow.emit(
            WrittenAnswerRequired(
                question_id=q.id,
                visit_id=visit.id,
                station_id=station.id,
                district_code=district,
                unit_id=visit.unit_id,
                unit_name=visit.unit_name,
                text=q.text,
                required_at=now,
            ),
            subject=q.id,
        )
    for draft in rec.commitments:
        commitment = Commitment(
            id=str(uuid.uuid4()),
            visit_id=visit.id,
            text=draft.text.strip(),
            unit_id=draft.unit_id,
            unit_name=units[draft.unit_id],
            due_on=draft.due_on,
            due_at=policy.end_of(draft.due_on),
            made_at=now,
        )
        await uow.visits.add_commitment(commitment)
        uow.emit(
            CommitmentMade(
                commitment_id=commitment.id,
                visit_id=visit.id,
                station_id=station.id,
                district_code=district,
                unit_id=commitment.unit_id,
                unit_name=commitment.unit_name,
                text=commitment.text,
                due_on=commitment.due_on,
                due_at=commitment.due_at,
                deputy_ids=list(present),
                made_at=now,
            ),
            subject=commitment.id,
        )
    visit = replace(visit, status="held", deputy_ids=present, citizens=rec.citizens, closed_at=now)
    await uow.visits.save(visit)
    uow.emit(
        VisitHeld(
            visit_id=visit.id,
            station_id=station.id,
            district_codes=list(station.division_codes),
            unit_id=visit.unit_id,
            unit_name=visit.unit_name,
            deputy_ids=list(present),
            citizens=rec.citizens,
            answered=len(published) - pending,
            pending=pending,
            commitments=len(rec.commitments),
            held_at=now,
        ),
        subject=visit.id,
    )
    return await office_visit(uow, actor, visit.id, policy, units)


# Public -----------------------------------------------------------------------------------


async def submit_question(
    uow: Uow, visit_id: str, text: str, deputy_id: str | None = None
) -> dict[str, Any]:
    """A citizen (no account, nothing about them kept) or a signed-in deputy asks before
    the visit. The question stays private until station staff publish it."""
    visit = await visit_of(uow, visit_id)
    now = uow.now()
    rules.may_ask(visit, now)
    cleaned = rules.check_question(text)
    if deputy_id is not None and not await uow.registry.serving_deputy_ids([deputy_id]):
        raise Invalid("unknown_deputy", "代表编号无效或已离任", field="deputy_id")
    question = Question(
        id=str(uuid.uuid4()),
        visit_id=visit.id,
        asked_by="deputy" if deputy_id else "citizen",
        deputy_id=deputy_id,
        text=cleaned,
        status="submitted",
        submitted_at=now,
    )
    await uow.visits.add_question(question)
    return {
        "id": question.id,
        "status": "submitted",
        "status_label": rules.QUESTION_LABELS["submitted"],
        "message": "问题已提交，联络站审核后将在本页公开。",
    }


async def public_visit(uow: Uow, visit_id: str, policy: VisitPolicy) -> dict[str, Any]:
    """The visit's public page: published questions with their answers, commitments and
    how each stands."""
    visit = await visit_of(uow, visit_id)
    station = await station_of(uow, visit.station_id)
    questions = [q for q in await uow.visits.questions(visit.id) if q.status == "published"]
    commitments = await uow.visits.commitments(visit.id)
    names = await _deputy_names(uow, {*visit.deputy_ids, *(q.deputy_id or "" for q in questions)})
    return {
        **visit_view(visit, station, policy),
        "deputies_present": [{"id": d, "name": names.get(d, d)} for d in visit.deputy_ids],
        "questions": [_question_view(q, visit, policy, names) for q in questions],
        "commitments": [_commitment_view(c, policy) for c in commitments],
        "written_answer_rule": (
            f"现场未能答复的问题，承办单位须在 {policy.written_answer_days} 个工作日内书面答复"
        ),
        "written_answer_source": policy.written_answer_source,
        "can_ask": visit.status == "planned" and uow.now() < visit.starts_at,
    }


async def public_list(
    uow: Uow, policy: VisitPolicy, *, station_id: str | None, division: str | None
) -> list[dict[str, Any]]:
    """Visits to come and those of the last months, of a station or a division."""
    found = await uow.visits.listing(
        uow.now() - RECENT, station_id=station_id, division=division, limit=200
    )
    stations = await _stations(uow, {v.station_id for v in found})
    return [visit_view(v, stations.get(v.station_id), policy) for v in found]


async def office_list(
    uow: Uow, actor: Actor, policy: VisitPolicy, units: Mapping[str, str]
) -> dict[str, Any]:
    """The office's list (every station) or a station's: each visit with its follow-ups."""
    station_id = None if actor.admin else actor.station
    own = await station_of(uow, station_id) if station_id is not None else None
    found = await uow.visits.listing(uow.now() - RECENT * 3, station_id=station_id, limit=500)
    stations = await _stations(uow, {v.station_id for v in found})
    items = []
    for v in found:
        questions = await uow.visits.questions(v.id)
        commitments = await uow.visits.commitments(v.id)
        states = [rules.follow_up_state(c.kept, c.overdue_at) for c in commitments]
        items.append(
            {
                **visit_view(v, stations.get(v.station_id), policy),
                "questions_submitted": sum(q.status == "submitted" for q in questions),
                "questions_published": sum(q.status == "published" for q in questions),
                "written_pending": sum(
                    q.written_required_at is not None and q.written is None for q in questions
                ),
                "commitments": len(commitments),
                "commitments_kept": sum(s.startswith("kept") for s in states),
                "commitments_late": sum(s in ("overdue", "kept_late") for s in states),
            }
        )
    everywhere = [] if station_id else await _active_stations(uow)
    return {
        "admin": actor.admin,
        "station_id": station_id,
        "station_name": own.name if own else None,
        "visits": items,
        "stations": everywhere,
        "units": _unit_list(units),
    }


async def office_visit(
    uow: Uow, actor: Actor, visit_id: str, policy: VisitPolicy, units: Mapping[str, str]
) -> dict[str, Any]:
    """One visit for its station's staff (or the office): every question, submitted ones
    included, the station's deputies to mark present, the unit directory."""
    visit = await visit_of(uow, visit_id)
    actor.check_station(visit.station_id)
    station = await station_of(uow, visit.station_id)
    questions = await uow.visits.questions(visit.id)
    deputies = await uow.registry.deputies_of_station(station.id)
    names = {d["id"]: d["name"] for d in deputies}
    names |= await _deputy_names(
        uow, {*visit.deputy_ids, *(q.deputy_id or "" for q in questions)} - set(names)
    )
    return {
        **visit_view(visit, station, policy),
        "deputies_present": [{"id": d, "name": names.get(d, d)} for d in visit.deputy_ids],
        "questions": [
            {
                **_question_view(q, visit, policy, names),
                "status": q.status,
                "status_label": rules.QUESTION_LABELS[q.status],
                "reject_reason": q.reject_reason,
                "submitted_at": q.submitted_at.isoformat(),
            }
            for q in questions
        ],
        "commitments": [
            _commitment_view(c, policy) for c in await uow.visits.commitments(visit.id)
        ],
        "station_deputies": [{"id": d["id"], "name": d["name"]} for d in deputies],
        "units": _unit_list(units),
    }


# Supervision's answers --------------------------------------------------------------------


async def when_follow_up_answered_record_it(event: RawEvent, uow: Uow) -> None:
    """Supervision's ``Resolved`` for a commitment's or a question's case: the promise kept
    (on time or late) or the written answer, shown on the visit's page. Other suggestions'
    answers are not ours and are skipped; a later round replaces an earlier one."""
    data = event.data_as(Resolved)
    answer = Answer(data.reply, data.outcome, data.replied_at, data.on_time, data.round)
    commitment = await uow.visits.commitment(data.suggestion_id)
    if commitment is not None:
        if rules.newer(commitment.kept, answer):
            await uow.visits.save_commitment(replace(commitment, kept=answer))
        return
    question = await uow.visits.question(data.suggestion_id)
    if question is not None and rules.newer(question.written, answer):
        await uow.visits.save_question(replace(question, written=answer))


async def when_follow_up_overdue_mark_it(event: RawEvent, uow: Uow) -> None:
    """Supervision's ``MarkedOverdue``: a commitment (or a written answer) not answered by
    its deadline shows 已逾期 until the answer comes (which then reads 逾期兑现)."""
    data = event.data_as(MarkedOverdue)
    commitment = await uow.visits.commitment(data.suggestion_id)
    if commitment is not None:
        if commitment.overdue_at is None:
            await uow.visits.save_commitment(replace(commitment, overdue_at=data.marked_at))
        return
    question = await uow.visits.question(data.suggestion_id)
    if question is not None and question.overdue_at is None:
        await uow.visits.save_question(replace(question, overdue_at=data.marked_at))


# Views ------------------------------------------------------------------------------------


def _day_view(moment: datetime, policy: VisitPolicy) -> dict[str, str]:
    local = moment.astimezone(policy.timezone)
    return {"date": local.date().isoformat(), "weekday": WEEKDAYS[local.weekday()]}


def visit_view(visit: Visit, station: Station | None, policy: VisitPolicy) -> dict[str, Any]:
    start = visit.starts_at.astimezone(policy.timezone)
    end = visit.ends_at.astimezone(policy.timezone)
    return {
        "id": visit.id,
        "station_id": visit.station_id,
        "station_name": station.name if station else visit.station_id,
        "station_address": station.address if station else None,
        "official_name": visit.official_name,
        "official_post": visit.official_post,
        "unit_id": visit.unit_id,
        "unit_name": visit.unit_name,
        **_day_view(visit.starts_at, policy),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "starts_at": visit.starts_at.isoformat(),
        "ends_at": visit.ends_at.isoformat(),
        "place": visit.place,
        "theme": visit.theme,
        "status": visit.status,
        "status_label": rules.VISIT_LABELS[visit.status],
        "citizens": visit.citizens,
        "deputies_present_count": len(visit.deputy_ids),
        "cancel_reason": visit.cancel_reason,
    }


def _answer_view(a: Answer | None, policy: VisitPolicy) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "reply": a.reply,
        "outcome": a.outcome,
        "on_time": a.on_time,
        "replied_at": a.replied_at.isoformat(),
        **{"replied_" + k: v for k, v in _day_view(a.replied_at, policy).items()},
    }


def _labels(q: Question) -> dict[str, str]:
    return {"asked_by_label": "代表" if q.asked_by == "deputy" else "群众"}


def _question_view(
    q: Question, visit: Visit, policy: VisitPolicy, names: Mapping[str, str]
) -> dict[str, Any]:
    if q.answer is not None:
        state, label = "answered", "当场答复"
    elif q.written_required_at is not None:
        state = rules.follow_up_state(q.written, q.overdue_at)
        label = rules.WRITTEN_ANSWER_LABELS[state]
    elif visit.status == "cancelled":
        state, label = "cancelled", "进站已取消"
    else:
        state, label = "awaiting_visit", "待进站答复"
    return {
        "id": q.id,
        "asked_by": q.asked_by,
        **_labels(q),
        "deputy_id": q.deputy_id,
        "deputy_name": names.get(q.deputy_id) if q.deputy_id else None,
        "text": q.text,
        "answer": q.answer,
        "written_answer": _answer_view(q.written, policy),
        "state": state,
        "state_label": label,
    }


def _commitment_view(c: Commitment, policy: VisitPolicy) -> dict[str, Any]:
    state = rules.follow_up_state(c.kept, c.overdue_at)
    due = _day_view(c.due_at, policy)
    return {
        "id": c.id,
        "text": c.text,
        "unit_id": c.unit_id,
        "unit_name": c.unit_name,
        "due_on": c.due_on.isoformat(),
        "due_weekday": due["weekday"],
        "due_at": c.due_at.isoformat(),
        "state": state,
        "state_label": rules.COMMITMENT_LABELS[state],
        "answer": _answer_view(c.kept, policy),
    }


def _unit_list(units: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"id": k, "name": v} for k, v in sorted(units.items(), key=lambda kv: kv[1])]


async def _stations(uow: Uow, ids: set[str]) -> dict[str, Station]:
    if not ids:
        return {}
    return {k: v.record for k, v in (await uow.registry.stations(ids)).items()}


async def _active_stations(uow: Uow) -> list[dict[str, str]]:
    found = await uow.registry.stations()
    return sorted(
        (
            {"id": v.record.id, "name": v.record.name}
            for v in found.values()
            if v.record.status == "active"
        ),
        key=lambda s: s["id"],
    )


async def _deputy_names(uow: Uow, ids: set[str]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {k: v.record.name for k, v in (await uow.registry.deputies(wanted)).items()}
