"""Backup and restore (issue 17 §1): online copies, the manifest, refusals, held e-mails, the daily job.

Each test works on databases of its own: SQLite files, or (TEST_POSTGRES_URL) PostgreSQL
databases created beside the test database and dropped afterwards, because a restore
replaces a whole database and ``pg_dump`` needs to reach it by URL.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import shutil
import sqlite3
import tarfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select

from engagement import cli
from engagement.core import audit, backup, clock
from engagement.core.db import make_engine, unit_of_work
from engagement.jobs import queries as job_queries
from engagement.jobs import service as jobs_service
from engagement.jobs.models import JobRun, SchedulerLease
from engagement.notify import service as notify_service
from engagement.notify.models import OutboxMessage
from engagement.org.models import Person
from engagement.schema import metadata
from tests import factories as f

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()
#: Tables the writer threads insert into while the backup runs.
WRITTEN = {"outbox_message", "notification", "audit_entry"}


def _stamp(engine: sa.Engine, revisions: set[str]) -> None:
    """Record a schema revision as ``engagement migrate`` would (the tests build tables from the models)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.exec_driver_sql("DELETE FROM alembic_version")
        for revision in sorted(revisions):
            conn.execute(sa.text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})


@pytest.fixture
def new_database(tmp_path):
    """``new_database(schema=True)``: the URL of a fresh database, with the schema (stamped at the
    code's revision) or with nothing."""
    counter, created = itertools.count(1), []
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool) if POSTGRES_URL else None

    def make(*, schema: bool = True) -> str:
        n = next(counter)
        if admin is not None:
            name = f"engagement_backup_{os.getpid()}_{n}"
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
            created.append(name)
            url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tmp_path / f'db{n}.db'}"
        if schema:
            engine = make_engine(url)
            metadata.create_all(engine)
            _stamp(engine, backup.code_heads())
            engine.dispose()
        return url

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _rows(url: str) -> dict[str, list[dict]]:
    """Every row of every table, ordered by primary key: what "every table equal" compares."""
    engine = make_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {t.name: [dict(r._mapping) for r in conn.execute(
                sa.select(t).order_by(*(list(t.primary_key.columns) or list(t.columns))))]
                for t in meta.sorted_tables}
    finally:
        engine.dispose()


def _organisation(engine: sa.Engine, now, *, mail_people: int = 3) -> list[int]:
    """The small org, people who chose e-mail, and one queued e-mail each; their ids."""
    with Session(engine, expire_on_commit=False) as s:
        org = f.small_org(s, now)
        pids = [f.person(s, org.admin, now, unit_id=org.b, name="Trần Thị Bình", email=f"nv{i}@tinh.gov.vn")
                for i in range(mail_people)]
        for pid in pids:
            f.preference(s, person_id=pid, category="recognition", mode="email", now=now)
            f.notification(s, person_id=pid, now=now)
        s.commit()
    return pids


# --- online backup, restore into a fresh database ---------------------------------------------


def test_a_backup_taken_while_writers_write_restores_a_consistent_copy_table_by_table(new_database, now, tmp_path):
    source = new_database()
    engine = make_engine(source)
    pids = _organisation(engine, now, mail_people=4)
    stop, done, errors = threading.Event(), [0] * len(pids), []

    def writer(i: int) -> None:
        n = 0
        try:
            while not stop.is_set():
                with unit_of_work(engine) as s:
                    # One transaction writes three tables: a snapshot must hold all or none of it.
                    notify_service.notify(s, person_id=pids[i], category="recognition", kind="test.online",
                                          subject_ref=f"w{i}:{n}", title="Cảm ơn anh", now=now)
                    audit.record(s, actor=None, action="test.write", entity="writer", entity_id=f"w{i}:{n}",
                                 now=now)
                n += 1
                done[i] = n
        except Exception as exc:  # reported below: a writer must never fail
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(pids))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while sum(done) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    file = tmp_path / "online.backup"
    manifest = backup.backup(source, file, now=now)
    written_at_backup = sum(done)
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []
    assert sum(done) > written_at_backup >= 40  # the writers wrote before, during and after the copy

    target = new_database(schema=False)
    report = backup.restore(target, file)
    assert report.tables_checked == len(manifest.tables) and report.migrated_from == ""
    live, restored = _rows(source), _rows(target)
    assert {t: len(rows) for t, rows in restored.items()} == manifest.tables
    assert 0 < manifest.tables["notification"] < len(live["notification"])
    for table, rows in restored.items():
        if table in WRITTEN:
            # Rows written after the copy are missing; every row the copy holds is exactly as written.
            pk = [c.name for c in metadata.tables[table].primary_key.columns]
            by_key = {tuple(r[c] for c in pk): r for r in live[table]}
            assert all(by_key[tuple(r[c] for c in pk)] == r for r in rows), table
        else:
            assert rows == live[table], table
    # Each writer transaction is wholly in the copy or wholly absent.
    notices = {r["subject_ref"] for r in restored["notification"] if r["kind"] == "test.online"}
    outbox = {r["subject_ref"] for r in restored["outbox_message"] if r["kind"] == "test.online"
              and r["channel"] == "in_app"}
    emails = {r["subject_ref"] for r in restored["outbox_message"] if r["kind"] == "test.online"
              and r["channel"] == "email"}
    audits = {r["entity_id"] for r in restored["audit_entry"] if r["action"] == "test.write"}
    assert notices == outbox == emails == audits
    assert len(audits) == manifest.tables["audit_entry"] - sum(
        1 for r in restored["audit_entry"] if r["action"] != "test.write")

    # Once the writers have stopped, a second backup restores to a database equal row by row.
    quiet = tmp_path / "quiet.backup"
    backup.backup(source, quiet, now=now + timedelta(minutes=1))
    again = new_database(schema=False)
    backup.restore(again, quiet)
    assert _rows(again) == _rows(source)


