"""Retention: old sent messages, read notices and job runs are deleted, in small batches.

Kept for ever (until a person or a campaign is deleted): pending and sending messages,
unread notices and every ``reminder_mark`` (a mark is what stops a campaign's reminder
stage being sent twice; marks are small, one per person per stage).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from engagement.core.db import unit_of_work
from engagement.notify import rules
from engagement.notify.models import JobRun, Notification, OutboxMessage

#: Rows deleted per transaction: a big backlog never holds the write lock for long.
BATCH = 5000
#: How long the job run history is kept.
JOB_RUN_DAYS = 90


@dataclass(frozen=True)
class CleanupReport:
    """How many rows each part of the cleanup deleted."""

    outbox: int
    notifications: int
    job_runs: int

    @property
    def total(self) -> int:
        """Every row deleted."""
        return self.outbox + self.notifications + self.job_runs


def _delete_in_batches(engine: Engine, model: type, condition: sa.ColumnElement[bool], batch: int) -> int:
    deleted = 0
    while True:
        with unit_of_work(engine) as session:
            ids = list(session.exec(select(model.id).where(condition).order_by(model.id).limit(batch)))
            if not ids:
                return deleted
            # The condition again: a row changed since it was read (a failed e-mail retried
            # by an admin, a notice marked unread) is not deleted.
            result = session.execute(sa.delete(model).where(model.id.in_(ids), condition))
            deleted += result.rowcount or 0
        if len(ids) < batch:
            return deleted


def cleanup(engine: Engine, *, now: datetime, retention_days: int, job_run_days: int = JOB_RUN_DAYS,
            batch: int = BATCH) -> CleanupReport:
    """Delete what is past its retention, ``batch`` rows per transaction.

    Args:
        engine: the database (each batch is its own short transaction).
        now: the run's time.
        retention_days: sent and failed outbox rows (every channel) and read notices older
            than this many days go.
        job_run_days: job runs that started longer ago than this go.
        batch: rows per transaction.

    Returns:
        How many rows of each kind were deleted.
    """
    cutoff = now - timedelta(days=retention_days)
    outbox = _delete_in_batches(engine, OutboxMessage, sa.and_(
        OutboxMessage.status.in_((rules.SENT, rules.FAILED)), OutboxMessage.created_at < cutoff), batch)
    notices = _delete_in_batches(engine, Notification, sa.and_(
        Notification.read_at.is_not(None), Notification.created_at < cutoff), batch)
    runs = _delete_in_batches(engine, JobRun, JobRun.started_at < now - timedelta(days=job_run_days), batch)
    return CleanupReport(outbox=outbox, notifications=notices, job_runs=runs)
