"""friction fixes (issue 16): the date written on a paper signature; why a citizen's note was rejected

Revision ID: c0a1d2e3f406
Revises: c0a1d2e3f405
Create Date: 2026-12-01 20:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = 'c0a1d2e3f406'
down_revision: str | None = 'c0a1d2e3f405'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('commitment_signature') as batch:
        batch.add_column(sa.Column('paper_signed_on', sa.Date(), nullable=True))
    with op.batch_alter_table('citizen_thanks') as batch:
        batch.add_column(sa.Column('moderation_reason', sa.String(length=500), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('citizen_thanks') as batch:
        batch.drop_column('moderation_reason')
    with op.batch_alter_table('commitment_signature') as batch:
        batch.drop_column('paper_signed_on')
