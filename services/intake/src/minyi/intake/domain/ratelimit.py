"""Token buckets against floods: each client (IP or API key) may burst, then is held to a
steady rate. Pure: the caller passes the time."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class TokenBuckets:
    per_minute: float
    burst: int
    # Forget idle clients beyond this many, so a scan of spoofed keys cannot grow memory.
    max_clients: int = 100_000
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, client: str, now: float) -> float:
        """0.0 when ``client`` may go on; otherwise the seconds to wait before retrying."""
        rate = self.per_minute / 60.0
        tokens, last = self._state.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - last) * rate)
        if tokens >= 1.0:
            self._remember(client, tokens - 1.0, now)
            return 0.0
        self._remember(client, tokens, now)
        return (1.0 - tokens) / rate if rate > 0 else math.inf

    def _remember(self, client: str, tokens: float, now: float) -> None:
        if client not in self._state and len(self._state) >= self.max_clients:
            self._state.pop(next(iter(self._state)))
        self._state[client] = (tokens, now)
