"""The monthly report as a Word document (python-docx), in the office's style: a title page,
then numbered sections (一、二、…) of tables and charts, 仿宋 body and 黑体 headings.

Reproducible: the core properties' dates are the month's issue date, and the .docx (a zip)
is written again with every member dated the same, so the same report gives the same bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.document import Document as Doc
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.run import Run

from minyi.reporting.domain.monthly import OFFICE, TITLE, Report, Table, cn_date

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)
TEXT_WIDTH_CM = 15.6  # A4 less the margins
TABLE_FONT_PT = 10.5  # 五号
# A column's width follows its longest text in half-width units (a Chinese character counts
# two), at least COLUMN_MIN_UNITS, plus the cell's padding.
COLUMN_MIN_UNITS, CELL_PADDING_CM = 4, 0.6
# The sections, in order (tests read the document by these headings).
SECTIONS = (
    "一、主要数据",
    "二、本月值得关注的变化",
    "三、民情热力分布",
    "四、每周收到与答复趋势",
    "五、反复出现的诉求",
    "六、承办单位办理情况",
    "七、逾期事项",
    "八、代表履职情况",
)


def _font(run: Run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _para(
    doc: Doc,
    text: str,
    *,
    size: float = 14,
    font: str = BODY_FONT,
    bold: bool = False,
    center: bool = False,
    indent: bool = True,
) -> None:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(4)
    _font(p.add_run(text), font, size, bold=bold)


def _heading(doc: Doc, text: str) -> None:
    p = doc.add_heading(level=1)
    p.paragraph_format.space_before = Pt(12)
    _font(p.add_run(text), HEADING_FONT, 16)
    p.runs[-1].font.color.rgb = BLACK


def _units(text: str) -> int:
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def _widths(table: Table) -> list[float]:
    """Each column's width (cm): what its longest text needs on one line; when the page is
    too narrow for all of them, the widest are cut to one common width (short columns such
    as a district's name keep theirs), and when it is wider, all grow alike."""
    unit_cm = TABLE_FONT_PT / 2 * 2.54 / 72
    need = [
        max(COLUMN_MIN_UNITS, _units(name), *(_units(r[i]) for r in table.rows)) * unit_cm
        + CELL_PADDING_CM
        for i, name in enumerate(table.columns)
    ]
    if sum(need) <= TEXT_WIDTH_CM:
        return [w * TEXT_WIDTH_CM / sum(need) for w in need]
    # The cap c with sum(min(w, c)) = the text width.
    left, rest = TEXT_WIDTH_CM, sorted(need)
    while rest and rest[0] * len(rest) <= left:
        left -= rest.pop(0)
    cap = left / len(rest) if rest else TEXT_WIDTH_CM
    return [min(w, cap) for w in need]


def _table(doc: Doc, table: Table) -> None:
    if table.rows:
        t = doc.add_table(rows=1, cols=len(table.columns))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        widths = _widths(table)
        for column, width in zip(t.columns, widths, strict=True):
            column.width = Cm(width)  # the grid (LibreOffice reads this one)
        for cell, name, width in zip(t.rows[0].cells, table.columns, widths, strict=True):
            cell.text = ""
            cell.width = Cm(width)
            _font(cell.paragraphs[0].add_run(name), HEADING_FONT, TABLE_FONT_PT)
        for row in table.rows:
            cells = t.add_row().cells
            for cell, value, width in zip(cells, row, widths, strict=True):
                cell.text = ""
                cell.width = Cm(width)
                _font(cell.paragraphs[0].add_run(value), BODY_FONT, TABLE_FONT_PT)
    if table.note:
        _para(doc, table.note, size=10.5, indent=False)


def _image(doc: Doc, png: bytes, width_cm: float = 15.5) -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _title_page(doc: Doc, report: Report) -> None:
    month = report.month
    for _ in range(4):
        doc.add_paragraph()
    _para(doc, OFFICE, size=18, font=HEADING_FONT, center=True)
    doc.add_paragraph()
    _para(doc, TITLE, size=26, font=TITLE_FONT, bold=True, center=True)
    _para(doc, month.label, size=18, font=BODY_FONT, center=True)
    for _ in range(8):
        doc.add_paragraph()
    _para(doc, f"统计期间：{cn_date(month.start)}至{cn_date(month.end)}", size=12, center=True)
    _para(doc, f"生成日期：{cn_date(month.issued)}", size=12, center=True)
    doc.paragraphs[-1].runs[-1].add_break(WD_BREAK.PAGE)


def render(report: Report, *, heatmap: bytes, trend: bytes) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    _title_page(doc, report)
    month = report.month
    _heading(doc, SECTIONS[0])
    _para(doc, f"{month.label}各项主要数据及与上月比较如下。")
    _table(doc, report.headline)
    _heading(doc, SECTIONS[1])
    for sentence in report.changes:
        _para(doc, sentence)
    _heading(doc, SECTIONS[2])
    _image(doc, heatmap)
    _para(doc, report.heat_note, size=10.5, indent=False)
    _heading(doc, SECTIONS[3])
    _image(doc, trend)
    _table(doc, report.trend)
    _heading(doc, SECTIONS[4])
    _table(doc, report.recurring)
    _heading(doc, SECTIONS[5])
    _table(doc, report.units)
    _heading(doc, SECTIONS[6])
    _table(doc, report.overdue)
    _heading(doc, SECTIONS[7])
    _table(doc, report.deputies)
    _para(doc, "代表履职排名（前十位）：", indent=False)
    _table(doc, report.deputy_ranking)

    issued = month.issued_at.replace(tzinfo=None)
    props = doc.core_properties
    props.title = f"{month.label}{TITLE}"
    props.author = props.last_modified_by = OFFICE
    props.subject = TITLE
    props.keywords = f"民情 {month.key}"
    props.created = props.modified = props.last_printed = issued
    props.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return _fixed_zip(out.getvalue(), issued)


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The same zip with every member dated ``when`` (python-docx dates them now)."""
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
