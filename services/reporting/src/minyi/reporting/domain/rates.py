"""The dashboard's rates, each defined once: what it counts over what, and what it says on
hover. docs/reporting.md (Definitions) states the same; a test keeps them equal.

Every measure is attributed to the period its item was filed in (``projection.contributions``),
so a rate of a period is the share of that period's items. A rate over fewer than
``MIN_SAMPLE`` items is not computed: it is None, with a note ("样本不足"), never 100 %.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

MIN_SAMPLE = 10
TOO_FEW = "样本不足"


@dataclass(frozen=True)
class Rate:
    name: str
    label: str
    # (numerator, denominator) from summed counter measures.
    parts: Callable[[Mapping[str, int]], tuple[int, int]]
    numerator: str
    denominator: str

    @property
    def definition(self) -> str:
        return f"{self.label} = {self.numerator} ÷ {self.denominator}（按受理日期归入时段）"


def _m(part: str, whole: str) -> Callable[[Mapping[str, int]], tuple[int, int]]:
    return lambda m: (m.get(part, 0), m.get(whole, 0))


def _rehandled(m: Mapping[str, int]) -> tuple[int, int]:
    return (
        m.get("ratings_satisfied", 0) - m.get("first_satisfied", 0),
        m.get("ratings", 0) - m.get("first_rated", 0),
    )


RATES: dict[str, Rate] = {
    r.name: r
    for r in (
        Rate("resolution_rate", "答复率", _m("replied", "n"), "已答复件数", "收到件数"),
        Rate("solved_rate", "解决率", _m("solved", "n"), "答复为“已解决”（A）的件数", "收到件数"),
        Rate(
            "on_time_accept_rate", "按时签收率", _m("accepted_on_time", "accepted"),
            "在签收期限内签收的件数（工作日日历）", "已签收件数",
        ),
        Rate(
            "on_time_reply_rate", "按时答复率", _m("replied_on_time", "replied"),
            "首次答复在答复期限内的件数（期限按工作日日历，含法定节假日调休）", "已答复件数",
        ),
        Rate(
            "satisfaction_rate", "满意率（全部评价）", _m("ratings_satisfied", "ratings"),
            "群众评价为满意的次数（首次评价和重办后评价）", "群众评价的次数",
        ),
        Rate(
            "first_satisfaction_rate", "首次评价满意率", _m("first_satisfied", "first_rated"),
            "首次答复评价为满意的件数", "首次答复得到评价的件数",
        ),
        Rate(
            "rehandled_satisfaction_rate", "重办后满意率", _rehandled,
            "重办后答复评价为满意的次数", "重办后答复得到评价的次数",
        ),
        Rate(
            "closure_satisfaction_rate", "办结满意率", _m("satisfied", "rated"),
            "以“满意”办结的件数", "经评价办结的件数",
        ),
        Rate("reopen_rate", "重办率", _m("reopened", "replied"), "被重办过的件数", "已答复件数"),
    )
}  # fmt: skip


def rates(measures: Mapping[str, int], *names: str) -> dict[str, Any]:
    """``names`` as figures: each rate (None under ``MIN_SAMPLE``), and under ``samples`` the
    denominators, under ``notes`` why a rate is missing."""
    out: dict[str, Any] = {}
    samples: dict[str, int] = {}
    notes: dict[str, str] = {}
    for name in names:
        part, whole = RATES[name].parts(measures)
        samples[name] = whole
        if whole < MIN_SAMPLE:
            out[name] = None
            notes[name] = f"{TOO_FEW}（{whole} 件，少于 {MIN_SAMPLE} 件不计算）"
        else:
            out[name] = round(part / whole, 4)
    return {**out, "samples": samples, "notes": notes}


def definitions() -> list[dict[str, str]]:
    return [
        {
            "name": r.name,
            "label": r.label,
            "numerator": r.numerator,
            "denominator": r.denominator,
            "definition": r.definition,
        }
        for r in RATES.values()
    ]
