"""The monthly public-sentiment report (月度民情分析报告): the month's figures read through
the dashboard's own query functions (``queries``, ``deputy_queries``), so that the report and
the API say the same; then drawn (``adapters/charts.py``) and written as a Word document
(``adapters/word.py``), and as a PDF where LibreOffice is installed (``adapters/pdf.py``).

The same month and data give the same document, byte for byte: dates come from the month
(``Month.issued``), every table is sorted, the charts carry no timestamps."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from minyi.reporting.adapters.views import LiveViews, ViewQueries
from minyi.reporting.domain import deputies, liaison, monthly
from minyi.reporting.domain.dimensions import Filters, deputy_filters
from minyi.reporting.domain.monthly import (
    Heat,
    Month,
    Report,
    Table,
    UnitMonth,
    Week,
    change,
    cn_date,
    percent,
)
from minyi.reporting.domain.periods import local_day
from minyi.reporting.domain.rates import RATES
from minyi.reporting.service_layer import deputy_queries, queries

# How many rows of the long tables the report prints (the dashboard lists them all).
RECURRING_SHOWN = 10
OVERDUE_SHOWN = 30
DEPUTIES_SHOWN = 10
TREND_WEEKS = 12
UNKNOWN_AREA = "未分类"

# The counts of the headline, then its rates (labels and definitions: ``domain/rates.py``).
HEADLINE_COUNTS = (
    ("收集建议（件）", "suggestions_collected"),
    ("解决问题（件）", "problems_solved"),
    ("已答复（件）", "replied"),
    ("已办结（件）", "closed"),
    ("当前逾期（件）", "overdue_now"),
)
HEADLINE_RATES = (
    "resolution_rate",
    "solved_rate",
    "on_time_reply_rate",
    "satisfaction_rate",
    "first_satisfaction_rate",
    "rehandled_satisfaction_rate",
    "closure_satisfaction_rate",
)


def month_filters(month: Month) -> Filters:
    return Filters(month.start, month.end)


def _rate(figures: dict[str, Any], name: str) -> str:
    """A rate of a headline or unit row as printed: 样本不足 where the query left it out for
    too few items."""
    sample = figures.get("samples", {}).get(name)
    return percent(figures.get(name), sample)


def _headline_table(now: dict[str, Any], before: dict[str, Any]) -> Table:
    rows = [
        (label, str(now[key]), str(before[key]), change(now[key], before[key]))
        for label, key in HEADLINE_COUNTS
    ]
    for name in HEADLINE_RATES:
        shown_now, shown_before = _rate(now, name), _rate(before, name)
        both = monthly.TOO_FEW not in (shown_now, shown_before)
        rows.append(
            (
                RATES[name].label,
                shown_now,
                shown_before,
                change(now[name], before[name], rate=True) if both else "—",
            )
        )
    return Table(
        ("指标", "本月", "上月", "变化"),
        tuple(rows),
        f"比率少于 {monthly.MIN_SAMPLE} 件时显示“{monthly.TOO_FEW}”。"
        + "".join(
            f"{RATES[n].label}＝{RATES[n].numerator}÷{RATES[n].denominator}；"
            for n in HEADLINE_RATES
        )
        + "均按事项受理日期归入月份。",
    )


def _heat(result: dict[str, list[dict[str, Any]]]) -> tuple[Heat, str]:
    cells = {
        (r["district_name"] or UNKNOWN_AREA, r["focus_area"] or UNKNOWN_AREA): int(r["count"])
        for r in result["district_focus"]
    }
    order = {
        r["district_name"] or UNKNOWN_AREA: r["district_code"] or ""
        for r in result["district_focus"]
    }
    rows = tuple(sorted(order, key=lambda name: (order[name], name)))
    columns = tuple(sorted({c for _r, c in cells}))
    counts = tuple(tuple(cells.get((r, c), 0) for c in columns) for r in rows)
    if not cells:
        return Heat((), (), ()), "本月没有收到建议，热力图为空。"
    (top_row, top_col), top = min(cells.items(), key=lambda kv: (-kv[1], kv[0]))
    return (
        Heat(rows, columns, counts),
        f"颜色越深件数越多。本月最集中的是{top_row}的“{top_col}”，共 {top} 件。",
    )


def _by(result: dict[str, list[dict[str, Any]]], field: str) -> dict[str, int]:
    acc: dict[str, int] = defaultdict(int)
    for r in result["district_category"]:
        acc[r[field] or UNKNOWN_AREA] += int(r["count"])
    return dict(acc)


def _unit_months(rows: list[dict[str, Any]]) -> dict[str, UnitMonth]:
    return {
        r["unit_name"]: UnitMonth(
            r["unit_name"], int(r["replied"]), r["on_time_reply_rate"], int(r["overdue_now"])
        )
        for r in rows
    }


def _units_table(rows: list[dict[str, Any]]) -> Table:
    return Table(
        ("排名", "承办单位", "交办", "已答复", "按时答复率", "满意率（全部评价）", "当前逾期"),
        tuple(
            (
                str(r["rank"]),
                str(r["unit_name"]),
                str(r["assigned"]),
                str(r["replied"]),
                _rate(r, "on_time_reply_rate"),
                _rate(r, "satisfaction_rate"),
                str(r["overdue_now"]),
            )
            for r in rows
        ),
        "按按时答复率排名；逾期为本月交办事项中目前仍逾期未答复的件数。"
        if rows
        else "本月没有交办给承办单位的事项。",
    )


def _recurring_state(growth: int, solved: int) -> str:
    if growth and solved >= growth:
        return "本月新增已全部解决"
    if solved:
        return "部分解决"
    return "尚未解决"


def _recurring_table(rows: list[dict[str, Any]]) -> Table:
    return Table(
        ("序号", "反复出现的诉求", "区县", "累计件数", "本月新增", "本月新增中已解决", "状态"),
        tuple(
            (
                str(i),
                str(r["representative_title"] or r["cluster_id"]),
                str(r["district_name"] or "—"),
                str(r["size"]),
                str(r["growth"]),
                str(r["solved"]),
                _recurring_state(r["growth"], r["solved"]),
            )
            for i, r in enumerate(rows[:RECURRING_SHOWN], 1)
        ),
        "按累计件数排列。" if rows else "本月没有反复出现的诉求。",
    )


async def _overdue_table(q: ViewQueries, month: Month, *, titles: bool) -> Table:
    """Cases overdue now whose deadline fell on or before the month's last day, with the
    calendar days from the deadline to that day; the longest overdue first."""
    rows = []
    for r in await q.overdue(Filters(), 10_000):
        if r["reply_by"] is None or local_day(r["reply_by"]) > month.end:
            continue
        deadline = local_day(r["reply_by"])
        days = (month.end - deadline).days
        district = q.district_names.get(r["district_code"] or "", r["district_code"] or "—")
        rows.append((days, str(r["suggestion_id"]), r, district, deadline))
    rows.sort(key=lambda x: (-x[0], x[1]))
    columns: tuple[str, ...] = ("标题", "区县", "承办单位", "答复期限", "逾期天数")
    if not titles:
        columns = columns[1:]
    printed = []
    for days, _sid, r, district, deadline in rows[:OVERDUE_SHOWN]:
        cells = (
            str(r["title"] or "（无标题）"),
            str(district),
            str(r["unit_name"] or r["unit_id"] or "—"),
            f"{deadline.year}年{deadline.month}月{deadline.day}日",
            str(days),
        )
        printed.append(cells if titles else cells[1:])
    note = (
        f"截至{cn_date(month.end)}仍逾期未答复的事项共 {len(rows)} 件（逾期天数按自然日计至月末）。"
    )
    if len(rows) > OVERDUE_SHOWN:
        note += f"此处列出逾期最久的 {OVERDUE_SHOWN} 件，其余请在仪表盘“逾期事项”中查看。"
    if not rows:
        note = f"截至{cn_date(month.end)}没有逾期未答复的事项。"
    if not titles:
        note += "（分析员版本不含群众填写的标题。）"
    return Table(columns, tuple(printed), note)


async def _deputies(q: ViewQueries, month: Month) -> tuple[Table, Table]:
    f = month_filters(month)
    by_kind: Counter[str] = Counter()
    for kinds in (await deputy_queries.activities(q, f)).values():
        by_kind.update(kinds)
    active = len(await deputy_queries.active_deputies(q, f))
    quarter = deputies.quarter_of(month.end)
    coverage = await deputy_queries.coverage(q, deputy_filters(None, None, None, quarter=quarter))
    year_start = month.start.replace(month=1, day=1)
    year = await deputy_queries.year_headline(q, Filters(year_start, month.end, year=month.year))
    rows: list[tuple[str, str]] = [
        ("本月有履职活动的代表（人）", str(active)),
        *(
            (f"本月{deputies.ACTIVITY_KIND_NAMES.get(k, k)}（次）", str(n))
            for k, n in sorted(by_kind.items())
        ),
        (
            f"{quarter} 代表活动覆盖率",
            f"{percent(coverage['share'])}（{coverage['active']}/{coverage['serving']} 人）"
            if coverage["serving"]
            else "—",
        ),
        (f"{month.year}年1月至本月代表履职人次", str(year["deputy_outings"])),
        (f"{month.year}年1月至本月收集建议（件）", str(year["suggestions"])),
        (f"{month.year}年1月至本月解决问题（件）", str(year["problems_solved"])),
    ]
    summary = Table(("项目", "数值"), tuple(rows))
    ranked = await deputy_queries.representatives(q, f)
    ranking = Table(
        ("排名", "代表", "层级", "本月活动", "本月提出建议", "年度履职得分"),
        tuple(
            (
                str(r["rank"]),
                str(r["deputy_name"]),
                str(r["level_name"] or liaison.DEPUTY_LEVEL_NAMES.get(r["level"] or "", "—")),
                str(r["activities"]),
                str(r["suggestions_filed"]),
                "—" if r["score"] is None else f"{r['score']:.1f}",
            )
            for r in ranked[:DEPUTIES_SHOWN]
        ),
        "按年度履职得分排列（评价办法的得分）。" if ranked else "本月没有代表履职记录。",
    )
    return summary, ranking


async def _trend(q: ViewQueries, month: Month) -> tuple[tuple[Week, ...], Table]:
    """The TREND_WEEKS ISO weeks up to the month's last day (the last one cut there)."""
    monday = month.end - timedelta(days=month.end.weekday())
    f = Filters(monday - timedelta(weeks=TREND_WEEKS - 1), month.end)
    weeks = tuple(
        Week(r["week"], int(r["filed"]), int(r["replied"]), int(r["solved"]))
        for r in await queries.trends(q, f)
    )
    table = Table(
        ("周", "收到", "已答复", "已解决"),
        tuple((w.week, str(w.filed), str(w.replied), str(w.solved)) for w in weeks),
        "按收到的周统计；答复、解决计入事项收到的那一周。",
    )
    return weeks, table


