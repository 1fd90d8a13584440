"""Deputies' activities (履职登记), the performance file (履职档案), scores, quarterly
snapshots and disputes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import minyi.platform.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("deputy_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=True),
        sa.Column("district_code", sa.String(length=20), nullable=True),
        sa.Column("recorded_by", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_subject", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index("ix_activities_deputy_on", ["deputy_id", "on_day"], unique=False)

    op.create_table(
        "file_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("deputy_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("struck", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("file_entries", schema=None) as batch_op:
        batch_op.create_index("ix_file_entries_deputy_year", ["deputy_id", "year"], unique=False)
        batch_op.create_index("ix_file_entries_ref", ["ref"], unique=False)

    op.create_table(
        "deputy_scores",
        sa.Column("deputy_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("policy_version", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("scored_at", minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("deputy_id", "year"),
    )

    op.create_table(
        "performance_snapshots",
        sa.Column("deputy_id", sa.String(length=64), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=False),
        sa.Column("band_label", sa.String(length=20), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("policy_version", sa.String(length=50), nullable=False),
        sa.Column("published_at", minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("deputy_id", "quarter"),
    )
    with op.batch_alter_table("performance_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_performance_snapshots_quarter", ["quarter"], unique=False)

    op.create_table(
        "disputes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("deputy_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_at", minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", minyi.platform.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index("ix_disputes_entry", ["entry_id"], unique=False)
        batch_op.create_index("ix_disputes_status", ["status", "opened_at"], unique=False)
        batch_op.create_index("ix_disputes_deputy", ["deputy_id"], unique=False)


def downgrade() -> None:
    for table, indexes in (
        ("disputes", ("ix_disputes_deputy", "ix_disputes_status", "ix_disputes_entry")),
        ("performance_snapshots", ("ix_performance_snapshots_quarter",)),
        ("deputy_scores", ()),
        ("file_entries", ("ix_file_entries_ref", "ix_file_entries_deputy_year")),
        ("activities", ("ix_activities_deputy_on",)),
    ):
        if indexes:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for index in indexes:
                    batch_op.drop_index(index)
        op.drop_table(table)
