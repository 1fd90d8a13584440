"""The monthly report (月度民情分析报告) over HTTP: the dashboard's button downloads
``/v1/reports/monthly/2026-11.docx`` (or ``.pdf`` where LibreOffice is installed).

Analysts and the admin; an analyst's copy leaves out the titles citizens wrote (as every
view does for an analyst)."""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from minyi.platform.auth import Principal, Role, require
from minyi.platform.errors import Invalid
from minyi.reporting.adapters import pdf
from minyi.reporting.domain.monthly import TITLE, parse_month
from minyi.reporting.entrypoints.dependencies import Views
from minyi.reporting.entrypoints.export import NotAvailable
from minyi.reporting.service_layer import monthly_report

router = APIRouter(prefix="/v1", tags=["reporting"])
Readers = Annotated[Principal, Depends(require(Role.ANALYST))]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = {"docx": DOCX, "pdf": "application/pdf"}
Name = Annotated[
    str,
    Path(
        max_length=16,
        description="the month and the format: 2026-11.docx or 2026-11.pdf",
        examples=["2026-11.docx"],
    ),
]


@router.get(
    "/reports/monthly/{name}",
    summary="The monthly public-sentiment report (月度民情分析报告) as Word or PDF",
    response_class=Response,
)
async def monthly(name: Name, who: Readers, views: Views) -> Response:
    month_text, _, ext = name.rpartition(".")
    if ext not in TYPES:
        raise Invalid(
            "bad_report_format",
            f"报告格式应为 .docx 或 .pdf，例如 2026-11.docx（format must be docx or pdf, got {ext!r}）",
            field="name",
        )
    month = parse_month(month_text, field="name")
    report = await monthly_report.monthly_report(views, month, titles=who.role is not Role.ANALYST)
    # Drawing and writing take a CPU for a moment: off the event loop.
    body = await asyncio.to_thread(monthly_report.document, report)
    if ext == "pdf":
        if pdf.soffice() is None:
            raise NotAvailable("no_pdf_converter", pdf.NO_SOFFICE)
        body = await asyncio.to_thread(pdf.to_pdf, body)
    filename = f"{month.key}-{TITLE}.{ext}"
    return Response(
        body,
        media_type=TYPES[ext],
        headers={
            "Content-Disposition": f'attachment; filename="minyi-report-{month.key}.{ext}"; '
            f"filename*=UTF-8''{quote(filename)}"
        },
    )
