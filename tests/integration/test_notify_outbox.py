"""Outbox, e-mail delivery, preferences, the scheduler lease and job runs, on a real database
(SQLite, and PostgreSQL with TEST_POSTGRES_URL) and a real SMTP server on loopback."""

from __future__ import annotations

import functools
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core.errors import Invalid, NotAllowed
from engagement.jobs import queries as jobs_queries
from engagement.jobs import registry, runner
from engagement.jobs import service as jobs_service
from engagement.jobs.models import JobRun
from engagement.notify import queries, rules, service
from engagement.notify.mail import SmtpSender
from engagement.notify.models import Notification, OutboxMessage
from tests import factories as f


@pytest.fixture
def org(session, now):
    o = f.small_org(session, now)
    o.staff = f.user(session, o.admin, now, unit_id=o.a, username="staff", name="Lê Thị Hoa")
    o.people = [f.person(session, o.admin, now, unit_id=o.b, name=f"Nguyễn Văn {n}",
                         email=f"nv{i}@tinh.gov.vn")
                for i, n in enumerate(("An", "Bình", "Chi", "Dũng", "Giang", "Hà"))]
    o.no_mail = f.person(session, o.admin, now, unit_id=o.b, name="Trần Không Thư")
    session.commit()
    return o


def _mail_to(session, pid, now):
    """``pid`` chose e-mail for recognition; then a message about one."""
    f.preference(session, person_id=pid, category="recognition", mode="email", now=now)
    f.notification(session, person_id=pid, now=now)


# --- outbox and channels ----------------------------------------------------------------------


def test_default_preference_is_in_app_only_and_goes_through_the_outbox(session, org, now, engine, smtp):
    pid = org.people[0]
    assert f.notification(session, person_id=pid, now=now) is True
    session.commit()
    [row] = f.outbox(session, recipient_id=pid)
    assert (row.channel, row.status, row.sent_at) == ("in_app", "sent", now)
    assert session.exec(select(Notification).where(Notification.recipient_id == pid)).one()
    report = f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now, worker="t")
    assert report.sent == 0
    assert smtp.messages == []


def test_email_choice_queues_a_row_before_sending_and_smtp_delivers_it_once(session, org, now, engine, smtp):
    pid = org.people[0]
    _mail_to(session, pid, now)
    session.commit()
    email = f.outbox(session, recipient_id=pid, channel="email")
    assert [(r.status, r.to_address) for r in email] == [("pending", "nv0@tinh.gov.vn")]
    report = f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now, worker="t",
                                   public_url="https://thidua.tinh.gov.vn")
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [got] = smtp.messages
    assert got.to == "nv0@tinh.gov.vn"
    assert got.subject == "Bạn được ghi nhận"
    assert "Cảm ơn chị." in got.body and "https://thidua.tinh.gov.vn/recognition" in got.body
    [row] = f.outbox(session, recipient_id=pid, channel="email")
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, now)
    # Running again, or notifying again about the same thing, sends nothing more.
    assert f.notification(session, person_id=pid, now=now + timedelta(minutes=1)) is False
    session.commit()
    f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now + timedelta(minutes=2), worker="t")
    assert len(smtp.messages) == 1


def test_a_new_period_is_a_new_message_about_the_same_record(session, org, now):
    pid = org.people[0]
    assert f.notification(session, person_id=pid, now=now, subject_ref="campaign:1", period="2026-03-02") is True
    assert f.notification(session, person_id=pid, now=now, subject_ref="campaign:1", period="2026-03-02") is False
    assert f.notification(session, person_id=pid, now=now, subject_ref="campaign:1", period="2026-03-04") is True
    session.commit()
    assert len(f.outbox(session, recipient_id=pid)) == 2
    assert len(session.exec(select(Notification).where(Notification.recipient_id == pid)).all()) == 2


def test_off_sends_nothing_but_a_mandatory_notice_still_reaches_the_app(session, org, now):
    pid = org.people[1]
    f.preference(session, person_id=pid, category="commitments", mode="off", now=now)
    assert f.notification(session, person_id=pid, now=now, category="commitments", subject_ref="campaign:1") is False
    assert f.outbox(session, recipient_id=pid) == []
    assert f.notification(session, person_id=pid, now=now, category="commitments", subject_ref="campaign:2",
                          mandatory=True) is True
    session.commit()
    assert [r.channel for r in f.outbox(session, recipient_id=pid)] == ["in_app"]


