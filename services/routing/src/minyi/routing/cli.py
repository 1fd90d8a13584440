"""``minyi routing …``: train, evaluate and activate category models.

Registered under the ``minyi.commands`` entry-point group, so ``minyi`` finds it without
importing routing until it is asked for.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

app = typer.Typer(
    help="Routing: category models (train, evaluate, activate).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


def _with_session(work: Callable[[AsyncSession, Path], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction on routing's database, migrated to the newest revision."""
    from minyi.platform import migrations
    from minyi.platform.db import create_engine, session_factory
    from minyi.platform.settings import load_settings
    from minyi.routing.adapters.models import models_dir

    settings = load_settings("routing")

    async def run() -> T:
        engine = create_engine(settings.effective_database_url)
        try:
            await migrations.upgrade(engine, "minyi.routing")
            async with session_factory(engine)() as session, session.begin():
                return await work(session, models_dir(settings.data_dir))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _read(path: Path) -> list[Any]:
    from minyi.routing.adapters.corpus import CorpusError, read_labelled

    try:
        return read_labelled(path)
    except CorpusError as exc:
        raise typer.BadParameter(str(exc), param_hint="--from") from exc


@app.command()
def train(
    source: Annotated[
        Path, typer.Option("--from", help="CSV or XLSX: title, content, category [, unit]")
    ],
    version: str | None = typer.Option(None, help="version name (default: time + data hash)"),
    with_manual: bool = typer.Option(
        True, help="add the triage desk's manual decisions to the training rows"
    ),
    activate: bool = typer.Option(True, help="make it the version the service uses"),
) -> None:
    """Train a new model version and store it (the service loads it on start or reload)."""
    from minyi.routing.adapters import models
    from minyi.routing.adapters.reference import load_directory
    from minyi.routing.adapters.repositories import TrainingExamples

    rows = _read(source)
    known = load_directory().categories.keys()
    unknown = sorted({r.category for r in rows} - known)
    if unknown:
        raise typer.BadParameter(
            f"categories not in the taxonomy: {', '.join(unknown)}", param_hint="--from"
        )

    async def work(session: AsyncSession, directory: Path) -> str:
        all_rows = list(rows)
        if with_manual:
            all_rows += await TrainingExamples(session).labelled()
        now = datetime.now(UTC)
        name = version or models.new_version_name(now, all_rows)
        try:
            model = models.train(all_rows, name)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--from") from exc
        metrics = {
            "rows": len(all_rows),
            "manual_rows": len(all_rows) - len(rows),
            "classes": len(model.classes),
        }
        path = await models.ModelVersions(session).register(
            model,
            directory,
            source=str(source),
            trained_rows=len(all_rows),
            metrics=metrics,
            activate=activate,
            now=now,
        )
        typer.echo(
            f"model {name}: {len(all_rows)} rows ({metrics['manual_rows']} manual), "
            f"{len(model.classes)} categories, saved to {path}"
            + ("; active (restart routing or POST /v1/models/reload)" if activate else "")
        )
        return name

    _with_session(work)


@app.command()
def evaluate(
    source: Annotated[Path, typer.Option("--from", help="CSV or XLSX: title, content, category")],
    version: str | None = typer.Option(None, help="model version (default: the active one)"),
    rules: bool = typer.Option(True, help="front the model with the keyword rules, as served"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Accuracy, macro-F1, per-category report and confusion matrix on labelled data."""
    from sklearn.metrics import (
        accuracy_score,
        classification_report,
        confusion_matrix,
        f1_score,
    )

    from minyi.routing.adapters import models
    from minyi.routing.adapters.reference import load_directory, load_rules

    rows = _read(source)
    keyword_rules = load_rules(load_directory()) if rules else None

    async def work(session: AsyncSession, directory: Path) -> Any:
        try:
            return await models.ModelVersions(session).load(directory, keyword_rules, version)
        except LookupError as exc:
            raise typer.BadParameter(str(exc), param_hint="--version") from exc

    model = _with_session(work)
    gold = [r.category for r in rows]
    predicted = [model.predict(r.text).category for r in rows]
    labels = sorted(set(gold) | set(predicted))
    matrix = confusion_matrix(gold, predicted, labels=labels)
    result = {
        "model_version": model.version,
        "rows": len(rows),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "macro_f1": round(float(f1_score(gold, predicted, average="macro", zero_division=0)), 4),
        "per_class": classification_report(
            gold, predicted, labels=labels, output_dict=True, zero_division=0
        ),
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
    }
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(
        f"model {model.version} on {len(rows)} rows: accuracy {result['accuracy']:.4f}, "
        f"macro-F1 {result['macro_f1']:.4f}\n"
    )
    typer.echo(classification_report(gold, predicted, labels=labels, digits=4, zero_division=0))
    typer.echo("confusion matrix (rows: true, columns: predicted)")
    width = max(len(str(v)) for v in [*matrix.flatten(), len(labels)]) + 1
    typer.echo("    " + "".join(f"{i:>{width}}" for i in range(len(labels))))
    for i, label in enumerate(labels):
        cells = "".join(f"{v:>{width}}" for v in matrix[i])
        typer.echo(f"{i:>3} {cells}  {label}")


@app.command("models")
def list_models() -> None:
    """The stored model versions (* marks the active one)."""
    from minyi.routing.adapters import models

    async def work(session: AsyncSession, _directory: Path) -> list[dict[str, Any]]:
        return await models.ModelVersions(session).stored()

    versions = _with_session(work)
    if not versions:
        typer.echo(f"no trained versions; the service uses the shipped {models.DEFAULT_VERSION}")
    for v in versions:
        mark = "*" if v["active"] else " "
        typer.echo(
            f"{mark} {v['version']}  {v['trained_rows']} rows  {v['created_at']:%Y-%m-%d %H:%M}  {v['source']}"
        )


@app.command("activate")
def activate_version(version: str = typer.Argument(..., help="a stored version")) -> None:
    """Make a stored version the one the service uses (on start or reload)."""
    from minyi.routing.adapters import models

    async def work(session: AsyncSession, _directory: Path) -> bool:
        return await models.ModelVersions(session).activate(version)

    if not _with_session(work):
        raise typer.BadParameter(f"no model version {version}", param_hint="VERSION")
    typer.echo(f"{version} is active (restart routing or POST /v1/models/reload)")


@app.command("build-default", hidden=True)
def build_default(
    out: Annotated[
        Path | None, typer.Option(help="where to write (default: the packaged file)")
    ] = None,
) -> None:
    """Rebuild the shipped default model from the shipped demo corpus (for maintainers)."""
    from minyi.routing.adapters import models

    path = out or models.default_model_path()
    models.save_model(models.build_default_model(), path)
    typer.echo(f"wrote {path} ({path.stat().st_size} bytes)")
