"""Request guards for every intake endpoint: body size (413), content type (415), rate
limits (429 with Retry-After) and use-case errors (404/409/422), in one route class.

A route class rather than app middleware: the platform's ``create_app`` owns the app, and
intake's guards belong to intake's routes only (health and metrics stay unguarded).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.types import Message

from minyi.intake.domain.ratelimit import TokenBuckets
from minyi.intake.service_layer.errors import Conflict, Invalid, NotFound, UseCaseError

API_KEY_HEADER = "X-API-Key"


@dataclass
class Guard:
    max_body_bytes: int
    per_ip: TokenBuckets
    per_key: TokenBuckets
    api_keys: frozenset[str]

    def retry_after(self, request: Request, api_key: str | None = None) -> float:
        """0 when the client may go on, else seconds to wait. ``time.monotonic``: the
        simulation clock must not speed up rate limits."""
        now = time.monotonic()
        ip = request.client.host if request.client else "unknown"
        wait = self.per_ip.take(ip, now)
        if api_key and api_key in self.api_keys:
            wait = max(wait, self.per_key.take(api_key, now))
        return wait


def guard_of(request: Request) -> Guard:
    guard: Guard = request.app.state.runtime.extras["guard"]
    return guard


ErrorBody = Callable[[Request, int, str], Response]


def json_error(_request: Request, status: int, message: str) -> Response:
    return JSONResponse({"detail": message}, status_code=status)


def _status_of(exc: UseCaseError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, Invalid):
        return 422
    return 400


class GuardedRoute(APIRoute):
    """Limits size and rate; subclasses choose the accepted content types and the error
    format."""

    content_types: ClassVar[tuple[str, ...] | None] = None  # None: any
    error_body: ClassVar[ErrorBody] = staticmethod(json_error)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        error = type(self).error_body
        wanted = type(self).content_types

        async def handler(request: Request) -> Response:
            guard = guard_of(request)
            wait = guard.retry_after(request, request.headers.get(API_KEY_HEADER))
            if wait > 0:
                response = error(
                    request, 429, "请求过于频繁，请稍后再试（rate limit: too many requests）"
                )
                response.headers["Retry-After"] = str(max(1, math.ceil(min(wait, 86400))))
                return response
            limit = guard.max_body_bytes
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                return error(
                    request, 413, f"请求体超过 {limit} 字节（body: at most {limit} bytes）"
                )
            if wanted is not None and request.method in ("POST", "PUT", "PATCH"):
                media = request.headers.get("content-type", "").split(";")[0].strip().lower()
                if media not in wanted:
                    return error(
                        request,
                        415,
                        f"Content-Type 应为 {' 或 '.join(wanted)}（content type: expected "
                        f"{' or '.join(wanted)}, got {media or 'none'}）",
                    )
            try:
                return await inner(_counting(request, limit))
            except UseCaseError as exc:
                status = _status_of(exc)
                if status == 422 and error is json_error:
                    # The shape the OpenAPI document promises for 422 (FastAPI's own).
                    loc = ["body", exc.field] if exc.field else ["body"]
                    problem = {"loc": loc, "msg": exc.message, "type": "value_error"}
                    return JSONResponse({"detail": [problem]}, status_code=422)
                field = f"{exc.field}: " if exc.field else ""
                return error(request, status, field + exc.message)
            except RequestValidationError as exc:
                # Rendered here without the offending input: it may hold a phone number,
                # and a value such as Infinity cannot even be written as JSON.
                return JSONResponse({"detail": _problems(exc.errors())}, status_code=422)
            except HTTPException as exc:
                if exc.status_code == 413:
                    return error(request, 413, str(exc.detail))
                raise

        return handler


def _counting(request: Request, limit: int) -> Request:
    """The request with a receive channel that stops a streamed body past ``limit`` (a
    chunked upload has no Content-Length to check up front)."""
    seen = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, f"请求体超过 {limit} 字节（body: at most {limit} bytes）")
        return message

    return Request(request.scope, counted)


class JsonRoute(GuardedRoute):
    content_types: ClassVar[tuple[str, ...] | None] = ("application/json",)


def validation_details(exc: ValidationError) -> list[dict[str, object]]:
    """Field and rule of each problem, as FastAPI reports them (JSON-safe)."""
    return _problems(exc.errors(include_url=False, include_input=False))


def _problems(errors: Sequence[Any]) -> list[dict[str, object]]:
    return [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]
