"""The ``engagement`` command: migrate, seed-demo, create-admin, scheduler.

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
    from engagement.green.demo import seed_demo as _seed_green
    from engagement.jobs.demo import seed_demo as _seed_jobs
    from engagement.notify.demo import seed_demo as _seed_notify

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


def verify_signatures() -> int:
    """Check the commitment signature chain; non-zero exit and one line per break."""
    from engagement.commitments.queries import verify_chain
    from engagement.core.db import read_only

    with read_only() as session:
        report = verify_chain(session)
    if report.intact:
        sys.stdout.write(f"Signature chain intact: {report.checked} signatures checked.\n")
        return 0
    sys.stdout.write(f"Signature chain BROKEN: {len(report.breaks)} problem(s) in {report.checked} signatures.\n")
    for line in report.breaks:
        sys.stdout.write(f"  {line}\n")
    return 2


def verify_decisions() -> int:
    """Check the commendation decisions' hash chain and numbering; non-zero exit and one line per break."""
    from engagement.commendations.decisions import verify_decisions as check
    from engagement.core.db import read_only

    with read_only() as session:
        report = check(session)
    if report.ok:
        sys.stdout.write(f"Decision chain intact: {report.checked} decisions checked.\n")
        return 0
    sys.stdout.write(f"Decision chain BROKEN: {len(report.breaks)} problem(s) in {report.checked} decisions.\n")
    for line in report.breaks:
        sys.stdout.write(f"  {line}\n")
    return 2


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
    sub.add_parser("verify-signatures", help="check the commitment signature hash chain")
    sub.add_parser("verify-decisions", help="check the commendation decisions' hash chain and numbering")
    sub.add_parser("scheduler", help="run the scheduled jobs (reminders, e-mail) in this process")
    args = parser.parse_args(argv)
    if args.command == "scheduler":
        from engagement.jobs.runner import run_standalone

        return run_standalone()
    if args.command == "verify-signatures":
        return verify_signatures()
    if args.command == "verify-decisions":
        return verify_decisions()
    if args.command == "migrate":
        migrate()
        return 0
    if args.command == "seed-demo":
        return seed_demo(only_if_empty=args.if_empty)
    return create_admin(args)


if __name__ == "__main__":
    raise SystemExit(main())
