"""good models: the register of good models (mô hình hay), their results, files and adoptions

Revision ID: c0a1d2e3f402
Revises: c0a1d2e3f401
Create Date: 2026-12-01 19:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import engagement.core.db

revision: str = 'c0a1d2e3f402'
down_revision: str | None = 'c0a1d2e3f401'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'good_model',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('title_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('search_key', sa.Text(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('return_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('decision_ref', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('initiative_id', sa.Integer(), nullable=True),
        sa.Column('award_id', sa.Integer(), nullable=True),
        sa.Column('created_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_account_id', sa.Integer(), nullable=True),
        sa.Column('recognised_at', engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('recognised_by_account_id', sa.Integer(), nullable=True),
        sa.Column('published_at', engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('published_by_account_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['award_id'], ['commend_award.id']),
        sa.ForeignKeyConstraint(['initiative_id'], ['commend_initiative.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year', 'title_key', name='uq_good_model_title'),
    )
    op.create_index('ix_good_model_unit_id', 'good_model', ['unit_id'], unique=False)
    op.create_index('ix_good_model_status_year', 'good_model', ['status', 'year'], unique=False)
    op.create_table(
        'good_model_adoption',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('plan', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('report', sa.Text(), nullable=False),
        sa.Column('reported_on', sa.Date(), nullable=True),
        sa.Column('reported_at', engagement.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('reported_by_account_id', sa.Integer(), nullable=True),
        sa.Column('created_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_account_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['model_id'], ['good_model.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('model_id', 'unit_id', name='uq_good_model_adoption'),
    )
    op.create_index('ix_good_model_adoption_due_on', 'good_model_adoption', ['due_on'], unique=False)
    op.create_index('ix_good_model_adoption_model_id', 'good_model_adoption', ['model_id'], unique=False)
    op.create_index('ix_good_model_adoption_unit_id', 'good_model_adoption', ['unit_id'], unique=False)
    op.create_table(
        'good_model_result',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('adoption_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('indicator', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('value_before', sa.Float(), nullable=False),
        sa.Column('value_after', sa.Float(), nullable=False),
        sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('created_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['adoption_id'], ['good_model_adoption.id']),
        sa.ForeignKeyConstraint(['model_id'], ['good_model.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_good_model_result_adoption_id', 'good_model_result', ['adoption_id'], unique=False)
    op.create_index('ix_good_model_result_model_id', 'good_model_result', ['model_id'], unique=False)
    op.create_table(
        'good_model_file',
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('adoption_id', sa.Integer(), nullable=True),
        sa.Column('created_at', engagement.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['adoption_id'], ['good_model_adoption.id']),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id']),
        sa.ForeignKeyConstraint(['model_id'], ['good_model.id']),
        sa.PrimaryKeyConstraint('model_id', 'file_id'),
    )


def downgrade() -> None:
    op.drop_table('good_model_file')
    op.drop_index('ix_good_model_result_model_id', table_name='good_model_result')
    op.drop_index('ix_good_model_result_adoption_id', table_name='good_model_result')
    op.drop_table('good_model_result')
    op.drop_index('ix_good_model_adoption_unit_id', table_name='good_model_adoption')
    op.drop_index('ix_good_model_adoption_model_id', table_name='good_model_adoption')
    op.drop_index('ix_good_model_adoption_due_on', table_name='good_model_adoption')
    op.drop_table('good_model_adoption')
    op.drop_index('ix_good_model_status_year', table_name='good_model')
    op.drop_index('ix_good_model_unit_id', table_name='good_model')
    op.drop_table('good_model')
