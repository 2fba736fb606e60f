"""person sort key: people lists in Vietnamese name order (given name first)

Adds ``person.sort_key`` and fills it for every existing row with the application's own
``engagement.org.rules.sort_key`` (imported rather than copied: a list must sort existing and
new people alike), in batches so that a large staff table is never held in memory at once.

Revision ID: 9bfbfcfe8e60
Revises: d470e5da2c1c
Create Date: 2026-12-01 17:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engagement.org.rules import sort_key

revision: str = '9bfbfcfe8e60'
down_revision: str | None = 'd470e5da2c1c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000
_person = sa.table("person", sa.column("id", sa.Integer), sa.column("full_name", sa.String),
                   sa.column("sort_key", sa.String))


def _backfill() -> None:
    conn = op.get_bind()
    update = (_person.update().where(_person.c.id == sa.bindparam("pid"))
              .values(sort_key=sa.bindparam("key")))
    last = 0
    while True:
        rows = conn.execute(sa.select(_person.c.id, _person.c.full_name).where(_person.c.id > last)
                            .order_by(_person.c.id).limit(_BATCH)).all()
        if not rows:
            return
        conn.execute(update, [{"pid": pid, "key": sort_key(name)} for pid, name in rows])
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('sort_key', sa.String(length=200), nullable=False, server_default=''))
    _backfill()
    with op.batch_alter_table('person') as batch:
        batch.create_index(batch.f('ix_person_sort_key'), ['sort_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.drop_index(batch.f('ix_person_sort_key'))
        batch.drop_column('sort_key')
