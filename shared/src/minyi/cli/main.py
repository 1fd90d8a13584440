"""``minyi``: run the whole system, one service, its migrations, and service commands.

Services register themselves under the ``minyi.services`` entry-point group, so the CLI
needs no import of any service until one is asked for.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from minyi.platform.runtime import ServiceDefinition

app = typer.Typer(
    help="Minyi (民意): suggestions and appeals, routed, supervised and counted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def service_names() -> list[str]:
    from minyi.platform.settings import SERVICE_PORTS

    # In the order a suggestion travels through them; unknown plug-ins last.
    order = list(SERVICE_PORTS)
    names = [ep.name for ep in entry_points(group="minyi.services")]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def load_service(name: str) -> ServiceDefinition[Any, Any]:
    for ep in entry_points(group="minyi.services"):
        if ep.name == name:
            definition: ServiceDefinition[Any, Any] = ep.load()
            return definition
    raise typer.BadParameter(
        f"unknown service {name!r}; choose one of {', '.join(service_names())}"
    )


@app.command()
def serve(
    service: str = typer.Argument(..., help="intake | routing | supervision | reporting | liaison"),
) -> None:
    """Run one service: its HTTP API and its event consumers."""
    import uvicorn

    from minyi.platform.app.assembly import create_app
    from minyi.platform.settings import load_settings

    definition = load_service(service)
    settings = load_settings(service)
    uvicorn.run(
        create_app(definition, settings),
        host=settings.http_host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        # Open server-sent-event streams must not hold a stopping service for long.
        timeout_graceful_shutdown=5,
    )


@app.command()
def migrate(
    service: str = typer.Argument(..., help="intake | routing | supervision | reporting | liaison"),
) -> None:
    """Apply the service's database migrations and exit."""
    from minyi.platform import migrations
    from minyi.platform.db import create_engine
    from minyi.platform.settings import load_settings

    definition = load_service(service)
    settings = load_settings(service)

    async def run() -> None:
        engine = create_engine(settings.effective_database_url)
        try:
            await migrations.upgrade(engine, definition.package)
        finally:
            await engine.dispose()

    asyncio.run(run())
    typer.echo(f"{service}: database is at the newest revision")


@app.command()
def up() -> None:
    """Run the whole system locally: embedded NATS (unless MINYI_NATS_URL is set) and the
    five services as separate processes. Ctrl-C stops everything."""
    from minyi.cli.up import run_all
    from minyi.platform.settings import Settings

    raise typer.Exit(run_all(service_names(), Settings().data_dir))


@app.command()
def simulate(
    days: int = typer.Option(30, help="simulated days"),
    rate: float = typer.Option(40.0, help="suggestions filed per simulated day"),
    seconds_per_day: float = typer.Option(1.0, help="real seconds per simulated day"),
    start: str = typer.Option("", help="first simulated day (YYYY-MM-DD); default today"),
    seed: int = typer.Option(1, help="random seed, for repeatable runs"),
    exit_when_done: bool = typer.Option(False, "--exit", help="stop the system at the end"),
    summary: Path | None = typer.Option(None, help="also write the summary to this JSON file"),
    formal: int | None = typer.Option(
        None,
        min=0,
        help="deputies' formal suggestions (代表建议) filed over the run; default: the "
        "reference scale (2,340 a year, pro rata) when --days is 300 or more, else none",
    ),
    projects: int = typer.Option(
        0,
        min=0,
        help="improvement projects (改善项目) the office registers and units, deputies and "
        "citizens play on the public ledger (/ledger), with published appeals and support; "
        "0: none",
    ),
) -> None:
    """Run the whole system on an accelerated clock with synthetic citizens and units."""
    from datetime import UTC, datetime

    from minyi.cli.simulate import default_start
    from minyi.cli.simulate import simulate as run
    from minyi.cli.simulate_formal import PER_YEAR
    from minyi.platform.settings import Settings

    first = datetime.fromisoformat(start).replace(tzinfo=UTC) if start else default_start()
    if formal is None:
        formal = round(PER_YEAR * days / 365) if days >= 300 else 0
    raise typer.Exit(
        run(
            days,
            rate,
            seconds_per_day,
            first,
            Settings().data_dir / "simulation",
            seed,
            not exit_when_done,
            service_names(),
            summary,
            formal,
            projects,
        )
    )


dlq = typer.Typer(help="Dead letters: events a consumer gave up on after its last delivery.")
app.add_typer(dlq, name="dlq")


@dlq.command("list")
def dlq_list(
    service: str = typer.Argument(..., help="the service whose consumers gave up"),
) -> None:
    """List the service's pending dead letters with their errors."""
    from minyi.platform.app.assembly import build_runtime
    from minyi.platform.consuming import dead_letters
    from minyi.platform.settings import load_settings

    async def run() -> list[dict[str, object]]:
        runtime = build_runtime(load_service(service), load_settings(service))
        try:
            return await dead_letters.pending(runtime)
        finally:
            await runtime.engine.dispose()

    letters = asyncio.run(run())
    for d in letters:
        typer.echo(
            f"{d['failed_at']:%Y-%m-%d %H:%M:%S}  {d['consumer']}  seq={d['stream_seq']}  "
            f"{d['event_type']}  {d['event_id']}  after {d['deliveries']} deliveries\n"
            f"    {d['error']}"
        )
    typer.echo(f"{len(letters)} dead letter(s) pending for {service}")


@dlq.command("replay")
def dlq_replay(
    service: str = typer.Argument(..., help="the service whose consumer should retry"),
    event_id: str | None = typer.Option(None, "--event-id", help="only this event"),
) -> None:
    """Re-drive pending dead letters through the handler (after a fix), then publish what
    the handler emitted. Safe to repeat: the inbox drops what was already applied."""
    from minyi.platform.app.assembly import build_runtime
    from minyi.platform.consuming import dead_letters
    from minyi.platform.settings import load_settings

    async def run() -> list[str]:
        runtime = build_runtime(load_service(service), load_settings(service))
        await runtime.broker.connect()
        try:
            return await dead_letters.replay(runtime, event_id)
        finally:
            await runtime.committer.stop()
            await runtime.broker.stop()
            await runtime.engine.dispose()

    done = asyncio.run(run())
    typer.echo(f"replayed {len(done)} dead letter(s) for {service}: {', '.join(done) or '-'}")


def _add_service_commands() -> None:
    for ep in entry_points(group="minyi.commands"):
        try:
            app.add_typer(ep.load(), name=ep.name)
        except Exception as exc:  # a broken plug-in must not take the CLI down
            typer.echo(f"warning: commands of {ep.name} not available: {exc}", err=True)


def main() -> None:
    from minyi.cli.token import app as token_app

    app.add_typer(token_app, name="token")
    _add_service_commands()
    app()


if __name__ == "__main__":
    main()
