"""What the scheduled-jobs pages show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobRow:
    """One scheduled job as the admin page shows it."""

    job_id: str
    label: str
    schedule: str
    last_run: str
    last_finished: str
    next_run: str
    last_error: str
    messages: int


@dataclass(frozen=True)
class BackupRow:
    """One backup as the jobs page lists it: a file the daily job wrote, or a run that failed."""

    name: str
    size: str
    taken: str
    rows: int
    ok: bool
    problem: str


@dataclass(frozen=True)
class BackupsOverview:
    """The backup folder, how many backups are kept, and the newest backups (newest first)."""

    directory: str
    keep: int
    rows: list[BackupRow]
