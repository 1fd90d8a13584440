"""Citizens' support (附议, +1) and the public's acceptance ratings, for the /support page:
a one-time code to a phone, a short supporter session, then support or a rating.

The supporter session (a random token, not a staff JWT) travels as
``Authorization: Bearer <supporter token>`` from API clients, or in its own header
``X-Supporter-Token`` — what the /support page sends, since only the staff pages' sign-in
kit may send ``Authorization`` from a page. The platform's ``public`` access ignores a
bearer it cannot verify; this module checks the token against intake's store. Wall-clock timers (``datetime.now``): the simulation clock must
not shorten a code's life or a limit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path

from minyi.intake.domain.support import CodeRefused, TargetKind, TooSoon
from minyi.intake.entrypoints.dependencies import Rt
from minyi.intake.entrypoints.guard import JsonRoute
from minyi.intake.entrypoints.schemas import (
    ProjectRatingIn,
    SupportCodeIn,
    SupportIn,
    SupportVerifyIn,
)
from minyi.intake.service_layer import support
from minyi.platform.auth import public
from minyi.platform.auth_limits import rate_limit

router = APIRouter(
    prefix="/v1",
    tags=["support"],
    route_class=JsonRoute,
    dependencies=[
        Depends(
            public(
                "citizens' support: a phone checked by a one-time code, rate-limited per "
                "phone and per client"
            )
        )
    ],
)

# Per client address, beside intake's general limit: codes cost an SMS each.
CodeLimit = Depends(rate_limit("support_code", per_minute=6, burst=5))
# Checking codes: five wrong tries kill a code anyway; this bounds the work per client.
VerifyLimit = Depends(rate_limit("support_verify", per_minute=30, burst=10))
SupportLimit = Depends(rate_limit("support", per_minute=30, burst=10))


def _wall() -> datetime:
    return datetime.now(UTC)


SUPPORTER_HEADER = "X-Supporter-Token"


async def _supporter_token(
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    supporter: Annotated[
        str | None,
        Header(
            alias=SUPPORTER_HEADER,
            max_length=100,
            description="the supporter session from POST /v1/support/verify "
            "(or send it as Authorization: Bearer)",
        ),
    ] = None,
) -> str | None:
    if supporter:
        return supporter.strip() or None
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


SupporterToken = Annotated[str | None, Depends(_supporter_token)]


def _too_soon(exc: TooSoon) -> HTTPException:
    return HTTPException(
        429,
        detail={"code": exc.code, "message": exc.message, "field": exc.field},
        headers={"Retry-After": str(exc.retry_after)},
    )


@router.post(
    "/support/code",
    status_code=202,
    summary="Send a one-time code by SMS to a phone (60 s apart, 5 an hour)",
    dependencies=[CodeLimit],
)
async def post_code(body: SupportCodeIn, runtime: Rt) -> dict[str, Any]:
    try:
        async with runtime.unit_of_work() as uow:
            sent = await support.send_code(body.phone, uow, runtime.deps.vault, _wall())
    except TooSoon as exc:
        raise _too_soon(exc) from None
    return {
        "message": "验证码已发送，10 分钟内有效",
        "expires_in": sent.expires_in,
        "resend_after": 60,
    }


@router.post(
    "/support/verify",
    summary="Check the one-time code: a supporter session (30 min) in the body",
    dependencies=[VerifyLimit],
)
async def post_verify(body: SupportVerifyIn, runtime: Rt) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        result = await support.verify_code(body.phone, body.code, uow, runtime.deps.vault, _wall())
    if isinstance(result, CodeRefused):  # raised after the commit: the try is counted
        raise result
    return {"token": result.token, "header": SUPPORTER_HEADER, "expires_in": result.expires_in}


@router.post(
    "/supports",
    status_code=201,
    summary="Support (+1, 附议) a public recurring appeal or project, once per person",
    dependencies=[SupportLimit],
)
async def post_support(
    body: SupportIn,
    runtime: Rt,
    token: SupporterToken,
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        added = await support.add_support(body.target_kind, body.target_id, token, uow, _wall())
        count = await uow.supports.count(body.target_kind, body.target_id)
    return {
        "support_id": added.support_id,
        "target_kind": added.target_kind,
        "target_id": added.target_id,
        "supports": count,
        "message": "已附议，感谢您的支持",
    }


@router.post(
    "/project-ratings",
    status_code=201,
    summary="Rate a finished project put to a public vote, once per person",
    dependencies=[SupportLimit],
)
async def post_project_rating(
    body: ProjectRatingIn,
    runtime: Rt,
    token: SupporterToken,
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        rated = await support.rate_project(body.project_id, body.rating, token, uow, _wall())
    return {"project_id": rated.project_id, "rating": rated.rating, "message": "感谢您的评价"}


@router.get(
    "/support/targets/{kind}/{target_id}",
    summary="A public appeal or project as the /support page shows it",
)
async def get_target(
    kind: TargetKind, target_id: Annotated[str, Path(max_length=64)], runtime: Rt
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await support.target_view(kind, target_id, uow)