def test_the_manifest_says_what_the_backup_holds(new_database, now, tmp_path):
    source = new_database()
    engine = make_engine(source)
    _organisation(engine, now)
    engine.dispose()
    file = tmp_path / "a.backup"
    manifest = backup.backup(source, file, now=now)
    with tarfile.open(file) as tar:
        names = tar.getnames()
        stored = json.loads(tar.extractfile("manifest.json").read())
        data = tar.extractfile(names[1]).read()
    assert names[0] == "manifest.json"
    assert stored["schema_revision"] == ",".join(sorted(backup.code_heads()))
    assert stored["created_at"] == now.isoformat()
    assert stored["tables"] == {t: len(rows) for t, rows in _rows(source).items()}
    assert stored["tables"]["person"] == 4 and stored["waiting_email"] == 3 == manifest.waiting_email
    assert stored["data_sha256"] == hashlib.sha256(data).hexdigest() and stored["data_bytes"] == len(data)


def test_a_restored_sqlite_file_is_complete_without_its_wal(new_database, now, tmp_path):
    if POSTGRES_URL:
        pytest.skip("SQLite files only")
    source = new_database()
    engine = make_engine(source)
    _organisation(engine, now)
    engine.dispose()
    file = tmp_path / "a.backup"
    manifest = backup.backup(source, file, now=now)
    target = new_database(schema=False)
    path = Path(make_url(target).database)
    # A -wal left from an older database beside a missing file is removed before the restore.
    Path(f"{path}-wal").write_bytes(Path(make_url(source).database).read_bytes()[:4096])
    backup.restore(target, file)
    # `cp` of the restored file alone (the failure: the data sat in the WAL) holds everything.
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == manifest.tables["person"]
        assert conn.execute("SELECT count(*) FROM outbox_message").fetchone()[0] == manifest.tables["outbox_message"]
    finally:
        conn.close()


# --- refusals: nothing is written -------------------------------------------------------------


