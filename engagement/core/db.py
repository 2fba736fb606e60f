"""Database engine, sessions and the unit of work.

SQLite is the embedded default; PostgreSQL is used at scale. The same code and the same
migrations run on both. On SQLite every write transaction starts with ``BEGIN IMMEDIATE``:
with several writing processes plain ``BEGIN`` fails most transactions with "database is
locked" (measured: 4,616 of 6,000), ``BEGIN IMMEDIATE`` none.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, select

from engagement.core.errors import Busy, OutOfRange
from engagement.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How many times a whole transaction is tried when the database asks for a retry.
RETRY_ATTEMPTS = 4
#: How many times a busy ``BEGIN IMMEDIATE`` is tried again (each waits ``busy_timeout``).
BEGIN_ATTEMPTS = 3
#: PostgreSQL SQLSTATEs that mean "run the transaction again": serialization failure, deadlock.
RETRY_SQLSTATES = frozenset({"40001", "40P01"})


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so naive values read back are UTC by construction; a naive
    value written is a programming error and is refused.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime written to the database; use core.clock"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions are off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Nothing has run in the transaction yet, so a busy BEGIN can always be tried again.
        for attempt in range(1, BEGIN_ATTEMPTS + 1):
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
                return
            except sa.exc.OperationalError as exc:
                if attempt == BEGIN_ATTEMPTS or not is_retryable(exc):
                    raise
                log.info("BEGIN found the database busy; trying again (%s)", attempt)
                time.sleep(random.uniform(0.01, 0.1) * attempt)  # noqa: S311 (jitter, not a secret)


def is_out_of_range(exc: BaseException) -> bool:
    """Whether the database refused a value no column can hold (the same case on both databases).

    SQLite: an int over 64 bits (``OverflowError``, sometimes wrapped). PostgreSQL: a
    ``DataError`` (a number out of range, "x" for an integer, a text over its column's length).
    Date arithmetic past the year 9999 raises ``OverflowError`` too.
    """
    return isinstance(exc, OverflowError | sa.exc.DataError) or (
        isinstance(exc, sa.exc.StatementError) and isinstance(exc.orig, OverflowError))


def is_retryable(exc: BaseException) -> bool:
    """Whether the database refused a transaction only because of a concurrent one.

    PostgreSQL: a serialization failure or a deadlock (SQLSTATE 40001, 40P01). SQLite: "database
    is locked" / "busy" after the busy timeout. Such a transaction wrote nothing and may be run
    again from the start; any other error may not.
    """
    if isinstance(exc, Busy):
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in RETRY_SQLSTATES:
        return True
    text = str(orig).lower()
    return isinstance(exc, sa.exc.OperationalError) and ("database is locked" in text or "database is busy" in text
                                                         or "database table is locked" in text)


_INT64 = 2**63


def _out_of_range(params: object) -> bool:
    """Whether statement parameters hold an int no database integer can (beyond 64 bits)."""
    values = params.values() if isinstance(params, dict) else params if isinstance(params, list | tuple) else ()
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and not -_INT64 <= value < _INT64:
            return True
        if isinstance(value, dict | list | tuple) and _out_of_range(value):
            return True
    return False


def guard_parameters(engine: Engine) -> None:
    """Refuse, before the database sees it, an integer no column can hold (2**63 as an id).

    SQLite raises OverflowError and PostgreSQL compares it as a numeric (finding nothing), so
    the same hostile id got two different answers; now both answer ``OutOfRange``.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _check(_conn, _cursor, _statement, parameters, _context, _executemany) -> None:
        if parameters and _out_of_range(parameters):
            raise OutOfRange()


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """Create an engine with this project's connection settings.

    Args:
        url: SQLAlchemy database URL.
        immediate: on SQLite, start every transaction with ``BEGIN IMMEDIATE`` (writers).

    Returns:
        The engine.
    """
    if url.startswith("sqlite"):
        kwargs: dict = {"connect_args": {"check_same_thread": False}}
        if ":memory:" in url or url in {"sqlite://", "sqlite:///"}:
            kwargs["poolclass"] = StaticPool
        engine = sa.create_engine(url, **kwargs)
        _configure_sqlite(engine, immediate=immediate)
        guard_parameters(engine)
        return engine
    # At least one connection per database thread (``run_blocking``): a page read never waits
    # for a connection while a thread is free.
    engine = sa.create_engine(url, pool_pre_ping=True, pool_size=max(10, get_settings().db_threads),
                              max_overflow=20)
    guard_parameters(engine)
    return engine


@functools.cache
def get_engine() -> Engine:
    """The process-wide engine for writes."""
    return make_engine(get_settings().database_url, immediate=True)


@functools.cache
def get_read_engine() -> Engine:
    """The process-wide engine for reads (on SQLite, reads need no write lock)."""
    settings = get_settings()
    if not settings.is_sqlite:
        return get_engine()
    return make_engine(settings.database_url, immediate=False)


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back on any error.

    Services only ``flush()``; the caller that opened the unit of work owns the commit. A
    block cannot be run twice by a context manager, so this does not retry: when the database
    refuses the transaction because of a concurrent one (deadlock, serialization failure,
    SQLite busy) it raises ``Busy`` (the user reads "The system is busy; your change was not
    saved, try again"). ``run_in_transaction`` runs a re-runnable function and retries it.
    """
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            if not isinstance(exc, Busy) and is_retryable(exc):
                raise Busy() from exc
            if is_out_of_range(exc):
                raise OutOfRange() from exc
            raise


def run_in_transaction(fn: Callable[[Session], T], engine: Engine | None = None, *,
                       attempts: int = RETRY_ATTEMPTS, base_delay: float = 0.05) -> T:
    """Run ``fn(session)`` in one unit of work, retrying the whole of it when the database asks.

    A deadlock, a serialization failure or a busy SQLite database rolls the transaction back
    and runs ``fn`` again from the start, after a random pause that grows with each try
    (jitter, so two transactions that collided do not collide again). ``fn`` must be
    re-runnable: everything it does goes through the session (rolled back), nothing it does
    outside (an e-mail, a file) may happen before the commit.

    Args:
        fn: the work; its result is returned once the commit succeeded.
        engine: the database (default: the app's).
        attempts: how many tries in all.
        base_delay: the first pause's upper bound, in seconds (doubled at each try).

    Raises:
        Busy: still refused after every try (nothing was saved).
        Exception: whatever ``fn`` raises otherwise (not retried).
    """
    for attempt in range(1, attempts + 1):
        try:
            with unit_of_work(engine) as session:
                return fn(session)
        except Busy as exc:
            if attempt == attempts:
                log.warning("transaction still refused after %s tries: %s", attempts, exc.__cause__)
                raise
            log.info("transaction refused by the database (%s); trying again (%s/%s)",
                     type(exc.__cause__).__name__, attempt, attempts)
            time.sleep(random.uniform(0, base_delay * 2 ** (attempt - 1)))  # noqa: S311 (jitter)
    raise AssertionError("unreachable")  # pragma: no cover


_executor: tuple[int, ThreadPoolExecutor] | None = None
_executor_lock = threading.Lock()


def db_executor() -> ThreadPoolExecutor:
    """The process's threads for blocking database work (``ENGAGEMENT_DB_THREADS`` of them).

    Its own pool, not asyncio's default one: that one (``min(32, cores + 4)`` threads, 6 on two
    cores) is shared with argon2, file writes and Reflex, and a page read queued behind them.
    Made on first use in each process (a worker forked from a parent starts its own).
    """
    global _executor
    pid = os.getpid()
    current = _executor
    if current is not None and current[0] == pid:
        return current[1]
    with _executor_lock:
        if _executor is None or _executor[0] != pid:
            _executor = (pid, ThreadPoolExecutor(max_workers=get_settings().db_threads,
                                                 thread_name_prefix="engagement-db"))
        return _executor[1]


async def run_blocking(fn: Callable[[], T]) -> T:
    """Run ``fn()`` (database work) on ``db_executor``, with the caller's context variables.

    Like ``asyncio.to_thread``, which copies the context too (the language ``i18n.using`` set),
    but on the database's own threads.
    """
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(db_executor(), context.run, fn)


@contextmanager
def read_only(engine: Engine | None = None) -> Iterator[Session]:
    """A session for page reads; anything written is rolled back."""
    with Session(engine or get_read_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except (OverflowError, sa.exc.DataError) as exc:
            raise OutOfRange() from exc
        finally:
            session.rollback()


def lock_key(session: Session, namespace: str, key: str) -> None:
    """Serialise transactions that touch the same ``namespace``/``key`` until this one ends.

    On PostgreSQL a transaction-scoped advisory lock: a second transaction with the same key
    waits here, so "count, then insert if under the limit" cannot be raced. On SQLite every
    writing transaction already starts with ``BEGIN IMMEDIATE`` (one writer at a time).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{namespace}:{key}"})


def delete_in_batches(engine: Engine, model: type, condition: sa.ColumnElement[bool], batch: int) -> int:
    """Delete the rows of ``model`` matching ``condition``, ``batch`` per transaction; returns how many.

    Small transactions: a big backlog never holds the write lock for long. The condition is
    checked again by the DELETE, so a row that changed since it was read stays.
    """
    deleted = 0
    while True:
        with unit_of_work(engine) as session:
            ids = list(session.exec(select(model.id).where(condition).order_by(model.id).limit(batch)))
            if not ids:
                return deleted
            result = session.execute(sa.delete(model).where(model.id.in_(ids), condition))
            deleted += result.rowcount or 0
        if len(ids) < batch:
            return deleted