def test_email_choice_without_an_address_stays_in_app(session, org, now):
    _mail_to(session, org.no_mail, now)
    session.commit()
    assert [r.channel for r in f.outbox(session, recipient_id=org.no_mail)] == ["in_app"]


def test_without_an_smtp_host_mail_stays_queued_and_the_outbox_page_lists_it(session, org, now, engine):
    for pid in org.people:
        _mail_to(session, pid, now)
    session.commit()
    report = f.deliver(session, engine, sender=None, now=now, worker="t")
    assert report.sent == 0
    assert {r.status for r in f.outbox(session, channel="email")} == {"pending"}
    page = queries.outbox(session, actor=org.admin, status="pending", page_size=4)
    assert (page.total, page.pending, page.pages, len(page.rows)) == (6, 6, 2, 4)
    assert page.rows[0].recipient.startswith("Nguyễn Văn")
    with pytest.raises(NotAllowed):
        queries.outbox(session, actor=org.staff)
    with pytest.raises(NotAllowed):
        queries.outbox(session, actor=None)


# --- crash, concurrency, retries --------------------------------------------------------------


class _CrashingSender:
    """Forwards to a real sender, but the process 'dies' just before the n-th message."""

    def __init__(self, inner: SmtpSender, crash_before: int) -> None:
        self.inner, self.crash_before, self.calls = inner, crash_before, 0

    def send(self, **kw) -> None:
        self.calls += 1
        if self.calls == self.crash_before:
            raise RuntimeError("simulated crash")
        self.inner.send(**kw)

    def close(self) -> None:
        self.inner.close()


def test_a_crash_mid_run_then_a_rerun_sends_no_duplicate_and_skips_nothing(session, org, now, engine, smtp):
    for pid in org.people:
        _mail_to(session, pid, now)
    session.commit()
    with pytest.raises(RuntimeError, match="simulated crash"):
        f.deliver(session, engine, sender=_CrashingSender(f.smtp_sender(smtp), crash_before=3), now=now,
                              worker="first")
    assert len(smtp.messages) == 2
    assert {r.status for r in f.outbox(session, channel="email")} == {"sent", "pending"}
    f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now, worker="second")
    assert sorted(m.to for m in smtp.messages) == sorted(f"nv{i}@tinh.gov.vn" for i in range(6))
    assert {r.status for r in f.outbox(session, channel="email")} == {"sent"}


def test_a_claim_left_by_a_dead_process_is_taken_over_after_it_expires(session, org, now, engine, smtp):
    pid = org.people[0]
    _mail_to(session, pid, now)
    session.commit()
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.channel == "email").values(
        status="sending", claimed_by="dead:1", claimed_until=now + timedelta(minutes=5)))
    assert f.deliver(session, engine, sender=f.smtp_sender(smtp), now=now, worker="t").sent == 0
    later = now + timedelta(minutes=6)
    assert f.deliver(session, engine, sender=f.smtp_sender(smtp), now=later, worker="t").sent == 1
    assert len(smtp.messages) == 1


