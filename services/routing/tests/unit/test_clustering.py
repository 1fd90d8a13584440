"""Recurring-appeal clustering: near duplicates of one district share a cluster."""

from __future__ import annotations

from datetime import datetime, timedelta

from minyi.routing.domain.clustering import RecurringAppealIndex, StoredAppeal

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


def stored_rows() -> list[StoredAppeal]:
    titles = [TITLE, "龙泉街道中学乱收补课费", "东宝区伊景花园小区捆绑销售车位问题", TITLE]
    return [
        StoredAppeal(f"s{i}", DUODAO if i == 3 else DONGBAO, "", t, T0 + timedelta(hours=i))
        for i, t in enumerate(titles)
    ]


def test_rebuilding_from_stored_rows_in_any_order_gives_the_same_clusters() -> None:
    live = RecurringAppealIndex()
    for row in stored_rows():
        live.add(row.suggestion_id, row.district_code, row.text, row.title, row.at)
    rebuilt = RecurringAppealIndex.rebuild(reversed(stored_rows()))
    for row in stored_rows():
        assert rebuilt.cluster_of(row.suggestion_id) == live.cluster_of(row.suggestion_id)
    assert rebuilt.cluster_sizes() == live.cluster_sizes()
    assert rebuilt.cluster_of("s2") == rebuilt.cluster_of("s0") != rebuilt.cluster_of("s3")


def test_a_restored_snapshot_keeps_old_cluster_ids_after_their_founder_expired() -> None:
    index = RecurringAppealIndex(window_days=30)
    founder = index.add("s1", DONGBAO, "", TITLE, T0)
    index.add("s2", DONGBAO, "", TITLE, T0 + timedelta(days=25))
    index.add("s3", DONGBAO, "", "龙泉街道中学乱收补课费", T0 + timedelta(days=40))
    assert index.cluster_of("s1") is None  # left the window, and memory
    restored = RecurringAppealIndex.restore(index.snapshot(), window_days=30)
    joined = restored.add("s4", DONGBAO, "", TITLE, T0 + timedelta(days=45))
    assert joined.cluster_id == founder.cluster_id
    assert joined.size == 3
    original = index.add("s4", DONGBAO, "", TITLE, T0 + timedelta(days=45))
    assert original == joined
    assert index.cluster_sizes() == restored.cluster_sizes()


def test_clusters_without_a_live_member_are_forgotten() -> None:
    index = RecurringAppealIndex(window_days=10)
    for i in range(20):
        title = f"{i * 7919}号诉求{'甲乙丙丁戊己庚辛壬癸'[i % 10] * 3}"
        index.add(f"s{i}", DONGBAO, "", title, T0 + timedelta(days=i))
    assert len(index) <= 11
    assert len(index.cluster_sizes()) <= 11


def test_an_empty_title_falls_back_to_the_text() -> None:
    index = RecurringAppealIndex()
    body = "掇刀区月亮湖路搅拌站夜间施工噪音扰民粉尘很大"
    a = index.add("s1", DUODAO, body, "", T0)
    b = index.add("s2", DUODAO, body + "，请处理", "", T0)
    assert b.cluster_id == a.cluster_id
