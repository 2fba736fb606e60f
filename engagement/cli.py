"""The ``engagement`` command: migrate, seed-demo, create-admin, scheduler, backup, restore, held.

Runs with the server's own authority (whoever can run it can read the database anyway).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlmodel import select

from engagement.core import clock
from engagement.core.db import unit_of_work
from engagement.core.errors import DomainError
from engagement.settings import PROJECT_ROOT, get_settings


def migrate() -> None:
    """Bring the database schema to the newest revision."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(Path(PROJECT_ROOT) / "alembic.ini"))
    config.set_main_option("script_location", str(Path(PROJECT_ROOT) / "alembic"))
    command.upgrade(config, "head")
    # The national titles, the base salary table and the exclusions (idempotent: new entries only).
    from engagement.commendations.service import ensure_catalogue

    with unit_of_work() as session:
        ensure_catalogue(session, now=clock.now())


def _database_is_empty() -> bool:
    from engagement.org.models import Unit

    with unit_of_work() as session:
        return session.exec(select(Unit.id)).first() is None


def seed_demo(*, only_if_empty: bool) -> int:
    """Load the demo organisation; with ``only_if_empty``, skip quietly when data exists."""
    from engagement.org.demo import DEMO_LOGINS, DEMO_PASSWORD
    from engagement.org.demo import seed_demo as _seed
    from engagement.recognition.demo import seed_demo as _seed_recognition
    from engagement.scoring.demo import seed_demo as _seed_points

    if not _database_is_empty():
        if only_if_empty:
            sys.stdout.write("Database already has data; demo not loaded.\n")
            return 0
        sys.stderr.write("The database already has data; the demo loads only into an empty one.\n")
        return 1
    from engagement.commendations.demo import seed_demo as _seed_commendations
    from engagement.commitments.demo import seed_demo as _seed_commitments
    from engagement.good_models.demo import seed_demo as _seed_good_models
    from engagement.green.demo import seed_demo as _seed_green
    from engagement.jobs.demo import seed_demo as _seed_jobs
    from engagement.notify.demo import seed_demo as _seed_notify
    from engagement.supervision.demo import seed_demo as _seed_supervision

    with unit_of_work() as session:
        moment = clock.now()
        summary = _seed(session, now=moment)
        summary.update(_seed_points(session, now=moment))
        summary.update(_seed_recognition(session, now=moment))
        summary.update(_seed_green(session, now=moment))
        summary["signatures"] = _seed_commitments(session, now=moment)
        summary.update(_seed_notify(session, now=moment))
        _seed_jobs(session, now=moment)
        summary.update(_seed_commendations(session, now=moment))
        summary.update(_seed_supervision(session, now=moment))
        summary.update(_seed_good_models(session, now=moment))
    sys.stdout.write(f"Demo organisation loaded: {summary}\n")
    sys.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r}):\n")
    for username, role, name in DEMO_LOGINS:
        sys.stdout.write(f"  {username:<14} {role:<40} {name}\n")
    return 0


def create_admin(args: argparse.Namespace) -> int:
    """Create the first administrator on an empty installation."""
    from engagement.org import service

    password = args.password or getpass.getpass("Password for the new administrator: ")
    try:
        with unit_of_work() as session:
            service.bootstrap_admin(
                session, username=args.username, password=password, full_name=args.full_name,
                employee_code=args.employee_code, unit_name=args.org_name, unit_code=args.org_code,
                now=clock.now(),
            )
    except DomainError as exc:
        sys.stderr.write(exc.message + "\n")
        return 1
    sys.stdout.write(f"Administrator {args.username} created.\n")
    return 0


def verify_signatures(checkpoint: str | None = None) -> int:
    """Check the commitment signature chain (against a checkpoint file when given); non-zero exit
    and one line per break."""
    from engagement.commitments.queries import verify_chain
    from engagement.core.db import read_only
    from engagement.jobs import chains

    try:
        head = chains.read_checkpoint(Path(checkpoint), "signatures") if checkpoint else None
    except DomainError as exc:
        sys.stderr.write(exc.message + "\n")
        return 1
    with read_only() as session:
        report = verify_chain(session, checkpoint=head)
    return _chain_report(report.head, report.intact, report.checked, report.breaks, "Signature", "signatures")


