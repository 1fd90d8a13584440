"""formal suggestions: number, delivery item, review and extension queues, co-units,
key topics and their candidates

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
    # sa.false(): a literal 0 is no boolean default on PostgreSQL.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('delivery_of', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('awaiting_review', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('extension_pending', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        'case_co_units',
        sa.Column('case_id', sa.String(length=80), nullable=False),
        sa.Column('unit_id', sa.String(length=64), nullable=False),
        sa.Column('suggestion_id', sa.String(length=64), nullable=False),
        sa.Column('views_by', minyi.platform.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('case_id', 'unit_id'),
    )
    with op.batch_alter_table('case_co_units', schema=None) as batch_op:
        batch_op.create_index('ix_case_co_units_unit_id', ['unit_id'], unique=False)

    op.create_table(
        'topics',
        sa.Column('topic_id', sa.String(length=40), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.String(length=64), nullable=False),
        sa.Column('lead_name', sa.String(length=200), nullable=False),
        sa.Column('opened_at', minyi.platform.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('topic_id'),
    )
    op.create_table(
        'topic_links',
        sa.Column('topic_id', sa.String(length=40), nullable=False),
        sa.Column('suggestion_id', sa.String(length=64), nullable=False),
        sa.Column('linked_at', minyi.platform.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('topic_id', 'suggestion_id'),
    )
    op.create_table(
        'topic_candidates',
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('ref', sa.String(length=80), nullable=False),
        sa.Column('title', sa.Text(), nullable=True),
        sa.Column('district', sa.String(length=20), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('updated_at', minyi.platform.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('source', 'ref'),
    )
    with op.batch_alter_table('topic_candidates', schema=None) as batch_op:
        batch_op.create_index('ix_topic_candidates_size', ['size'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('topic_candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_topic_candidates_size')
    op.drop_table('topic_candidates')
    op.drop_table('topic_links')
    op.drop_table('topics')
    with op.batch_alter_table('case_co_units', schema=None) as batch_op:
        batch_op.drop_index('ix_case_co_units_unit_id')
    op.drop_table('case_co_units')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('extension_pending')
        batch_op.drop_column('awaiting_review')
        batch_op.drop_column('delivery_of')
        batch_op.drop_column('number')
