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


def test_the_seeded_values_speak_the_organisations_language(tmp_path, monkeypatch):
    monkeypatch.setenv("ENGAGEMENT_LANGUAGE", "vi")
    monkeypatch.setenv("ENGAGEMENT_ALLOW_DESTRUCTIVE_DOWNGRADE", "1")  # down through the later tables and back
    engine = make_engine(f"sqlite:///{tmp_path / 'v.db'}", immediate=False)
    with engine.connect() as conn:
        _upgrade(conn)
        conn.commit()
        names = dict(conn.execute(sa.text("select code, name from recognition_value")).all())
        # An officer's own wording is kept: edit one, migrate down and up again.
        conn.execute(sa.text("update recognition_value set name = 'Bốn xin' where code = '4-requests'"))
        conn.commit()
        config = Config(str(ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(ROOT / "alembic"))
        config.attributes["connection"] = conn
        config.attributes["configure_logging"] = False
        command.downgrade(config, "e1a4c2b7d903")
        command.upgrade(config, "head")
        conn.commit()
        again = dict(conn.execute(sa.text("select code, name from recognition_value")).all())
    engine.dispose()
    assert names["4-requests"] == "4 xin" and names["4-always"] == "4 luôn" and names["discipline"] == "Kỷ cương"
    assert again["4-requests"] == "Bốn xin" and again["4-always"] == "4 luôn"
