"""commendations: a revoked award stays in the register beside a new one (one standing award per
subject, title and year, instead of one row of any kind)

Revision ID: c0a1d2e3f400
Revises: 575d50a64635
Create Date: 2026-12-01 19:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0a1d2e3f400"
down_revision: str | None = "575d50a64635"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("commend_award") as batch:
        batch.drop_constraint("uq_commend_award", type_="unique")
    op.create_index("uq_commend_award_live", "commend_award", ["year", "title_id", "subject_key"], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    # Refused by the database while a title was decided again after a revocation (two rows).
    op.drop_index("uq_commend_award_live", table_name="commend_award")
    with op.batch_alter_table("commend_award") as batch:
        batch.create_unique_constraint("uq_commend_award", ["year", "title_id", "subject_key"])
