"""Every service's migrations build exactly the schema its ``tables.py`` declares.

A service creates its store by running its migrations (``minyi migrate`` and at start-up),
while its code reads and writes through ``tables.py``: a column added to one and not the
other passes every test that builds the store the same way, then fails in production.
Alembic's own comparison (what ``alembic revision --autogenerate`` would write) must find
nothing, on SQLite (the default store) and PostgreSQL (production).
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from minyi.platform.migrations import script_location
from tests.support import infra

SERVICES = ("intake", "routing", "supervision", "reporting", "liaison")


def _metadata(service: str) -> sa.MetaData:
    return importlib.import_module(f"minyi.{service}.adapters.tables").metadata  # type: ignore[no-any-return]


def _upgrade(connection: sa.Connection, service: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", script_location(f"minyi.{service}"))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def _differences(connection: sa.Connection, service: str) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [d for d in compare_metadata(context, _metadata(service)) if not _ignored(d)]


def _ignored(diff: Any) -> bool:
    # Alembic's own version table is not the service's.
    return (
        isinstance(diff, tuple) and diff[0] == "remove_table" and diff[1].name == "alembic_version"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_build_the_declared_schema_on_sqlite(service: str, tmp_path: Any) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/{service}.sqlite3")
    try:
        with engine.begin() as connection:
            _upgrade(connection, service)
        with engine.connect() as connection:
            assert _differences(connection, service) == []
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("service", SERVICES)
def test_migrations_build_the_declared_schema_on_postgresql(
    service: str, postgres_admin_url: str
) -> None:
    async def check(url: str) -> list[Any]:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(_upgrade, service)
            async with engine.connect() as connection:
                return await connection.run_sync(_differences, service)
        finally:
            await engine.dispose()

    with infra.postgres_databases(postgres_admin_url, [service]) as urls:
        assert asyncio.run(check(urls[service])) == []
