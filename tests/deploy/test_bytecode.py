"""`make env` installs compiled bytecode (the Makefile says why): a service process then
starts without compiling FastAPI, SQLAlchemy, alembic and the rest from source."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import alembic
import fastapi
import sqlalchemy

import minyi.platform.app.assembly as assembly

REPO = Path(__file__).resolve().parents[2]


def test_the_heavy_dependencies_and_the_platform_have_bytecode() -> None:
    missing = [
        m.__name__
        for m in (fastapi, sqlalchemy, alembic, assembly)
        if m.__file__ is None or not Path(importlib.util.cache_from_source(m.__file__)).exists()
    ]
    assert not missing, (
        f"no bytecode for {missing}: install with `make env` (uv --compile-bytecode)"
    )


def test_the_makefile_compiles_what_it_installs() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "sync --frozen --all-packages --compile-bytecode" in makefile
    assert "compileall" in makefile
