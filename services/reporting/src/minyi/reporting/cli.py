"""``minyi reporting …``: operator commands of the reporting service."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

app = typer.Typer(help="报表服务 (reporting) commands.", no_args_is_help=True)


@app.command()
def rebuild() -> None:
    """Replay the whole event stream into fresh views and swap them in atomically."""
    from minyi.cli.main import load_service
    from minyi.platform import migrations
    from minyi.platform.app.assembly import build_runtime
    from minyi.platform.settings import load_settings
    from minyi.reporting.adapters.history import StreamHistory
    from minyi.reporting.service_layer.rebuild import rebuild as run_rebuild

    settings = load_settings("reporting")
    # The service's definition through its entry point, as ``minyi serve`` finds it.
    definition = load_service("reporting")

    async def run() -> None:
        runtime = build_runtime(definition, settings)
        try:
            await migrations.upgrade(runtime.engine, definition.package)
            report = await run_rebuild(runtime.unit_of_work, StreamHistory(settings))
        finally:
            await runtime.engine.dispose()
        typer.echo(
            f"reporting: generation {report.generation} is live "
            f"({report.events} events replayed, {report.skipped} skipped; "
            f"generation {report.previous_generation} removed)"
        )

    asyncio.run(run())


@app.command()
def report(
    month: str = typer.Option(..., "--month", help="the month, e.g. 2026-11"),
    out: list[Path] = typer.Option(
        ...,
        "--out",
        help="the file to write: .docx (Word) or .pdf (LibreOffice); give --out twice for both",
    ),
) -> None:
    """The monthly public-sentiment report (月度民情分析报告) from reporting's store, as Word
    (and PDF through LibreOffice where it is installed; skipped with a message where not)."""
    from minyi.cli.main import load_service
    from minyi.platform import migrations
    from minyi.platform.app.assembly import build_runtime
    from minyi.platform.errors import DomainError
    from minyi.platform.settings import load_settings
    from minyi.reporting.adapters import pdf
    from minyi.reporting.domain.monthly import parse_month
    from minyi.reporting.service_layer import monthly_report

    wrong = [p for p in out if p.suffix.lower() not in (".docx", ".pdf")]
    if wrong:
        raise typer.BadParameter(
            f"输出文件须为 .docx 或 .pdf（--out must end in .docx or .pdf: {wrong[0]}）",
            param_hint="--out",
        )
    try:
        the_month = parse_month(month, field="--month")
    except DomainError as e:
        raise typer.BadParameter(e.message, param_hint="--month") from None
    settings = load_settings("reporting")
    definition = load_service("reporting")

    async def run() -> bytes:
        runtime = build_runtime(definition, settings)
        try:
            await migrations.upgrade(runtime.engine, definition.package)
            async with runtime.unit_of_work() as uow:
                await uow.generations.ensure()
            # The operator's copy: with the titles citizens wrote.
            content = await monthly_report.monthly_report(
                runtime.deps.views, the_month, titles=True
            )
        finally:
            await runtime.engine.dispose()
        return monthly_report.document(content)

    docx = asyncio.run(run())
    for target in out:
        if target.suffix.lower() == ".docx":
            target.write_bytes(docx)
            typer.echo(f"reporting: {the_month.label}月度民情分析报告 written to {target}")
            continue
        try:
            target.write_bytes(pdf.to_pdf(docx))
        except pdf.NoConverter as e:
            typer.echo(f"reporting: {e}", err=True)
            continue
        typer.echo(f"reporting: {the_month.label}月度民情分析报告 (PDF) written to {target}")
