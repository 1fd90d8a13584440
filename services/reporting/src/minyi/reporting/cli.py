"""``minyi reporting …``: operator commands of the reporting service."""

from __future__ import annotations

import asyncio

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
