"""The one clock: real time, or a shifted and accelerated one for simulations."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


class Clock:
    """``start`` is what the clock read at the real moment ``origin`` (a Unix time; default:
    now). Processes given the same three values read the same time, however far apart they
    started — which matters when a simulated day lasts a second."""

    def __init__(
        self, start: datetime | None = None, speed: float = 1.0, origin: float | None = None
    ) -> None:
        self._origin_real = time.time() if origin is None else origin
        self._origin_sim = (start or datetime.now(UTC)).astimezone(UTC)
        self._speed = speed

    def now(self) -> datetime:
        elapsed = (time.time() - self._origin_real) * self._speed
        return self._origin_sim + timedelta(seconds=elapsed)


class FileClock(Clock):
    """A clock whose start, speed and origin come from a JSON file, re-read when it changes
    (at most every 100 ms): a simulation holds every service's clock still while they start,
    then sets them all going at the same real moment by rewriting the file."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._checked = 0.0
        self._mtime = -1.0
        super().__init__(None, 0.0)

    def now(self) -> datetime:
        real = time.time()
        if real - self._checked > 0.1:
            self._checked = real
            try:
                mtime = self._path.stat().st_mtime
                if mtime != self._mtime:
                    data = json.loads(self._path.read_text(encoding="utf-8"))
                    self._origin_sim = datetime.fromisoformat(data["start"]).astimezone(UTC)
                    self._speed = float(data["speed"])
                    self._origin_real = float(data.get("origin") or real)
                    self._mtime = mtime
            except (OSError, ValueError, KeyError):
                pass  # keep the last good reading
        return super().now()


def write_clock_file(path: Path, start: datetime, speed: float, origin: float | None) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"start": start.isoformat(), "speed": speed, "origin": origin}), encoding="utf-8"
    )
    tmp.replace(path)


class FixedClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at, 1.0)
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta
