"""publish consent, one-time codes, citizens' support and public ratings

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
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('publish_consent', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # A one-time code's SMS belongs to no suggestion: its phone is sealed in the row.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('suggestion_id', existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column('phone_enc', sa.Text(), nullable=True))
    op.create_table('support_targets',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('acceptance_by', sa.String(length=20), nullable=True),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'id')
    )
    op.create_table('support_codes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('citizen_ref', sa.String(length=64), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_support_codes_citizen', 'support_codes', ['citizen_ref', 'created_at'], unique=False)
    op.create_table('supporter_sessions',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('citizen_ref', sa.String(length=64), nullable=False),
    sa.Column('created_at', minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_sha256')
    )
    op.create_table('supports',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('citizen_ref', sa.String(length=64), nullable=False),
    sa.Column('target_kind', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('supported_at', minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('citizen_ref', 'target_kind', 'target_id', name='uq_supports_once')
    )
    op.create_index('ix_supports_target', 'supports', ['target_kind', 'target_id'], unique=False)
    op.create_table('public_ratings',
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('citizen_ref', sa.String(length=64), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=False),
    sa.Column('rated_at', minyi.platform.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('project_id', 'citizen_ref')
    )


def downgrade() -> None:
    op.drop_table('public_ratings')
    op.drop_index('ix_supports_target', table_name='supports')
    op.drop_table('supports')
    op.drop_table('supporter_sessions')
    op.drop_index('ix_support_codes_citizen', table_name='support_codes')
    op.drop_table('support_codes')
    op.drop_table('support_targets')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('phone_enc')
        batch_op.alter_column('suggestion_id', existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_column('publish_consent')
