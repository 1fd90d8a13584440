"""交办 queue of deputies' formal suggestions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 06:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import minyi.platform.db  # noqa: F401 - custom column types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('formal_assignments',
    sa.Column('suggestion_id', sa.String(length=64), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('lead_deputy_id', sa.String(length=64), nullable=False),
    sa.Column('signer_ids', sa.JSON(), nullable=False),
    sa.Column('formal', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('proposal', sa.JSON(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('waiting_since', minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('suggestion_id')
    )
    with op.batch_alter_table('formal_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_formal_assignments_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('formal_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_formal_assignments_status'))

    op.drop_table('formal_assignments')
