"""``minyi liaison …``: roster templates and imports from the office's spreadsheets.

Registered under the ``minyi.commands`` entry-point group. An import runs against the
service's own store, all or nothing, then publishes its events; with NATS away they stay in
the outbox and the running service's relay publishes them later.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

app = typer.Typer(
    help="Liaison: deputies' and stations' rosters (templates and imports).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PUBLISH_SECONDS = 10.0


class Kind(StrEnum):
    deputies = "deputies"
    stations = "stations"


KindArg = Annotated[Kind, typer.Argument(help="deputies | stations")]
FileArg = Annotated[Path, typer.Argument(help="the spreadsheet (.xlsx; imports also take .csv)")]


@app.command()
def template(kind: KindArg, file: FileArg) -> None:
    """Write an XLSX template: Chinese headers, one example row, notes on each column."""
    from minyi.liaison.adapters.roster_files import write_template
    from minyi.liaison.domain.roster import COLUMNS

    write_template(file, COLUMNS[kind.value], "代表名册" if kind is Kind.deputies else "联络站名册")
    typer.echo(f"wrote the {kind.value} template to {file} (Chinese headers, one example row)")


@app.command("import")
def import_roster(kind: KindArg, file: FileArg) -> None:
    """Import a roster (CSV or XLSX, Chinese or English headers): all or nothing; the same
    file again changes nothing; changed rows are updated and announced."""
    from minyi.liaison.adapters.roster_files import RosterFileError, read_rows

    try:
        header, rows = read_rows(file)
    except RosterFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    started = time.perf_counter()
    result, published, pending = asyncio.run(_import(kind, header, rows))
    if isinstance(result, list):
        for error in result:
            typer.echo(str(error), err=True)
        typer.echo(f"{len(result)} problem(s): nothing imported", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"{kind.value}: {result.added} added, {result.updated} updated, {result.ended} ended, "
        f"{result.unchanged} unchanged ({len(rows)} rows, {time.perf_counter() - started:.1f}s)"
    )
    if pending:
        typer.echo(
            f"{published} event(s) published; {pending} queued in the outbox "
            "(NATS unreachable): the running liaison service publishes them"
        )
    elif result.events:
        typer.echo(f"{published} event(s) published")


async def _import(kind: Kind, header: list[str], rows: list[list[str]]) -> tuple[Any, int, int]:
    from minyi.cli.main import load_service
    from minyi.liaison.service_layer.registry import import_deputies, import_stations
    from minyi.platform import migrations
    from minyi.platform.app.assembly import build_runtime
    from minyi.platform.settings import load_settings

    definition = load_service("liaison")
    runtime = build_runtime(definition, load_settings("liaison"))
    try:
        await migrations.upgrade(runtime.engine, definition.package)
        work = import_deputies if kind is Kind.deputies else import_stations
        async with runtime.unit_of_work() as uow:
            result = await work(uow, header, rows, runtime.deps.places)
        if isinstance(result, list) or not result.events:
            return result, 0, 0
        published = await _publish(runtime)
        await runtime.relay.release()  # what is left, the running service's relay publishes
        return result, published, await runtime.relay.pending()
    finally:
        with contextlib.suppress(Exception):
            await runtime.broker.stop()
        await runtime.engine.dispose()


async def _reachable(urls: str) -> bool:
    """Whether any NATS server accepts a connection (the broker itself would retry for
    as long as it is let)."""
    for url in urls.split(","):
        parsed = urlsplit(url.strip())
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(parsed.hostname or "127.0.0.1", parsed.port or 4222), 2
            )
        except (OSError, TimeoutError):
            continue
        writer.close()
        return True
    return False


async def _publish(runtime: Any) -> int:
    """Relay the outbox now, if NATS answers within a few seconds."""
    from minyi.platform.messaging import declare_stream

    if not await _reachable(runtime.settings.nats_url):
        return 0
    try:
        await asyncio.wait_for(runtime.broker.connect(), PUBLISH_SECONDS)
        # On a fresh server no service may have declared the stream yet.
        await declare_stream(runtime.broker, runtime.settings)
    except Exception:
        return 0
    published = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (done := await runtime.relay.relay_once()):
        published += done
    return published