def _chain_report(head: str, ok: bool, checked: int, breaks, kind: str, items: str) -> int:
    """Print a chain check (its published head, then intact or one line per break): exit 0 or 2."""
    if head:
        sys.stdout.write(head + "\n")
    if ok:
        sys.stdout.write(f"{kind} chain intact: {checked} {items} checked.\n")
        return 0
    sys.stdout.write(f"{kind} chain BROKEN: {len(breaks)} problem(s) in {checked} {items}.\n")
    for line in breaks:
        sys.stdout.write(f"  {line}\n")
    return 2


def verify_decisions(checkpoint: str | None = None) -> int:
    """Check the commendation decisions' hash chain and numbering (against a checkpoint file when
    given); non-zero exit and one line per break."""
    from engagement.commendations.decisions import verify_decisions as check
    from engagement.core.db import read_only
    from engagement.jobs import chains

    try:
        head = chains.read_checkpoint(Path(checkpoint), "decisions") if checkpoint else None
    except DomainError as exc:
        sys.stderr.write(exc.message + "\n")
        return 1
    with read_only() as session:
        report = check(session, checkpoint=head)
    return _chain_report(report.head, report.ok, report.checked, report.breaks, "Decision", "decisions")


def chain_checkpoint(file: str) -> int:
    """``engagement chain-checkpoint FILE``: both chains' sealed heads, to archive away from the server."""
    from engagement.jobs import chains

    data = chains.write_checkpoint(Path(file), now=clock.now())
    sys.stdout.write(f"Checkpoint written to {file}: {data['signatures']['count']} signatures, "
                     f"{data['decisions']['count']} decisions. Keep it where the server cannot change it.\n")
    return 0


def seal_chains() -> int:
    """``engagement seal-chains``: seal, once, the signatures and decisions written before seals."""
    from engagement.jobs import chains

    try:
        signatures, decided = chains.seal_existing(now=clock.now())
    except DomainError as exc:
        sys.stderr.write(exc.message + "\n")
        return 1
    sys.stdout.write(f"Sealed {signatures} signatures and {decided} decisions written before seals.\n")
    return 0


def backup_command(args: argparse.Namespace) -> int:
    """``engagement backup FILE``: an online backup of the configured database, with its manifest."""
    from engagement.core import backup

    try:
        manifest = backup.backup(get_settings().database_url, Path(args.file), now=clock.now())
    except backup.BackupError as exc:
        sys.stderr.write(exc.message + "\n")
        return 1
    sys.stdout.write(f"Backup written to {args.file}: {len(manifest.tables)} tables, {manifest.rows} rows, "
                     f"schema revision {manifest.schema_revision or 'none'}, "
                     f"{Path(args.file).stat().st_size} bytes, sha256 {manifest.data_sha256}.\n")
    return 0


