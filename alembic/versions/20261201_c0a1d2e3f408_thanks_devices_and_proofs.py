"""citizens' thanks: counter devices (issue 16) and spent proof-of-work challenges (issue 18)

Revision ID: c0a1d2e3f408
Revises: c0a1d2e3f407
Create Date: 2026-12-01 23:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import engagement.core.db
from alembic import op

revision: str = 'c0a1d2e3f408'
down_revision: str | None = 'c0a1d2e3f407'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'thanks_device',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('enrol_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('enrol_expires_at', engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('enrolled_at', engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_account_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_account_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('enrol_hash'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('thanks_device') as batch:
        batch.create_index(batch.f('ix_thanks_device_unit_id'), ['unit_id'], unique=False)
    op.create_table(
        'thanks_proof',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('challenge', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('expires_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('challenge'),
    )
    with op.batch_alter_table('thanks_proof') as batch:
        batch.create_index(batch.f('ix_thanks_proof_expires_at'), ['expires_at'], unique=False)
    with op.batch_alter_table('citizen_thanks') as batch:
        batch.add_column(sa.Column('device_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_citizen_thanks_device_id'), ['device_id'], unique=False)
        batch.create_foreign_key('fk_citizen_thanks_device', 'thanks_device', ['device_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('citizen_thanks') as batch:
        batch.drop_constraint('fk_citizen_thanks_device', type_='foreignkey')
        batch.drop_index(batch.f('ix_citizen_thanks_device_id'))
        batch.drop_column('device_id')
    with op.batch_alter_table('thanks_proof') as batch:
        batch.drop_index(batch.f('ix_thanks_proof_expires_at'))
    op.drop_table('thanks_proof')
    with op.batch_alter_table('thanks_device') as batch:
        batch.drop_index(batch.f('ix_thanks_device_unit_id'))
    op.drop_table('thanks_device')
