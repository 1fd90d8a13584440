"""ratings given

Satisfaction on every rating citizens gave (issue 22): the counters get the ratings given,
the satisfied ones, and the first round's; the suggestion view keeps them per item (the
drill-down lists filter on them). Existing rows start at zero: ``minyi reporting rebuild``
recomputes them from the stream.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MEASURES = ("ratings", "ratings_satisfied", "first_rated", "first_satisfied")


def upgrade() -> None:
    with op.batch_alter_table("counts", schema=None) as batch_op:
        for measure in MEASURES:
            batch_op.add_column(
                sa.Column(measure, sa.Integer(), nullable=False, server_default="0")
            )
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ratings", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ratings_satisfied", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("first_rating", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_column("first_rating")
        batch_op.drop_column("ratings_satisfied")
        batch_op.drop_column("ratings")
    with op.batch_alter_table("counts", schema=None) as batch_op:
        for measure in reversed(MEASURES):
            batch_op.drop_column(measure)