async def gather(q: ViewQueries, month: Month, *, titles: bool) -> Report:
    """The month's report from the views ``q`` reads (``titles``: whether the reader may see
    the titles citizens wrote — not an analyst)."""
    f, fp = month_filters(month), month_filters(month.previous())
    head_now, head_before = await queries.headline(q, f), await queries.headline(q, fp)
    heat_now, heat_before = await queries.heatmap(q, f), await queries.heatmap(q, fp)
    units_now, units_before = await queries.units(q, f), await queries.units(q, fp)
    heat, heat_note = _heat(heat_now)
    weeks, trend = await _trend(q, month)
    summary, ranking = await _deputies(q, month)
    changes = monthly.notable_changes(
        (_by(heat_now, "district_name"), _by(heat_before, "district_name")),
        (_by(heat_now, "category"), _by(heat_before, "category")),
        (_unit_months(units_now), _unit_months(units_before)),
    )
    return Report(
        month=month,
        headline=_headline_table(head_now, head_before),
        heat=heat,
        heat_note=heat_note,
        weeks=weeks,
        trend=trend,
        recurring=_recurring_table(await queries.recurring(q, f, RECURRING_SHOWN)),
        units=_units_table(units_now),
        overdue=await _overdue_table(q, month, titles=titles),
        deputies=summary,
        deputy_ranking=ranking,
        changes=tuple(changes) or (monthly.NOTHING_NOTABLE,),
    )


async def monthly_report(views: LiveViews, month: Month, *, titles: bool) -> Report:
    async with views.reading() as q:
        return await gather(q, month, titles=titles)


def document(report: Report) -> bytes:
    """The report as a .docx (charts drawn here, server-side, with matplotlib)."""
    # Imported when a report is asked for: matplotlib and python-docx (with lxml) would
    # otherwise load into every reporting process at start.
    from minyi.reporting.adapters import charts, word

    return word.render(
        report,
        heatmap=charts.heatmap_png(report.heat, f"{report.month.label} 区县 × 重点领域"),
        trend=charts.trend_png(report.weeks, f"近{TREND_WEEKS}周收到与答复"),
    )
