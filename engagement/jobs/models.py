"""Tables of the scheduled-jobs layer: the scheduler lease (and per-job locks), job runs,
and the reminder marks that keep batched reminders idempotent."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engagement.core.db import UTCDateTime


class SchedulerLease(SQLModel, table=True):
    """The one row that says which process runs the scheduler, until when.

    A process takes the lease when it is free or expired and renews it from a job; every
    other process keeps its scheduler idle. Works the same on SQLite and PostgreSQL.
    """

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=120)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class JobRun(SQLModel, table=True):
    """One run of a scheduled job: when, how long, what it sent, what went wrong."""

    __tablename__ = "job_run"
    __table_args__ = (sa.Index("ix_job_run_job_started", "job_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=60)
    holder: str = Field(default="", max_length=120)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", max_length=1000)
    messages: int = Field(default=0)


class ReminderMark(SQLModel, table=True):
    """That one recipient was reminded of one record at one stage (written with the message).

    A batched reminder lists several records; these marks say which stages it covered, so
    the next run reminds again only when some record reached a new stage.
    """

    __tablename__ = "reminder_mark"
    __table_args__ = (
        sa.UniqueConstraint("recipient_id", "kind", "subject_ref", "stage", name="uq_reminder_mark"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="person.id")
    kind: str = Field(max_length=60)
    subject_ref: str = Field(max_length=80)
    stage: str = Field(max_length=40)
    created_at: datetime = Field(sa_type=UTCDateTime)
