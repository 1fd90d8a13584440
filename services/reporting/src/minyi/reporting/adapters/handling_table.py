"""The office's handling table (代表建议办理情况表) as an XLSX workbook: one sheet, a bold
header row frozen above the rows, column widths set for Chinese text, a filter on the
header. A year is a few thousand rows: written in memory by xlsxwriter."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any


def workbook(
    sheet_name: str, columns: Sequence[str], widths: Sequence[int], rows: Sequence[list[Any]]
) -> bytes:
    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_urls": False})
    header = book.add_format(
        {"bold": True, "bg_color": "#DDE6F0", "border": 1, "align": "center", "valign": "vcenter",
         "text_wrap": True}
    )  # fmt: skip
    cell = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
    sheet = book.add_worksheet(sheet_name[:31])
    for i, width in enumerate(widths):
        sheet.set_column(i, i, width)
    sheet.set_row(0, 24)
    sheet.write_row(0, 0, list(columns), header)
    for i, row in enumerate(rows, 1):
        sheet.write_row(i, 0, row, cell)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    book.close()
    return out.getvalue()
