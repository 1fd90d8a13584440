"""Deputies' formal suggestions by year (代表建议, issue 18) over HTTP: the figures as JSON
and the office's handling table as XLSX (``/v1/formal-suggestions/year/2026.xlsx``).

Analysts and supervisors (and the admin), as the other aggregates. The figures carry no
title; the table's titles follow the drill-down lists: none for an analyst
(docs/SECURITY.md), a supervisor's only in the group's districts."""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Response

from minyi.platform.auth import Principal, Role, require
from minyi.reporting.adapters import handling_table
from minyi.reporting.entrypoints.dependencies import Views
from minyi.reporting.entrypoints.export import NotAvailable, json_response
from minyi.reporting.service_layer import formal_queries

router = APIRouter(prefix="/v1", tags=["reporting"])
Analysts = Annotated[Principal, Depends(require(Role.ANALYST, Role.SUPERVISOR))]
Year = Annotated[int, Path(ge=2000, le=2100, description="the suggestions' year, e.g. 2026")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Declared before the JSON route: ``{year}`` alone would also match ``2026.xlsx``.
@router.get(
    "/formal-suggestions/year/{year}.xlsx",
    summary="The year's handling table of deputies' formal suggestions (代表建议办理情况表)",
    response_class=Response,
)
async def handling_table_xlsx(year: Year, who: Analysts, views: Views) -> Response:
    if importlib.util.find_spec("xlsxwriter") is None:
        raise NotAvailable(
            "xlsx_unavailable", "本机未安装 xlsxwriter（XLSX export needs the xlsxwriter package）"
        )
    rows = await formal_queries.handling_table(views, year, who)
    body = await asyncio.to_thread(
        handling_table.workbook,
        formal_queries.SHEET,
        formal_queries.TABLE_COLUMNS,
        formal_queries.TABLE_WIDTHS,
        rows,
    )
    filename = f"{year}年代表建议办理情况表.xlsx"
    return Response(
        body,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="minyi-formal-{year}.xlsx"; '
            f"filename*=UTF-8''{quote(filename)}"
        },
    )


@router.get(
    "/formal-suggestions/year/{year}",
    summary="Deputies' formal suggestions of a year: filed, assigned, answered on time, "
    "A/B/C/D, signers' ratings, B promised vs delivered; per unit, deputy and topic",
)
async def year_report(year: Year, _who: Analysts, views: Views) -> Any:
    return json_response(await formal_queries.year_report(views, year))