def test_two_mail_runs_at_once_send_each_message_once(shared_engine, now, smtp):
    with Session(shared_engine, expire_on_commit=False) as s:
        o = f.small_org(s, now)
        pids = [f.person(s, o.admin, now, unit_id=o.b, name="Phạm Văn Tư", email=f"p{i}@tinh.gov.vn")
                for i in range(40)]
        for pid in pids:
            _mail_to(s, pid, now)
        s.commit()
    barrier = threading.Barrier(2)
    reports = []

    def run(name: str) -> None:
        barrier.wait()
        reports.append(service.deliver_email(shared_engine, sender=f.smtp_sender(smtp), now=now, worker=name))

    threads = [threading.Thread(target=run, args=(n,)) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(r.sent for r in reports) == 40
    assert sorted(m.to for m in smtp.messages) == sorted(f"p{i}@tinh.gov.vn" for i in range(40))


def test_a_failing_smtp_server_is_retried_with_exponential_back_off(session, org, now, engine, smtp_server):
    server = smtp_server(refuse=2)
    pid = org.people[0]
    _mail_to(session, pid, now)
    session.commit()
    first = f.deliver(session, engine, sender=f.smtp_sender(server), now=now, worker="t")
    assert first.retried == 1
    [row] = f.outbox(session, channel="email")
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, now + timedelta(minutes=1))
    assert "451" in row.last_error
    # Not due yet: nothing is tried.
    f.deliver(session, engine, sender=f.smtp_sender(server), now=now + timedelta(seconds=30), worker="t")
    assert f.outbox(session, channel="email")[0].attempts == 1
    t2 = now + timedelta(minutes=1)
    f.deliver(session, engine, sender=f.smtp_sender(server), now=t2, worker="t")
    [row] = f.outbox(session, channel="email")
    assert (row.attempts, row.next_attempt_at) == (2, t2 + timedelta(minutes=2))
    t3 = t2 + timedelta(minutes=2)
    assert f.deliver(session, engine, sender=f.smtp_sender(server), now=t3, worker="t").sent == 1
    [row] = f.outbox(session, channel="email")
    assert (row.status, row.attempts, row.sent_at) == ("sent", 3, t3)
    assert len(server.messages) == 1


def test_after_the_last_attempt_a_message_is_failed_and_an_admin_can_retry_it(session, org, now, engine,
                                                                               smtp_server):
    server = smtp_server(refuse=100)
    pid = org.people[0]
    _mail_to(session, pid, now)
    session.commit()
    at = now
    for _ in range(3):
        f.deliver(session, engine, sender=f.smtp_sender(server), now=at, worker="t", max_attempts=3)
        at += timedelta(hours=1)
    [row] = f.outbox(session, channel="email")
    assert (row.status, row.attempts) == ("failed", 3)
    assert queries.outbox(session, actor=org.admin).failed == 1
    with pytest.raises(NotAllowed):
        service.retry_message(session, actor=org.staff, message_id=row.id, now=at)
    service.retry_message(session, actor=org.admin, message_id=row.id, now=at)
    session.commit()
    with pytest.raises(Invalid):
        service.retry_message(session, actor=org.admin, message_id=row.id, now=at)
    server.handler.refuse = 0
    assert f.deliver(session, engine, sender=f.smtp_sender(server), now=at, worker="t").sent == 1


# --- preferences ------------------------------------------------------------------------------


def test_preferences_list_every_category_and_only_valid_choices_are_kept(session, org, now):
    rows = queries.my_preferences(session, actor=org.staff)
    assert [r.category for r in rows] == list(rules.CATEGORIES)
    assert {r.mode for r in rows} == {"in_app"}
    rows = service.set_preference(session, actor=org.staff, category="green", mode="off", now=now)
    assert {r.category: r.mode for r in rows}["green"] == "off"
    service.set_preference(session, actor=org.staff, category="green", mode="email", now=now)
    assert {r.category: r.mode for r in queries.my_preferences(session, actor=org.staff)}["green"] == "email"
    with pytest.raises(Invalid):
        service.set_preference(session, actor=org.staff, category="secrets", mode="off", now=now)
    with pytest.raises(Invalid):
        service.set_preference(session, actor=org.staff, category="green", mode="sms", now=now)
    with pytest.raises(NotAllowed):
        service.set_preference(session, actor=None, category="green", mode="off", now=now)


# --- lease and job runs -----------------------------------------------------------------------


def test_only_one_process_holds_the_scheduler_lease_until_it_expires(session, org, now):
    assert jobs_service.take_lease(session, holder="A", now=now, seconds=90) is True
    assert jobs_service.take_lease(session, holder="B", now=now + timedelta(seconds=10)) is False
    assert jobs_service.take_lease(session, holder="A", now=now + timedelta(seconds=60), seconds=90) is True
    assert jobs_service.take_lease(session, holder="B", now=now + timedelta(seconds=120)) is False
    assert jobs_service.take_lease(session, holder="B", now=now + timedelta(seconds=151)) is True
    assert jobs_service.take_lease(session, holder="A", now=now + timedelta(seconds=152)) is False
    jobs_service.release_lease(session, holder="B", now=now + timedelta(seconds=153))
    assert jobs_service.take_lease(session, holder="A", now=now + timedelta(seconds=154)) is True
    assert jobs_queries.lease_holder(session, actor=org.admin, now=now + timedelta(seconds=155)) == "A"