def _repack(file: Path, out: Path, **changes) -> Path:
    """A copy of a backup file with manifest fields changed (the data untouched)."""
    with tarfile.open(file) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        member = tar.getmembers()[1]
        data = tar.extractfile(member).read()
    manifest.update(changes)
    payload = json.dumps(manifest).encode()
    with tarfile.open(out, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
        info = tarfile.TarInfo(member.name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return out


def _tables(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.fixture
def one_backup(new_database, now, tmp_path):
    source = new_database()
    engine = make_engine(source)
    _organisation(engine, now)
    engine.dispose()
    file = tmp_path / "good.backup"
    backup.backup(source, file, now=now)
    return source, file


def test_a_corrupted_backup_is_refused_by_its_checksum(one_backup, new_database, tmp_path):
    _, file = one_backup
    bad = tmp_path / "bad.backup"
    shutil.copyfile(file, bad)
    with tarfile.open(bad) as tar:
        member = tar.getmembers()[1]
    with bad.open("r+b") as fh:
        fh.seek(member.offset_data + member.size // 2)
        byte = fh.read(1)
        fh.seek(-1, io.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))
    target = new_database(schema=False)
    with pytest.raises(backup.BackupError, match="does not match the checksum"):
        backup.restore(target, bad)
    assert _tables(target) == []


def test_a_truncated_or_foreign_file_is_refused(one_backup, new_database, tmp_path):
    _, file = one_backup
    cut = tmp_path / "cut.backup"
    cut.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    target = new_database(schema=False)
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(target, cut)
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a backup")
    with pytest.raises(backup.BackupError, match=r"not a readable backup|not a backup"):
        backup.restore(target, foreign)
    with pytest.raises(backup.BackupError, match="no backup file"):
        backup.restore(target, tmp_path / "missing.backup")
    assert _tables(target) == []


def test_a_backup_from_a_newer_schema_is_refused(one_backup, new_database, tmp_path):
    _, file = one_backup
    newer = _repack(file, tmp_path / "newer.backup", schema_revision="ffffffffffff")
    target = new_database(schema=False)
    with pytest.raises(backup.BackupError, match="newer version of the application") as refused:
        backup.restore(target, newer)
    assert "ffffffffffff" in refused.value.message
    assert _tables(target) == []


def test_an_older_schema_is_migrated_and_the_current_one_is_not():
    assert backup.check_revision(",".join(sorted(backup.code_heads()))) is False
    assert backup.check_revision("575d50a64635") is True  # commendations part 2: known, not the newest
    assert backup.check_revision("") is False  # a database built from the models, without alembic


def test_a_restore_over_an_organisation_needs_force(one_backup, new_database, now, tmp_path):
    source, file = one_backup
    other = new_database()
    engine = make_engine(other)
    with Session(engine) as s:
        f.small_org(s, now)
        f.unit(s, f.actor_for(s, "admin", now), now, parent_id=s.exec(sa.text("SELECT id FROM unit")).first()[0],
               name="Phòng Riêng", code="ONLY-HERE")
        s.commit()
    engine.dispose()
    before = _rows(other)
    with pytest.raises(backup.BackupError, match="already holds an organisation"):
        backup.restore(other, file)
    assert _rows(other) == before
    backup.restore(other, file, force=True)
    assert _rows(other) == _rows(source)


def test_a_missing_postgresql_tool_gets_a_clear_message(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match=r"pg_dump is not installed.*postgresql-client"):
        backup._tool("pg_dump", at_least=15)


def test_an_older_postgresql_tool_than_the_server_is_refused(monkeypatch, tmp_path):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(backup.shutil, "which", lambda name: str(fake))
    with pytest.raises(backup.BackupError, match="version 13 but PostgreSQL 15 is needed"):
        backup._tool("pg_dump", at_least=15)


# --- e-mails waiting in the backup are held ---------------------------------------------------


@pytest.fixture
def configured(monkeypatch):
    """``configured(url)``: the app's settings and engines point at ``url`` (as the CLI sees them)."""
    from engagement.core import db as core_db
    from engagement.settings import get_settings

    caches = (get_settings, core_db.get_engine, core_db.get_read_engine)

    def point(url: str) -> None:
        monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", url)
        for cached in caches:
            cached.cache_clear()

    yield point
    core_db.get_engine().dispose()
    core_db.get_read_engine().dispose()
    for cached in caches:
        cached.cache_clear()


def test_mail_waiting_in_the_backup_is_held_after_a_restore_until_released(new_database, now, tmp_path, smtp,
                                                                            configured, capsys):
    source = new_database()
    engine = make_engine(source)
    _organisation(engine, now)
    with unit_of_work(engine) as s:  # a mail run under way when the backup is taken
        jobs_service.take_lease(s, name="job:deliver-email", holder="old-host:1", now=now, seconds=1800)
    file = tmp_path / "before-mail.backup"
    assert backup.backup(source, file, now=now).waiting_email == 3
    # After the backup the mail run sends them: a restore must not send them a second time.
    assert notify_service.deliver_email(engine, sender=f.smtp_sender(smtp), now=now, worker="t").sent == 3
    engine.dispose()
    first = sorted((m.to, m.message_id) for m in smtp.messages)

    target = new_database(schema=False)
    configured(target)
    assert cli.main(["restore", str(file)]) == 0
    out = capsys.readouterr().out
    assert "every count as in the manifest" in out and "3 e-mail(s) that were waiting in the backup are HELD" in out
    assert "Signature chain intact" in out and "Decision chain intact" in out
    restored = make_engine(target)
    with Session(restored) as s:  # the old run's lock came back expired: the next mail run is not blocked
        assert [lease.expires_at.year for lease in s.exec(select(SchedulerLease))] == [2000]
        assert jobs_service.lease_expiry(s, name="job:deliver-email", now=now) is None
    later = now + timedelta(minutes=5)
    assert notify_service.deliver_email(restored, sender=f.smtp_sender(smtp), now=later, worker="t").sent == 0
    assert len(smtp.messages) == 3
    with Session(restored) as s:
        assert {m.status for m in s.exec(select(OutboxMessage).where(OutboxMessage.channel == "email"))} == {"held"}
    assert cli.main(["held"]) == 0 and "3 e-mail(s) held" in capsys.readouterr().out
    assert cli.main(["held", "--release"]) == 0  # queued for the next run, on the real clock
    assert notify_service.deliver_email(restored, sender=f.smtp_sender(smtp), now=clock.now() + timedelta(minutes=1),
                                        worker="t").sent == 3
    # The re-sent messages carry the ids of the first delivery: a receiver drops them as duplicates.
    assert sorted((m.to, m.message_id) for m in smtp.messages[3:]) == first
    restored.dispose()


def test_held_mail_can_be_discarded_and_is_never_sent(new_database, now, tmp_path, smtp, configured, capsys):
    source = new_database()
    engine = make_engine(source)
    _organisation(engine, now)
    engine.dispose()
    file = tmp_path / "a.backup"
    backup.backup(source, file, now=now)
    target = new_database(schema=False)
    configured(target)
    assert cli.main(["restore", str(file)]) == 0
    assert cli.main(["held", "--discard"]) == 0 and "3 held e-mail(s) discarded" in capsys.readouterr().out
    restored = make_engine(target)
    assert notify_service.deliver_email(restored, sender=f.smtp_sender(smtp), now=now, worker="t").sent == 0
    assert smtp.messages == []
    restored.dispose()


def test_held_mail_is_settled_by_the_admin_one_or_all_and_only_by_the_admin(session, now):
    org = f.small_org(session, now)
    pids = [f.person(session, org.admin, now, unit_id=org.b, email=f"h{i}@tinh.gov.vn") for i in range(3)]
    clerk = f.user(session, org.admin, now, unit_id=org.b, username="nv.thuong")
    for pid in pids:
        f.preference(session, person_id=pid, category="recognition", mode="email", now=now)
        f.notification(session, person_id=pid, now=now)
    session.flush()
    session.execute(sa.text(notify_service.hold_waiting_statement()))
    ids = list(session.exec(select(OutboxMessage.id).where(OutboxMessage.channel == "email")
                            .order_by(OutboxMessage.id)))
    from engagement.core.errors import Invalid, NotAllowed, NotFound
    from engagement.notify import queries as notify_queries

    with pytest.raises(NotAllowed):
        notify_service.settle_held(session, actor=clerk, action="release", now=now)
    with pytest.raises(NotAllowed):
        notify_service.settle_held(session, actor=None, action="release", now=now)
    with pytest.raises(Invalid):
        notify_service.settle_held(session, actor=org.admin, action="send-twice", now=now)
    with pytest.raises(NotFound):
        notify_service.settle_held(session, actor=org.admin, action="release", message_id=10**9, now=now)
    assert notify_service.settle_held(session, actor=org.admin, action="discard", message_id=ids[0], now=now) == 1
    with pytest.raises(Invalid, match="not held"):
        notify_service.settle_held(session, actor=org.admin, action="release", message_id=ids[0], now=now)
    assert notify_service.settle_held(session, actor=org.admin, action="release", now=now) == 2
    statuses = dict(session.exec(select(OutboxMessage.id, OutboxMessage.status).where(
        OutboxMessage.id.in_(ids))).all())
    assert statuses == {ids[0]: "discarded", ids[1]: "pending", ids[2]: "pending"}
    # The outbox page lists held messages under their own status.
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == ids[1]).values(status="held"))
    listed = notify_queries.outbox(session, actor=org.admin, status="held")
    assert (listed.total, listed.held, [r.id for r in listed.rows]) == (1, 1, [ids[1]])


def test_the_jobs_page_sends_or_discards_held_mail_for_the_admin_only(app_db):
    from engagement.jobs.state import NotifyAdminState

    with Session(app_db) as s:
        person_id = s.exec(select(Person.id)).first()
        held = OutboxMessage(recipient_id=person_id, channel="email", category="recognition",
                             kind="test.held", subject_ref="held:1", to_address="a@tinh.gov.vn", title="Chào",
                             status="held", created_at=clock.now())
        s.add(held)
        s.commit()
        held_id = held.id
    staff = f.app_state(app_db, NotifyAdminState, "staff")
    f.run_handler(staff, "settle_held", "release", 0)
    admin = f.app_state(app_db, NotifyAdminState, "admin")
    f.run_handler(admin, "load")
    assert admin.held == 1
    f.run_handler(admin, "settle_held", "release", held_id)
    assert admin.error == "" and "1 held e-mail(s) queued" in admin.notice and admin.held == 0
    with Session(app_db) as s:
        assert s.get(OutboxMessage, held_id).status == "pending"


# --- Message-ID (§3) --------------------------------------------------------------------------


def test_two_deliveries_of_one_message_carry_the_same_message_id(session, engine, now, smtp):
    org = f.small_org(session, now)
    one, two = (f.person(session, org.admin, now, unit_id=org.b, email=f"m{i}@tinh.gov.vn") for i in range(2))
    for pid in (one, two):
        f.preference(session, person_id=pid, category="recognition", mode="email", now=now)
        f.notification(session, person_id=pid, now=now)
    assert f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now).sent == 2
    # The crash window SMTP cannot close: the server accepted, the "sent" mark was lost.
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.to_address == "m0@tinh.gov.vn")
                    .values(status="pending", sent_at=None))
    assert f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now + timedelta(minutes=1)).sent == 1
    first = [m for m in smtp.messages if m.to == "m0@tinh.gov.vn"]
    other = [m for m in smtp.messages if m.to == "m1@tinh.gov.vn"]
    assert len(first) == 2 and first[0].message_id == first[1].message_id
    assert first[0].message_id.startswith("<") and first[0].message_id.endswith("@tinh.gov.vn>")
    assert other[0].message_id != first[0].message_id


