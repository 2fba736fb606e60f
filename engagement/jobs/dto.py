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
