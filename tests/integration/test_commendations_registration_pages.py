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
