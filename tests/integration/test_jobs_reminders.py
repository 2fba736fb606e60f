"""Commitment campaign reminders over simulated days, on a real database (SQLite / PostgreSQL)."""

from __future__ import annotations

import functools
import threading
from collections import Counter
from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from engagement.commitments import service as commitments
from engagement.jobs import reminders
from engagement.jobs import rules as job_rules
from engagement.notify import service as notify_service
from engagement.notify.models import OutboxMessage
from engagement.settings import get_settings
from tests import factories as f

TZ = get_settings().tz
POLICY = job_rules.ReminderPolicy(every_days=3, before_days=2, overdue_max=2)
WINDOW = job_rules.SendingWindow(holidays=frozenset({date(2026, 3, 11)}))


at = functools.partial(f.at, 3)  # at(day, hour=9): a local time in March 2026, as aware UTC


class World:
    def __init__(self, session: Session, now: datetime) -> None:
        o = f.small_org(session, now)
        self.org = o
        self.officer = f.officer(session, org=o, now=now)
        # The head sits in the root unit, so is not in the campaign's audience (unit B).
        self.head = f.user(session, o.admin, now, unit_id=o.root, username="head.b", role="unit_head",
                           role_unit_id=o.b, name="Đỗ Trưởng Phòng")
        self.signer = f.user(session, o.admin, now, unit_id=o.b, username="signer", name="Lê Thị Ký")
        self.decliner = f.user(session, o.admin, now, unit_id=o.b, username="decliner", name="Hồ Văn Từ")
        self.late = f.person(session, o.admin, now, unit_id=o.b, name="Ngô Văn Muộn",
                             email="muon@tinh.gov.vn")
        self.exempt = f.person(session, o.admin, now, unit_id=o.b, name="Trần Thị Phép")
        f.commitment_templates(session, actor=self.officer, now=now)

    def campaign(self, session: Session, now: datetime, name: str = "Cam kết 2026", year: int = 2026) -> int:
        return f.commitment_campaign(session, actor=self.officer, name=name, unit_ids=[self.org.b], year=year,
                                     opens_on="2026-03-02", due_on="2026-03-13", allow_late=True,
                                     late_until_on="2026-03-31", now=now)


@pytest.fixture(autouse=True, params=["bulk", "one-by-one"])
def path(request, monkeypatch):
    """Every reminder test runs on the bulk path (the default) and on the one-by-one path."""
    bulk = request.param == "bulk"
    monkeypatch.setattr(reminders, "remind_commitments",
                        functools.partial(reminders.remind_commitments, bulk=bulk))
    return request.param


@pytest.fixture
def w(session):
    world = World(session, at(2))
    session.commit()
    return world


def run(session, engine, when: datetime, window: job_rules.SendingWindow = WINDOW) -> int:
    return f.run_after_commit(session, reminders.remind_commitments, engine, now=when, tz=TZ, policy=POLICY,
                              window=window)


def messages(session, kind: str | None = reminders.REMINDER_KIND, channel="in_app") -> list[OutboxMessage]:
    return f.outbox(session, kind=kind, channel=channel)  # kind None: every kind


def test_a_campaign_reminds_exactly_on_schedule_over_simulated_days(session, engine, w):
    cid = w.campaign(session, at(2))
    commitments.set_exception(session, actor=w.officer, campaign_id=cid, person_id=w.exempt,
                              reason="Nghỉ thai sản", exempt=True, now=at(2))
    f.preference(session, person_id=w.late, category="commitments", mode="email", now=at(2))
    session.commit()
    sent_on: dict[int, list[int]] = {}
    for day in range(2, 21):
        if day == 3:
            f.signature(session, actor=w.signer, campaign_id=cid, now=at(3, 8))
            commitments.respond(session, actor=w.decliner, campaign_id=cid, kind="decline",
                                reason="Tôi cần làm rõ điều khoản 3", now=at(3, 8))
        before = {m.id for m in messages(session, kind=None)}
        for hour in (9, 15, 21):  # three runs a day; 21:00 is in the quiet hours
            run(session, engine, at(day, hour))
        for m in messages(session, kind=None):
            if m.id not in before:
                sent_on.setdefault(m.recipient_id, []).append(day)
    # Launch Mon 2; every 3 days Thu 5, Mon 9; 2 days before (Wed 11 is a holiday) Thu 12;
    # due Fri 13; overdue on the first two working days Mon 16, Tue 17; then only the head.
    assert sent_on[w.late] == [2, 5, 9, 12, 13, 16, 17]
    assert sent_on[w.signer.person_id] == [2]
    assert sent_on[w.decliner.person_id] == [2]
    assert w.exempt not in sent_on
    assert sent_on[w.head.person_id] == [18]
    [escalation] = messages(session, kind=reminders.ESCALATION_KIND)
    assert escalation.recipient_id == w.head.person_id
    assert "Ngô Văn Muộn" in escalation.body and "Hồ Văn Từ" in escalation.body
    assert "(declined)" in escalation.body and "Lê Thị Ký" not in escalation.body
    # The person who chose e-mail has every one of their reminders queued for e-mail too.
    emails = [m for m in messages(session, channel="email") if m.recipient_id == w.late]
    assert len(emails) == 7 and {m.to_address for m in emails} == {"muon@tinh.gov.vn"}
    assert "13/03/2026" in emails[0].body


