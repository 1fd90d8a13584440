"""Rate limits for any endpoint, as a FastAPI dependency: a token bucket
(``platform.ratelimit``) per client address and one per caller (token subject) when a
token identifies it. 429 with Retry-After. Intake's guard uses the same buckets for its
public endpoints and Open311 API keys."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request

from minyi.platform.client_address import client_address
from minyi.platform.ratelimit import TokenBuckets
from minyi.platform.runtime import runtime_of

RATE_LIMITED = "请求过于频繁，请稍后再试（rate limit: too many requests）"


def too_many_requests(wait: float) -> HTTPException:
    """429 with the seconds to wait (at least 1, at most a day)."""
    return HTTPException(
        429,
        detail={"code": "rate_limited", "message": RATE_LIMITED},
        headers={"Retry-After": str(max(1, math.ceil(min(wait, 86400))))},
    )


def rate_limit(name: str, per_minute: float, burst: int) -> Callable[[Request], Awaitable[None]]:
    """A dependency; list it after the access rule, so that a token's subject is known."""

    # async (no I/O inside): FastAPI runs a plain ``def`` dependency in a worker thread.
    async def dependency(request: Request) -> None:
        runtime = runtime_of(request)
        limits = runtime.rate_limits
        buckets = limits.get(name)
        if buckets is None:
            buckets = limits[name] = TokenBuckets(per_minute, burst)
        now = time.monotonic()
        client = client_address(request.scope, runtime.settings)
        wait = buckets.take(f"ip:{client}", now)
        principal = getattr(request.state, "principal", None)
        if principal is not None:
            wait = max(wait, buckets.take(f"sub:{principal.subject}", now))
        if wait > 0:
            raise too_many_requests(wait)

    dependency.__name__ = f"rate_limit_{name}"
    return dependency
