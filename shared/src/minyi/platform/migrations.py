"""Alembic migrations per service, applied by ``minyi migrate`` and at start-up."""

from __future__ import annotations

from importlib import resources

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from minyi.platform.db import serialize_on


def script_location(package: str) -> str:
    return str(resources.files(package).joinpath("migrations"))


def _upgrade(connection: Connection, location: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", location)
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade(engine: AsyncEngine, package: str) -> None:
    """Bring the service's database to the newest revision (safe with N replicas starting)."""
    location = script_location(package)
    async with engine.begin() as conn:
        # Replicas starting together take turns; the second finds nothing left to do.
        await serialize_on(conn, package)
        await conn.run_sync(_upgrade, location)


def run_env(metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        user_module_prefix="minyi.platform.db.",
    )
    with context.begin_transaction():
        context.run_migrations()
