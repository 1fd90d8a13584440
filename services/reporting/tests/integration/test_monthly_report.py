"""The monthly report (月度民情分析报告) on a delivered history: opened with python-docx and
read against reporting's own API, generated twice to the same bytes, as PDF where LibreOffice
is installed, and by ``minyi reporting report`` on the store a real service keeps."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as Doc
from docx.table import Table as DocxTable
from typer.testing import CliRunner

from minyi.contracts.envelope import RawEvent
from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.nats_server import free_port
from minyi.reporting.adapters import pdf
from minyi.reporting.adapters.word import SECTIONS
from minyi.reporting.cli import app
from minyi.reporting.domain.monthly import OFFICE, TITLE, TOO_FEW
from services.reporting.tests.integration.conftest import Reporting
from tests.support.reporting_history import lifecycle

# T0 of the history is Monday 2025-09-29: day 0 and 1 are September, day 2 is 1 October.
OCTOBER = {"from": "2025-10-01", "to": "2025-10-31"}
SEPTEMBER = {"from": "2025-09-01", "to": "2025-09-30"}


def month_history() -> list[RawEvent]:
    """September: three appeals in 东宝区. October: four more there (one never answered, so
    overdue) and twelve new ones in 掇刀区 for another unit (a rise the report must name),
    two of them reopened after an unsatisfied rating, three in a recurring cluster."""
    events: list[RawEvent] = []
    for i, day in enumerate((-20, -10, 0)):
        events += lifecycle(f"sep-{i}", day=day)
    for i, day in enumerate((2, 5, 9, 12)):
        events += lifecycle(f"oct-d-{i}", day=day, late=i == 3, outcome="" if i == 3 else "A")
    for i in range(12):
        events += lifecycle(
            f"oct-j-{i:02d}",
            day=3 + i,
            district="420804",
            unit="u-jtj",
            reopen=i in (4, 7),
            cluster="c-oct" if i < 3 else None,
            outcome="B" if i == 10 else "A",
        )
    return events


def tables(doc: Doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def section_table(doc: Doc, heading: str, nth: int = 0) -> list[list[str]]:
    """The ``nth`` table after ``heading`` (and before the next heading)."""
    body = doc.element.body
    seen, found = False, []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            if text in SECTIONS:
                seen = text == heading
        elif tag == "tbl" and seen:
            table = DocxTable(child, doc)
            found.append([[c.text for c in row.cells] for row in table.rows])
    return found[nth]


def texts(doc: Doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


async def download(reporting: Reporting, name: str, **headers: str) -> bytes:
    r = await reporting.http.get(f"/v1/reports/monthly/{name}", headers=headers)
    assert r.status_code == 200, r.text
    return r.content


def pct(rate: float | None) -> str:
    """A rate as the report prints it: the API leaves out a rate over too few items."""
    return TOO_FEW if rate is None else f"{rate * 100:.1f}%"


async def test_the_report_says_what_the_api_says(reporting: Reporting) -> None:
    await reporting.deliver(month_history())
    data = await download(reporting, "2025-10.docx")
    doc = Document(io.BytesIO(data))
    paragraphs = texts(doc)

    # The title page, then every section in order.
    assert paragraphs[:3] == [OFFICE, TITLE, "2025年10月"]
    assert "统计期间：2025年10月1日（星期三）至2025年10月31日（星期五）" in paragraphs
    assert "生成日期：2025年11月1日（星期六）" in paragraphs
    headings = [p for p in paragraphs if p in SECTIONS]
    assert headings == list(SECTIONS)
    assert doc.core_properties.title == "2025年10月月度民情分析报告"

    # Headline figures and the change against September, as /v1/headline has them.
    now = await reporting.get("/v1/headline", **OCTOBER)
    before = await reporting.get("/v1/headline", **SEPTEMBER)
    head = {row[0]: row[1:] for row in section_table(doc, SECTIONS[0])[1:]}
    assert now["suggestions_collected"] == 16 and before["suggestions_collected"] == 3
    assert head["收集建议（件）"] == ["16", "3", "+13（+433.3%）"]
    assert head["解决问题（件）"][:2] == [
        str(now["problems_solved"]),
        str(before["problems_solved"]),
    ]
    assert head["当前逾期（件）"][0] == str(now["overdue_now"]) == "1"
    assert head["答复率"] == [pct(now["resolution_rate"]), TOO_FEW, "—"]  # September: 3 items
    assert head["按时答复率"][0] == pct(now["on_time_reply_rate"]) != TOO_FEW
    # Satisfaction on every rating given: the reopened cases' unsatisfied ratings count.
    assert now["ratings_unsatisfied"] > 0 and before["ratings"] == 3
    assert head["满意率（全部评价）"] == [pct(now["satisfaction_rate"]), TOO_FEW, "—"]
    assert head["满意率（全部评价）"][0] != "100.0%"
    assert head["办结满意率"][0] == pct(now["closure_satisfaction_rate"])

    # The notable changes: 掇刀区 is new this month (none in September), and so is the unit.
    changes = paragraphs[paragraphs.index(SECTIONS[1]) + 1 : paragraphs.index(SECTIONS[2])]
    assert changes[0] == "区县“掇刀区”本月受理 12 件，上月没有，为新出现的集中诉求。"
    assert any("“城乡建设”本月受理 16 件，比上月增加 13 件" in s for s in changes)

    # The heat map's note names the darkest cell of /v1/heatmap.
    heat = (await reporting.get("/v1/heatmap", **OCTOBER))["district_focus"]
    top = max(heat, key=lambda c: c["count"])
    note = f"本月最集中的是{top['district_name']}的“{top['focus_area']}”，共 {top['count']} 件。"
    assert any(note in p for p in paragraphs)
    assert len(doc.inline_shapes) == 2  # the heat map and the trend

    # Recurring appeals, the units' league table and the overdue items, as the API lists them.
    recurring = await reporting.get("/v1/recurring", **OCTOBER)
    rows = section_table(doc, SECTIONS[4])[1:]
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        (c["representative_title"], str(c["size"]), str(c["growth"]), str(c["solved"]))
        for c in recurring[:10]
    ]
    units = await reporting.get("/v1/units", **OCTOBER)
    rows = section_table(doc, SECTIONS[5])[1:]
    assert [(r[0], r[1], r[2], r[3], r[6]) for r in rows] == [
        (str(u["rank"]), u["unit_name"], str(u["assigned"]), str(u["replied"]),
         str(u["overdue_now"]))
        for u in units
    ]  # fmt: skip
    jtj = next(r for r in rows if r[1] == "u-jtj 名称")
    assert jtj[4] == pct(next(u for u in units if u["unit_id"] == "u-jtj")["on_time_reply_rate"])
    overdue = await reporting.get("/v1/overdue")
    rows = section_table(doc, SECTIONS[6])
    assert rows[0] == ["标题", "区县", "承办单位", "答复期限", "逾期天数"]
    assert [r[:3] for r in rows[1:]] == [[o["title"], "东宝区", o["unit_name"]] for o in overdue]
    # oct-d-3, filed 11 October (Beijing time), deadline 3000 minutes later: 13 October.
    assert rows[1][3:] == ["2025年10月13日", "18"]


async def test_the_same_month_and_data_give_the_same_document(reporting: Reporting) -> None:
    await reporting.deliver(month_history())
    first = await download(reporting, "2025-10.docx")
    second = await download(reporting, "2025-10.docx")
    assert first == second  # byte for byte: text, tables, images, timestamps
    a, b = Document(io.BytesIO(first)), Document(io.BytesIO(second))
    assert texts(a) == texts(b) and tables(a) == tables(b)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        images = sorted(n for n in z.namelist() if n.startswith("word/media/"))
        assert len(images) == 2
        assert {i.date_time for i in z.infolist()} == {(2025, 11, 1, 9, 0, 0)}
    assert a.core_properties.created is not None
    assert a.core_properties.created.isoformat().startswith("2025-11-01T09:00")


async def test_an_analysts_copy_has_no_titles_and_bad_names_are_refused(
    reporting: Reporting,
) -> None:
    await reporting.deliver(month_history())
    analyst = bearer(reporting.h.runtime.keyring, Principal(Role.ANALYST, "analyst:test"))
    doc = Document(io.BytesIO(await download(reporting, "2025-10.docx", **analyst)))
    rows = section_table(doc, SECTIONS[6])
    assert rows[0] == ["区县", "承办单位", "答复期限", "逾期天数"]
    assert not any("路灯不亮" in cell for row in rows for cell in row)

    for name, code in (
        ("2025-13.docx", "bad_month"),
        ("oct.docx", "bad_month"),
        ("2025-10.txt", "bad_report_format"),
    ):
        r = await reporting.http.get(f"/v1/reports/monthly/{name}")
        assert r.status_code == 422, (name, r.text)
        (problem,) = r.json()["detail"]
        assert (problem["type"], problem["loc"]) == (code, ["name"]), problem
    unit = bearer(reporting.h.runtime.keyring, Principal(Role.UNIT_STAFF, "u:1", unit="u-jtj"))
    r = await reporting.http.get("/v1/reports/monthly/2025-10.docx", headers=unit)
    assert r.status_code == 403


async def test_the_pdf_is_the_same_report_where_libreoffice_is_installed(
    reporting: Reporting,
) -> None:
    await reporting.deliver(month_history())
    if pdf.soffice() is None:
        r = await reporting.http.get("/v1/reports/monthly/2025-10.pdf")
        assert r.status_code == 501 and "LibreOffice" in r.text
        pytest.skip("no LibreOffice (soffice) here: the PDF route says so (501)")
    data = await download(reporting, "2025-10.pdf")
    assert data.startswith(b"%PDF-")
    assert len(data) > 20_000  # pages of tables and two images


def _cli(data_dir: Path, *args: str) -> Any:
    env = {
        "MINYI_DATA_DIR": str(data_dir),
        "MINYI_NATS_URL": f"nats://127.0.0.1:{free_port()}",  # nobody there: not needed
        "MINYI_DATABASE_URL": "",
        "MINYI_DATABASE_URL_REPORTING": "",
    }
    return CliRunner().invoke(app, list(args), env=env)


async def test_the_cli_writes_the_report_from_the_services_store(
    reporting: Reporting, tmp_path: Path
) -> None:
    await reporting.deliver(month_history())  # the store: tmp_path/reporting.sqlite3
    out = tmp_path / "out"
    out.mkdir()
    docx, pdf_file = out / "2025-10.docx", out / "2025-10.pdf"
    result = await asyncio.to_thread(
        _cli, tmp_path, "report", "--month", "2025-10", "--out", str(docx), "--out", str(pdf_file)
    )
    assert result.exit_code == 0, result.output
    assert "2025年10月月度民情分析报告 written to" in result.output
    # The operator's copy: the same document as the admin's download.
    assert docx.read_bytes() == await download(reporting, "2025-10.docx")
    if pdf.soffice() is None:
        assert pdf.NO_SOFFICE in result.output and not pdf_file.exists()
    else:
        assert pdf_file.read_bytes().startswith(b"%PDF-")

    bad = await asyncio.to_thread(_cli, tmp_path, "report", "--month", "2025/10", "--out", "x.docx")
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


async def test_without_libreoffice_the_pdf_is_skipped_saying_why(
    reporting: Reporting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    await reporting.deliver(month_history())
    r = await reporting.http.get("/v1/reports/monthly/2025-10.pdf")
    assert r.status_code == 501 and r.json()["detail"][0]["type"] == "no_pdf_converter"
    assert "LibreOffice" in r.text
    with pytest.raises(pdf.NoConverter):
        pdf.to_pdf(b"not even a document")
    docx, pdf_file = tmp_path / "r.docx", tmp_path / "r.pdf"
    result = await asyncio.to_thread(
        _cli, tmp_path, "report", "--month", "2025-10", "--out", str(docx), "--out", str(pdf_file)
    )
    assert result.exit_code == 0, result.output
    assert docx.is_file() and not pdf_file.exists()
    assert "未安装 LibreOffice" in result.output


async def test_a_month_without_data_says_what_is_missing(reporting: Reporting) -> None:
    doc = Document(io.BytesIO(await download(reporting, "2026-11.docx")))
    paragraphs = texts(doc)
    assert [p for p in paragraphs if p in SECTIONS] == list(SECTIONS)
    for empty in (
        "本月没有收到建议，热力图为空。",
        "本月没有反复出现的诉求。",
        "本月没有交办给承办单位的事项。",
        "截至2026年11月30日（星期一）没有逾期未答复的事项。",
        "本月各区县、各类别受理量及各承办单位办理情况与上月相比无明显变化。",
    ):
        assert empty in paragraphs, empty
