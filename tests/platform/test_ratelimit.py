"""The one token bucket: bursts, then a steady rate; memory bounded by forgetting the least
recently seen client."""

from __future__ import annotations

import pytest

from minyi.platform.ratelimit import TokenBuckets


def test_a_client_may_burst_then_waits_for_the_rate() -> None:
    buckets = TokenBuckets(per_minute=60, burst=3)
    assert [buckets.take("a", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a", 0.0) == pytest.approx(1.0)
    assert buckets.take("a", 1.0) == 0.0  # one token back after a second
    assert buckets.take("b", 0.0) == 0.0  # clients do not share a bucket


def test_the_least_recently_seen_client_is_forgotten_first() -> None:
    buckets = TokenBuckets(per_minute=1, burst=1, max_clients=2)
    buckets.take("old", 0.0)
    buckets.take("busy", 0.0)
    buckets.take("busy", 1.0)  # seen again: "old" is now the least recent
    buckets.take("new", 2.0)
    assert len(buckets) == 2
    assert buckets.take("busy", 2.0) > 0  # still remembered, still empty
    assert buckets.take("old", 2.0) == 0.0  # forgotten: a full bucket again
