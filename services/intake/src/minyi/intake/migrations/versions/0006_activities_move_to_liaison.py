"""activities move to liaison

Representatives' duties (履职登记) are recorded by liaison from now on
(``POST /v1/deputies/{deputy_id}/activities``, event ``ActivityRecorded``); intake's
``activities`` table is dropped. Its history stays in the event stream: every row was
published as ``RepresentativeActivityLogged`` (``minyi.representative.activity_logged``),
which reporting keeps reading.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import minyi.platform.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_representative_id"))
    op.drop_table("activities")


def downgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("representative_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("logged_at", minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activities_representative_id"), ["representative_id"], unique=False
        )
