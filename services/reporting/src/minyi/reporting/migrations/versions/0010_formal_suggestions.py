"""formal suggestions

Deputies' formal suggestions (代表建议, issue 18): the suggestion view keeps the yearly
number, the report's year and what the formal events add (``formal``), indexed by year for
the year's report and its handling table. Formal suggestions and B deliveries no longer
count as people's appeals. Events heard before this upgrade are already in the live
generation's timeline: run ``minyi reporting rebuild`` once after the upgrade.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("formal_number", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("formal_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("formal", sa.JSON(), nullable=True))
        batch_op.create_index(
            "ix_suggestions_formal_year", ["generation", "formal_year", "formal_number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestions_formal_year")
        batch_op.drop_column("formal")
        batch_op.drop_column("formal_year")
        batch_op.drop_column("formal_number")
