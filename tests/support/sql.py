"""What SQLAlchemy hands a database driver, for tests that count or inspect statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


def statements_sent(engine: AsyncEngine) -> list[str]:
    """The statements SQLAlchemy's execution path hands ``engine``'s driver from now on
    (``driver_sql``'s straight statements on SQLite are not among them)."""
    statements: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    return statements
