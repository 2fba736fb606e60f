"""chain seals (issue 17): an HMAC under a key outside the database on every signature and decision

Existing rows keep an empty seal; ``engagement seal-chains`` seals them once (after checking
their hashes), and verification reports a row without a seal until then.

Revision ID: c0a1d2e3f404
Revises: c0a1d2e3f402
Create Date: 2026-12-01 19:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = 'c0a1d2e3f404'
down_revision: str | None = 'c0a1d2e3f402'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
#: The downgrade drops the seals (alembic/env.py refuses it without ENGAGEMENT_ALLOW_DESTRUCTIVE_DOWNGRADE).
downgrade_keeps_data = False


def upgrade() -> None:
    for table in ('commitment_signature', 'commend_decision'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('seal', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    for table in ('commitment_signature', 'commend_decision'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('seal')
