"""improvement projects, their evidence files, published recurring appeals, citizens'
support

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import minyi.platform.db  # noqa: F401 - custom column types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('topic_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supports', sa.Integer(), server_default=sa.text('0'), nullable=False))

    op.create_table(
        'projects',
        sa.Column('project_id', sa.String(length=40), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('focus_area', sa.String(length=40), nullable=False),
        sa.Column('lead_unit_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('next_check_at', minyi.platform.db.UtcDateTime(), nullable=True),
        sa.Column('registered_at', minyi.platform.db.UtcDateTime(), nullable=False),
        sa.Column('state', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('project_id'),
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_next_check_at'), ['next_check_at'], unique=False)

    op.create_table(
        'project_evidence',
        sa.Column('file_id', sa.String(length=40), nullable=False),
        sa.Column('project_id', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('media_type', sa.String(length=120), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('stored_at', minyi.platform.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('file_id'),
    )
    with op.batch_alter_table('project_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_evidence_project_id'), ['project_id'], unique=False)

    op.create_table(
        'published_appeals',
        sa.Column('cluster_id', sa.String(length=80), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('division_codes', sa.JSON(), nullable=False),
        sa.Column('focus_area', sa.String(length=40), nullable=True),
        sa.Column('public', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('published_at', minyi.platform.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('cluster_id'),
    )

    op.create_table(
        'supports',
        sa.Column('support_id', sa.String(length=80), nullable=False),
        sa.Column('target_kind', sa.String(length=20), nullable=False),
        sa.Column('target_id', sa.String(length=80), nullable=False),
        sa.Column('supported_at', minyi.platform.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('support_id'),
    )
    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.create_index('ix_supports_target', ['target_kind', 'target_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.drop_index('ix_supports_target')
    op.drop_table('supports')
    op.drop_table('published_appeals')
    with op.batch_alter_table('project_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_evidence_project_id'))
    op.drop_table('project_evidence')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_next_check_at'))
        batch_op.drop_index(batch_op.f('ix_projects_lead_unit_id'))
    op.drop_table('projects')
    with op.batch_alter_table('topic_candidates', schema=None) as batch_op:
        batch_op.drop_column('supports')
