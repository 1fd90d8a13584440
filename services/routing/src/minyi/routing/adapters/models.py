"""Model files and versions: files under ``<MINYI_DATA_DIR>/routing/models`` plus a table
of versions.

The shipped default (``data/models/default.npz``, trained on the demo corpus) serves until an
operator trains and activates a version of their own with ``minyi routing train``.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.routing.adapters.corpus import LabelledRow
from minyi.routing.adapters.tables import model_versions
from minyi.routing.domain.classifier import KeywordRules, TextClassifier

log = logging.getLogger(__name__)

DEFAULT_VERSION = "default-demo-1"


def packaged(name: str) -> Path:
    return Path(str(resources.files("minyi.routing").joinpath("data", name)))


def default_model_path() -> Path:
    return packaged("models/default.npz")


def demo_corpus() -> list[LabelledRow]:
    with packaged("demo_corpus.csv").open(encoding="utf-8", newline="") as f:
        return [LabelledRow(r["title"], r["content"], r["category"]) for r in csv.DictReader(f)]


def train(rows: list[LabelledRow], version: str) -> TextClassifier:
    return TextClassifier.train([r.text for r in rows], [r.category for r in rows], version)


def build_default_model() -> TextClassifier:
    """The shipped model, from the shipped corpus (a test checks the file matches)."""
    return train(demo_corpus(), DEFAULT_VERSION)


def models_dir(data_dir: Path) -> Path:
    return data_dir / "routing" / "models"


def new_version_name(now: datetime, rows: list[LabelledRow]) -> str:
    digest = hashlib.sha256(
        "\n".join(f"{r.category}\t{r.text}" for r in rows).encode("utf-8")
    ).hexdigest()
    return f"{now:%Y%m%d-%H%M%S}-{digest[:8]}"


def save_model(model: TextClassifier, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:  # a file handle stops numpy from appending ".npz"
        np.savez_compressed(f, allow_pickle=False, **model.to_arrays())


def load_model(path: Path, rules: KeywordRules | None = None) -> TextClassifier:
    with np.load(path, allow_pickle=False) as data:
        return TextClassifier.from_arrays(data, rules, origin=str(path))


class ModelVersions:
    """The table of trained versions (``uow.model_versions``; operator commands build one
    over their own session). Each version's file lies in ``directory``; the table keeps its
    bytes too, so a replica without the file restores it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def register(
        self,
        model: TextClassifier,
        directory: Path,
        *,
        source: str,
        trained_rows: int,
        metrics: dict[str, Any],
        activate: bool,
        now: datetime,
    ) -> Path:
        """Save the model file and record the version (optionally as the active one)."""
        path = directory / f"{model.version}.npz"
        save_model(model, path)
        content = path.read_bytes()
        if activate:
            await self.session.execute(update(model_versions).values(active=False))
        await self.session.execute(
            model_versions.insert().values(
                version=model.version,
                file_name=path.name,
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                trained_rows=trained_rows,
                source=source[:400],
                metrics=metrics,
                active=activate,
                created_at=now,
            )
        )
        return path

    async def activate(self, version: str) -> bool:
        found = (
            await self.session.execute(
                select(model_versions.c.version).where(model_versions.c.version == version)
            )
        ).first()
        if found is None:
            return False
        await self.session.execute(update(model_versions).values(active=False))
        await self.session.execute(
            update(model_versions).where(model_versions.c.version == version).values(active=True)
        )
        return True

    async def stored(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(
                model_versions.c.version,
                model_versions.c.file_name,
                model_versions.c.sha256,
                model_versions.c.trained_rows,
                model_versions.c.source,
                model_versions.c.metrics,
                model_versions.c.active,
                model_versions.c.created_at,
            ).order_by(model_versions.c.created_at)
        )
        return [dict(r) for r in rows.mappings()]

    async def load(
        self, directory: Path, rules: KeywordRules | None, version: str | None = None
    ) -> TextClassifier:
        """The named version, else the active one, else the shipped default."""
        query = select(model_versions)
        query = (
            query.where(model_versions.c.version == version)
            if version
            else query.where(model_versions.c.active.is_(True))
        )
        row = (await self.session.execute(query)).mappings().first()
        if row is None:
            if version:
                raise LookupError(f"no model version {version}")
            return load_model(default_model_path(), rules)
        path = directory / row["file_name"]
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != row["sha256"]:
            # Another replica trained it, or the file was lost: the table keeps the bytes.
            log.warning("model file %s missing or changed; restoring it from the table", path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(row["content"])
        return load_model(path, rules)
