"""Intake's REST API (v1): thin endpoints that translate, call a use case, answer.

Access (``minyi.platform.auth``): filing, tracking by code, feedback and the reference lists
are public (the citizen page uses them; rate limits and the tracking code protect them);
the staff view and endorsements need a token, scoped to the caller's station,
representative or districts.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from minyi.contracts.gazetteer import Gazetteer
from minyi.contracts.reference import load_divisions
from minyi.intake.adapters.repositories import KeyTaken
from minyi.intake.domain.errors import UnknownSuggestion
from minyi.intake.domain.suggestion import Submission
from minyi.intake.entrypoints.dependencies import Caller, Rt, public_caller
from minyi.intake.entrypoints.guard import Handler, JsonRoute
from minyi.intake.entrypoints.schemas import (
    EndorsementIn,
    FeedbackIn,
    FiledOut,
    SuggestionIn,
)
from minyi.intake.service_layer import queries, registry
from minyi.intake.service_layer.feedback import GiveFeedback, give_feedback
from minyi.intake.service_layer.filing import Citizen, FileSuggestion, with_township
from minyi.intake.service_layer.idempotency import FileOnce, file_once, request_hash
from minyi.intake.service_layer.representatives import (
    EndorseSuggestion,
    endorse,
)
from minyi.platform.auth import Principal, Role, forbidden, public, require
from minyi.platform.telemetry import in_callers_trace

router = APIRouter(prefix="/v1", tags=["suggestions"], route_class=JsonRoute)

PUBLIC_BECAUSE = "citizen page and channels: rate-limited per client; the code is the secret"
Public = Depends(public(PUBLIC_BECAUSE))
# Filing, the hot path: the same rule and the runtime in one dependency.
_filer = public_caller(PUBLIC_BECAUSE)
Filer = Annotated[Caller, Depends(_filer)]
IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 200
Staff = Annotated[
    Principal, Depends(require(Role.STATION_STAFF, Role.REPRESENTATIVE, Role.SUPERVISOR))
]
Representative = Annotated[Principal, Depends(require(Role.REPRESENTATIVE))]


def _may_see(who: Principal, view: dict[str, Any]) -> bool:
    """A station sees what was filed at it, a representative what it filed, a supervisor
    its districts (the token carries them), the admin everything."""
    if who.role is Role.STATION_STAFF:
        return view.get("station_id") == who.station
    if who.role is Role.REPRESENTATIVE:
        return view.get("representative_id") == who.representative
    return who.sees_district(view.get("district_code"))


def _filing_in_scope(who: Principal | None, body: SuggestionIn) -> None:
    """Filing is public, but staff with a token file only for their own station or self."""
    if who is None:
        return
    if who.role is Role.STATION_STAFF and body.station_id not in (None, who.station):
        raise forbidden("other_station", "不能代其他联络站登记（station_id is not yours）")
    if who.role is Role.REPRESENTATIVE and body.representative_id not in (
        None,
        who.representative,
    ):
        raise forbidden(
            "other_representative", "不能代其他代表提交（representative_id is not yours）"
        )


def _command(body: SuggestionIn, places: Gazetteer) -> FileSuggestion:
    submission = Submission(
        title=body.title,
        content=body.content,
        kind=body.kind,
        channel=body.channel,
        district_code=body.district_code,
        township=body.township,
        address=body.address,
        lat=body.location.lat if body.location else None,
        lon=body.location.lon if body.location else None,
        station_id=body.station_id,
        representative_id=body.representative_id,
        urgent=body.urgent,
        publish_consent=body.publish_consent,
    )
    return FileSuggestion(
        with_township(submission, places),
        citizen=Citizen(body.citizen.name, body.citizen.phone) if body.citizen else None,
    )


def _once(body: SuggestionIn, idempotency_key: str | None, places: Gazetteer) -> FileOnce:
    if not idempotency_key:
        return FileOnce(_command(body, places))
    # The body's hash tells a retry (the same body) from a reused key (another body).
    digest = request_hash(body.model_dump(mode="json"))
    return FileOnce(_command(body, places), f"suggestions:{idempotency_key}", digest)


async def post_suggestion(
    body: SuggestionIn,
    caller: Filer,
    idempotency_key: Annotated[str | None, Header(max_length=IDEMPOTENCY_KEY_MAX)] = None,
) -> Response:
    runtime = caller.runtime
    _filing_in_scope(caller.who, body)
    command = _once(body, idempotency_key, runtime.deps.places.base)
    work = in_callers_trace(partial(file_once, command, vault=runtime.deps.vault))
    # Group commit: concurrent filings share one transaction; each answer is sent only
    # after its suggestion and event are durably stored.
    try:
        stored = await runtime.committer.submit(work)
    except KeyTaken:  # a concurrent request with the same key committed first: its answer
        stored = await runtime.committer.submit(work)
    return JSONResponse(
        stored.body,
        status_code=stored.status_code,
        headers={"Location": f"/v1/track/{stored.body['tracking_code']}"},
    )


class FilingRoute(JsonRoute):
    """``POST /v1/suggestions``, intake's hot path. A filing that validates is parsed and
    validated in one pass (pydantic's JSON parser), its one dependency called and the
    endpoint awaited: FastAPI's request handler (stdlib JSON, then a parameter pass for
    each dependency) took ≈ 10 % of intake's CPU at full load. Anything else, a body that
    does not validate or an Idempotency-Key over its length, goes to FastAPI's handler, so
    error answers are FastAPI's own; the OpenAPI document comes from the signature as
    before, and the guards (rate, size, content type) run first as on every route."""

    def fast_path(self, handler: Handler) -> Handler:
        async def filing(request: Request) -> Response:
            try:
                body = SuggestionIn.model_validate_json(await request.body())
            except ValidationError:
                return await handler(request)
            key = request.headers.get(IDEMPOTENCY_KEY)
            if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
                return await handler(request)
            return await post_suggestion(body, await _filer(request), key)

        return filing


router.add_api_route(
    "/suggestions",
    post_suggestion,
    methods=["POST"],
    status_code=201,
    response_model=FiledOut,
    summary="File a suggestion or appeal (any channel); Idempotency-Key makes retries safe",
    route_class_override=FilingRoute,
)


@router.get("/suggestions/{suggestion_id}", summary="A suggestion for staff (contact masked)")
async def get_suggestion(suggestion_id: str, who: Staff, runtime: Rt) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        view = await queries.staff_view(uow, suggestion_id, runtime.deps.vault)
    # Out of scope answers as not found: the caller learns nothing about other cases.
    if not _may_see(who, view):
        raise UnknownSuggestion()
    encoded: dict[str, Any] = jsonable_encoder(view)
    return encoded


@router.post(
    "/suggestions/{suggestion_id}/endorsements",
    status_code=201,
    summary="A representative seconds (附议) or takes up (转为代表建议) a suggestion",
)
async def post_endorsement(
    suggestion_id: str, body: EndorsementIn, who: Representative, runtime: Rt
) -> dict[str, str]:
    if who.role is Role.REPRESENTATIVE and body.representative_id != who.representative:
        raise forbidden(
            "other_representative", "只能以本人名义附议（representative_id is not yours）"
        )
    cmd = EndorseSuggestion(suggestion_id, body.representative_id, body.mode, body.note)
    async with runtime.unit_of_work() as uow:
        await endorse(cmd, uow)
    return {"suggestion_id": suggestion_id, "representative_id": body.representative_id}


@router.get(
    "/track/{code}",
    summary="Track a suggestion by its tracking code (no personal data)",
    dependencies=[Public],
)
async def track(code: str, runtime: Rt) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        view = await queries.track_view(uow, code)
    encoded: dict[str, Any] = jsonable_encoder(view)
    return encoded


@router.post(
    "/track/{code}/feedback",
    status_code=201,
    summary="Rate the answer (满意度), once per reply round",
    dependencies=[Public],
)
async def post_feedback(code: str, body: FeedbackIn, runtime: Rt) -> dict[str, Any]:
    cmd = GiveFeedback(code, body.satisfied, body.score, body.comment)
    async with runtime.unit_of_work() as uow:
        recorded = await give_feedback(cmd, uow)
    return {"round": recorded.round, "message": "感谢您的评价！"}


@router.get(
    "/reference/divisions", summary="Divisions and townships (for forms)", dependencies=[Public]
)
async def divisions() -> list[dict[str, Any]]:
    return [
        {"code": d.code, "name": d.name, "townships": list(d.townships)}
        for d in load_divisions().values()
    ]


@router.get(
    "/reference/stations",
    summary="Open liaison stations (intake's replica of liaison's registry)",
    dependencies=[Public],
)
async def stations(runtime: Rt) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await registry.reference_stations(uow)


@router.get(
    "/reference/representatives",
    summary="Serving deputies (intake's replica of liaison's registry)",
    dependencies=[Public],
)
async def representatives(runtime: Rt) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await registry.reference_representatives(uow)