def _scheduler_running(url: str) -> str:
    """Who holds a live scheduler lease in the database at ``url`` ("" when nobody, or no database)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from engagement.core.db import make_engine
    from engagement.jobs.models import SchedulerLease

    if url.startswith("sqlite") and not Path(make_url(url).database or "").is_file():
        return ""
    engine = make_engine(url, immediate=False)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(SchedulerLease.holder, SchedulerLease.expires_at).where(
                SchedulerLease.name == "scheduler")).first()
    except sa.exc.SQLAlchemyError:
        return ""
    finally:
        engine.dispose()
    return row.holder if row is not None and row.expires_at > clock.now() else ""


def restore_command(args: argparse.Namespace) -> int:
    """``engagement restore FILE``: checks, restores, verifies counts and signature chains.

    E-mails that were waiting in the backup are held (``engagement held``, or the jobs page).
    """
    from engagement.core import backup
    from engagement.core.db import get_engine, get_read_engine, read_only
    from engagement.jobs import service as jobs_service
    from engagement.notify import service as notify_service

    url = get_settings().database_url
    holder = _scheduler_running(url)
    if holder and not args.force:
        sys.stderr.write(f"The app or its scheduler is running on this database ({holder}); stop it first, "
                         "or add --force to restore anyway.\n")
        return 1
    try:
        report = backup.restore(url, Path(args.file), force=args.force,
                                statements=[notify_service.hold_waiting_statement(),
                                            jobs_service.restore_statement()])
    except backup.BackupError as exc:
        sys.stderr.write(exc.message + "\n")
        return 1
    # Connections opened before the restore may hold the old file's pages (SQLite).
    get_engine().dispose()
    get_read_engine().dispose()
    m = report.manifest
    sys.stdout.write(f"Restored {args.file} (taken {m.created_at}): {report.tables_checked} tables, "
                     f"{m.rows} rows, every count as in the manifest.\n")
    if report.migrated_from:
        sys.stdout.write(f"The backup's schema ({report.migrated_from}) was migrated to this version's.\n")
    if "unversioned" in report.notes:
        sys.stdout.write("The backup has no schema revision (a database built without migrations).\n")
    with read_only() as session:
        held = notify_service.held_count(session)
    if held:
        sys.stdout.write(f"{held} e-mail(s) that were waiting in the backup are HELD: they may have gone out after "
                         "the backup was taken. Send or discard them on the jobs page, or with "
                         "`engagement held --release` / `engagement held --discard`.\n")
    signatures, decisions = verify_signatures(), verify_decisions()
    return 0 if signatures == 0 and decisions == 0 else 2


def held_command(args: argparse.Namespace) -> int:
    """``engagement held``: list, send (--release) or discard (--discard) the e-mails held after a restore."""
    from engagement.notify import service as notify_service

    with unit_of_work() as session:
        if args.release or args.discard:
            count = notify_service.settle_held_by_server(
                session, action="release" if args.release else "discard", now=clock.now())
            sys.stdout.write(f"{count} held e-mail(s) {'queued to send' if args.release else 'discarded'}.\n")
            return 0
        count = notify_service.held_count(session)
    sys.stdout.write(f"{count} e-mail(s) held after a restore.\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="engagement", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database schema to the newest revision")
    seed = sub.add_parser("seed-demo", help="load the demo organisation into an empty database")
    seed.add_argument("--if-empty", action="store_true", help="do nothing when data exists")
    admin = sub.add_parser("create-admin", help="create the first system administrator")
    admin.add_argument("--username", required=True)
    admin.add_argument("--full-name", required=True)
    admin.add_argument("--employee-code", default="ADMIN")
    admin.add_argument("--password", help="omit to be asked (not echoed)")
    admin.add_argument("--org-name", default=get_settings().org_name)
    admin.add_argument("--org-code", default="ORG")
    vs = sub.add_parser("verify-signatures", help="check the commitment signature hash chain")
    vs.add_argument("--checkpoint", help="a file written by `engagement chain-checkpoint` to compare with")
    vd = sub.add_parser("verify-decisions", help="check the commendation decisions' hash chain and numbering")
    vd.add_argument("--checkpoint", help="a file written by `engagement chain-checkpoint` to compare with")
    cp = sub.add_parser("chain-checkpoint", help="write both chains' sealed heads to FILE, to archive")
    cp.add_argument("file", help="the checkpoint file to write")
    sub.add_parser("seal-chains", help="seal, once, the signatures and decisions written before seals")
    sub.add_parser("scheduler", help="run the scheduled jobs (reminders, e-mail) in this process")
    bk = sub.add_parser("backup", help="back up the database to FILE, online (README \"Backups\")")
    bk.add_argument("file", help="the backup file to write")
    rs = sub.add_parser("restore", help="restore the database from a backup FILE (stop the app first)")
    rs.add_argument("file", help="a file written by `engagement backup` or the daily backup")
    rs.add_argument("--force", action="store_true", help="replace an organisation already in the database")
    held = sub.add_parser("held", help="the e-mails held after a restore: count, --release or --discard them")
    choice = held.add_mutually_exclusive_group()
    choice.add_argument("--release", action="store_true", help="queue every held e-mail to be sent")
    choice.add_argument("--discard", action="store_true", help="discard every held e-mail")
    args = parser.parse_args(argv)
    if args.command == "backup":
        return backup_command(args)
    if args.command == "restore":
        return restore_command(args)
    if args.command == "held":
        return held_command(args)
    if args.command == "scheduler":
        from engagement.jobs.runner import run_standalone

        return run_standalone()
    if args.command == "verify-signatures":
        return verify_signatures(args.checkpoint)
    if args.command == "verify-decisions":
        return verify_decisions(args.checkpoint)
    if args.command == "chain-checkpoint":
        return chain_checkpoint(args.file)
    if args.command == "seal-chains":
        return seal_chains()
    if args.command == "migrate":
        migrate()
        return 0
    if args.command == "seed-demo":
        return seed_demo(only_if_empty=args.if_empty)
    return create_admin(args)


if __name__ == "__main__":
    raise SystemExit(main())
