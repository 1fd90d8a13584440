"""Autogenerate a service's next Alembic revision from its table metadata.

Usage: python scripts/new_migration.py SERVICE "what changes"

It upgrades a scratch SQLite database to the current head, then compares it with the
service's metadata, so the new revision holds exactly the difference.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from minyi.cli.main import load_service
from minyi.platform import migrations
from minyi.platform.db import create_engine


def _revise(conn: Connection, location: str, message: str, rev_id: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", location)
    cfg.attributes["connection"] = conn
    command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)


async def main(service: str, message: str) -> None:
    definition = load_service(service)
    location = migrations.script_location(definition.package)
    versions = Path(location) / "versions"
    rev_id = f"{len(list(versions.glob('[0-9]*.py'))) + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/scratch.sqlite3")
        await migrations.upgrade(engine, definition.package)
        async with engine.begin() as conn:
            await conn.run_sync(_revise, location, message, rev_id)
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
