"""The bench splits the half-rate latency by hop: the figures add up to filed → visible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.load.bench import half_rate_latency
from tests.load.report import _hops

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def suggestion(
    n: int, intake: int, routing: int, reporting: int
) -> tuple[list[Any], str, datetime]:
    made = T0 + timedelta(seconds=n)
    filed_in = made + timedelta(milliseconds=intake)
    assigned_in = filed_in + timedelta(milliseconds=routing)
    sid, aid = f"s{n}", f"a{n}"
    events = [
        {"subject": sid, "id": f"f{n}", "type": "minyi.suggestion.filed.v1",
         "time": made.isoformat(), "stream_time": filed_in},
        {"subject": sid, "id": aid, "type": "minyi.suggestion.assigned.v1",
         "time": assigned_in.isoformat(), "stream_time": assigned_in},
    ]  # fmt: skip
    return events, aid, assigned_in + timedelta(milliseconds=reporting)


def test_each_hop_is_measured_and_they_add_up() -> None:
    events: list[Any] = []
    handled: dict[str, datetime] = {}
    for n, hops in enumerate([(5, 40, 10), (7, 60, 20), (9, 200, 30)]):
        evs, aid, seen = suggestion(n, *hops)
        events += evs
        handled[aid] = seen
    events += suggestion(9, 1, 1, 1)[0]  # not yet in reporting: left out
    figures = half_rate_latency(events, handled)
    assert figures["n"] == 3
    assert figures["filed_to_visible_p50_ms"] == 87.0  # 7 + 60 + 20
    assert figures["filed_to_visible_p99_ms"] == 239.0
    assert figures["hops_p50_p99_ms"] == {
        "intake": [7.0, 9.0],
        "routing": [60.0, 200.0],
        "reporting": [20.0, 30.0],
    }
    assert _hops(figures) == (
        "; by hop, p50 / p99 ms: intake 7.0 / 9.0, routing 60.0 / 200.0, reporting 20.0 / 30.0"
    )


def test_a_run_recorded_before_the_split_renders_without_it() -> None:
    assert _hops({"n": 1, "filed_to_visible_p50_ms": 1, "filed_to_visible_p99_ms": 1}) == ""
