"""CSV (streamed) and XLSX (constant memory) renderings of any table view."""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import io
import json
import os
import queue
import tempfile
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from typing import Any

from fastapi import Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from minyi.platform.errors import DomainError


class NotAvailable(DomainError):
    """This installation lacks what the answer needs (an optional package)."""

    status = 501


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return jsonable_encoder(value)


def json_response(content: Any) -> Response:
    """The JSON FastAPI would send, without its per-value ``jsonable_encoder`` walk (most of
    the time of a view with thousands of rows); only what json can't write goes through it."""
    body = json.dumps(
        content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_json_default
    )
    return Response(body.encode("utf-8"), media_type="application/json")


def csv_response(
    name: str, columns: list[str], rows: AsyncIterator[dict[str, Any]]
) -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        # A byte-order mark so that Excel opens the Chinese text as UTF-8.
        yield "\ufeff".encode()
        writer.writerow(columns)
        n = 0
        async for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
            n += 1
            if n % 500 == 0:
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue().encode()

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _write_xlsx(path: str, name: str, columns: list[str], rows: Iterable[list[Any]]) -> None:
    import xlsxwriter  # type: ignore[import-untyped]

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_urls": False})
    sheet = workbook.add_worksheet(name[:31])
    sheet.write_row(0, 0, columns)
    for i, row in enumerate(rows, 1):
        sheet.write_row(i, 0, row)
    workbook.close()


async def xlsx_response(
    name: str, columns: list[str], rows: AsyncIterator[dict[str, Any]]
) -> FileResponse:
    """Rows go to a writer thread in batches through a bounded queue, and xlsxwriter's
    constant-memory mode flushes each row to disk: memory stays flat however many rows.
    The finished file (a zip needs its directory at the end) is streamed, then removed."""
    if importlib.util.find_spec("xlsxwriter") is None:
        raise NotAvailable(
            "xlsx_unavailable",
            "本机未安装 xlsxwriter，请改用 csv（XLSX export needs the xlsxwriter package）",
        )
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    batches: queue.Queue[list[list[Any]] | None] = queue.Queue(maxsize=4)

    def flattened() -> Iterable[list[Any]]:
        while (batch := batches.get()) is not None:
            yield from batch

    writer = asyncio.create_task(asyncio.to_thread(_write_xlsx, path, name, columns, flattened()))
    batch: list[list[Any]] = []
    try:
        async for row in rows:
            batch.append([_cell(row.get(c)) for c in columns])
            if len(batch) >= 2000:
                await asyncio.to_thread(batches.put, batch)
                batch = []
        if batch:
            await asyncio.to_thread(batches.put, batch)
    finally:
        await asyncio.to_thread(batches.put, None)
        await writer
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"{name}.xlsx",
        background=BackgroundTask(os.unlink, path),
    )