# --- the daily backup job ---------------------------------------------------------------------


def test_the_daily_backup_keeps_the_newest_and_the_jobs_page_lists_them_and_the_failures(
        new_database, now, tmp_path, monkeypatch):
    from engagement.jobs import runner
    from engagement.settings import get_settings

    url = new_database()
    engine = make_engine(url)
    _organisation(engine, now)
    folder = tmp_path / "backups"
    monkeypatch.setenv("ENGAGEMENT_BACKUP_DIR", str(folder))
    monkeypatch.setenv("ENGAGEMENT_BACKUP_KEEP", "2")
    get_settings.cache_clear()
    try:
        hand_made = folder / "before-upgrade.backup"
        for day in range(3):
            moment = now + timedelta(days=day)
            assert runner.run_job("daily-backup", holder="t", engine=engine, require_lease=False,
                                  now_fn=lambda moment=moment: moment) == 0
            if day == 0:
                backup.backup(url, hand_made, now=now)
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted([backup.file_name(now + timedelta(days=1)), backup.file_name(now + timedelta(days=2)),
                                hand_made.name])  # an admin's own file is never pruned
        (folder / "blocked").write_text("a file where the folder should be")
        monkeypatch.setenv("ENGAGEMENT_BACKUP_DIR", str(folder / "blocked" / "inner"))
        get_settings.cache_clear()
        later = now + timedelta(days=3)
        assert runner.run_job("daily-backup", holder="t", engine=engine, require_lease=False,
                              now_fn=lambda: later) is None
        monkeypatch.setenv("ENGAGEMENT_BACKUP_DIR", str(folder))
        get_settings.cache_clear()
        with Session(engine) as s:
            admin = f.actor_for(s, "admin", now)
            overview = job_queries.backups_overview(s, actor=admin)
            error = s.exec(select(JobRun.error).where(JobRun.job_id == "daily-backup", JobRun.error != "")).one()
            from engagement.core.errors import NotAllowed

            with pytest.raises(NotAllowed):
                job_queries.backups_overview(s, actor=None)
        assert "cannot be created" in error
        assert [r.ok for r in overview.rows] == [False, True, True]
        assert "cannot be created" in overview.rows[0].problem
        assert overview.rows[1].name == backup.file_name(now + timedelta(days=2)) and overview.rows[1].rows > 0
        assert overview.keep == 2 and overview.directory == str(folder)
    finally:
        engine.dispose()
        get_settings.cache_clear()


def test_the_restore_command_refuses_while_the_app_runs_on_the_database(one_backup, new_database, configured,
                                                                          capsys):
    _, file = one_backup
    target = new_database()
    engine = make_engine(target)
    with unit_of_work(engine) as s:  # a scheduler renewing its lease: the app is up
        jobs_service.take_lease(s, holder="web-1:4242", now=clock.now(), seconds=90)
    engine.dispose()
    before = _rows(target)
    configured(target)
    assert cli.main(["restore", str(file)]) == 1
    assert "running on this database (web-1:4242); stop it first" in capsys.readouterr().err
    assert _rows(target) == before
    assert cli.main(["restore", str(file), "--force"]) == 0
    assert len(_rows(target)["person"]) == 4
