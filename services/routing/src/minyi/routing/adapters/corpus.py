"""Labelled suggestions from a CSV or XLSX file (training and evaluation input)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

# Column names accepted, English first; a deployment's export often has Chinese headers.
COLUMNS = {
    "title": ("title", "标题"),
    "content": ("content", "内容", "detail", "正文"),
    "category": ("category", "类别", "label", "一级分类"),
    "unit": ("unit", "承办单位", "unit_id"),
}


class CorpusError(ValueError):
    """The file cannot be used as labelled data (a clear message for the operator)."""


@dataclass(frozen=True)
class LabelledRow:
    title: str
    content: str
    category: str
    unit: str | None = None

    @property
    def text(self) -> str:
        """What the service classifies: title and content, as filed."""
        return f"{self.title}\n{self.content}" if self.content else self.title


def read_labelled(path: Path) -> list[LabelledRow]:
    if not path.is_file():
        raise CorpusError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, records = _read_csv(path)
    elif suffix in {".xlsx", ".xlsm"}:
        header, records = _read_xlsx(path)
    else:
        raise CorpusError(f"{path}: expected a .csv or .xlsx file")
    col = {key: _find(header, names) for key, names in COLUMNS.items()}
    for required in ("title", "category"):
        if col[required] is None:
            raise CorpusError(
                f"{path}: needs a column {' or '.join(COLUMNS[required])}; found {header}"
            )
    rows: list[LabelledRow] = []
    for n, record in enumerate(records, start=2):
        values = {
            k: (record[i].strip() if i is not None and i < len(record) else "")
            for k, i in col.items()
        }
        if not values["title"] and not values["content"]:
            continue  # a blank line at the end of an export
        if not values["category"]:
            raise CorpusError(f"{path}: row {n} has no category")
        rows.append(
            LabelledRow(
                values["title"], values["content"], values["category"], values["unit"] or None
            )
        )
    if not rows:
        raise CorpusError(f"{path}: no labelled rows")
    return rows


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    normalized = [h.strip().lower() for h in header]
    for name in names:
        if name in normalized:
            return normalized.index(name)
    return None


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        return header, [row for row in reader]


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:  # pragma: no cover - openpyxl is a routing dependency
        raise CorpusError("reading .xlsx needs openpyxl (pip install openpyxl)") from exc
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [
            ["" if v is None else str(v) for v in row]
            for row in wb.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        wb.close()
    if not rows:
        raise CorpusError(f"{path}: the first sheet is empty")
    return rows[0], rows[1:]