def test_two_processes_racing_for_the_lease_get_it_once(shared_engine, now):
    from engagement.core.db import unit_of_work

    barrier = threading.Barrier(4)
    won = []

    def race(name: str) -> None:
        barrier.wait()
        with unit_of_work(shared_engine) as s:
            if jobs_service.take_lease(s, holder=name, now=now):
                won.append(name)

    threads = [threading.Thread(target=race, args=(f"p{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(won) == 1


def test_a_job_runs_only_under_the_lease_and_its_runs_are_recorded(session, org, now, engine, monkeypatch):
    calls = []

    def fake_job(*, engine, now, holder):
        calls.append(holder)
        return 7

    monkeypatch.setitem(registry.JOBS, "deliver-email",
                        registry.Job(id="deliver-email", label="Send queued e-mails", schedule="Every minute",
                                 cron={"minute": "*"}, func=fake_job))
    jobs_service.take_lease(session, holder="other", now=now)
    session.commit()
    session.commit()
    assert runner.run_job("deliver-email", holder="me", engine=engine, now_fn=lambda: now) is None
    assert calls == []
    later = now + timedelta(minutes=5, seconds=30)
    session.commit()
    assert runner.run_job("deliver-email", holder="me", engine=engine, now_fn=lambda: later) == 7
    [run] = session.exec(select(JobRun)).all()
    assert (run.job_id, run.holder, run.messages, run.error, run.finished_at) == (
        "deliver-email", "me", 7, "", later)
    overview = {j.job_id: j for j in jobs_queries.jobs_overview(session, actor=org.admin, now=later)}
    assert overview["deliver-email"].messages == 7
    assert overview["deliver-email"].next_run.endswith(":06")
    with pytest.raises(NotAllowed):
        jobs_queries.jobs_overview(session, actor=org.staff, now=later)


def test_a_failing_job_records_its_error_and_does_not_stop_the_scheduler(session, org, now, engine, monkeypatch):
    def broken(*, engine, now, holder):
        raise ValueError("the mail server address is wrong")

    monkeypatch.setitem(registry.JOBS, "deliver-email",
                        registry.Job(id="deliver-email", label="x", schedule="x", cron={"minute": "*"},
                                 func=broken))
    session.commit()
    assert runner.run_job("deliver-email", holder="me", engine=engine, now_fn=lambda: now) is None
    session.expire_all()
    [run] = session.exec(select(JobRun)).all()
    assert run.error == "ValueError: the mail server address is wrong"
    assert jobs_queries.jobs_overview(session, actor=org.admin, now=now)[0].last_error == run.error


def test_the_scheduler_registers_each_job_once_with_safe_defaults_and_hands_the_lease_back(shared_engine, now):
    engine = shared_engine
    sched = runner.Scheduler(engine=engine, holder="web-1", now_fn=lambda: now)
    sched.start()
    try:
        inner = sched._scheduler
        job = inner.get_job("deliver-email")
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 300)
        assert {j.id for j in inner.get_jobs()} == {*registry.JOBS, "scheduler-lease"}
        sched.start()  # idempotent
        assert len(inner.get_jobs()) == len(registry.JOBS) + 1
        assert sched.renew() is True
        assert runner.Scheduler(engine=engine, holder="web-2", now_fn=lambda: now).renew() is False
    finally:
        sched.shutdown()
    assert runner.Scheduler(engine=engine, holder="web-2", now_fn=lambda: now).renew() is True


# --- notify_many: the bulk path -------------------------------------------------------------


def _snapshot(session):
    session.expire_all()
    out = sorted((r.recipient_id, r.channel, r.category, r.kind, r.subject_ref, r.period, r.to_address,
                  r.title, r.body, r.link, r.status, r.attempts, r.next_attempt_at, r.sent_at, r.created_at)
                 for r in session.exec(select(OutboxMessage)))
    notes = sorted((n.recipient_id, n.category, n.kind, n.subject_ref, n.title, n.body, n.link,
                    n.created_at, n.read_at) for n in session.exec(select(Notification)))
    return out, notes


def _mixed(org) -> list[service.Message]:
    a, b, c = org.people[0], org.people[1], org.people[2]
    msg = functools.partial(service.Message, category="commitments", kind="commitments.reminder",
                            title="Ký cam kết", body="Vui lòng ký.", link="/commitments")
    return [
        msg(person_id=a, subject_ref="commitments", period="2026-03-02:x"),  # e-mail too
        msg(person_id=b, subject_ref="commitments", period="2026-03-02:x"),  # off: nothing
        msg(person_id=b, subject_ref="commitments", period="2026-03-02:y", mandatory=True),  # in-app
        msg(person_id=c, subject_ref="commitments", period="2026-03-02:x", link="https://evil.example"),
        msg(person_id=c, subject_ref="commitments", period="2026-03-02:x"),  # same key twice: once
        msg(person_id=org.no_mail, subject_ref="commitments", period=""),
        msg(person_id=999_999, subject_ref="commitments", period="2026-03-02:x"),  # no such person
        msg(person_id=a, subject_ref="commitments", period="2026-03-01:old"),  # already sent before
    ]


def _prepare(session, org, now):
    f.preference(session, person_id=org.people[0], category="commitments", mode="email", now=now)
    f.preference(session, person_id=org.people[1], category="commitments", mode="off", now=now)
    f.preference(session, person_id=org.no_mail, category="commitments", mode="email", now=now)
    service.notify(session, person_id=org.people[0], category="commitments", kind="commitments.reminder",
                   subject_ref="commitments", period="2026-03-01:old", title="old", now=now)
    session.commit()


EXPECTED = [True, False, True, True, False, True, False, False]


def test_notify_many_writes_exactly_what_notify_one_by_one_writes(session, org, now, engine):
    _prepare(session, org, now)
    messages = _mixed(org)
    assert service.notify_many(session, messages, now=now) == EXPECTED
    session.commit()
    bulk = _snapshot(session)
    # The same messages through notify(), one by one, on a fresh copy of the same start.
    session.execute(sa.delete(Notification))
    session.execute(sa.delete(OutboxMessage))
    session.commit()
    service.notify(session, person_id=org.people[0], category="commitments", kind="commitments.reminder",
                   subject_ref="commitments", period="2026-03-01:old", title="old", now=now)
    one_by_one = [service.notify(session, person_id=m.person_id, category=m.category, kind=m.kind,
                                 subject_ref=m.subject_ref, title=m.title, body=m.body, link=m.link,
                                 now=now, period=m.period, mandatory=m.mandatory) for m in messages]
    session.commit()
    assert one_by_one == EXPECTED
    assert _snapshot(session) == bulk
    # Outbox: the earlier message and a's new one in-app + e-mail, b, c, no_mail in-app. Notices: 5.
    assert len(bulk[0]) == 7 and len(bulk[1]) == 5
    # Again: nothing new.
    assert service.notify_many(session, messages, now=now) == [False] * len(messages)


def test_notify_many_falls_back_to_one_by_one_when_a_concurrent_run_wrote_a_key(
        session, org, now, monkeypatch):
    _prepare(session, org, now)
    messages = _mixed(org)
    # Another run writes the first message after this one looked (the bulk INSERT collides).
    service.notify(session, **{k: getattr(messages[0], k) for k in (
        "person_id", "category", "kind", "subject_ref", "title", "body", "link", "period")}, now=now)
    session.commit()
    monkeypatch.setattr(service, "_outbox_keys", lambda session, rows: set())
    expected = [False, *EXPECTED[1:]]
    assert service.notify_many(session, messages, now=now) == expected
    session.commit()
    out, notes = _snapshot(session)
    assert len(out) == 7 and len(notes) == 5
    assert len({row[:6] for row in out}) == 7  # no key twice
