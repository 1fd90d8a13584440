"""``minyi reporting …``: operator commands of the reporting service."""

from __future__ import annotations

import asyncio

import typer

app = typer.Typer(help="报表服务 (reporting) commands.", no_args_is_help=True)


@app.command()
def rebuild() -> None:
    """Replay the whole event stream into fresh views and swap them in atomically."""
    from minyi.platform import migrations
    from minyi.platform.db import create_engine, session_factory
    from minyi.platform.settings import load_settings
    from minyi.reporting.bootstrap import PACKAGE
    from minyi.reporting.service_layer.rebuild import rebuild as run_rebuild

    settings = load_settings("reporting")

    async def run() -> None:
        engine = create_engine(settings.effective_database_url)
        try:
            await migrations.upgrade(engine, PACKAGE)
            report = await run_rebuild(session_factory(engine), settings)
        finally:
            await engine.dispose()
        typer.echo(
            f"reporting: generation {report.generation} is live "
            f"({report.events} events replayed, {report.skipped} skipped; "
            f"generation {report.previous_generation} removed)"
        )

    asyncio.run(run())
