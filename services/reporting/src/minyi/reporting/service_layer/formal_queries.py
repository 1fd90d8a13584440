"""Deputies' formal suggestions by year (代表建议, issue 18): the figures per unit, deputy
and topic, and the office's handling table (代表建议办理情况表), one row per suggestion.

Names: units from the shared directory (``load_unit_names``), else the name an event gave,
else the id; deputies from the registry replica (liaison's events), else the id; topics by
their title (``TopicOpened``). An analyst never sees a title (docs/SECURITY.md), a
supervisor only those of the group's districts."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from minyi.contracts.reference import load_unit_names
from minyi.platform.auth import Principal, Role
from minyi.reporting.adapters.views import LiveViews, ViewQueries
from minyi.reporting.domain import formal
from minyi.reporting.domain.periods import local_day

# The handling table's columns, in the office's order.
TABLE_COLUMNS = (
    "建议编号", "标题", "领衔代表", "联名代表", "主办单位", "协办单位", "交办日期", "答复日期",
    "是否按期", "答复类别", "代表评价", "B类承诺兑现日期", "兑现情况", "所属专题",
)  # fmt: skip
# Column widths in characters (Chinese characters count about two).
TABLE_WIDTHS = (11, 40, 10, 24, 22, 30, 11, 11, 8, 8, 36, 14, 18, 24)
SHEET = "代表建议办理情况"


@functools.cache
def _directory() -> dict[str, str]:
    return {unit_id: unit.name for unit_id, unit in load_unit_names().items()}


class Names:
    """Units', deputies' and topics' names as the report shows them (ids where unknown)."""

    def __init__(
        self, units: Mapping[str, str], deputies: Mapping[str, str], topics: Mapping[str, str]
    ) -> None:
        self.units, self.deputies, self.topics = units, deputies, topics

    def unit(self, unit_id: Any) -> str:
        return self.units.get(str(unit_id), str(unit_id or ""))

    def deputy(self, deputy_id: Any) -> str:
        return self.deputies.get(str(deputy_id), str(deputy_id or ""))

    def topic(self, topic_id: Any) -> str:
        return self.topics.get(str(topic_id), str(topic_id or ""))


async def _names(q: ViewQueries, rows: list[dict[str, Any]]) -> Names:
    units = {**(await q.names("unit")), **_directory()}
    for r in rows:  # a unit the events named but the directory does not know
        if r.get("unit_id") and r.get("unit_name"):
            units.setdefault(str(r["unit_id"]), str(r["unit_name"]))
        for co in r.get("co_units") or []:
            if co.get("unit_id") and co.get("unit_name"):
                units.setdefault(str(co["unit_id"]), str(co["unit_name"]))
    deputies = {k: str(v[0]) for k, v in (await q.deputies()).items() if v and v[0]}
    return Names(units, deputies, await q.names("topic"))


async def _rows(q: ViewQueries, year: int) -> list[dict[str, Any]]:
    views = await q.formal_views(year)
    promised = [
        str(v["formal"]["delivery_id"]) for v in views if (v.get("formal") or {}).get("delivery_id")
    ]
    deliveries = await q.views_of(promised)
    return [
        formal.row(v, deliveries.get(str((v.get("formal") or {}).get("delivery_id"))))
        for v in views
    ]


def _may_read_title(who: Principal | None, row: Mapping[str, Any]) -> bool:
    """As the drill-down lists (``queries._visible``): the admin (and the CLI) always, a
    supervisor in the group's districts, an analyst never."""
    if who is None or who.role is Role.ADMIN:
        return True
    return who.role is Role.SUPERVISOR and who.sees_district(row.get("district_code"))


async def year_report(views: LiveViews, year: int) -> dict[str, Any]:
    """The year's totals, per lead unit, per deputy (led and co-signed) and per topic (no
    titles: the same for every reader)."""
    async with views.reading() as q:
        rows = await _rows(q, year)
        names = await _names(q, rows)
    report = formal.summarize(year, rows, names.units, names.deputies, names.topics)
    report["rating_labels"] = formal.RATING_LABELS
    report["delivery_labels"] = formal.DELIVERY_STATES
    return report


def _day(value: Any) -> str:
    return local_day(value).isoformat() if isinstance(value, datetime) else ""


def _ratings_cell(r: Mapping[str, Any], names: Names) -> str:
    """Each signer's verdict (the worst of the three dimensions), with the round rated
    after a re-handling; signers who have not rated say so."""
    ratings = r.get("ratings") or {}
    parts = []
    for signer in r.get("signer_ids") or []:
        rating = ratings.get(signer)
        if rating is None:
            parts.append(f"{names.deputy(signer)} 未评价")
            continue
        label = formal.RATING_LABELS.get(str(rating.get("overall")), "未评价")
        again = f"（第{rating['round']}次答复）" if rating.get("round", 1) > 1 else ""
        parts.append(f"{names.deputy(signer)} {label}{again}")
    return "；".join(parts)


def _delivery_cell(r: Mapping[str, Any]) -> str:
    state = r.get("delivery")
    if not state:
        return ""
    label = formal.DELIVERY_STATES[state]
    return f"{label}（{_day(r['delivered_at'])}）" if r.get("delivered_at") else label


def table_row(r: Mapping[str, Any], names: Names, titles: bool) -> list[Any]:
    answered = r.get("answered_at")
    return [
        r.get("number") or "",
        (r.get("title") or "") if titles else "",
        names.deputy(r.get("lead_deputy_id")) if r.get("lead_deputy_id") else "",
        "、".join(names.deputy(s) for s in r.get("co_signer_ids") or []),
        names.unit(r.get("unit_id")) if r.get("unit_id") else "",
        "、".join(names.unit(c.get("unit_id")) for c in r.get("co_units") or []),
        _day(r.get("assigned_at")),
        _day(answered),
        ("是" if r.get("on_time") else "否") if answered else "",
        f"{r['outcome']}类" if r.get("outcome") else "",
        _ratings_cell(r, names),
        str(r.get("promised_by") or "")[:10],
        _delivery_cell(r),
        "；".join(names.topic(t) for t in r.get("topic_ids") or []),
    ]


async def handling_table(views: LiveViews, year: int, who: Principal | None) -> list[list[Any]]:
    """The year's handling table, one row per suggestion in number order (no header)."""
    async with views.reading() as q:
        rows = await _rows(q, year)
        names = await _names(q, rows)
    return [table_row(r, names, _may_read_title(who, r)) for r in rows]
