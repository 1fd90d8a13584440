"""Member keys of the recurring-appeal index: ordered by filing time, so that the sweep's
range (``member_floor``) takes exactly the suggestions filed before its horizon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from minyi.routing.adapters.appeal_index import member_floor, member_key

times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
ids = st.text(min_size=1, max_size=40)


@given(ids, times)
def test_a_key_lies_within_its_milliseconds_range(sid: str, at: datetime) -> None:
    key = member_key(sid, at)
    assert member_floor(at) <= key < member_floor(at + timedelta(milliseconds=1))
    assert 0 < key < 2**63  # a signed 64-bit column


@given(ids, times, ids, times)
def test_the_floor_separates_earlier_filings_from_later_ones(
    a: str, at_a: datetime, b: str, at_b: datetime
) -> None:
    earlier, later = sorted([at_a, at_b])
    if later - earlier >= timedelta(milliseconds=1):
        assert member_key(a, earlier) < member_floor(later) <= member_key(b, later)


def test_ids_of_one_millisecond_spread_over_its_range() -> None:
    at = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    keys = {member_key(f"s-{i}", at) for i in range(1000)}
    # 20 bits of hash: about half a shared pair is expected among 1,000 (a birthday bound);
    # a hash of fewer bits, or none, gives dozens or one key.
    assert len(keys) >= 995
