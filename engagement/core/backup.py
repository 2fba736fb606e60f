"""Backups and restores of the whole database, taken online (while the app writes).

A backup is ONE tar file with two members: ``manifest.json`` first (what the file holds: the
schema revision, when it was taken, the row count of every table, the size and SHA-256 of the
data) and then the data itself:

- SQLite: ``data.sqlite``, a copy made with SQLite's backup API in one step, i.e. one read
  transaction: a consistent snapshot that includes what still sits in the ``-wal`` file, while
  other processes keep writing (in WAL mode readers do not block writers). ``cp`` of the file
  is NOT a backup: recent commits live in the WAL until a checkpoint.
- PostgreSQL: ``data.pgdump``, ``pg_dump --format=custom`` of the snapshot exported by the
  REPEATABLE READ transaction that counted the rows, so the counts and the data agree.

A restore checks the file before touching anything (manifest, checksum, schema revision,
tools, an organisation already in the target), writes the data in one go (SQLite: the backup
API into the target file, so no stale ``-wal`` can replay over it; PostgreSQL: the dump's SQL
through ``psql --single-transaction``), runs the caller's statements in the same step (the
outbox holds its waiting e-mails), verifies the counts, and brings an older schema to the
code's revision. The signature chains are verified by the caller (``engagement restore``),
which knows the features.

No Reflex, no feature imports: the tables are read from the database itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from engagement.core.errors import DomainError
from engagement.settings import PROJECT_ROOT

#: The layout of a backup file; a restore refuses a format it does not know.
FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "data.sqlite"
PG_MEMBER = "data.pgdump"
#: Backups the scheduled job writes are named like this (the jobs page lists them).
PREFIX = "engagement-"
SUFFIX = ".backup"
#: Tables whose rows mean "an organisation lives here": a restore over them needs ``force``.
ORGANISATION_TABLES = ("unit", "person", "account")
CHUNK = 1 << 20


class BackupError(DomainError):
    """A backup or restore could not be done; the message says what to do about it."""


@dataclass(frozen=True)
class Manifest:
    """What a backup file holds."""

    format: int
    dialect: str
    #: The source database's alembic revision(s) ("," between several heads); "" unversioned.
    schema_revision: str
    created_at: str
    tables: dict[str, int]
    data_member: str
    data_sha256: str
    data_bytes: int
    #: E-mails that were waiting (pending or being sent) in the source when the copy was taken.
    waiting_email: int = 0
    #: PostgreSQL only: the schema dumped and the major versions of the server and of pg_dump.
    pg_schema: str = ""
    pg_server_major: int = 0
    pg_dump_major: int = 0

    @property
    def rows(self) -> int:
        """Every row of every table."""
        return sum(self.tables.values())

    @property
    def taken_at(self) -> datetime:
        """When the backup was taken (aware UTC)."""
        return datetime.fromisoformat(self.created_at)


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did."""

    manifest: Manifest
    tables_checked: int
    #: The revision the backup had when it was older than the code and was migrated, else "".
    migrated_from: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BackupFile:
    """One backup file in a directory, as the jobs page lists it."""

    name: str
    path: Path
    size: int
    taken_at: datetime | None
    rows: int
    ok: bool
    problem: str = ""


# --- the schema revision of the code ----------------------------------------------------------


def _alembic_config(url: str | None = None):
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logging"] = False
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def code_heads() -> set[str]:
    """The schema revision(s) this code brings a database to."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(_alembic_config()).get_heads())


def _known(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises one of several resolution errors for an unknown id
        return False


def check_revision(revision: str) -> bool:
    """Whether a backup of ``revision`` needs migrating after the restore (it is older).

    Raises:
        BackupError: a revision this code does not know: the backup comes from a newer version.
    """
    if not revision:
        return False
    revisions = set(revision.split(","))
    unknown = sorted(r for r in revisions if not _known(r))
    if unknown:
        raise BackupError(
            "This backup was made by a newer version of the application (schema revision {revision}); "
            "install that version or a newer one, then restore it.", revision=", ".join(unknown))
    return revisions != code_heads()


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the code's schema revision."""
    from alembic import command

    command.upgrade(_alembic_config(url), "heads")


