"""projects in public

Issue 19: the improvement projects (a record per project, folded from supervision's project
events), the recurring appeals the office published, support counts (附议) per target, the
township and publish consent of a filing (the map's drill-down), stations' coordinates.
Events heard before this upgrade are already in the live generation's timeline: run
``minyi reporting rebuild`` once after the upgrade to fill these from the stream.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import minyi.platform.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("township", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("publish_consent", sa.Boolean(), nullable=True))
    with op.batch_alter_table("liaison_stations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    op.create_table(
        "projects",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("focus_area", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("percent", sa.Integer(), nullable=True),
        sa.Column("division_codes", sa.JSON(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("generation", "project_id"),
    )
    op.create_index("ix_projects_focus", "projects", ["generation", "focus_area"])
    op.create_table(
        "public_appeals",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("division_codes", sa.JSON(), nullable=True),
        sa.Column("focus_area", sa.String(length=40), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("published_at", minyi.platform.db.UtcDateTime(), nullable=True),
        sa.Column("rank", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("generation", "cluster_id"),
    )
    op.create_index("ix_public_appeals_public", "public_appeals", ["generation", "public"])
    op.create_table(
        "supports",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("generation", "target_kind", "target_id"),
    )


def downgrade() -> None:
    op.drop_table("supports")
    op.drop_index("ix_public_appeals_public", table_name="public_appeals")
    op.drop_table("public_appeals")
    op.drop_index("ix_projects_focus", table_name="projects")
    op.drop_table("projects")
    with op.batch_alter_table("liaison_stations", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_column("publish_consent")
        batch_op.drop_column("township")
