"""person dossier fields (gender, date of birth, rank, date of recruitment); audit log indexes (issue 16)

The audit log page filters by who acted, by the kind of record, by the record or by the action,
newest first: each of the four new indexes ends with the id, so a page is one backward range
read. They replace the single-column indexes on ``actor_account_id`` and ``action``, which they
cover.

Revision ID: c0a1d2e3f409
Revises: c0a1d2e3f408
Create Date: 2026-12-01 23:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = 'c0a1d2e3f409'
down_revision: str | None = 'c0a1d2e3f408'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('gender', sa.String(length=10), nullable=False, server_default=''))
        batch.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('rank', sa.String(length=120), nullable=False, server_default=''))
        batch.add_column(sa.Column('recruited_on', sa.Date(), nullable=True))
    with op.batch_alter_table('audit_entry') as batch:
        batch.create_index('ix_audit_entry_actor_id', ['actor_account_id', 'id'], unique=False)
        batch.create_index('ix_audit_entry_action_id', ['action', 'id'], unique=False)
        batch.create_index('ix_audit_entry_entity', ['entity', 'id'], unique=False)
        batch.create_index('ix_audit_entry_record', ['entity', 'entity_id', 'id'], unique=False)
        batch.drop_index('ix_audit_entry_action')
        batch.drop_index('ix_audit_entry_actor_account_id')


def downgrade() -> None:
    with op.batch_alter_table('audit_entry') as batch:
        batch.create_index('ix_audit_entry_actor_account_id', ['actor_account_id'], unique=False)
        batch.create_index('ix_audit_entry_action', ['action'], unique=False)
        batch.drop_index('ix_audit_entry_record')
        batch.drop_index('ix_audit_entry_entity')
        batch.drop_index('ix_audit_entry_action_id')
        batch.drop_index('ix_audit_entry_actor_id')
    with op.batch_alter_table('person') as batch:
        batch.drop_column('recruited_on')
        batch.drop_column('rank')
        batch.drop_column('birth_date')
        batch.drop_column('gender')
