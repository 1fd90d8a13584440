"""Rate limits for any endpoint, as a FastAPI dependency: a token bucket per client address
and one per caller (token subject) when a token identifies it. 429 with Retry-After.

Intake's guard keeps its own buckets (they also cover Open311 API keys); this is the same
rule for the other services' public endpoints. Time is ``time.monotonic``: the simulation
clock, which may run fast, must not speed up the limits.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import HTTPException, Request

# Buckets for this many clients at most: a flood of new addresses must not exhaust memory.
MAX_TRACKED = 50_000


@dataclass
class Buckets:
    per_minute: float
    burst: int
    _state: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def take(self, key: str, now: float) -> float:
        """0 when a request may pass (and is counted), else the seconds to wait."""
        rate = self.per_minute / 60.0
        tokens, seen = self._state.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - seen) * rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / rate if rate > 0 else math.inf
        self._state[key] = (tokens, now)
        while len(self._state) > MAX_TRACKED:
            self._state.popitem(last=False)
        return wait


def rate_limit(name: str, per_minute: float, burst: int) -> Callable[[Request], None]:
    """A dependency; list it after the access rule, so that a token's subject is known."""

    def dependency(request: Request) -> None:
        extras = request.app.state.runtime.extras
        buckets: Buckets = extras.setdefault(f"rate_limit:{name}", Buckets(per_minute, burst))
        now = time.monotonic()
        client = request.client.host if request.client else "unknown"
        wait = buckets.take(f"ip:{client}", now)
        principal = getattr(request.state, "principal", None)
        if principal is not None:
            wait = max(wait, buckets.take(f"sub:{principal.subject}", now))
        if wait > 0:
            raise HTTPException(
                429,
                detail={
                    "code": "rate_limited",
                    "message": "请求过于频繁，请稍后再试（rate limit: too many requests）",
                },
                headers={"Retry-After": str(max(1, math.ceil(min(wait, 86400))))},
            )

    dependency.__name__ = f"rate_limit_{name}"
    return dependency
