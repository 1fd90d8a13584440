"""Rosters on disk: read a CSV or XLSX into a header and rows of text; write the XLSX
template (Chinese headers, one example row, a sheet of notes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from minyi.liaison.domain.roster import Column


class RosterFileError(ValueError):
    """The file cannot be read as a roster (wrong type, empty, not a spreadsheet)."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(path: Path) -> list[list[str]]:
    # UTF-8 (with the BOM Excel writes), else GB18030: what Excel on a Chinese Windows
    # saves a "CSV" as.
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    raise RosterFileError(f"{path.name}: 无法识别文件编码（应为 UTF-8 或 GB18030）")


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            table = _read_csv(path)
        elif suffix in (".xlsx", ".xlsm"):
            book = load_workbook(path, read_only=True, data_only=True)
            try:
                table = [
                    [_cell(v) for v in row]
                    for row in book.worksheets[0].iter_rows(values_only=True)
                ]
            finally:
                book.close()
        else:
            raise RosterFileError(f"{path.name}: 只接受 .csv 或 .xlsx 文件")
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RosterFileError(f"{path.name}: 无法读取（{exc}）") from exc
    except Exception as exc:  # openpyxl raises many kinds on a file that is no workbook
        if isinstance(exc, RosterFileError):
            raise
        raise RosterFileError(
            f"{path.name}: 不是有效的 Excel 文件（{type(exc).__name__}）"
        ) from exc
    if not table:
        raise RosterFileError(f"{path.name}: 文件是空的")
    return table[0], table[1:]


def write_template(path: Path, columns: Sequence[Column], title: str) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append([c.zh for c in columns])
    sheet.append([c.example for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(12, 2 * len(column.example) + 2)
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "填写说明", "也可用的列名"])
    for column in columns:
        notes.append(
            [
                column.zh,
                "必填" if column.required else "可空",
                column.rule,
                "、".join(column.aliases),
            ]
        )
    notes.append([])
    notes.append(
        [
            "第二行是示例，导入前请替换或删除。同一文件重复导入不会产生变化；任何一行有误则整份不导入。"
        ]
    )
    book.save(path)
