"""Alembic environment: the models' metadata and the URL from engagement.settings.

A caller may pass an open connection in ``config.attributes["connection"]`` (tests do).
"""

import os
from logging.config import fileConfig

from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError

from alembic import context
from engagement.core.db import make_engine
from engagement.schema import metadata
from engagement.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), immediate=False)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


#: Set to 1 to let ``alembic downgrade`` run revisions whose downgrade deletes data.
ALLOW_DESTRUCTIVE = "ENGAGEMENT_ALLOW_DESTRUCTIVE_DOWNGRADE"


def _refuse_destructive_downgrade(connection) -> None:
    """Refuse a downgrade through a revision that drops data, unless the flag says so.

    Almost every downgrade drops a column or a table, and with it data nobody can get back; a
    revision whose downgrade keeps every row says so with ``downgrade_keeps_data = True``.
    """
    # The command's step function: alembic's ``downgrade`` command names it "downgrade".
    fn = getattr(getattr(context, "_proxy", None), "context_opts", {}).get("fn")
    if getattr(fn, "__name__", "") != "downgrade":
        return
    if os.environ.get(ALLOW_DESTRUCTIVE, "").strip().lower() in {"1", "true", "yes"}:
        return
    heads = MigrationContext.configure(connection).get_current_heads()
    steps = list(fn(heads, None))
    dropping = [step.revision.revision for step in steps
                if not getattr(step.revision.module, "downgrade_keeps_data", False)]
    if dropping:
        msg = (f"Refusing to downgrade through {', '.join(dropping)}: these downgrades delete data "
               f"(columns or tables). Take a backup first, then run again with {ALLOW_DESTRUCTIVE}=1.")
        raise CommandError(msg)


def _run(connection) -> None:
    _refuse_destructive_downgrade(connection)
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
