"""Migrations: an empty database upgraded to head matches the models exactly."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from alembic import command
from engagement.core.db import make_engine
from engagement.schema import metadata
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]


def _upgrade(connection: sa.Connection) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["connection"] = connection
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


def _diff(connection: sa.Connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


def test_upgrade_to_head_matches_models_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}", immediate=False)
    with engine.connect() as conn:
        _upgrade(conn)
        conn.commit()
        assert _diff(conn) == []
        assert set(metadata.tables) <= set(sa.inspect(conn).get_table_names())
    engine.dispose()


def test_upgrade_to_head_matches_models_on_postgres():
    import pytest

    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL not set")
    engine = make_engine(POSTGRES_URL)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS migration_test_{os.getpid()} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA migration_test_{os.getpid()}")
        conn.exec_driver_sql(f"SET search_path TO migration_test_{os.getpid()}")
        conn.commit()
        _upgrade(conn)
        conn.commit()
        assert _diff(conn) == []
        conn.exec_driver_sql("SET search_path TO public")
        conn.exec_driver_sql(f"DROP SCHEMA migration_test_{os.getpid()} CASCADE")
        conn.commit()
    engine.dispose()
