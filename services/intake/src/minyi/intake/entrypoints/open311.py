"""Open311 GeoReport v2 under ``/open311/v2/``: services, requests and tokens, in JSON or
XML, errors in the spec's own format."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from minyi.intake.adapters.reference import IntakeReference, Open311Service
from minyi.intake.dependencies import IntakeDeps, IntakeRuntime
from minyi.intake.domain import contact, open311, text
from minyi.intake.domain.chat import title_from
from minyi.intake.domain.status import open311_status
from minyi.intake.domain.suggestion import Submission
from minyi.intake.entrypoints.dependencies import Deps, Rt
from minyi.intake.entrypoints.guard import GuardedRoute
from minyi.intake.service_layer import queries
from minyi.intake.service_layer.filing import Citizen, FileSuggestion, file_suggestion
from minyi.intake.service_layer.queries import Open311Query
from minyi.platform.auth import public

FORM = "application/x-www-form-urlencoded"


def _format_of(request: Request) -> str:
    return "xml" if request.url.path.endswith(".xml") else "json"


def render_errors(request: Request, status: int, description: str) -> Response:
    error = open311.Open311Error(status, description)
    if _format_of(request) == "xml":
        return Response(open311.errors_xml([error]), status, media_type="text/xml; charset=utf-8")
    return Response(
        json.dumps([{"code": status, "description": description}], ensure_ascii=False),
        status,
        media_type="application/json",
    )


def _description(exc: HTTPException) -> str:
    detail = exc.detail
    return str(detail.get("message", "")) if isinstance(detail, dict) else str(detail)


class Open311Route(GuardedRoute):
    """Errors in GeoReport v2's own list (``[{"code", "description"}]``, or ``<errors>``):
    the one documented exception to the platform's error shape, so guards' refusals (413,
    415, 429) are rendered here too."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await inner(request)
            except open311.Open311Error as exc:
                return render_errors(request, exc.code, exc.description)
            except HTTPException as exc:
                response = render_errors(request, exc.status_code, _description(exc))
                response.headers.update(exc.headers or {})
                return response

        return handler


router = APIRouter(
    prefix="/open311/v2",
    tags=["open311"],
    route_class=Open311Route,
    # Creating a request checks the form's api_key (the spec's own scheme); reads are public.
    dependencies=[Depends(public("Open311 GeoReport v2: api_key on POST, rate-limited"))],
)


def _check_format(fmt: str) -> str:
    if fmt not in open311.FORMATS:
        raise open311.Open311Error(404, f"unknown format .{fmt}; use .json or .xml")
    return fmt


def _render(fmt: str, root: str, item: str, records: Sequence[Mapping[str, Any]]) -> Response:
    if fmt == "xml":
        return Response(open311.to_xml(root, item, records), media_type="text/xml; charset=utf-8")
    body = json.dumps(list(records), ensure_ascii=False, default=str)
    return Response(body, media_type="application/json")


def _service(s: Open311Service) -> dict[str, Any]:
    return {
        "service_code": s.service_code,
        "service_name": s.service_name,
        "description": s.description,
        "metadata": s.metadata,
        "type": s.type,
        "keywords": s.keywords,
        "group": s.group,
    }


@router.get("/services.{fmt}", summary="Service list (our first-level categories)")
async def services(fmt: str, deps: Deps) -> Response:
    _check_format(fmt)
    listed = [_service(s) for s in deps.reference.services.values()]
    return _render(fmt, "services", "service", listed)


@router.get("/services/{code}.{fmt}", summary="Service definition")
async def service_definition(code: str, fmt: str, deps: Deps) -> Response:
    _check_format(fmt)
    if code not in deps.reference.services:
        raise open311.Open311Error(404, f"service_code {code} not found")
    if fmt == "xml":
        return Response(open311.service_definition_xml(code), media_type="text/xml; charset=utf-8")
    return Response(
        json.dumps({"service_code": code, "attributes": []}), media_type="application/json"
    )


