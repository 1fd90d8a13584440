"""Deputies' formal suggestions (代表建议): a lead deputy's draft, its co-signers' answers,
the submission (a yearly number, then filed like every suggestion, through
``file_suggestion``), the answer rounds every signer sees and their ratings (SignerRated)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from minyi.contracts.formal import Session, SignerRated
from minyi.contracts.ids import new_id
from minyi.contracts.status import label
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.formal import (
    CONFIRMED,
    LEAD,
    OUTCOME_LABELS,
    RATING_LABELS,
    SESSION_LABELS,
    SIGNER_LABELS,
    SUBMITTED,
    FormalDraft,
    FormalText,
    RatingInput,
    RatingState,
    SignerState,
    rating_round,
    year_of,
)
from minyi.intake.domain.status import CLOSED
from minyi.intake.domain.suggestion import Submission
from minyi.intake.service_layer.filing import FileSuggestion, file_suggestion
from minyi.intake.service_layer.registry import require_listed
from minyi.platform.errors import Conflict, Invalid, NotFound
from minyi.platform.pii_vault import PiiVault

KIND = "representative_suggestion"
# The channel a deputy's own filing comes in by (the existing vocabulary's).
CHANNEL = "representative"


class UnknownFormalSuggestion(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "formal_suggestion_not_found", "未找到该代表建议（no formal suggestion with this id）"
        )


@dataclass(frozen=True)
class StartDraft:
    lead_deputy_id: str
    co_signer_ids: list[str] = field(default_factory=list)
    # Taken from the citizen's suggestion when converting (转为代表建议) and left out.
    title: str | None = None
    content: str | None = None
    reasons: str = ""
    measures: str = ""
    session: Session = "between_sessions"
    publishable: bool = False
    district_code: str | None = None
    converted_from: str | None = None


async def start_draft(cmd: StartDraft, uow: IntakeUnitOfWork) -> FormalDraft:
    """A draft by a serving lead with serving co-signers; converted from a citizen's
    suggestion, it takes that one's title, text and district where the lead gave none."""
    await require_listed(uow, representative_id=cmd.lead_deputy_id)
    serving = await uow.registry.serving_among(cmd.co_signer_ids)
    unknown = [d for d in cmd.co_signer_ids if d not in serving]
    if unknown:
        raise Invalid(
            "unknown_co_signer",
            "联名代表编号不存在或已不在任："
            + "、".join(unknown)
            + "（unknown co_signer_ids; see GET /v1/reference/representatives）",
            field="co_signer_ids",
        )
    title, content, district = cmd.title, cmd.content, cmd.district_code
    if cmd.converted_from is not None:
        source = await uow.suggestions.row(cmd.converted_from)
        if source is None or source["kind"] == KIND:
            raise Invalid(
                "unknown_citizen_suggestion",
                "要转为代表建议的群众意见不存在（converted_from names no citizen suggestion）",
                field="converted_from",
            )
        title, content = title or source["title"], content or source["content"]
        district = district or source["district_code"]
    for name, value in (("title", title), ("content", content)):
        if not value:
            raise Invalid(
                "missing",
                f"请填写{'标题' if name == 'title' else '内容'}（{name} is required）",
                field=name,
            )
    district = district or await uow.registry.division_of(cmd.lead_deputy_id)
    if district is None:
        raise Invalid(
            "missing", "请选择所属区县（district_code is required）", field="district_code"
        )
    text = FormalText(
        title or "", content or "", cmd.reasons, cmd.measures, cmd.session, cmd.publishable
    )
    draft = FormalDraft.start(
        new_id(),
        cmd.lead_deputy_id,
        cmd.co_signer_ids,
        text,
        district_code=district,
        converted_from=cmd.converted_from,
        now=uow.now(),
    )
    await uow.formal.add(draft)
    return draft


async def _locked(uow: IntakeUnitOfWork, suggestion_id: str) -> FormalDraft:
    draft = await uow.formal.get(suggestion_id, for_update=True)
    if draft is None:
        raise UnknownFormalSuggestion()
    return draft


async def answer_invitation(
    uow: IntakeUnitOfWork, suggestion_id: str, deputy_id: str, state: SignerState
) -> FormalDraft:
    """A co-signer confirms (联名确认) or declines."""
    draft = await _locked(uow, suggestion_id)
    changed = draft.answer(deputy_id, state, uow.now())
    if changed is not draft:
        await uow.formal.save(changed)
    return changed


async def remove_co_signer(
    uow: IntakeUnitOfWork, suggestion_id: str, by: str, deputy_id: str
) -> FormalDraft:
    draft = (await _locked(uow, suggestion_id)).remove(by, deputy_id)
    await uow.formal.save(draft)
    return draft


async def submit(
    uow: IntakeUnitOfWork, suggestion_id: str, by: str, vault: PiiVault
) -> FormalDraft:
    """Numbered (the year's counter, in this transaction) and filed as every suggestion
    is: stored, and SuggestionFiled with ``formal`` in the outbox."""
    draft = await _locked(uow, suggestion_id)
    draft.check_submittable(by)
    now = uow.now()
    draft = draft.submit(by, await uow.formal.next_number(year_of(now)), now)
    await uow.formal.save(draft)
    submission = Submission(
        title=draft.title,
        content=draft.content,
        kind=KIND,
        channel=CHANNEL,
        district_code=draft.district_code,
        representative_id=draft.lead_deputy_id,
        # 是否同意公开: the deputy's own choice on the draft.
        publish_consent=draft.publishable,
    )
    filing = FileSuggestion(submission, suggestion_id=draft.id, formal=draft.details())
    await file_suggestion(filing, uow, vault)
    return draft


