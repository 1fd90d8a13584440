"""The one clock: real time, or a shifted and accelerated one for simulations."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        self._origin_real = time.time()
        self._origin_sim = (start or datetime.now(UTC)).astimezone(UTC)
        self._speed = speed

    def now(self) -> datetime:
        elapsed = (time.time() - self._origin_real) * self._speed
        return self._origin_sim + timedelta(seconds=elapsed)


class FixedClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at, 1.0)
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta
