"""When ``minyi up`` restarts a process that exited: the decision alone, no processes.

A process that exits is started again after a delay that doubles with each exit inside the
window (``backoff``, ``2 × backoff``, … up to ``max_backoff``); exits older than the window
are forgotten, so a process that crashed once last week starts over at ``backoff``. The exit
after ``max_restarts`` restarts inside the window is the last: the process is given up.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RestartPolicy:
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_restarts: int = 5
    window: float = 300.0

    def __post_init__(self) -> None:
        if self.backoff <= 0:
            raise ValueError("backoff must be positive")
        if self.max_backoff < self.backoff:
            raise ValueError("max_backoff must not be less than backoff")
        if self.max_restarts < 0:
            raise ValueError("max_restarts must not be negative")
        if self.window <= 0:
            raise ValueError("window must be positive")


@dataclass(frozen=True)
class Restart:
    """Start it again ``delay`` seconds from now; ``exits`` in the window, this one included."""

    delay: float
    exits: int


@dataclass(frozen=True)
class GiveUp:
    """Do not start it again: ``exits`` exits inside the window."""

    exits: int


class Restarts:
    """One supervised process's exits and what to do about them (times in seconds, from
    any monotonic clock the caller reads)."""

    def __init__(self, policy: RestartPolicy) -> None:
        self.policy = policy
        self._exits: deque[float] = deque()
        self._due: float | None = None
        self.given_up = False

    def exited(self, now: float) -> Restart | GiveUp:
        """The process exited at ``now``: when to start it again, or never."""
        if self.given_up:
            return GiveUp(len(self._exits))
        while self._exits and self._exits[0] <= now - self.policy.window:
            self._exits.popleft()
        self._exits.append(now)
        exits = len(self._exits)
        if exits > self.policy.max_restarts:
            self.given_up = True
            self._due = None
            return GiveUp(exits)
        delay = min(self.policy.max_backoff, self.policy.backoff * 2.0 ** min(exits - 1, 60))
        self._due = now + delay
        return Restart(delay, exits)

    @property
    def waiting(self) -> bool:
        """Between an exit and the restart it was promised."""
        return self._due is not None

    def due(self, now: float) -> bool:
        """Whether the promised restart should happen at ``now``."""
        return self._due is not None and now >= self._due

    def restarted(self) -> None:
        self._due = None
