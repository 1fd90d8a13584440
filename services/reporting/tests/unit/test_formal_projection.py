"""Deputies' formal suggestions in the fold (issue 18): order-tolerance, rounds, ratings by
signer, the B delivery as its own item, the year's figures, and no appeal figure moved."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from minyi.contracts.envelope import RawEvent
from minyi.reporting.domain import formal, projection
from minyi.reporting.domain.events import step_of
from services.reporting.tests.formal_history import D1, D2, D3, JTJ, T1, ZJJ, formal_history

HISTORY = [e for e in formal_history() if step_of(e.type) not in (None, "topic_opened")]


def fold(events: list[RawEvent]) -> dict[str, dict[str, Any]]:
    """As the handler folds them: by suggestion, a promise also into its delivery's view."""
    views: dict[str, dict[str, Any]] = {}
    for e in events:
        sid = str(e.data.get("suggestion_id") or e.subject)
        views[sid] = projection.apply(views.get(sid, {}), e)
        if step_of(e.type) == "delivery_promised":
            did = e.data["delivery_id"]
            views[did] = projection.apply_delivery(views.get(did, {}), e)
    return views


def counters(views: dict[str, dict[str, Any]]) -> Counter[tuple[str, str, str, str]]:
    out: Counter[tuple[str, str, str, str]] = Counter()
    for view in views.values():
        for (dimension, key, period), m in projection.contributions(view).items():
            for measure, n in m.items():
                out[(dimension, key, period, measure)] += n
    return out


def rows(views: dict[str, dict[str, Any]], year: int = 2026) -> list[dict[str, Any]]:
    found = []
    for sid, view in sorted(views.items()):
        if view.get("formal_year") == year:
            delivery = views.get(str((view.get("formal") or {}).get("delivery_id")))
            found.append(formal.row({**view, "suggestion_id": sid}, delivery))
    return found


VIEWS = fold(HISTORY)


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False))
def test_any_order_and_repeats_give_the_same_views_and_rows(rnd: random.Random) -> None:
    shuffled = rnd.sample(HISTORY, len(HISTORY))
    again = shuffled + rnd.sample(HISTORY, 8)  # some twice (the store drops them; the fold too)
    for order in (shuffled, again):
        views = fold(order)
        assert rows(views) == rows(VIEWS)
        assert counters(views) == counters(VIEWS)


def test_a_row_has_signers_units_rounds_and_each_signers_latest_rating() -> None:
    f1 = {r["suggestion_id"]: r for r in rows(VIEWS)}["F1"]
    assert (f1["number"], f1["year"], f1["lead_deputy_id"]) == ("2026-0001", 2026, D1)
    assert (f1["signer_ids"], f1["co_signer_ids"]) == ([D1, D2, D3], [D2, D3])
    assert (f1["unit_id"], [c["unit_id"] for c in f1["co_units"]]) == (ZJJ, [JTJ])
    assert (f1["outcome"], f1["round"], f1["on_time"], f1["status"]) == ("B", 2, True, "closed")
    assert (f1["co_views_submitted"], f1["contacted"], f1["session"]) == (1, True, "in_session")
    # The second round's ratings replace the first (王强 was 不满意, then 基本满意).
    assert {d: (r["round"], r["overall"]) for d, r in f1["ratings"].items()} == {
        D1: (2, "satisfied"), D2: (2, "satisfied"), D3: (2, "basically_satisfied"),
    }  # fmt: skip
    assert f1["rating_summary"] == {"satisfied": 2, "basically_satisfied": 1, "unsatisfied": 0}
    assert (f1["promised_by"], f1["delivery"], f1["topic_ids"]) == (
        "2026-09-30", "delivered_on_time", [T1],
    )  # fmt: skip


def test_a_delivery_overdue_and_an_answer_overdue() -> None:
    by_id = {r["suggestion_id"]: r for r in rows(VIEWS)}
    assert (by_id["F4"]["delivery"], by_id["F4"]["extended"], by_id["F4"]["review"]) == (
        "overdue", True, "upheld",
    )  # fmt: skip
    assert (by_id["F3"]["answered_at"], by_id["F3"]["overdue_open"]) == (None, True)
    assert (by_id["F2"]["on_time"], by_id["F2"]["delivery"]) == (False, None)
    assert "F9" not in by_id  # last year's


def test_the_years_figures_per_unit_deputy_and_topic() -> None:
    report = formal.summarize(2026, rows(VIEWS), {}, {D1: "张明"}, {T1: "城区交通治理"})
    t = report["totals"]
    assert (t["filed"], t["assigned"], t["answered"], t["answered_on_time"]) == (4, 4, 3, 2)
    assert (t["overdue_now"], t["rehandled"]) == (1, 1)
    assert t["outcomes"] == {"A": 1, "B": 2, "C": 0, "D": 0}
    assert t["ratings"]["result"] == {"satisfied": 3, "basically_satisfied": 1, "unsatisfied": 0}
    assert t["delivery"] == {
        "promised": 2, "delivered": 1, "delivered_on_time": 1, "delivered_late": 0,
        "overdue_now": 1,
    }  # fmt: skip
    units = {u["unit_id"]: u for u in report["by_unit"]}
    assert (units[ZJJ]["filed"], units[ZJJ]["co_handled"]) == (3, 0)
    assert (units[JTJ]["filed"], units[JTJ]["co_handled"], units[JTJ]["answered_late"]) == (1, 1, 1)
    deputies = {d["deputy_id"]: d for d in report["by_deputy"]}
    assert (deputies[D1]["deputy_name"], deputies[D1]["led"], deputies[D1]["co_signed"]) == (
        "张明", 2, 0,
    )  # fmt: skip
    assert (deputies[D2]["led"], deputies[D2]["co_signed"], deputies[D2]["deputy_name"]) == (
        1, 1, D2,
    )  # fmt: skip
    # A deputy's line counts his or her own ratings (王强: 基本满意 after the re-handling).
    assert deputies[D3]["ratings"]["overall"] == {
        "satisfied": 0, "basically_satisfied": 1, "unsatisfied": 0,
    }  # fmt: skip
    [topic] = report["by_topic"]
    assert (topic["topic_title"], topic["filed"], topic["outcomes"]["A"]) == ("城区交通治理", 2, 1)


def test_formal_suggestions_and_deliveries_count_in_no_appeal_figure() -> None:
    appeal_only = fold([e for e in HISTORY if e.subject == "A1"])
    dimensions = {d for (d, _k, _p, _m) in counters(VIEWS)}
    assert counters(VIEWS) - counters(appeal_only) == Counter(
        {k: n for k, n in counters(VIEWS).items() if k[0] in ("rep_filed", "followup")}
    )
    assert dimensions >= {"cube", "area", "rep_filed", "followup"}
    # The deliveries are follow-ups of their unit (kind ``delivery``), never appeals.
    assert VIEWS["DLV-F1"]["kind"] == formal.DELIVERY
    assert (VIEWS["DLV-F4"]["overdue_open"], VIEWS["DLV-F1"]["on_time"]) == (True, True)
    cube = [k for k in counters(VIEWS) if k[0] == "cube" and k[3] == "n" and k[2] == "a:all"]
    assert [k[1].split("|")[0] for k in cube] == ["citizen_appeal"]