# --- files ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_archive(target: Path, manifest: Manifest, data: Path) -> None:
    """The tar file, written beside ``target`` and renamed into place (never a half file)."""
    partial = target.with_name(f".{target.name}.partial")
    payload = json.dumps(asdict(manifest), indent=1, sort_keys=True).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.mtime = len(payload), int(manifest.taken_at.timestamp())
    try:
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(info, io.BytesIO(payload))
            tar.add(data, arcname=manifest.data_member, recursive=False)
        with partial.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def read_manifest(path: Path) -> Manifest:
    """The manifest of a backup file (only its first member is read).

    Raises:
        BackupError: no such file, or not a backup of this application.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError("There is no backup file at {path}.", path=str(path))
    try:
        with tarfile.open(path, "r:") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST:
                raise BackupError("{path} is not a backup of this application (no manifest).", path=str(path))
            data = json.loads(tar.extractfile(member).read())
        manifest = Manifest(**{**data, "tables": {str(k): int(v) for k, v in data["tables"].items()}})
    except BackupError:
        raise
    except (tarfile.TarError, OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BackupError("{path} is not a readable backup ({problem}); use another backup file.",
                          path=str(path), problem=type(exc).__name__) from exc
    if manifest.format != FORMAT:
        raise BackupError("{path} has backup format {format}, which this version cannot read.",
                          path=str(path), format=manifest.format)
    return manifest


def _extract_verified(path: Path, manifest: Manifest, into: Path) -> Path:
    """The data member written to ``into``, its SHA-256 and size checked against the manifest."""
    out = into / manifest.data_member
    digest, size = hashlib.sha256(), 0
    try:
        with tarfile.open(path, "r:") as tar:
            member = tar.getmember(manifest.data_member)
            source = tar.extractfile(member)
            with out.open("wb") as f:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    f.write(chunk)
    except (tarfile.TarError, KeyError, OSError, EOFError) as exc:
        raise BackupError("{path} is damaged: its data cannot be read ({problem}); nothing was restored. "
                          "Use another backup file.", path=str(path), problem=type(exc).__name__) from exc
    if size != manifest.data_bytes or digest.hexdigest() != manifest.data_sha256:
        raise BackupError("{path} is damaged: its data does not match the checksum in its manifest; nothing "
                          "was restored. Use another backup file.", path=str(path))
    return out


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up or restored; "
                          "set ENGAGEMENT_DATABASE_URL to a database file.")
    return Path(database)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _sqlite_facts(conn: sqlite3.Connection) -> tuple[dict[str, int], str, int]:
    """Row counts, alembic revision and waiting e-mails of a (quiet) SQLite copy."""
    tables = _sqlite_tables(conn)
    counts = {t: conn.execute(f"SELECT count(*) FROM {_q(t)}").fetchone()[0] for t in tables}
    revision = ""
    if "alembic_version" in tables:
        revision = ",".join(sorted(r[0] for r in conn.execute("SELECT version_num FROM alembic_version")))
    waiting = 0
    if "outbox_message" in tables:
        waiting = conn.execute("SELECT count(*) FROM outbox_message WHERE channel = 'email' "
                               "AND status IN ('pending', 'sending')").fetchone()[0]
    return counts, revision, waiting


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _sqlite_backup(url: str, target: Path, now: datetime) -> Manifest:
    source = _sqlite_path(url)
    if not source.is_file() or source.stat().st_size == 0:
        raise BackupError("There is no database at {path} to back up.", path=str(source))
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        copy = Path(work) / SQLITE_MEMBER
        src, dst = _connect(source), _connect(copy)
        try:
            # pages=-1: the whole database in one step, i.e. one read transaction (a stepped
            # copy restarts whenever another process writes, and may never finish).
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal to carry
            counts, revision, waiting = _sqlite_facts(dst)
        finally:
            src.close()
            dst.close()
        manifest = Manifest(format=FORMAT, dialect="sqlite", schema_revision=revision,
                            created_at=now.astimezone(UTC).isoformat(), tables=counts,
                            data_member=SQLITE_MEMBER, data_sha256=_sha256(copy),
                            data_bytes=copy.stat().st_size, waiting_email=waiting)
        _write_archive(target, manifest, copy)
    return manifest


def _has_organisation(conn: sqlite3.Connection) -> bool:
    tables = set(_sqlite_tables(conn))
    return any(conn.execute(f"SELECT 1 FROM {_q(t)} LIMIT 1").fetchone() for t in ORGANISATION_TABLES
               if t in tables)


def _sqlite_restore(url: str, path: Path, manifest: Manifest, *, force: bool,
                    statements: Sequence[str]) -> dict[str, int]:
    target = _sqlite_path(url)
    if target.is_file() and target.stat().st_size > 0:
        conn = _connect(target)
        try:
            occupied = _has_organisation(conn)
        except sqlite3.DatabaseError as exc:
            if not force:
                raise BackupError("{path} is not a readable database; restore over it with --force.",
                                  path=str(target)) from exc
            # Not a database at all: replaced as a whole, once the backup is checked.
            occupied, broken = False, True
        else:
            broken = False
        finally:
            conn.close()
        if occupied and not force:
            raise BackupError("The database {path} already holds an organisation; restoring would replace "
                              "it. Restore into an empty database, or add --force to replace it.",
                              path=str(target))
    else:
        broken = True
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".restore-") as work:
        data = _extract_verified(path, manifest, Path(work))
        copy = _connect(data)
        try:
            counts, _, _ = _sqlite_facts(copy)
            _compare(manifest.tables, counts)
            # The caller's statements run on the copy BEFORE it replaces the target: the
            # restored database never shows, even for a moment, e-mails ready to go again.
            copy.execute("BEGIN IMMEDIATE")
            for statement in statements:
                copy.execute(statement)
            copy.execute("COMMIT")
            if broken:
                # A -wal or -shm without its database (or beside a file that is no database)
                # is left from an older file: SQLite would replay it over the restored one.
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{target}{suffix}").unlink(missing_ok=True)
            dst = _connect(target)
            try:
                copy.backup(dst, pages=-1)
                mode = dst.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if mode == "wal":
                    dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                dst.close()
        finally:
            copy.close()
    conn = _connect(target)
    try:
        return _sqlite_facts(conn)[0]
    finally:
        conn.close()


# --- PostgreSQL -------------------------------------------------------------------------------

_VERSION = re.compile(r"\)\s*(\d+)")


def _tool(name: str, *, at_least: int) -> str:
    """The path of a PostgreSQL client program whose major version is at least ``at_least``."""
    path = shutil.which(name)
    if path is None:
        raise BackupError("The PostgreSQL program {tool} is not installed on this machine; install the "
                          "PostgreSQL {major} client tools (Debian: apt-get install postgresql-client) and "
                          "try again.", tool=name, major=at_least)
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    found = _VERSION.search(out)
    major = int(found.group(1)) if found else 0
    if major < at_least:
        raise BackupError("{tool} is version {found} but PostgreSQL {major} is needed here; install the "
                          "PostgreSQL {major} client tools (or newer) and try again.",
                          tool=name, found=major, major=at_least)
    return path


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    found = _VERSION.search(out)
    return int(found.group(1)) if found else 0


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI (no password in it: that goes in the environment) and the env."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=NullPool)


def _pg_tables(conn: sa.Connection) -> list[str]:
    return list(conn.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename").scalars())


def _pg_facts(conn: sa.Connection) -> tuple[dict[str, int], str, int]:
    tables = _pg_tables(conn)
    counts = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {_q(t)}").scalar_one() for t in tables}
    revision = ""
    if "alembic_version" in tables:
        revision = ",".join(sorted(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()))
    waiting = 0
    if "outbox_message" in tables:
        waiting = conn.exec_driver_sql("SELECT count(*) FROM outbox_message WHERE channel = 'email' "
                                       "AND status IN ('pending', 'sending')").scalar_one()
    return counts, revision, waiting


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError("{tool} failed: {error}", tool=what, error=(result.stderr or result.stdout).strip()[-500:])


def _pg_backup(url: str, target: Path, now: datetime) -> Manifest:
    engine = _pg_engine(url)
    try:
        with engine.connect() as plain:
            server = plain.exec_driver_sql("SHOW server_version_num").scalar_one()
        major = int(server) // 10000
        pg_dump = _tool("pg_dump", at_least=major)
        uri, env = _libpq(url)
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            # The snapshot is exported by the transaction that counts the rows, and pg_dump
            # dumps that same snapshot: the manifest's counts are the dump's counts.
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
            counts, revision, waiting = _pg_facts(conn)
            with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
                dump = Path(work) / PG_MEMBER
                _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      f"--schema={schema}", f"--file={dump}", f"--dbname={uri}"], env, "pg_dump")
                conn.rollback()
                manifest = Manifest(format=FORMAT, dialect="postgresql", schema_revision=revision,
                                    created_at=now.astimezone(UTC).isoformat(), tables=counts,
                                    data_member=PG_MEMBER, data_sha256=_sha256(dump),
                                    data_bytes=dump.stat().st_size, waiting_email=waiting, pg_schema=schema,
                                    pg_server_major=major, pg_dump_major=_tool_major(pg_dump))
                _write_archive(target, manifest, dump)
    finally:
        engine.dispose()
    return manifest


def _pg_restore(url: str, path: Path, manifest: Manifest, *, force: bool,
                statements: Sequence[str]) -> dict[str, int]:
    pg_restore = _tool("pg_restore", at_least=manifest.pg_dump_major)
    engine = _pg_engine(url)
    try:
        with engine.connect() as conn:
            major = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
            existing = _pg_tables(conn)
            occupied = any(conn.exec_driver_sql(f"SELECT 1 FROM {_q(t)} LIMIT 1").first()
                           for t in ORGANISATION_TABLES if t in existing)
        psql = _tool("psql", at_least=min(major, manifest.pg_server_major or major))
        if schema != manifest.pg_schema:
            raise BackupError("This backup holds the schema {source} but the configured database uses {target}; "
                              "restore it into a database whose search path is {source}.",
                              source=manifest.pg_schema, target=schema or "-")
        if occupied and not force:
            raise BackupError("The configured database already holds an organisation; restoring would replace "
                              "it. Restore into an empty database, or add --force to replace it.")
        uri, env = _libpq(url)
        with tempfile.TemporaryDirectory(prefix=".restore-", dir=path.parent) as work:
            dump = _extract_verified(path, manifest, Path(work))
            # Everything in one transaction: the old tables dropped, the dump's SQL, the
            # caller's statements. A failure anywhere leaves the database as it was.
            head = "".join(f"DROP TABLE IF EXISTS {_q(schema)}.{_q(t)} CASCADE;\n" for t in existing)
            tail = f"SELECT pg_catalog.set_config('search_path', {_literal(schema)}, false);\n" + "".join(
                f"{s};\n" for s in statements)
            _pipe_restore(pg_restore, psql, dump, uri, env, head, tail)
        with engine.connect() as conn:
            return _pg_facts(conn)[0]
    finally:
        engine.dispose()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _objects_list(pg_restore: str, dump: Path, env: dict[str, str]) -> Path:
    """The dump's table of contents without the schema itself (the target has it already)."""
    listing = subprocess.run([pg_restore, "--list", str(dump)], capture_output=True, text=True, env=env, check=False)
    if listing.returncode != 0:
        raise BackupError("pg_restore cannot read the dump in this backup ({error}); use another backup file.",
                          error=listing.stderr.strip()[-300:])
    keep = [line for line in listing.stdout.splitlines()
            if not re.search(r"^\d+; \d+ \d+ (SCHEMA - |COMMENT - SCHEMA )\S+ ", line)]
    path = dump.with_suffix(".list")
    path.write_text("\n".join(keep) + "\n")
    return path


