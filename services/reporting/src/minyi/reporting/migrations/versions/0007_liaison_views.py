"""liaison views: reception days, their counters, the registry replica

Four generational read models (``minyi reporting rebuild`` fills them like the others).
Liaison events heard before this upgrade are already in the live generation's timeline, so
the live consumer will not fold them again: run ``minyi reporting rebuild`` once after the
upgrade to fill these views from the stream.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import minyi.platform.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MEASURES = (
    "receptions_scheduled", "receptions_held", "receptions_cancelled", "capacity", "booked",
    "bookings_made", "bookings_waitlisted", "bookings_promoted", "bookings_cancelled",
    "matters_answered", "matters_referred",
)  # fmt: skip


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, minyi.platform.db.UtcDateTime(), nullable=True)


def _versions() -> list[sa.Column[int]]:
    return [
        sa.Column("record_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status_version", sa.Integer(), server_default="0", nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "liaison_receptions",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("reception_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("district_codes", sa.JSON(), nullable=True),
        sa.Column("deputy_ids", sa.JSON(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("booked", sa.Integer(), nullable=True),
        sa.Column("bookings", sa.JSON(), nullable=True),
        sa.Column("matters", sa.JSON(), nullable=True),
        _when("starts_at"),
        _when("ends_at"),
        _when("scheduled_at"),
        _when("held_at"),
        _when("cancelled_at"),
        sa.PrimaryKeyConstraint("generation", "reception_id"),
    )
    op.create_table(
        "liaison_counts",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        *(sa.Column(m, sa.Integer(), server_default="0", nullable=False) for m in MEASURES),
        sa.PrimaryKeyConstraint("generation", "dimension", "period", "key"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "liaison_stations",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=True),
        sa.Column("division_codes", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        *_versions(),
        sa.PrimaryKeyConstraint("generation", "station_id"),
    )
    op.create_table(
        "liaison_deputies",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("division_code", sa.String(length=20), nullable=True),
        sa.Column("station_ids", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        *_versions(),
        sa.PrimaryKeyConstraint("generation", "deputy_id"),
    )


def downgrade() -> None:
    for table in ("liaison_deputies", "liaison_stations", "liaison_counts", "liaison_receptions"):
        op.drop_table(table)
