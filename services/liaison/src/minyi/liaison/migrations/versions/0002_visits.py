"""officials' visits: visits, their questions and commitments

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import minyi.platform.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _instant(name: str, nullable: bool) -> sa.Column[Any]:
    return sa.Column(name, minyi.platform.db.UtcDateTime(timezone=True), nullable=nullable)


def _answer_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=1), nullable=True),
        _instant("replied_at", True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("reply_round", sa.Integer(), nullable=True),
        _instant("overdue_at", True),
    ]


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("official_name", sa.String(length=50), nullable=False),
        sa.Column("official_post", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("unit_name", sa.String(length=100), nullable=False),
        _instant("starts_at", False),
        _instant("ends_at", False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _instant("planned_at", False),
        sa.Column("planned_by", sa.String(length=200), nullable=False),
        sa.Column("deputy_ids", sa.JSON(), nullable=False),
        sa.Column("citizens", sa.Integer(), nullable=True),
        _instant("closed_at", True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_start", ["starts_at"], unique=False)
        batch_op.create_index("ix_visits_station_start", ["station_id", "starts_at"], unique=False)

    op.create_table(
        "visit_questions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("asked_by", sa.String(length=10), nullable=False),
        sa.Column("deputy_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _instant("submitted_at", False),
        _instant("moderated_at", True),
        sa.Column("moderated_by", sa.String(length=200), nullable=True),
        sa.Column("reject_reason", sa.String(length=500), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        _instant("written_required_at", True),
        *_answer_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visit_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_questions_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("unit_name", sa.String(length=100), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _instant("due_at", False),
        _instant("made_at", False),
        *_answer_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_visit_id"), ["visit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_visit_id"))
    op.drop_table("commitments")
    with op.batch_alter_table("visit_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_questions_visit_id"))
    op.drop_table("visit_questions")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_station_start")
        batch_op.drop_index("ix_visits_start")
    op.drop_table("visits")
