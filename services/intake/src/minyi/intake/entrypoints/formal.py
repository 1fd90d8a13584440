"""Deputies' formal suggestions (代表建议) over HTTP: thin endpoints over
``service_layer.formal``.

Access: a deputy's token (role ``representative``; the admin always). A deputy acts as the
deputy the token names and sees only what they lead or were asked to co-sign; the admin
sees everything and acts for nobody (it names the lead when it starts a draft).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.encoders import jsonable_encoder

from minyi.intake.dependencies import IntakeRuntime
from minyi.intake.domain.formal import CONFIRMED, DECLINED, RatingInput, SignerState
from minyi.intake.entrypoints.dependencies import Rt
from minyi.intake.entrypoints.guard import GuardedRoute
from minyi.intake.entrypoints.schemas import FormalIn, RepresentativeId, SignerRatingIn
from minyi.intake.service_layer import formal
from minyi.platform.auth import Principal, Role, forbidden, require
from minyi.platform.errors import Invalid

# Actions without a body need no Content-Type: the guard checks size and rate only.
router = APIRouter(
    prefix="/v1/formal-suggestions", tags=["formal suggestions"], route_class=GuardedRoute
)

Deputy = Annotated[Principal, Depends(require(Role.REPRESENTATIVE))]


def _me(who: Principal) -> str | None:
    """The deputy the caller acts as; None for the admin (who sees all, signs nothing)."""
    return who.representative if who.role is Role.REPRESENTATIVE else None


def _acting(who: Principal) -> str:
    me = _me(who)
    if me is None:
        raise forbidden("not_a_deputy", "请使用代表本人的令牌（only a deputy's token may do this）")
    return me


def _out(data: Any) -> Any:
    return jsonable_encoder(data)


@router.get("", summary="My formal suggestions: those I lead or was asked to co-sign")
async def list_mine(
    who: Deputy,
    runtime: Rt,
    deputy_id: Annotated[RepresentativeId | None, Query()] = None,
) -> list[dict[str, Any]]:
    me = _me(who)
    if me is not None and deputy_id not in (None, me):
        raise forbidden("other_representative", "只能查看本人的代表建议（deputy_id is not yours）")
    wanted = me or deputy_id
    if wanted is None:
        raise Invalid("missing", "请指定代表（deputy_id is required）", field="deputy_id")
    async with runtime.unit_of_work() as uow:
        return _out(await formal.of_deputy(uow, wanted))  # type: ignore[no-any-return]


@router.post("", status_code=201, summary="Start a draft (co-signers confirm before submit)")
async def create(body: FormalIn, who: Deputy, runtime: Rt) -> dict[str, Any]:
    me = _me(who)
    if me is not None and body.lead_deputy_id not in (None, me):
        raise forbidden("other_representative", "只能以本人名义领衔（lead_deputy_id is not yours）")
    lead = me or body.lead_deputy_id
    if lead is None:
        raise Invalid(
            "missing", "请指定领衔代表（lead_deputy_id is required）", field="lead_deputy_id"
        )
    cmd = formal.StartDraft(
        lead_deputy_id=lead,
        co_signer_ids=list(body.co_signer_ids),
        title=body.title,
        content=body.content,
        reasons=body.reasons,
        measures=body.measures,
        session=body.session,
        publishable=body.publishable,
        district_code=body.district_code,
        converted_from=body.converted_from,
    )
    async with runtime.unit_of_work() as uow:
        draft = await formal.start_draft(cmd, uow)
        return _out(await formal.view(uow, draft, lead))  # type: ignore[no-any-return]


@router.get("/{suggestion_id}", summary="One formal suggestion, with every answer and rating")
async def get_one(suggestion_id: str, who: Deputy, runtime: Rt) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return _out(await formal.one(uow, suggestion_id, _me(who)))  # type: ignore[no-any-return]


async def _answer(
    suggestion_id: str, who: Principal, runtime: IntakeRuntime, state: SignerState
) -> dict[str, Any]:
    me = _acting(who)
    async with runtime.unit_of_work() as uow:
        draft = await formal.answer_invitation(uow, suggestion_id, me, state)
        return _out(await formal.view(uow, draft, me))  # type: ignore[no-any-return]


@router.post("/{suggestion_id}/confirm", summary="A co-signer confirms joining (联名确认)")
async def confirm(suggestion_id: str, who: Deputy, runtime: Rt) -> dict[str, Any]:
    return await _answer(suggestion_id, who, runtime, CONFIRMED)


@router.post("/{suggestion_id}/decline", summary="A co-signer declines joining")
async def decline(suggestion_id: str, who: Deputy, runtime: Rt) -> dict[str, Any]:
    return await _answer(suggestion_id, who, runtime, DECLINED)


@router.delete(
    "/{suggestion_id}/co-signers/{deputy_id}",
    summary="The lead takes a co-signer off a draft (one who declined or does not answer)",
)
async def remove_co_signer(
    suggestion_id: str, deputy_id: str, who: Deputy, runtime: Rt
) -> dict[str, Any]:
    me = _acting(who)
    async with runtime.unit_of_work() as uow:
        draft = await formal.remove_co_signer(uow, suggestion_id, me, deputy_id)
        return _out(await formal.view(uow, draft, me))  # type: ignore[no-any-return]


@router.post(
    "/{suggestion_id}/submit",
    summary="The lead submits: numbered YYYY-NNNN and filed (SuggestionFiled with formal)",
)
async def submit(suggestion_id: str, who: Deputy, runtime: Rt) -> dict[str, Any]:
    me = _acting(who)
    async with runtime.unit_of_work() as uow:
        draft = await formal.submit(uow, suggestion_id, me, runtime.deps.vault)
        return _out(await formal.view(uow, draft, me))  # type: ignore[no-any-return]


@router.post(
    "/{suggestion_id}/ratings",
    status_code=201,
    summary="A signer rates an answer round (征询意见表), once per round, until closed",
)
async def rate(
    suggestion_id: str, body: SignerRatingIn, who: Deputy, runtime: Rt
) -> dict[str, Any]:
    me = _acting(who)
    rating = RatingInput(body.contact, body.attitude, body.result, body.comment)
    async with runtime.unit_of_work() as uow:
        rated = await formal.rate(formal.Rate(suggestion_id, me, rating, body.round), uow)
    return {"suggestion_id": suggestion_id, "round": rated.round, "message": "感谢您的评价！"}
