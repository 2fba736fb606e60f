"""Retention: old sent messages, read notices and job runs are deleted, in small batches.

Kept for ever (until a person or a campaign is deleted): pending and sending messages,
unread notices and every ``reminder_mark`` (a mark is what stops a campaign's reminder
stage being sent twice; marks are small, one per person per stage).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from engagement.core.db import delete_in_batches
from engagement.jobs.models import JobRun
from engagement.notify import service as notify_service
from engagement.recognition import service as recognition_service

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
    #: Spent proof-of-work challenges of the citizens' thanks page past their expiry.
    proofs: int = 0

    @property
    def total(self) -> int:
        """Every row deleted."""
        return self.outbox + self.notifications + self.job_runs + self.proofs


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
    outbox, notices = notify_service.delete_old(engine, before=cutoff, batch=batch)
    runs = delete_in_batches(engine, JobRun, JobRun.started_at < now - timedelta(days=job_run_days), batch)
    proofs = recognition_service.delete_spent_proofs(engine, now=now, batch=batch)
    return CleanupReport(outbox=outbox, notifications=notices, job_runs=runs, proofs=proofs)
