"""Request guards for every intake endpoint: rate limits per client address and per API key
(429 with Retry-After), body size (413) and content type (415), in one route class.

A route class rather than app middleware: the platform's ``create_app`` owns the app, and
intake's guards belong to intake's routes only (health and metrics stay unguarded). A
refusal is an ``HTTPException``, which the platform answers in the one error shape (the
Open311 routes in the spec's own, ``open311.Open311Route``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message

from minyi.platform.auth_limits import too_many_requests
from minyi.platform.client_address import client_address
from minyi.platform.ratelimit import TokenBuckets
from minyi.platform.runtime import runtime_of

API_KEY_HEADER = "X-API-Key"
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


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
        ip = client_address(request.scope, runtime_of(request).settings)
        wait = self.per_ip.take(ip, now)
        if api_key and api_key in self.api_keys:
            wait = max(wait, self.per_key.take(api_key, now))
        return wait

    def admit(self, request: Request, content_types: tuple[str, ...] | None) -> None:
        """Refuses a request before its body is read: too many, too large, wrong type."""
        wait = self.retry_after(request, request.headers.get(API_KEY_HEADER))
        if wait > 0:
            raise too_many_requests(wait)
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            raise body_too_large(self.max_body_bytes)
        if content_types is not None and request.method in ("POST", "PUT", "PATCH"):
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media not in content_types:
                raise HTTPException(
                    415,
                    detail={
                        "code": "unsupported_media_type",
                        "message": f"Content-Type 应为 {' 或 '.join(content_types)}（content type: "
                        f"expected {' or '.join(content_types)}, got {media or 'none'}）",
                    },
                )


def body_too_large(limit: int) -> HTTPException:
    return HTTPException(
        413,
        detail={
            "code": "body_too_large",
            "message": f"请求体超过 {limit} 字节（body: at most {limit} bytes）",
        },
    )


class GuardedRoute(APIRoute):
    """Limits size and rate; subclasses choose the accepted content types."""

    content_types: ClassVar[tuple[str, ...] | None] = None  # None: any

    def get_route_handler(self) -> Handler:
        inner = self.fast_path(super().get_route_handler())
        wanted = type(self).content_types

        async def handler(request: Request) -> Response:
            guard: Guard = runtime_of(request).deps.guard
            guard.admit(request, wanted)
            if "content-length" in request.headers:
                # Checked by ``admit``; the server reads no more than it declares.
                return await inner(request)
            return await inner(_counting(request, guard.max_body_bytes))

        return handler

    def fast_path(self, handler: Handler) -> Handler:
        """FastAPI's request handler, or a subclass's quicker one in front of it."""
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
                raise body_too_large(limit)
        return message

    return Request(request.scope, counted)


class JsonRoute(GuardedRoute):
    content_types: ClassVar[tuple[str, ...] | None] = ("application/json",)
