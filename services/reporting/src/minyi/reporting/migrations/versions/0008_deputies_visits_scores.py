"""deputies' duties: officials' visits, policy scores per year, published quarters

Three generational read models (``minyi reporting rebuild`` fills them like the others).
Events heard before this upgrade (visits, scores, activities recorded in liaison,
commitments and visit questions, which now count in the units' follow-up figures instead
of as suggestions) are already in the live generation's timeline, so the live consumer
will not fold them again: run ``minyi reporting rebuild`` once after the upgrade.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import minyi.platform.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, minyi.platform.db.UtcDateTime(), nullable=True)


def _score(name: str, period: sa.Column[object], *own: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.String(length=64), nullable=False),
        period,
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("band", sa.String(length=40), nullable=True),
        sa.Column("band_label", sa.String(length=40), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=True),
        sa.Column("policy_version", sa.String(length=40), nullable=True),
        *own,
        sa.Column("rank", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("generation", "deputy_id", period.name),
    )


def upgrade() -> None:
    op.create_table(
        "liaison_visits",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.Column("unit_name", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("district_codes", sa.JSON(), nullable=True),
        sa.Column("deputy_ids", sa.JSON(), nullable=True),
        sa.Column("citizens", sa.Integer(), nullable=True),
        sa.Column("answered", sa.Integer(), nullable=True),
        sa.Column("pending", sa.Integer(), nullable=True),
        sa.Column("commitments", sa.Integer(), nullable=True),
        _when("starts_at"),
        _when("held_at"),
        _when("cancelled_at"),
        sa.PrimaryKeyConstraint("generation", "visit_id"),
    )
    op.create_index("ix_liaison_visits_held", "liaison_visits", ["generation", "held_at"])
    _score(
        "deputy_scores",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        _when("scored_at"),
    )
    _score(
        "deputy_snapshots",
        sa.Column("quarter", sa.String(length=7), nullable=False),
        _when("published_at"),
    )


def downgrade() -> None:
    op.drop_table("deputy_snapshots")
    op.drop_table("deputy_scores")
    op.drop_index("ix_liaison_visits_held", table_name="liaison_visits")
    op.drop_table("liaison_visits")