def _pipe_restore(pg_restore: str, psql: str, dump: Path, uri: str, env: dict[str, str], head: str,
                  tail: str) -> None:
    objects = _objects_list(pg_restore, dump, env)
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        reader = subprocess.Popen([pg_restore, "--no-owner", "--no-privileges", f"--use-list={objects}",
                                   "--file=-", str(dump)],
                                  stdout=subprocess.PIPE, stderr=restore_err, env=env)
        writer = subprocess.Popen([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                                   "-f", "-", f"--dbname={uri}"], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        with contextlib.suppress(BrokenPipeError):
            writer.stdin.write(head.encode())
            shutil.copyfileobj(reader.stdout, writer.stdin, CHUNK)
            writer.stdin.write(tail.encode())
        with contextlib.suppress(BrokenPipeError):
            writer.stdin.close()
        reader.stdout.close()
        read_code, write_code = reader.wait(), writer.wait()
        for code, err, tool in ((read_code, restore_err, "pg_restore"), (write_code, psql_err, "psql")):
            if code != 0:
                err.seek(0)
                raise BackupError("{tool} failed, nothing was restored: {error}", tool=tool,
                                  error=err.read().decode(errors="replace").strip()[-500:])


# --- the two commands -------------------------------------------------------------------------


def _compare(expected: dict[str, int], found: dict[str, int]) -> None:
    for table, rows in sorted(expected.items()):
        if found.get(table) != rows:
            raise BackupError("The restored table {table} holds {found} rows where the backup lists {rows}; "
                              "restore again from another backup.", table=table, found=found.get(table, 0),
                              rows=rows)


def _dialect(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError("Backups work with SQLite and PostgreSQL only, not {dialect}.", dialect=name)
    return name


def backup(url: str, target: Path, *, now: datetime) -> Manifest:
    """Write a backup of the database at ``url`` to ``target``, while others keep writing.

    Args:
        url: the database (SQLAlchemy URL).
        target: the backup file to write (replaced atomically if it exists).
        now: when (recorded in the manifest).

    Returns:
        The manifest written with the data.

    Raises:
        BackupError: no database there, a missing or too old PostgreSQL tool, a failed dump.
    """
    target = Path(target).absolute()
    if target.is_dir():
        raise BackupError("{path} is a directory; give the name of the backup file to write.", path=str(target))
    if not target.parent.is_dir():
        raise BackupError("The folder {path} does not exist; create it or choose another.", path=str(target.parent))
    if _dialect(url) == "sqlite":
        return _sqlite_backup(url, target, now)
    return _pg_backup(url, target, now)


def restore(url: str, source: Path, *, force: bool = False, statements: Sequence[str] = (),
            migrate_older: bool = True) -> RestoreReport:
    """Restore a backup file into the database at ``url``.

    Checked before anything is written: the manifest, the schema revision (a newer one is
    refused), the database kind, the tools, an organisation already there (refused without
    ``force``), the data's checksum. Then the data is written in one step together with
    ``statements``, the row counts are compared with the manifest, and a backup from an
    older schema is migrated.

    Args:
        url: the target database (SQLAlchemy URL).
        source: the backup file.
        force: replace an organisation that is already in the target.
        statements: SQL run in the restored data in the same step (plain SQL both databases
            understand; unqualified table names).
        migrate_older: migrate a backup from an older schema revision (default).

    Returns:
        The manifest, how many tables were checked, the revision migrated from.

    Raises:
        BackupError: with what to do, whenever the restore is refused or fails.
    """
    source = Path(source).absolute()
    manifest = read_manifest(source)
    dialect = _dialect(url)
    if manifest.dialect != dialect:
        raise BackupError("This backup is of a {source} database; the configured database is {target}. Restore it "
                          "into a {source} database.", source=manifest.dialect, target=dialect)
    older = check_revision(manifest.schema_revision)
    if dialect == "sqlite":
        found = _sqlite_restore(url, source, manifest, force=force, statements=statements)
    else:
        found = _pg_restore(url, source, manifest, force=force, statements=statements)
    _compare(manifest.tables, found)
    notes = []
    if not manifest.schema_revision:
        notes.append("unversioned")
    if older and migrate_older:
        migrate(url)
    return RestoreReport(manifest=manifest, tables_checked=len(manifest.tables),
                         migrated_from=manifest.schema_revision if older and migrate_older else "", notes=notes)


# --- a directory of backups (the scheduled job) -----------------------------------------------


def file_name(now: datetime) -> str:
    """The name the scheduled backup gives the file it writes at ``now`` (UTC, sortable)."""
    return f"{PREFIX}{now.astimezone(UTC):%Y%m%d-%H%M%S}{SUFFIX}"


def _scheduled(directory: Path) -> Iterator[Path]:
    if directory.is_dir():
        yield from (p for p in directory.iterdir()
                    if p.is_file() and p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))


def list_backups(directory: Path, *, limit: int = 20) -> list[BackupFile]:
    """The newest backups the scheduled job wrote in ``directory``, newest first."""
    result = []
    for path in sorted(_scheduled(Path(directory)), key=lambda p: p.name, reverse=True)[:limit]:
        size = path.stat().st_size
        try:
            manifest = read_manifest(path)
        except BackupError as exc:
            result.append(BackupFile(name=path.name, path=path, size=size, taken_at=None, rows=0, ok=False,
                                     problem=exc.message))
            continue
        result.append(BackupFile(name=path.name, path=path, size=size, taken_at=manifest.taken_at,
                                 rows=manifest.rows, ok=True))
    return result


def prune(directory: Path, *, keep: int) -> list[Path]:
    """Delete the scheduled backups beyond the newest ``keep``; returns what was deleted.

    Only files named like the job's own (``engagement-<time>.backup``) are considered: a
    backup an admin wrote by hand in the same folder is never deleted.
    """
    old = sorted(_scheduled(Path(directory)), key=lambda p: p.name, reverse=True)[max(keep, 1):]
    for path in old:
        path.unlink(missing_ok=True)
    return old
