"""Reporting's migrations on a real SQLite store: a store written by an older release reads
the same afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from minyi.platform.migrations import script_location
from minyi.reporting.adapters.tables import counts, suggestions
from minyi.reporting.domain.projection import MEASURES

CUBE = "citizen_appeal|{}|420802|城乡建设|城市能级"
RESOLVED, REPLIED = CUBE.format("resolved"), CUBE.format("replied")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/reporting.sqlite3")
    yield engine
    engine.dispose()


def migrate(engine: sa.Engine, revision: str, *, down: bool = False) -> None:
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", script_location("minyi.reporting"))
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


RATINGS_GIVEN = ("ratings", "ratings_satisfied", "first_rated", "first_satisfied")


def counter(generation: int, key: str, period: str = "a:all", **measures: int) -> dict[str, Any]:
    return {
        "generation": generation,
        "dimension": "cube",
        "period": period,
        "key": key,
        # The measures a store had before 0009 added the ratings given.
        **dict.fromkeys((m for m in MEASURES if m not in RATINGS_GIVEN), 0),
        **measures,
    }


def cube(engine: sa.Engine) -> dict[tuple[int, str, str], tuple[int, int]]:
    with engine.connect() as conn:
        c = counts.c
        rows = conn.execute(
            sa.select(c.generation, c.period, c.key, c.n, c.replied).where(c.dimension == "cube")
        ).mappings()
        return {(r["generation"], r["period"], r["key"]): (r["n"], r["replied"]) for r in rows}


def test_stored_resolved_statuses_and_cube_keys_become_replied_and_back(
    store: sa.Engine,
) -> None:
    migrate(store, "0005")
    with store.begin() as conn:
        conn.execute(
            suggestions.insert(),
            [
                {"generation": g, "suggestion_id": sid, "status": status}
                for g, sid, status in [(1, "s-1", "resolved"), (2, "s-1", "resolved"),
                                       (1, "s-2", "closed")]
            ],
        )  # fmt: skip
        conn.execute(
            counts.insert(),
            [
                counter(1, RESOLVED, n=2, replied=2),
                counter(1, RESOLVED, "m:2025-09", n=1, replied=1),
                counter(2, RESOLVED, n=3, replied=3),
                counter(1, CUBE.format("closed"), n=5, replied=5),
                # "resolved" elsewhere in a key is a category, not a status: left alone.
                counter(1, "citizen_appeal|closed|420802|resolved|x", n=1),
            ],
        )
    before = cube(store)

    migrate(store, "head")
    with store.connect() as conn:
        statuses = conn.execute(
            sa.select(suggestions.c.generation, suggestions.c.suggestion_id, suggestions.c.status)
        ).all()
    assert sorted(statuses) == [(1, "s-1", "replied"), (1, "s-2", "closed"), (2, "s-1", "replied")]
    after = cube(store)
    assert after == {(g, p, REPLIED if k == RESOLVED else k): v for (g, p, k), v in before.items()}

    migrate(store, "0005", down=True)
    assert cube(store) == before


def test_the_liaison_views_come_with_their_migration_and_go_with_it(store: sa.Engine) -> None:
    liaison = {"liaison_receptions", "liaison_counts", "liaison_stations", "liaison_deputies"}
    migrate(store, "0006")
    assert not liaison & set(sa.inspect(store).get_table_names())
    migrate(store, "head")
    assert liaison <= set(sa.inspect(store).get_table_names())
    with store.connect() as conn:
        ddl = conn.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE name = 'liaison_counts'")
        ).scalar()
    assert "WITHOUT ROWID" in str(ddl)  # read in key order, as ``counts``
    migrate(store, "0006", down=True)
    assert not liaison & set(sa.inspect(store).get_table_names())
