"""Confirming and withdrawing registrations from the pages: the officer confirms a person's own
registration, the person withdraws it, and a colleague cannot touch it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from engagement.commendations import models, rules, service
from engagement.commendations.state import MyCommendationsState, RegistrationsState
from engagement.core import clock
from engagement.org import sessions
from engagement.org.demo import DEMO_PASSWORD
from tests import factories as f


@pytest.fixture
def registration(app_db) -> int:
    """The demo staff member's own LĐTT registration of this year, awaiting confirmation."""
    now = clock.now()
    year = now.year
    with Session(app_db) as s:
        service.ensure_catalogue(s, now=now)
        officer = sessions.resolve_actor(s, token=f.login(s, "officer", DEMO_PASSWORD, now=now).token, now=now)
        service.set_year(s, actor=officer, year=year, opens_on=date(year, 1, 1), closes_on=date(year, 12, 31),
                         excellent_cap_pct=20, now=now)
        staff = sessions.resolve_actor(s, token=f.login(s, "staff", DEMO_PASSWORD, now=now).token, now=now)
        ldtt = s.exec(select(models.Title.id).where(models.Title.code == "LDTT")).one()
        registration_id = service.register_self(s, actor=staff, year=year, title_id=ldtt, now=now)
        s.commit()
    return registration_id


def _status(engine, registration_id: int) -> str:
    with Session(engine) as s:
        return s.get(models.Registration, registration_id).status


def test_the_officer_confirms_and_the_person_withdraws_their_registration(app_db, registration):
    officer = f.app_state(app_db, RegistrationsState, "officer")
    f.run_handler(officer, "confirm", registration)
    assert _status(app_db, registration) == rules.CONFIRMED
    mine = f.app_state(app_db, MyCommendationsState, "staff")
    f.run_handler(mine, "withdraw", registration)
    assert _status(app_db, registration) == rules.WITHDRAWN


def test_a_colleague_can_neither_confirm_nor_withdraw_someone_elses_registration(app_db, registration):
    for cls, handler in ((RegistrationsState, "confirm"), (MyCommendationsState, "withdraw")):
        f.run_handler(f.app_state(app_db, cls, "staff2"), handler, registration)
        assert _status(app_db, registration) == rules.REGISTERED


def test_my_page_shows_my_titles_and_my_units_titles_with_their_decisions(app_db):
    """The titles I hold and those my unit holds, every year, with decision, signer and amount."""
    now = clock.now()
    with Session(app_db) as s:
        from engagement.org.models import Account, Person

        service.ensure_catalogue(s, now=now)
        officer = sessions.resolve_actor(s, token=f.login(s, "officer", DEMO_PASSWORD, now=now).token, now=now)
        me = s.exec(select(Person).join(Account, Account.person_id == Person.id)
                    .where(Account.username == "staff")).one()
        codes = dict(s.exec(select(models.Title.code, models.Title.id)).all())
        mine = service.record_award(s, actor=officer, title_id=codes["LDTT"], year=now.year - 1, person_id=me.id,
                                    decision_ref="15/QĐ-UBND", decided_on=date(now.year - 1, 12, 20),
                                    decided_by="Chủ tịch UBND tỉnh", now=now)
        ours = service.record_award(s, actor=officer, title_id=codes["TTLDTT"], year=now.year - 1,
                                    unit_id=me.unit_id, decision_ref="16/QĐ-UBND",
                                    decided_on=date(now.year - 1, 12, 20), now=now)
        s.commit()
    page = f.app_state(app_db, MyCommendationsState, "staff")
    f.run_handler(page, "load")
    assert page.error == ""
    assert [(a.id, a.decision_ref, a.decided_by) for a in page.awards] == [(mine, "15/QĐ-UBND", "Chủ tịch UBND tỉnh")]
    assert [(a.id, a.subject) for a in page.unit_awards] == [(ours, "collective")]
    colleague = f.app_state(app_db, MyCommendationsState, "staff2")
    f.run_handler(colleague, "load")
    assert mine not in {a.id for a in colleague.awards}