@dataclass(frozen=True)
class Rate:
    suggestion_id: str
    deputy_id: str
    rating: RatingInput
    round: int | None = None  # the latest answer round when None


async def rate(cmd: Rate, uow: IntakeUnitOfWork) -> SignerRated:
    """A signer's 征询意见表 for an answer round: once per round, before the case closes."""
    draft = await uow.formal.get(cmd.suggestion_id)
    if draft is None:
        raise UnknownFormalSuggestion()
    if draft.state != SUBMITTED:
        raise Conflict("not_submitted", "该代表建议尚未提交（not submitted yet）")
    answers = await uow.formal.answers(draft.id)
    ratings = await uow.formal.ratings(draft.id)
    row = await uow.suggestions.row(draft.id)
    state = RatingState(
        signer_ids=frozenset(s.deputy_id for s in draft.signers if s.state == CONFIRMED),
        answered_rounds=frozenset(a["round"] for a in answers),
        closed=row is not None and row["status"] == CLOSED,
        rated=frozenset((r["deputy_id"], r["round"]) for r in ratings),
    )
    round_ = rating_round(state, cmd.deputy_id, cmd.round)
    r = cmd.rating
    rated = SignerRated(
        suggestion_id=draft.id,
        deputy_id=cmd.deputy_id,
        round=round_,
        contact=r.contact,
        attitude=r.attitude,
        result=r.result,
        comment=r.comment,
        rated_at=uow.now(),
    )
    if not await uow.formal.add_rating(rated):  # a concurrent second rating
        raise Conflict(
            "already_rated", "您已评价过这一轮答复，不能重复评价（rated this round already）"
        )
    uow.emit(rated, subject=draft.id)
    return rated


# Reads: what a signer's page shows.


async def view(uow: IntakeUnitOfWork, draft: FormalDraft, me: str | None) -> dict[str, Any]:
    """One formal suggestion as its signers see it: the signers by name, the status,
    every answer round and every rating; what ``me`` may still do."""
    names = await uow.registry.names([s.deputy_id for s in draft.signers])
    row = await uow.suggestions.row(draft.id) if draft.state == SUBMITTED else None
    answers = await uow.formal.answers(draft.id) if row else []
    ratings = await uow.formal.ratings(draft.id) if answers else []
    status = row["status"] if row else "draft"
    closed = status == CLOSED
    mine = draft.signer(me) if me else None
    rated_by_me = {r["round"] for r in ratings if r["deputy_id"] == me}
    can_rate = [
        a["round"]
        for a in answers
        if not closed and mine and mine.state == CONFIRMED and a["round"] not in rated_by_me
    ]
    return {
        "id": draft.id,
        "number": draft.number,
        "state": draft.state,
        "status": status,
        "status_label": "草稿（待提交）" if row is None else label(status),
        "title": draft.title,
        "content": draft.content,
        "reasons": draft.reasons,
        "measures": draft.measures,
        "session": draft.session,
        "session_label": SESSION_LABELS[draft.session],
        "publishable": draft.publishable,
        "district_code": draft.district_code,
        "converted_from": draft.converted_from,
        "lead_deputy_id": draft.lead_deputy_id,
        "unit_name": row["unit_name"] if row else None,
        "created_at": draft.created_at,
        "submitted_at": draft.submitted_at,
        "signers": [
            {
                "deputy_id": s.deputy_id,
                "name": names.get(s.deputy_id, s.deputy_id),
                "role": s.role,
                "role_label": "领衔代表" if s.role == LEAD else "联名代表",
                "state": s.state,
                "state_label": SIGNER_LABELS[s.state],
            }
            for s in draft.signers
        ],
        "answers": [
            {**a, "outcome_label": OUTCOME_LABELS.get(a["outcome"], a["outcome"])} for a in answers
        ],
        "ratings": [
            {
                **r,
                "name": names.get(r["deputy_id"], r["deputy_id"]),
                **{f"{k}_label": RATING_LABELS[r[k]] for k in ("contact", "attitude", "result")},
            }
            for r in ratings
        ],
        "closed": closed,
        "my_role": mine.role if mine else None,
        "my_state": mine.state if mine else None,
        "awaiting_me": bool(mine and mine.state == "pending" and draft.state != SUBMITTED),
        "can_submit": bool(
            me == draft.lead_deputy_id
            and draft.state != SUBMITTED
            and all(s.state == CONFIRMED for s in draft.signers)
        ),
        "can_rate": can_rate,
    }


async def one(uow: IntakeUnitOfWork, suggestion_id: str, me: str | None) -> dict[str, Any]:
    """``me`` None: the office (every suggestion); a deputy sees only what they sign."""
    draft = await uow.formal.get(suggestion_id)
    if draft is None or (me is not None and not draft.is_signer(me)):
        raise UnknownFormalSuggestion()
    return await view(uow, draft, me)


async def of_deputy(uow: IntakeUnitOfWork, deputy_id: str) -> list[dict[str, Any]]:
    return [await view(uow, d, deputy_id) for d in await uow.formal.of_deputy(deputy_id)]
