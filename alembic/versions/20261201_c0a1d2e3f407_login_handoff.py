"""session cookie set over HTTP (issue 18 §4): the one-time login hand-off code

Revision ID: c0a1d2e3f407
Revises: c0a1d2e3f406
Create Date: 2026-12-01 23:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

import engagement.core.db
from alembic import op

revision: str = 'c0a1d2e3f407'
down_revision: str | None = 'c0a1d2e3f406'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_handoff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('created_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['session_id'], ['auth_session.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code_hash'),
    )
    op.create_index(op.f('ix_login_handoff_session_id'), 'login_handoff', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_handoff_session_id'), table_name='login_handoff')
    op.drop_table('login_handoff')
