"""Demo data of the jobs layer: a short history of job runs for the admin page."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from engagement.jobs.models import JobRun


def seed_demo(session: Session, *, now: datetime) -> None:
    """Add a few finished runs of the reminder and mail jobs."""
    for hours in (3, 2, 1):
        at = now - timedelta(hours=hours)
        session.add(JobRun(job_id="commitment-reminders", holder="demo", started_at=at,
                           finished_at=at + timedelta(seconds=2), messages=0))
        session.add(JobRun(job_id="deliver-email", holder="demo", started_at=at,
                           finished_at=at + timedelta(seconds=1), messages=0))
    session.flush()
