"""Retention of the outbox, notices and job runs (SQLite / PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from engagement.jobs import cleanup, registry, runner
from engagement.jobs.models import JobRun, ReminderMark
from engagement.notify.models import Notification, OutboxMessage
from engagement.settings import load_settings
from tests import factories as f

DAY = timedelta(days=1)


@pytest.fixture
def world(session, now):
    o = f.small_org(session, now)
    pid = f.person(session, o.admin, now, unit_id=o.b, name="Nguyễn Văn An", email="an@tinh.gov.vn")
    old, recent = now - 181 * DAY, now - 179 * DAY

    def outbox(tag, status, at, channel="email"):
        session.add(OutboxMessage(recipient_id=pid, channel=channel, category="recognition", kind="k",
                                  subject_ref=tag, title=tag, status=status, created_at=at,
                                  next_attempt_at=at))

    outbox("old-sent", "sent", old)
    outbox("old-sent-in-app", "sent", old, channel="in_app")
    outbox("old-failed", "failed", old)
    outbox("old-pending", "pending", old)
    outbox("old-sending", "sending", old)
    outbox("recent-sent", "sent", recent)
    outbox("recent-failed", "failed", recent)
    for i in range(5):  # more than one batch of 2
        outbox(f"old-sent-{i}", "sent", old - i * DAY, channel="in_app")

    def notice(tag, at, read):
        session.add(Notification(recipient_id=pid, category="recognition", kind="k", subject_ref=tag,
                                 title=tag, created_at=at, read_at=at + DAY if read else None))

    notice("old-read", old, True)
    notice("old-unread", old, False)
    notice("recent-read", recent, True)
    for days in (91, 89):  # one run past the 90 days, one not
        session.add(JobRun(job_id="deliver-email", started_at=now - days * DAY, finished_at=now - days * DAY))
    session.add(ReminderMark(recipient_id=pid, kind="commitments.reminder", subject_ref="campaign:1",
                             stage="launch", created_at=now - 400 * DAY))
    session.commit()
    return pid


def _clean(session, engine, **kw):
    return f.run_after_commit(session, cleanup.cleanup, engine, **kw)


def _left(session, model, column):
    session.expire_all()
    return sorted(getattr(r, column) for r in session.exec(select(model)))


def test_cleanup_deletes_only_what_is_past_retention_and_never_what_is_waiting_or_unread(
        session, engine, now, world):
    report = _clean(session, engine, now=now, retention_days=180, batch=2)
    assert (report.outbox, report.notifications, report.job_runs) == (8, 1, 1)
    assert _left(session, OutboxMessage, "subject_ref") == [
        "old-pending", "old-sending", "recent-failed", "recent-sent"]
    assert _left(session, Notification, "subject_ref") == ["old-unread", "recent-read"]
    assert [r.started_at for r in session.exec(select(JobRun))] == [now - 89 * DAY]
    # Reminder marks stay: they are what stops a reminder stage going out twice.
    assert len(_left(session, ReminderMark, "stage")) == 1
    # A second run finds nothing more.
    assert _clean(session, engine, now=now, retention_days=180, batch=2).total == 0


def test_a_shorter_retention_deletes_more(session, engine, now, world):
    report = _clean(session, engine, now=now, retention_days=30)
    assert (report.outbox, report.notifications) == (10, 2)
    assert _left(session, OutboxMessage, "subject_ref") == ["old-pending", "old-sending"]


def test_the_cleanup_job_is_registered_daily_and_reads_the_retention_setting(
        session, engine, now, world, monkeypatch):
    job = registry.JOBS["notify-cleanup"]
    assert job.cron == {"hour": "2", "minute": "40"}
    session.commit()
    monkeypatch.setenv("ENGAGEMENT_OUTBOX_RETENTION_DAYS", "30")
    from engagement.settings import get_settings

    get_settings.cache_clear()
    try:
        assert runner.run_job("notify-cleanup", holder="t", engine=engine, now_fn=lambda: now,
                            require_lease=False) == 10 + 2 + 1
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("raw", ["0", "-5", "half a year"])
def test_a_bad_retention_setting_is_refused_naming_it(monkeypatch, raw):
    monkeypatch.setenv("ENGAGEMENT_OUTBOX_RETENTION_DAYS", raw)
    with pytest.raises(ValueError, match=r"ENGAGEMENT_OUTBOX_RETENTION_DAYS.*" + raw.split()[0]):
        load_settings()
