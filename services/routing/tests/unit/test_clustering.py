"""Recurring-appeal clustering: near duplicates of one district share a cluster."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

from minyi.routing.domain.clustering import (
    AppealMatcher,
    BatchMatches,
    Candidate,
    Match,
    RecurringAppealIndex,
    better,
    shingles,
)
from minyi.routing.domain.minhash import MinHasher, band_keys, bands_for, from_bytes, to_bytes

T0 = datetime(2026, 11, 1, 9, 0)
DONGBAO, DUODAO = "420802", "420804"
TITLE = "东宝区象山大道伊景花园小区捆绑销售车位"


def test_near_duplicate_titles_in_one_district_share_a_cluster() -> None:
    index = RecurringAppealIndex()
    first = index.add("s1", DONGBAO, "开发商要求买房必须买车位", TITLE, T0)
    second = index.add(
        "s2", DONGBAO, "又一次反映", "东宝区伊景花园小区开发商捆绑销售车位", T0 + timedelta(days=2)
    )
    assert first.is_new_cluster
    assert not second.is_new_cluster
    assert second.cluster_id == first.cluster_id
    assert second.size == 2
    assert second.representative_title == TITLE


def test_unrelated_appeals_get_their_own_clusters() -> None:
    index = RecurringAppealIndex()
    a = index.add("s1", DONGBAO, "", TITLE, T0)
    b = index.add("s2", DONGBAO, "", "龙泉街道中学乱收补课费", T0)
    assert b.is_new_cluster
    assert a.cluster_id != b.cluster_id


def test_same_text_in_another_district_starts_a_new_cluster() -> None:
    index = RecurringAppealIndex()
    a = index.add("s1", DONGBAO, "", TITLE, T0)
    b = index.add("s2", DUODAO, "", TITLE, T0)
    assert b.is_new_cluster
    assert a.cluster_id != b.cluster_id


def test_an_appeal_older_than_the_window_stops_attracting_new_members() -> None:
    index = RecurringAppealIndex(window_days=30)
    old = index.add("s1", DONGBAO, "", TITLE, T0)
    late = index.add("s2", DONGBAO, "", TITLE, T0 + timedelta(days=31))
    assert late.is_new_cluster
    assert late.cluster_id != old.cluster_id
    inside = index.add("s3", DONGBAO, "", TITLE, T0 + timedelta(days=40))
    assert inside.cluster_id == late.cluster_id


def test_a_chain_of_recent_members_keeps_a_cluster_alive() -> None:
    index = RecurringAppealIndex(window_days=30)
    ids = {index.add(f"s{i}", DONGBAO, "", TITLE, T0 + timedelta(days=20 * i)).cluster_id
           for i in range(5)}  # fmt: skip
    assert len(ids) == 1


def test_adding_the_same_suggestion_twice_changes_nothing() -> None:
    index = RecurringAppealIndex()
    first = index.add("s1", DONGBAO, "", TITLE, T0)
    again = index.add("s1", DONGBAO, "", TITLE, T0)
    assert again.cluster_id == first.cluster_id
    assert again.size == 1
    assert len(index) == 1


def test_members_that_left_the_window_leave_the_band_tables() -> None:
    index = RecurringAppealIndex(window_days=10)
    for i in range(20):
        title = f"{i * 7919}号诉求{'甲乙丙丁戊己庚辛壬癸'[i % 10] * 3}"
        index.add(f"s{i}", DONGBAO, "", title, T0 + timedelta(days=i))
    assert len(index) == 11
    assert index.cluster_of("s0") is None and index.cluster_of("s19") is not None


def test_an_empty_title_falls_back_to_the_text() -> None:
    index = RecurringAppealIndex()
    body = "掇刀区月亮湖路搅拌站夜间施工噪音扰民粉尘很大"
    a = index.add("s1", DUODAO, body, "", T0)
    b = index.add("s2", DUODAO, body + "，请处理", "", T0)
    assert b.cluster_id == a.cluster_id


@pytest.mark.parametrize("title", [TITLE, "龙泉街道中学乱收补课费", "灯", ""])
def test_signatures_are_datasketchs_affine32_minhash(title: str) -> None:
    items = [s.encode() for s in shingles(title, 2)]
    reference = MinHash(num_perm=128, seed=1)
    reference.update_batch(items)
    mine = MinHasher(128, seed=1).signature(items)
    assert np.array_equal(mine, reference.hashvalues)
    assert np.array_equal(from_bytes(to_bytes(mine)), mine)


@pytest.mark.parametrize("threshold", [0.1, 0.2, 0.5, 0.8])
def test_band_split_is_datasketchs_optimum(threshold: float) -> None:
    reference = MinHashLSH(threshold=threshold, num_perm=128)
    assert bands_for(threshold, 128) == (reference.b, reference.r)


def test_band_keys_are_shared_by_equal_bands_of_one_district_only() -> None:
    hasher = MinHasher()
    a = hasher.signature([s.encode() for s in shingles(TITLE, 2)])
    b = a.copy()
    b[2:] = 0  # only the first band (rows 0-1) stays equal
    keys_a, keys_b = band_keys(a, DONGBAO, 28, 2), band_keys(b, DONGBAO, 28, 2)
    assert len(set(keys_a)) == 28
    assert [x == y for x, y in zip(keys_a, keys_b, strict=True)] == [True] + [False] * 27
    assert not set(band_keys(a, DUODAO, 28, 2)) & set(keys_a)


@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=6),  # each filing's hours after T0
    st.lists(  # stored candidates: (variant of a base title, days before T0, related filings)
        st.tuples(st.integers(0, 11), st.integers(0, 120), st.sets(st.integers(0, 5))),
        max_size=30,
    ),
    st.integers(1, 7),
)
def test_a_batch_finds_what_best_finds_for_each_filing_whatever_the_chunks(
    filing_hours: list[int], stored: list[tuple[int, int, set[int]]], chunk: int
) -> None:
    """``BatchMatches`` over chunks of candidates gives each filing the match ``best`` gives
    it over all of its candidates: the same candidate, similarity and tie-break."""
    matcher = AppealMatcher(threshold=0.2, window_days=90)
    bases = ["象山大道伊景花园小区捆绑销售车位", "龙泉街道中学乱收补课费问题", "泉口路路灯不亮"]

    def title(i: int) -> str:
        base = bases[i % 3]
        return base[: len(base) - i // 3]  # shorter variants: similarities of every size

    filings = [matcher.sign(DONGBAO, title(h), "") for h in filing_hours]
    ats = [T0 + timedelta(hours=h) for h in filing_hours]
    candidates = [
        (f"s-{j:02d}", f"rc-{j % 4}", to_bytes(matcher.sign(DONGBAO, title(v), "").signature),
         T0 - timedelta(days=d))
        for j, (v, d, _) in enumerate(stored)
    ]  # fmt: skip
    related = [[i for i in of if i < len(filings)] for _, _, of in stored]
    batch = BatchMatches(matcher, [f.signature for f in filings], ats)
    for k in range(0, len(candidates), chunk):
        batch.offer(candidates[k : k + chunk], related[k : k + chunk])
    for i, (f, at) in enumerate(zip(filings, ats, strict=True)):
        mine = [
            Candidate(c[0], c[1], from_bytes(c[2]), c[3])
            for c, of in zip(candidates, related, strict=True)
            if i in of
        ]
        assert batch.best[i] == matcher.best(f.signature, mine, at)


def test_better_prefers_the_more_similar_then_the_smaller_id() -> None:
    a, b, c = Match(0.5, "s-2", "rc-1"), Match(0.5, "s-1", "rc-2"), Match(0.6, "s-9", "rc-3")
    assert better(a, b) == better(b, a) == b
    assert better(a, c) == better(c, a) == c
    assert better(None, a) == better(a, None) == a
    assert better(None, None) is None