def _parse_form(raw: bytes) -> dict[str, str]:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise open311.Open311Error(400, "the form must be UTF-8 encoded") from None
    parsed = parse_qs(decoded, keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def _float(form: dict[str, str], name: str, low: float, high: float) -> float | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise open311.Open311Error(400, f"{name} must be a number") from None
    if not low <= number <= high:
        raise open311.Open311Error(400, f"{name} must be between {low} and {high}")
    return number


@router.post("/requests.{fmt}", summary="Create a service request (form-encoded, api_key)")
async def create_request(fmt: str, request: Request, runtime: Rt) -> Response:
    _check_format(fmt)
    form = await _form(request, runtime.deps)
    cmd = _request_command(form, runtime.deps)
    async with runtime.unit_of_work() as uow:
        filed = await file_suggestion(cmd, uow, runtime.deps.vault)
    record = {
        "service_request_id": filed.id,
        "service_notice": f"已受理。查询码：{filed.tracking_code}，凭此码查询进度、评价答复。",
        "account_id": None,
    }
    response = _render(fmt, "service_requests", "request", [record])
    response.status_code = 201
    return response


async def _form(request: Request, deps: IntakeDeps) -> dict[str, str]:
    """The form of a create request, with a known api_key within its rate limit."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != FORM:
        raise open311.Open311Error(415, f"Content-Type must be {FORM}")
    form = _parse_form(await request.body())
    guard = deps.guard
    api_key = form.get("api_key", "")
    if api_key not in guard.api_keys:
        raise open311.Open311Error(403, "api_key is missing or invalid")
    if guard.per_key.take(api_key, time.monotonic()) > 0:
        raise open311.Open311Error(429, "rate limit for this api_key; retry later")
    return form


def _request_command(form: dict[str, str], deps: IntakeDeps) -> FileSuggestion:
    code = form.get("service_code", "").strip()
    if not code:
        raise open311.Open311Error(400, "service_code is required")
    if code not in deps.reference.services:
        raise open311.Open311Error(400, f"service_code {code} is not a known service")
    lat = _float(form, "lat", -90, 90)
    lon = _float(form, "long", -180, 180)
    address = text.clean_line(form.get("address_string", ""))[:200] or None
    if (lat is None) != (lon is None):
        raise open311.Open311Error(400, "lat and long must be given together")
    if lat is None and not address and not form.get("address_id"):
        raise open311.Open311Error(400, "a location is required: lat and long, or address_string")
    description = text.clean_text(form.get("description", ""))
    if not 5 <= len(description) <= 4000:
        raise open311.Open311Error(400, "description is required, 5 to 4000 characters")
    place = deps.places.base.find_district(f"{address or ''} {description}")
    if place is None:
        raise open311.Open311Error(
            400, "address_string or description must name a district or township (区县或乡镇街道)"
        )
    name = text.clean_line(form.get("last_name", "") + form.get("first_name", ""))[:50] or None
    phone = None
    if form.get("phone", "").strip():
        try:
            phone = contact.PhoneNumber.parse(form["phone"]).canonical
        except ValueError as exc:
            raise open311.Open311Error(400, f"phone: {exc}") from None
    submission = Submission(
        title=title_from(description),
        content=description,
        kind="citizen_appeal",
        channel="open311",
        district_code=place.code,
        township=place.township,
        address=address,
        lat=lat,
        lon=lon,
        category_hint=code,
        publish_consent=_consent(form),
    )
    return FileSuggestion(submission, Citizen(name, phone) if name or phone else None)


CONSENT_ATTRIBUTE = "attribute[publish_consent]"
_YES, _NO = frozenset({"true", "1", "yes"}), frozenset({"", "false", "0", "no"})


def _consent(form: dict[str, str]) -> bool:
    """GeoReport v2 attributes (``attribute[code]=value``): ``publish_consent`` true lets
    the text be shown in public; absent means no."""
    value = form.get(CONSENT_ATTRIBUTE, "").strip().lower()
    if value not in _YES | _NO:
        raise open311.Open311Error(400, f"{CONSENT_ATTRIBUTE} must be true or false")
    return value in _YES


def _record(row: Mapping[str, Any], reference: IntakeReference) -> dict[str, Any]:
    service = reference.services.get(row["category_hint"] or "")
    updated = max((h["at"] for h in row["history"]), default=None)
    return {
        "service_request_id": row["id"],
        "status": open311_status(row["status"]),
        "status_notes": row["reply"],
        "service_name": service.service_name if service else None,
        "service_code": row["category_hint"],
        "description": row["content"],
        "agency_responsible": row["unit_name"],
        "service_notice": None,
        "requested_datetime": open311.w3c(row["created_at"]),
        "updated_datetime": updated,
        "expected_datetime": None,
        "address": row["address"],
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": None,
    }


def _query(request: Request) -> Open311Query:
    q = request.query_params
    ids = [i.strip() for i in q.get("service_request_id", "").split(",") if i.strip()] or None
    start = open311.parse_w3c("start_date", q["start_date"]) if q.get("start_date") else None
    end = open311.parse_w3c("end_date", q["end_date"]) if q.get("end_date") else None
    statuses = {s.strip() for s in q.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise open311.Open311Error(400, "status must be open, closed or both (comma-separated)")
    closed = None if len(statuses) != 1 else statuses == {"closed"}
    return Open311Query(ids, q.get("service_code") or None, start, end, closed)


async def _requests(runtime: IntakeRuntime, query: Open311Query) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        rows = await queries.open311_requests(uow, query)
    return [_record(r, runtime.deps.reference) for r in rows]


@router.get("/requests.{fmt}", summary="Service requests, filtered")
async def list_requests(fmt: str, request: Request, runtime: Rt) -> Response:
    _check_format(fmt)
    records = await _requests(runtime, _query(request))
    return _render(fmt, "service_requests", "request", records)


@router.get("/requests/{request_id}.{fmt}", summary="One service request")
async def get_request(request_id: str, fmt: str, runtime: Rt) -> Response:
    _check_format(fmt)
    records = await _requests(runtime, Open311Query(ids=[request_id]))
    if not records:
        raise open311.Open311Error(404, f"service_request_id {request_id} not found")
    return _render(fmt, "service_requests", "request", records)


@router.get("/tokens/{token}.{fmt}", summary="The request id behind a token")
async def get_token(token: str, fmt: str, runtime: Rt) -> Response:
    _check_format(fmt)
    # Requests are created synchronously: the token is the service_request_id itself.
    if not await _requests(runtime, Open311Query(ids=[token])):
        raise open311.Open311Error(404, f"token {token} not found")
    return _render(
        fmt, "service_requests", "request", [{"service_request_id": token, "token": token}]
    )