def test_one_message_per_person_lists_every_pending_campaign(session, engine, w):
    # One campaign per person and year: the second pending one is last year's, run late.
    w.campaign(session, at(2), name="Cam kết văn hoá công vụ")
    w.campaign(session, at(2), name="Cam kết phòng chống tham nhũng", year=2025)
    assert run(session, engine, at(2)) == 4  # four people of unit B, one message each
    mine = [m for m in messages(session) if m.recipient_id == w.late]
    assert len(mine) == 1
    assert "Cam kết văn hoá công vụ" in mine[0].body and "Cam kết phòng chống tham nhũng" in mine[0].body


def test_nothing_goes_out_at_weekends_or_in_quiet_hours_and_it_catches_up_after(session, engine, w):
    w.campaign(session, at(2))
    assert run(session, engine, at(2, 6)) == 0   # 06:00, before the day starts
    assert run(session, engine, at(2, 20)) == 0  # 20:00, quiet hours
    assert run(session, engine, at(7, 10)) == 0  # Saturday
    assert messages(session) == []
    assert run(session, engine, at(9, 10)) == 4  # Monday: one catch-up message each
    assert run(session, engine, at(9, 11)) == 0


def test_a_person_who_turned_reminders_off_still_gets_the_due_day_notice(session, engine, w):
    w.campaign(session, at(2))
    f.preference(session, person_id=w.late, category="commitments", mode="off", now=at(2))
    session.commit()
    run(session, engine, at(2))
    assert [m for m in messages(session) if m.recipient_id == w.late] == []
    run(session, engine, at(13))
    [due] = [m for m in messages(session) if m.recipient_id == w.late]
    assert "last day" in due.body


def test_a_crash_mid_run_then_a_rerun_repeats_no_one_and_skips_no_one(session, engine, w, monkeypatch):
    w.campaign(session, at(2))
    real, real_many = notify_service.notify, notify_service.notify_many
    calls = {"n": 0}

    def crashing(fn):
        def call(*args, **kw):
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("simulated crash")
            return fn(*args, **kw)
        return call

    # One person per transaction; the third person's message crashes the run.
    monkeypatch.setattr(reminders, "BATCH", 1)
    monkeypatch.setattr(reminders, "BULK_BATCH", 1)
    monkeypatch.setattr(reminders.notify_service, "notify", crashing(real))
    monkeypatch.setattr(reminders.notify_service, "notify_many", crashing(real_many))
    with pytest.raises(RuntimeError):
        run(session, engine, at(2))
    assert len(messages(session)) == 2
    monkeypatch.setattr(reminders.notify_service, "notify", real)
    monkeypatch.setattr(reminders.notify_service, "notify_many", real_many)
    assert run(session, engine, at(2, 10)) == 2
    assert Counter(m.recipient_id for m in messages(session)) == {
        w.signer.person_id: 1, w.decliner.person_id: 1, w.late: 1, w.exempt: 1}


def test_two_reminder_runs_at_once_send_each_message_once(shared_engine):
    with Session(shared_engine, expire_on_commit=False) as s:
        world = World(s, at(2))
        for _i in range(30):
            f.person(s, world.org.admin, at(2), unit_id=world.org.b, name="Phan Văn Đông")
        world.campaign(s, at(2))
        s.commit()
    barrier = threading.Barrier(2)
    written = []

    def go():
        barrier.wait()
        written.append(reminders.remind_commitments(shared_engine, now=at(2), tz=TZ, policy=POLICY,
                                                    window=WINDOW))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with Session(shared_engine) as s:
        rows = s.exec(select(OutboxMessage.recipient_id).where(
            OutboxMessage.kind == reminders.REMINDER_KIND, OutboxMessage.channel == "in_app")).all()
    assert sum(written) == 34 == len(rows) == len(set(rows))


# --- green duty rosters -----------------------------------------------------------------------


@pytest.fixture
def roster(session):
    o = f.small_org(session, at(2))
    members = [f.user(session, o.admin, at(2), unit_id=o.a, username=u, name=n, union_branch_id=o.union_branch)
               for u, n in (("nv.mai", "Nguyễn Thị Mai"), ("nv.hung", "Lê Văn Hùng"))]
    # Every Monday from 2 March, both members on each date.
    f.green_roster(session, actor=o.admin, branch_id=o.union_branch, title="Tưới cây", weekday=0, per_slot=2,
                   starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 31), now=at(2))
    session.commit()
    return members


def duty_run(session, engine, when):
    return f.run_after_commit(session, reminders.remind_duties, engine, now=when, tz=TZ, window=WINDOW)


def test_a_duty_is_announced_the_working_day_before_once(session, engine, roster):
    assert duty_run(session, engine, at(5)) == 0      # Thursday: Monday's duty is not next
    assert duty_run(session, engine, at(6)) == 2      # Friday: Monday 9 March, both members
    assert duty_run(session, engine, at(6, 15)) == 0  # once
    assert duty_run(session, engine, at(7)) == 0      # Saturday: nothing goes out
    assert duty_run(session, engine, at(8)) == 0
    rows = messages(session, kind=reminders.DUTY_KIND)
    assert {m.recipient_id for m in rows} == {a.person_id for a in roster}
    assert rows[0].title == "Green-office duty Monday 09/03: Tưới cây"


def test_duty_days_ahead_reach_over_weekends_and_holidays():
    assert reminders.days_ahead(date(2026, 3, 4), WINDOW) == [date(2026, 3, 5)]
    assert reminders.days_ahead(date(2026, 3, 10), WINDOW) == [date(2026, 3, 11), date(2026, 3, 12)]
    assert reminders.days_ahead(date(2026, 3, 6), WINDOW) == [date(2026, 3, 7), date(2026, 3, 8),
                                                                date(2026, 3, 9)]
