"""Shared fixtures: a fresh database per test, on SQLite or (TEST_POSTGRES_URL) PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engagement.core.db import make_engine
from engagement.schema import metadata

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()


@pytest.fixture(scope="session")
def _pg_engine() -> Iterator[Engine | None]:
    if not POSTGRES_URL:
        yield None
        return
    # One schema per test process: two runs on one server (a developer's and CI's) never
    # truncate each other's tables.
    schema = f"engagement_test_{os.getpid()}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = sa.create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    metadata.create_all(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


@pytest.fixture
def engine(_pg_engine: Engine | None) -> Iterator[Engine]:
    """A database with the full schema and no rows."""
    if _pg_engine is not None:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        with _pg_engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        yield _pg_engine
        return
    eng = make_engine("sqlite://")
    metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the fresh database; tests commit when they want rows to persist."""
    with Session(engine, expire_on_commit=False) as s:
        yield s
        s.rollback()


@pytest.fixture
def now() -> datetime:
    """A fixed 'now' for services (Monday 2 March 2026, 09:00 in Hanoi)."""
    return datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_org_snapshot_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests change people between two reads; leaderboards must see it at once."""
    from engagement.scoring import queries as scoring_queries

    monkeypatch.setattr(scoring_queries, "ORG_SNAPSHOT_SECONDS", 0.0)
