"""Shared fixtures: a fresh database per test, on SQLite or (TEST_POSTGRES_URL) PostgreSQL; an
engine threads can share; the app's own engine on a demo database; a loopback SMTP server.

Builders of rows are in ``tests/factories.py``; fixtures here only set up the ground."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engagement.core.db import guard_parameters, make_engine
from engagement.schema import metadata
from tests import factories

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()

# Tests compare messages with their ids, the English source text; the Vietnamese rendering
# has its own tests (tests/unit/test_i18n.py) and the browser journeys run in Vietnamese.
os.environ.setdefault("ENGAGEMENT_LANGUAGE", "en")
# The chain seals' key (issue 17): fixed in tests, so no key file is written into the project.
os.environ.setdefault("ENGAGEMENT_CHAIN_KEY", "test-chain-key-not-a-secret")


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
    guard_parameters(engine)  # as make_engine does (issue 17: an id of 2**63 gets the same answer)
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
    from engagement.scoring import leaderboard as scoring_leaderboard

    monkeypatch.setattr(scoring_leaderboard, "ORG_SNAPSHOT_SECONDS", 0.0)
    # Fresh caches: they are keyed by id(engine), and a freed engine's id can come back.
    monkeypatch.setattr(scoring_leaderboard, "_snapshots", {})
    monkeypatch.setattr(scoring_leaderboard, "_histograms", {})
    # Factories write facts without audit entries, which key the eligibility cache: no cache in tests.
    from engagement.commendations import queries as commendation_queries

    monkeypatch.setattr(commendation_queries, "CACHE_SIZE", 0)
    commendation_queries.clear_cache()


@pytest.fixture
def small_org(session: Session, now: datetime) -> factories.SmallOrg:
    """``factories.small_org``: ROOT with units A (and A1 under it) and B, two branches, an admin."""
    return factories.small_org(session, now)


@pytest.fixture
def shared_engine(engine: Engine, tmp_path) -> Iterator[Engine]:
    """An engine several threads can use at once: the PostgreSQL one, or a SQLite file (an
    in-memory SQLite database is one connection)."""
    if engine.dialect.name == "postgresql":
        yield engine
        return
    eng = make_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def smtp_server():
    """Starts real SMTP servers on loopback (``tests.integration._smtp.SmtpServer``), all stopped
    after the test: ``smtp_server(refuse=2)`` turns the first two messages away,
    ``smtp_server(ssl_context=...)`` speaks implicit TLS."""
    from tests.integration._smtp import SmtpServer

    started = []

    def start(**kw):
        started.append(SmtpServer(**kw).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp(smtp_server):
    """One loopback SMTP server that takes every message: send to it with
    ``factories.smtp_sender(smtp)``, read ``smtp.messages``."""
    return smtp_server()


@pytest.fixture
def app_engine(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app's own engines (``get_engine``, ``get_read_engine``) on a fresh SQLite file with the
    schema, for tests that drive the States as a browser would."""
    from engagement.core import db as core_db
    from engagement.settings import get_settings

    caches = (get_settings, core_db.get_engine, core_db.get_read_engine)
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    for cached in caches:
        cached.cache_clear()
    eng = core_db.get_engine()
    metadata.create_all(eng)
    yield eng
    eng.dispose()
    core_db.get_read_engine().dispose()
    for cached in caches:
        cached.cache_clear()


@pytest.fixture
def app_db(app_engine: Engine) -> Engine:
    """``app_engine`` holding the demo organisation (its logins use ``DEMO_PASSWORD``; see
    ``factories.app_state``). A module seeding more overrides it: ``def app_db(app_db): ...``."""
    from engagement.core import clock
    from engagement.org.demo import seed_demo

    with Session(app_engine) as s:
        seed_demo(s, now=clock.now())
        s.commit()
    return app_engine


@pytest.fixture
def read_sessions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the read-only sessions the states open (one per page load is the rule)."""
    from engagement.ui import auth

    opened: list[int] = []
    real = auth.read_only

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(auth, "read_only", counting)
    return opened
