"""the recurring-appeal index keyed by a compact member key

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 06:00:00.000000

``appeal_keys`` (band key, member key) replaces ``appeal_bands`` (band key, suggestion id,
filing time), and ``suggestions.appeal_member`` resolves a member key. Expand only: the
old table stays for a routing of the previous release during a rolling update, and goes
with the next release. The new table starts empty: routing's start
(``AppealIndex.prepare``) indexes the window's suggestions that have no member key yet.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appeal_keys',
    sa.Column('band_key', sa.BigInteger(), nullable=False),
    sa.Column('member', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('band_key', 'member'),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('appeal_keys', schema=None) as batch_op:
        batch_op.create_index('ix_appeal_keys_member', ['member'], unique=False)
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appeal_member', sa.BigInteger(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_suggestions_appeal_member'), ['appeal_member'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestions_appeal_member'))
        batch_op.drop_column('appeal_member')
    with op.batch_alter_table('appeal_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_appeal_keys_member')
    op.drop_table('appeal_keys')
