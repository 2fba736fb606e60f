"""Appraisal-deadline reminders (issue 15) over simulated days, on SQLite and PostgreSQL.

A dossier received on Monday 2 March 2026 is due on Monday 30 March (20 working days). The
officer who received it is told once when the deadline is 3 working days away, then once each
working day after it has passed, never on a weekend, a holiday or in quiet hours, and nothing
after the dossier has been appraised.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from engagement.commendations import nominations as nom
from engagement.core.access import Role
from engagement.jobs import appraisals, registry
from engagement.jobs import rules as job_rules
from engagement.notify.models import OutboxMessage
from engagement.org import service as org
from engagement.org.models import Account, RoleGrant
from engagement.settings import get_settings
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401
from tests.integration.test_commendations_nominations import ready, w  # noqa: F401

TZ = get_settings().tz
#: Wednesday 1 April 2026 is a holiday here.
WINDOW = job_rules.SendingWindow(holidays=frozenset({date(2026, 4, 1)}))


def run(session, engine, day: date, hour: int = 9) -> int:
    return f.run_after_commit(session, appraisals.remind_appraisals, engine, now=f.at(day.month, day.day, hour),
                              tz=TZ, window=WINDOW)


def reminders(session) -> list[tuple[int, str, str]]:
    session.expire_all()
    return sorted((m.recipient_id, m.kind, m.period) for m in session.exec(
        select(OutboxMessage).where(OutboxMessage.kind.in_([appraisals.DUE_KIND, appraisals.OVERDUE_KIND]),
                                    OutboxMessage.channel == "in_app")))


def received(session, w, now) -> tuple[int, int]:  # noqa: F811
    nid, nominee = ready(session, w, now)
    nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    nom.receive(session, actor=w.officer, nomination_id=nid, now=now)
    return nid, nominee


def test_the_receiving_officer_is_reminded_once_before_and_each_working_day_after(session, engine, now, w):  # noqa: F811
    nid, _ = received(session, w, now)
    assert session.get(nom.models.Nomination, nid).due_on == date(2026, 3, 30)
    officer = w.officer.person_id
    for offset in range(0, 40):
        day = date(2026, 3, 2) + timedelta(days=offset)
        for hour in (9, 14):
            run(session, engine, day, hour)
        run(session, engine, day, 23)  # quiet hours: nothing
    got = reminders(session)
    assert (officer, appraisals.DUE_KIND, "2026-03-30") in got
    overdue_days = [p for _r, k, p in got if k == appraisals.OVERDUE_KIND]
    # Working days after Monday 30 March up to Friday 10 April, skipping the 4th-5th and the holiday.
    assert overdue_days == ["2026-03-31", "2026-04-02", "2026-04-03", "2026-04-06", "2026-04-07",
                            "2026-04-08", "2026-04-09", "2026-04-10"]
    assert {r for r, _k, _p in got} == {officer}  # nobody else holds it
    assert len(got) == len(set(got)) == 9


def test_nothing_is_sent_before_the_window_nor_after_the_appraisal(session, engine, now, w):  # noqa: F811
    nid, nominee = received(session, w, now)
    assert run(session, engine, date(2026, 3, 24)) == 0  # 4 working days before
    assert run(session, engine, date(2026, 3, 25)) == 1
    assert run(session, engine, date(2026, 3, 25), 15) == 0  # same day, same deadline: once
    nom.appraise(session, actor=w.officer, nomination_id=nid, outcomes={nominee: ("eligible", "")}, now=now)
    assert run(session, engine, date(2026, 3, 31)) == 0
    assert run(session, engine, date(2026, 4, 2)) == 0
    assert len(reminders(session)) == 1


def test_when_the_receiver_no_longer_processes_nominations_every_officer_is_told(session, engine, now, w):  # noqa: F811
    received(session, w, now)
    second = f.user(session, w.org.admin, now, unit_id=w.org.root, username="officer.two", name="Đinh Thị Mai",
                    role=Role.EMULATION_OFFICER.value)
    grant = session.exec(select(RoleGrant).join(Account, Account.id == RoleGrant.account_id)
                         .where(Account.id == w.officer.account_id)).first()
    org.revoke_role(session, actor=w.org.admin, grant_id=grant.id, now=now)
    assert run(session, engine, date(2026, 3, 31)) == 1
    assert reminders(session) == [(second.person_id, appraisals.OVERDUE_KIND, "2026-03-31")]


def test_the_job_is_registered_to_run_hourly():
    job = registry.JOBS["appraisal-reminders"]
    assert job.cron == {"minute": "15"}
    assert job.func.__name__ == "run"
