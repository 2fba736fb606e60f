"""account language: each person's interface language ("" = the organisation's default)

Revision ID: e1a4c2b7d903
Revises: 07391f586e3c
Create Date: 2026-12-01 15:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e1a4c2b7d903'
down_revision: str | None = '07391f586e3c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.add_column(sa.Column('language', sa.String(length=10), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.drop_column('language')
