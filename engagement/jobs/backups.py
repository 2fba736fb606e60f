"""The daily backup: one file a day in ``ENGAGEMENT_BACKUP_DIR``, the newest ``ENGAGEMENT_BACKUP_KEEP`` kept.

The backup itself is ``core.backup.backup`` (online: the app keeps writing). A failure raises,
so the runner records it on the job's run and the jobs page shows it; an old file is deleted
only after a new backup was written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from engagement.core import backup

log = logging.getLogger(__name__)

#: The job's id in ``registry.JOBS`` (its failed runs are listed with the backups).
JOB_ID = "daily-backup"


@dataclass(frozen=True)
class DailyBackup:
    """What one run of the daily backup wrote and deleted."""

    path: Path
    size: int
    rows: int
    deleted: list[Path]


def engine_url(engine: Engine) -> str:
    """The engine's URL with its password (the PostgreSQL tools need it to connect)."""
    return engine.url.render_as_string(hide_password=False)


def run_daily_backup(engine: Engine, *, now: datetime, directory: str | Path, keep: int) -> DailyBackup:
    """Write today's backup into ``directory`` and delete the oldest beyond ``keep``.

    Args:
        engine: the database to back up.
        now: the run's time (names the file).
        directory: where backups go (created when missing).
        keep: how many of the job's backups to keep (at least 1: the one just written).

    Returns:
        The file written, its size and rows, the files deleted.

    Raises:
        BackupError: the backup could not be written (nothing is deleted then).
    """
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise backup.BackupError("The backup folder {path} cannot be created ({problem}); check "
                                 "ENGAGEMENT_BACKUP_DIR.", path=str(folder), problem=exc.strerror or str(exc)) from exc
    target = folder / backup.file_name(now)
    manifest = backup.backup(engine_url(engine), target, now=now)
    deleted = backup.prune(folder, keep=keep)
    log.info("backup %s written (%s rows, %s bytes); %s old backup(s) deleted", target, manifest.rows,
             target.stat().st_size, len(deleted))
    return DailyBackup(path=target, size=target.stat().st_size, rows=manifest.rows, deleted=deleted)
