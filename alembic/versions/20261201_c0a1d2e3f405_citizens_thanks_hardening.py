"""citizens' thanks hardening (issue 18): the dossier-number format and hold thresholds of the
organisation, and held ratings with the reason they were held (the head's decision reason
goes in moderation_reason, added by c0a1d2e3f406)

Revision ID: c0a1d2e3f405
Revises: c0a1d2e3f404
Create Date: 2026-12-01 19:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import engagement.core.db
from alembic import op

revision: str = 'c0a1d2e3f405'
down_revision: str | None = 'c0a1d2e3f404'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'thanks_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_formats', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column('hold_per_network', sa.Integer(), nullable=False),
        sa.Column('hold_per_person', sa.Integer(), nullable=False),
        sa.Column('updated_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_account_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('citizen_thanks') as batch:
        batch.add_column(sa.Column('hold_reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                   server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('citizen_thanks') as batch:
        batch.drop_column('hold_reason')
    op.drop_table('thanks_settings')
