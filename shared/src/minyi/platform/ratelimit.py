"""Token buckets against floods: each client (an address, an API key, a token's subject)
may burst, then is held to a steady rate. Pure: the caller passes the time (``time.monotonic``
in the services — the simulation clock, which may run fast, must not speed up the limits)."""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

# Buckets for this many clients at most: a flood of new keys must not exhaust memory. The
# least recently seen client is forgotten first (it gets a full bucket if it comes back).
MAX_CLIENTS = 100_000


@dataclass
class TokenBuckets:
    per_minute: float
    burst: int
    max_clients: int = MAX_CLIENTS
    _state: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def take(self, client: str, now: float) -> float:
        """0.0 when ``client`` may go on (and is counted); otherwise the seconds to wait."""
        rate = self.per_minute / 60.0
        tokens, seen = self._state.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(0.0, now - seen) * rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / rate if rate > 0 else math.inf
        self._state[client] = (tokens, now)
        while len(self._state) > self.max_clients:
            self._state.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._state)
