"""Events and suggestions get time-ordered ids (contracts/ids.py): UUID version 7, so that a
store's indexes keyed by them grow at their end instead of at random pages."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from minyi.contracts.envelope import new_event
from minyi.contracts.ids import new_id
from minyi.contracts.routing import SuggestionClustered


def test_ids_are_canonical_version_7_and_sort_in_the_order_they_were_made() -> None:
    made = []
    for _ in range(3):
        made += [new_id() for _ in range(1000)]
        time.sleep(0.002)
    assert all(uuid.UUID(i).version == 7 and str(uuid.UUID(i)) == i for i in made)
    assert len(set(made)) == len(made)
    assert sorted(made) == made  # same millisecond included: the library keeps a sequence


def test_an_ids_leading_bits_are_the_millisecond_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    made = new_id()
    after = time.time_ns() // 1_000_000
    assert before <= uuid.UUID(made).int >> 80 <= after


def test_a_new_event_has_a_time_ordered_id() -> None:
    data = SuggestionClustered(
        suggestion_id="s-1",
        cluster_id="cl-1",
        size=2,
        representative_title="电梯",
        district_code="420802",
    )
    first, second = (
        new_event(data, source="minyi/test", subject="s-1", time=datetime.now(UTC))
        for _ in range(2)
    )
    assert uuid.UUID(first.id).version == 7 and first.id < second.id
