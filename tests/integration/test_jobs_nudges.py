"""Nudges over simulated days, on a real database (SQLite / PostgreSQL): unused recognition
allowance at month end, idle green-campaign members, green campaigns closing soon."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from engagement.core.access import Role
from engagement.green import service as green
from engagement.jobs import nudges, registry, runner
from engagement.jobs import rules as job_rules
from engagement.notify import service as notify_service
from engagement.notify.models import OutboxMessage
from engagement.org import service as org
from engagement.org.models import Account, RoleGrant
from engagement.settings import get_settings
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401

TZ = get_settings().tz
#: Friday 27 November and Wednesday 11 March 2026 are holidays here.
WINDOW = job_rules.SendingWindow(holidays=frozenset({date(2026, 11, 27), date(2026, 3, 11)}))
at = f.at  # at(month, day, hour=9): a local time in 2026, as aware UTC


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def outbox(session: Session, kind: str, channel: str = "in_app") -> list[OutboxMessage]:
    return f.outbox(session, kind=kind, channel=channel)


# --- unused recognition allowance -------------------------------------------------------------


class Givers:
    """Unit A: a giver who spent 3 of 10, one who spent all 10, a unit head (20) who spent
    nothing, a former head (grant revoked: 10), a staff member who chose e-mail; people who
    cannot give: no account, a disabled account, a person who left."""

    def __init__(self, session: Session, now: datetime) -> None:
        o = f.small_org(session, now)
        self.org = o
        self.value = f.recognition_value(session, now=now)
        self.some = f.user(session, o.admin, now, unit_id=o.a, username="some", name="Lê Văn Một")
        self.all = f.user(session, o.admin, now, unit_id=o.a, username="all", name="Trần Thị Hết")
        self.head = f.user(session, o.admin, now, unit_id=o.a, username="head", name="Đỗ Trưởng",
                           role=Role.UNIT_HEAD.value, role_unit_id=o.a)
        self.former = f.user(session, o.admin, now, unit_id=o.a, username="former", name="Vũ Nguyên",
                             role=Role.UNIT_HEAD.value, role_unit_id=o.a1)
        grant = session.exec(select(RoleGrant).join(Account, Account.id == RoleGrant.account_id)
                             .where(Account.username == "former")).one()
        org.revoke_role(session, actor=o.admin, grant_id=grant.id, now=now)
        self.mailer = f.user(session, o.admin, now, unit_id=o.b, username="mailer", name="Phạm Thư",
                             email="thu@tinh.gov.vn")
        f.preference(session, actor=self.mailer, category="recognition", mode="email", now=now)
        self.no_account = f.person(session, o.admin, now, unit_id=o.a, name="Ngô Không Tài Khoản")
        self.disabled = f.user(session, o.admin, now, unit_id=o.a, username="disabled", name="Hồ Khoá")
        org.set_account_active(session, actor=o.admin, account_id=self.disabled.account_id, active=False,
                               now=now)
        self.left = f.user(session, o.admin, now, unit_id=o.a, username="left", name="Mai Đã Nghỉ")
        org.set_person_active(session, actor=o.admin, person_id=self.left.person_id, active=False, now=now)
        self.taker = f.person(session, o.admin, now, unit_id=o.b, name="Người Nhận")
        session.flush()

    def give(self, session: Session, who, level: str, count: int, now: datetime) -> None:
        takers = [f.person(session, self.org.admin, now, unit_id=self.org.b, name="Người Nhận")
                  for _ in range(count)]
        f.recognition(session, actor=who, to=takers, value_ids=[self.value], level=level, now=now)


@pytest.fixture
def givers(session):
    world = Givers(session, at(11, 2))
    world.give(session, world.some, "outstanding", 1, at(11, 10))    # 3 of 10
    world.give(session, world.all, "outstanding", 3, at(11, 10))     # 9
    world.give(session, world.all, "thanks", 1, at(11, 12))          # 10 of 10
    world.give(session, world.head, "outstanding", 3, at(10, 20))    # October: a past month
    session.commit()
    return world


def allowance_run(session, engine, when: datetime, k: int | None = 3) -> int:
    return f.run_after_commit(session, nudges.nudge_allowances, engine, now=when, tz=TZ, days=k, window=WINDOW)


def test_the_allowance_nudge_goes_once_to_each_person_with_points_left_in_the_last_working_days(
        session, engine, givers):
    w = givers
    sent_on: dict[int, list[date]] = defaultdict(list)
    for day in days(date(2026, 11, 16), date(2026, 12, 4)):
        before = {m.id for m in outbox(session, nudges.ALLOWANCE_KIND)}
        for hour in (6, 9, 15, 21):  # 06:00 and 21:00 are quiet hours
            allowance_run(session, engine, at(day.month, day.day, hour) if day.month == 11
                          else datetime(2026, 12, day.day, hour, tzinfo=TZ).astimezone(UTC))
        for m in outbox(session, nudges.ALLOWANCE_KIND):
            if m.id not in before:
                sent_on[m.recipient_id].append(day)
    # The last three working days of November: Wed 25, Thu 26, Mon 30 (Fri 27 is a holiday).
    first = [date(2026, 11, 25)]
    assert dict(sent_on) == {w.org.admin.person_id: first, w.some.person_id: first,
                             w.head.person_id: first, w.former.person_id: first,
                             w.mailer.person_id: first}
    titles = {m.recipient_id: m.title for m in outbox(session, nudges.ALLOWANCE_KIND)}
    assert titles == {
        w.org.admin.person_id: "You still have 10 of 10 recognition points to give in November 2026",
        w.some.person_id: "You still have 7 of 10 recognition points to give in November 2026",
        w.head.person_id: "You still have 20 of 20 recognition points to give in November 2026",
        w.former.person_id: "You still have 10 of 10 recognition points to give in November 2026",
        w.mailer.person_id: "You still have 10 of 10 recognition points to give in November 2026",
    }
    [some] = [m for m in outbox(session, nudges.ALLOWANCE_KIND) if m.recipient_id == w.some.person_id]
    assert "they do not carry over" in some.body and some.link == "/recognition"
    assert some.created_at == at(11, 25, 9)


def test_the_allowance_nudge_by_e_mail_reaches_a_real_smtp_server(session, engine, givers, smtp):
    assert allowance_run(session, engine, at(11, 25, 10)) == 5
    report = f.deliver(session, engine, sender=f.smtp_sender(smtp), now=at(11, 25, 10),
                       public_url="https://thidua.tinh.gov.vn")
    assert report.sent == 1
    [mail] = smtp.messages
    assert mail.to == "thu@tinh.gov.vn"
    assert mail.subject == "You still have 10 of 10 recognition points to give in November 2026"
    assert "https://thidua.tinh.gov.vn/recognition" in mail.body


def test_a_missed_window_start_is_caught_up_but_never_in_the_next_month(session, engine, givers):
    assert allowance_run(session, engine, at(11, 30, 16)) == 5  # Mon 30: catch-up
    assert allowance_run(session, engine, at(11, 30, 17)) == 0
    session.execute(OutboxMessage.__table__.delete())
    session.commit()
    assert allowance_run(session, engine, datetime(2026, 12, 1, 9, tzinfo=TZ).astimezone(UTC)) == 0


def test_spending_everything_before_the_window_means_no_nudge_and_off_means_none(session, engine, givers):
    w = givers
    w.give(session, w.some, "outstanding", 2, at(11, 24))  # 3 + 6 = 9
    w.give(session, w.some, "thanks", 1, at(11, 24))       # 10 of 10
    f.preference(session, actor=w.head, category="recognition", mode="off", now=at(11, 24))
    assert allowance_run(session, engine, at(11, 25)) == 3
    assert {m.recipient_id for m in outbox(session, nudges.ALLOWANCE_KIND)} == {
        w.org.admin.person_id, w.former.person_id, w.mailer.person_id}
    assert allowance_run(session, engine, at(11, 25), k=None) == 0  # setting "off"


# --- green campaigns --------------------------------------------------------------------------


class Greens:
    """Campaign "Công sở xanh" (units A with A1; 2 March - Fri 3 April) and "Tình nguyện"
    (units A1 and B; 2 March - Thu 30 April). Mai (A) logs on 4 and 18 March; Quý's only
    activity (A) is rejected; Hùng (A1) is in both and never logs; Hà (B) is in the second only;
    Lan (A) has no account; the admin sits at the root, in neither."""

    def __init__(self, session: Session, now: datetime) -> None:
        o = f.small_org(session, now)
        self.org = o
        in_union = {"union_branch_id": o.union_branch}
        self.officer = f.user(session, o.admin, now, unit_id=o.a, username="cd.a", name="Đỗ Công Đoàn",
                              role=Role.UNION_OFFICER.value, branch_id=o.union_branch, **in_union)
        self.mai = f.user(session, o.admin, now, unit_id=o.a, username="mai", name="Nguyễn Thị Mai", **in_union)
        self.quy = f.user(session, o.admin, now, unit_id=o.a, username="quy", name="Lý Văn Quý", **in_union)
        self.hung = f.user(session, o.admin, now, unit_id=o.a1, username="hung", name="Lê Văn Hùng")
        self.ha = f.user(session, o.admin, now, unit_id=o.b, username="thu.ha", name="Phạm Thu Hà")
        self.lan = f.person(session, o.admin, now, unit_id=o.a, name="Trần Thị Lan")
        self.office = f.green_campaign(session, actor=o.admin, name="Công sở xanh", starts_on=date(2026, 3, 2),
                                       ends_on=date(2026, 4, 3), unit_ids=[o.a], now=now)
        self.volunteer = f.green_campaign(session, actor=o.admin, name="Tình nguyện", kind="volunteer",
                                          starts_on=date(2026, 3, 2), ends_on=date(2026, 4, 30),
                                          unit_ids=[o.a1, o.b], now=now)
        session.flush()

    def log(self, session: Session, who, on: date, now: datetime) -> int:
        return f.green_activity(session, actor=who, campaign_id=self.office, on=on, now=now)


@pytest.fixture
def greens(session):
    world = Greens(session, at(3, 2, 8))
    session.commit()
    return world


def idle_run(session, engine, when: datetime, idle: int | None = 7, closing: int | None = 3) -> int:
    return f.run_after_commit(session, nudges.nudge_idle_green, engine, now=when, tz=TZ, idle_days=idle,
                              closing_days=closing, window=WINDOW)


def closing_run(session, engine, when: datetime, before: int | None = 3) -> int:
    return f.run_after_commit(session, nudges.nudge_closing_green, engine, now=when, tz=TZ, days_before=before,
                              window=WINDOW)


def test_idle_members_are_nudged_every_n_days_and_the_closing_message_replaces_it(session, engine, greens):
    w = greens
    events = {
        date(2026, 3, 4): lambda: w.log(session, w.mai, date(2026, 3, 4), at(3, 4, 8)),
        date(2026, 3, 5): lambda: green.reject_activity(
            session, actor=w.officer, activity_id=w.log(session, w.quy, date(2026, 3, 5), at(3, 5, 8)),
            reason="Không có ảnh minh chứng", now=at(3, 5, 8)),
        date(2026, 3, 18): lambda: w.log(session, w.mai, date(2026, 3, 18), at(3, 18, 8)),
    }
    idle: dict[int, list[tuple[date, str]]] = defaultdict(list)
    closing: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for day in days(date(2026, 3, 2), date(2026, 4, 6)):
        if day in events:
            events[day]()
        before = {m.id for m in outbox(session, nudges.IDLE_KIND) + outbox(session, nudges.CLOSING_KIND)}
        for hour in (6, 9, 15, 21):
            idle_run(session, engine, at(day.month, day.day, hour))
            closing_run(session, engine, at(day.month, day.day, hour))
        for m in outbox(session, nudges.IDLE_KIND):
            if m.id not in before:
                idle[m.recipient_id].append((day, m.body))
        for m in outbox(session, nudges.CLOSING_KIND):
            if m.id not in before:
                closing[m.recipient_id].append((day, m.title))

    def on(person):
        return [(d, [c for c in ("Công sở xanh", "Tình nguyện") if c in body]) for d, body in idle[person]]

    both, office, volunteer = ["Công sở xanh", "Tình nguyện"], ["Công sở xanh"], ["Tình nguyện"]
    # Never logged (from Mon 2 March): more than 7 quiet days -> Tue 10 March, then every 7 days
    # (17, 24, 31). "Công sở xanh" closes Fri 3 April: from its closing day, Tue 31 March, its
    # members get the closing message instead.
    assert on(w.hung.person_id) == [(date(2026, 3, 10), both), (date(2026, 3, 17), both),
                                          (date(2026, 3, 24), both), (date(2026, 3, 31), volunteer)]
    assert on(w.ha.person_id) == [(date(2026, 3, 10), volunteer), (date(2026, 3, 17), volunteer),
                                        (date(2026, 3, 24), volunteer), (date(2026, 3, 31), volunteer)]
    # A rejected activity is no activity; the union officer (unit A) logs nothing either.
    for person in (w.quy.person_id, w.officer.person_id):
        assert on(person) == [(date(2026, 3, 10), office), (date(2026, 3, 17), office),
                              (date(2026, 3, 24), office)]
    # Logged Wed 4: due Thu 12; logged again Wed 18: the count restarts, due Thu 26.
    assert on(w.mai.person_id) == [(date(2026, 3, 12), office), (date(2026, 3, 26), office)]
    assert set(idle) == {w.hung.person_id, w.ha.person_id, w.quy.person_id, w.mai.person_id,
                         w.officer.person_id}
    assert "your last activity was logged on 04/03/2026" in idle[w.mai.person_id][0][1]
    assert "nothing logged since it started on 02/03/2026" in idle[w.hung.person_id][0][1]
    title = "Campaign Công sở xanh closes on 03/04/2026: log your activities before then"
    assert dict(closing) == {p: [(date(2026, 3, 31), title)] for p in (
        w.mai.person_id, w.quy.person_id, w.hung.person_id, w.officer.person_id)}
    # The admin (root unit, in neither campaign) and Lan (no account) get nothing.
    assert w.org.admin.person_id not in closing and w.lan not in idle and w.lan not in closing


def test_the_closing_message_moves_to_the_working_day_before_and_is_caught_up(session, engine, greens):
    w = greens
    # "Tình nguyện" ends Thu 30 April; 3 days before is Mon 27 April.
    assert closing_run(session, engine, at(4, 24)) == 0
    assert closing_run(session, engine, at(4, 29, 10)) == 2  # missed on the 27th and 28th: caught up
    [hung, ha] = outbox(session, nudges.CLOSING_KIND)
    assert (hung.recipient_id, ha.recipient_id) == (w.hung.person_id, w.ha.person_id)
    assert hung.title == "Campaign Tình nguyện closes on 30/04/2026: log your activities before then"
    assert closing_run(session, engine, at(4, 30)) == 0
    # With 4 days: Sun 26 April -> Friday 24.
    session.execute(OutboxMessage.__table__.delete())
    session.commit()
    assert closing_run(session, engine, at(4, 23), before=4) == 0
    assert closing_run(session, engine, at(4, 25), before=4) == 0  # Saturday
    assert closing_run(session, engine, at(4, 24), before=4) == 2
    assert closing_run(session, engine, datetime(2026, 5, 1, 9, tzinfo=TZ).astimezone(UTC), before=4) == 0
    assert closing_run(session, engine, at(4, 24), before=None) == 0


# --- every nudge: crash mid-run, two runs at once, the scheduler's table ----------------------


def _allowance(engine, when):
    return nudges.nudge_allowances(engine, now=when, tz=TZ, days=3, window=WINDOW)


def _idle(engine, when):
    return nudges.nudge_idle_green(engine, now=when, tz=TZ, idle_days=7, closing_days=3, window=WINDOW)


def _closing(engine, when):
    return nudges.nudge_closing_green(engine, now=when, tz=TZ, days_before=3, window=WINDOW)


#: job -> (world, run, when, kind, how many people it messages in the bare world)
CASES = {
    # admin, some, all, head, former, mailer
    "allowance": (lambda s: Givers(s, at(11, 2)), _allowance, at(11, 25), nudges.ALLOWANCE_KIND, 6),
    # Mai, Quý, the officer, Hùng (unit A, A1) and Hà (B)
    "idle": (lambda s: Greens(s, at(3, 2, 8)), _idle, at(3, 10), nudges.IDLE_KIND, 5),
    # the four of unit A with A1
    "closing": (lambda s: Greens(s, at(3, 2, 8)), _closing, at(3, 31), nudges.CLOSING_KIND, 4),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_crash_mid_run_then_a_rerun_repeats_no_one_and_skips_no_one(session, engine, monkeypatch, case):
    build, run, when, kind, expected = CASES[case]
    build(session)
    session.commit()
    real = notify_service.notify
    calls = {"n": 0}

    def crashing(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("simulated crash")
        return real(*args, **kw)

    monkeypatch.setattr(nudges, "BATCH", 1)
    monkeypatch.setattr(nudges.notify_service, "notify", crashing)
    with pytest.raises(RuntimeError):
        run(engine, when)
    assert len(outbox(session, kind)) == 2
    session.commit()  # one in-memory SQLite connection: the job needs it free
    monkeypatch.setattr(nudges.notify_service, "notify", real)
    assert run(engine, when + timedelta(hours=1)) == expected - 2
    assert run(engine, when + timedelta(hours=2)) == 0
    counts = Counter(m.recipient_id for m in outbox(session, kind))
    assert len(counts) == expected and set(counts.values()) == {1}


@pytest.mark.parametrize("case", sorted(CASES))
def test_two_runs_at_once_send_each_nudge_once(shared_engine, monkeypatch, case):
    build, run, when, kind, expected = CASES[case]
    with Session(shared_engine, expire_on_commit=False) as s:
        world = build(s)
        for i in range(40):  # unit A1: in both campaigns, and every one of them can give
            f.user(s, world.org.admin, at(3, 2, 8), unit_id=world.org.a1, username=f"extra{i:02d}",
                   name="Phan Văn Đông")
        s.commit()
    monkeypatch.setattr(nudges, "BATCH", 7)  # several transactions each, interleaving
    barrier = threading.Barrier(2)
    written: list[int] = []
    errors: list[BaseException] = []

    def go():
        barrier.wait()
        try:
            written.append(run(shared_engine, when))
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with Session(shared_engine) as s:
        rows = s.exec(select(OutboxMessage.recipient_id).where(
            OutboxMessage.kind == kind, OutboxMessage.channel == "in_app")).all()
    assert sum(written) == expected + 40 == len(rows) == len(set(rows))


@pytest.mark.parametrize(("job_id", "when", "messages"), [
    ("allowance-nudges", at(11, 26), 6),   # no holidays set: Thu 26, Fri 27, Mon 30
    ("green-idle-nudges", at(3, 16), 0),   # 14 quiet days by default (3..16 March): not yet
    ("green-idle-nudges", at(3, 17), 5),   # more than 14
    ("green-closing-nudges", at(3, 31), 4),
])
def test_the_nudges_are_scheduled_jobs_that_run_with_the_settings(session, engine, job_id, when, messages):
    (Givers if job_id == "allowance-nudges" else Greens)(session, at(3, 2, 8))
    session.commit()
    job = registry.JOBS[job_id]
    assert job.id == job_id and job.label and job.schedule and job.cron
    assert runner.run_job(job_id, holder="test", engine=engine, now_fn=lambda: when, require_lease=False) == messages
    assert runner.run_job(job_id, holder="test", engine=engine, now_fn=lambda: when, require_lease=False) == 0
