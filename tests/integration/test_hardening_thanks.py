"""Issue 18 §2, server side: the organisation's dossier-number format, and ratings held for the
unit head when one network, or one person, gets many in a day."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.recognition import queries, rules, service
from engagement.recognition.models import CitizenThanks, ThanksSettings
from engagement.scoring.rules import Source
from tests import factories as f

FORMAT = "000.00.00.H00-YYMMDD-0000"
GOOD = "000.00.31.H26-260302-0001"


@pytest.fixture
def org(session, now):
    return f.recognition_org(session, now=now)


@pytest.fixture
def token(session, org, now):
    return f.thanks_token(session, actor=org.head_b, person_id=org.taker.person_id, now=now)


def _set(session, org, now, formats=FORMAT, per_network=3, per_person=10):
    return service.set_thanks_settings(session, actor=org.admin, dossier_formats=formats,
                                       hold_per_network=per_network, hold_per_person=per_person, now=now)


def _citizen_points(session) -> list:
    return f.point_entries(session, source=Source.CITIZEN)


# --- the dossier-number format ---------------------------------------------------------------


def test_without_a_format_any_plausible_number_is_taken(session, org, token, now):
    assert queries.thanks_settings(session).dossier_formats == ""
    assert f.citizen_thanks(session, token=token, now=now, dossier="HS-2026-0001") == "approved"


def test_a_number_outside_the_organisations_format_is_refused_with_the_format(session, org, token, now):
    view = _set(session, org, now, formats=f"{FORMAT}\n  000.00.00.g00-yyyymmdd-00000 ")
    assert view.dossier_formats == f"{FORMAT}\n000.00.00.G00-YYYYMMDD-00000"
    assert "000.00.00.H00-YYMMDD-0000 / 000.00.00.G00-YYYYMMDD-00000" in view.dossier_hint
    before = f.count(session, CitizenThanks)
    for wrong in ("HS-2026-0001", "000.00.31.H26-261301-0001", "000.00.31.H26-260302-001",
                  "000.00.31.X26-260302-0001"):  # free text, 13th month, short sequence, wrong letter
        with pytest.raises(Invalid, match="is not in the form printed on receipts here") as refused:
            f.citizen_thanks(session, token=token, now=now, dossier=wrong)
        assert FORMAT in refused.value.message and refused.value.fields == {"dossier": "Invalid"}
    assert f.count(session, CitizenThanks) == before
    assert f.citizen_thanks(session, token=token, now=now, dossier=GOOD.lower()) == "approved"
    assert f.citizen_thanks(session, token=token, now=now, dossier="000.00.31.G26-20260302-00001",
                            client_ip="198.51.100.3") == "approved"


@pytest.mark.parametrize(("formats", "expected"), [
    ("H-", "3 to 40 characters"),
    ("0" * 41, "3 to 40 characters"),
    ("(A+)+$", "only letters, digits"),
    ("000\\d{4}", "only letters, digits"),
    ("HS-X", "fewer than 2 places"),
    ("\n".join(["000-0000"] * 6), "at most 5 formats"),
])
def test_a_format_outside_the_template_language_is_refused_and_not_kept(session, org, now, formats, expected):
    with pytest.raises(Invalid, match=expected):
        _set(session, org, now, formats=formats)
    assert session.get(ThanksSettings, 1) is None


def test_matching_is_linear_even_on_hostile_input():
    # A template is matched character by character: no regular expression to backtrack on.
    template = "0" * 20 + "A" * 20
    hostile = "1" * 20 + "B" * 19 + "!"
    start = time.perf_counter()
    for _ in range(2000):
        assert not rules.matches_template(hostile, template)
    assert time.perf_counter() - start < 2.0
    assert rules.matches_template("1" * 20 + "B" * 20, template)


def test_only_officers_set_the_format(session, org, now):
    for who in (org.head_b, org.taker, None):
        with pytest.raises(NotAllowed):
            service.set_thanks_settings(session, actor=who, dossier_formats=FORMAT, hold_per_network=3,
                                        hold_per_person=10, now=now)


@pytest.mark.parametrize(("per_network", "per_person"), [(0, 10), (rules.THANKS_PER_CLIENT_PER_DAY + 1, 10),
                                                         (3, 0), (3, 501)])
def test_hold_thresholds_are_bounded(session, org, now, per_network, per_person):
    with pytest.raises(Invalid, match="whole number from"):
        _set(session, org, now, per_network=per_network, per_person=per_person)


# --- held ratings ----------------------------------------------------------------------------


def test_ratings_above_the_daily_threshold_of_one_network_are_held_without_points(session, org, token, now):
    _set(session, org, now, formats="", per_network=2)
    statuses = [f.citizen_thanks(session, token=token, now=now + timedelta(minutes=i), dossier=f"HS-{i:04d}")
                for i in range(4)]
    assert statuses == ["approved", "approved", "held", "held"]
    assert len(_citizen_points(session)) == 2  # the held ones earn nothing yet
    held = session.exec(select(CitizenThanks).where(CitizenThanks.status == "held")).all()
    assert {h.hold_reason for h in held} == {"network"}
    # Another network is not held; the next day the first one is not either.
    assert f.citizen_thanks(session, token=token, now=now, dossier="HS-0100", client_ip="198.51.100.8") == "approved"
    assert f.citizen_thanks(session, token=token, now=now + timedelta(days=1, hours=1), dossier="HS-0101") == \
        "approved"


def test_many_ratings_for_one_person_are_held_whatever_the_network(session, org, token, now):
    _set(session, org, now, formats="", per_person=3)
    statuses = [f.citizen_thanks(session, token=token, now=now, dossier=f"HS-{i:04d}", client_ip=f"198.51.100.{i}")
                for i in range(5)]
    assert statuses == ["approved"] * 3 + ["held"] * 2
    assert session.exec(select(CitizenThanks.hold_reason).where(CitizenThanks.status == "held")).all() == \
        ["person", "person"]


def test_the_unit_head_counts_or_sets_aside_a_held_rating_with_a_reason(session, org, token, now):
    _set(session, org, now, formats="", per_network=1)
    f.citizen_thanks(session, token=token, now=now, dossier="HS-0001")
    f.citizen_thanks(session, token=token, now=now, dossier="HS-0002")
    f.citizen_thanks(session, token=token, now=now, dossier="HS-0003", note="Chị Nhận hướng dẫn rất tận tình.")
    rows, more = queries.held_ratings(session, actor=org.head_b)
    assert [r.dossier_ref for r in rows] == ["HS-0002", "HS-0003"] and not more
    assert rows[0].why == "Many ratings from one network today"
    points = len(_citizen_points(session))
    with pytest.raises(Invalid, match="Say why"):
        service.decide_held(session, actor=org.head_b, thanks_id=rows[0].id, approve=True, reason=" ok ", now=now)
    service.decide_held(session, actor=org.head_b, thanks_id=rows[0].id, approve=True,
                        reason="Hồ sơ có thật, đã kiểm tra trên hệ thống một cửa", now=now)
    service.decide_held(session, actor=org.head_b, thanks_id=rows[1].id, approve=False,
                        reason="Không có hồ sơ này trên hệ thống", now=now)
    assert len(_citizen_points(session)) == points + 1
    counted, aside = session.get(CitizenThanks, rows[0].id), session.get(CitizenThanks, rows[1].id)
    assert (counted.status, aside.status) == ("approved", "rejected")
    assert aside.moderation_reason == "Không có hồ sơ này trên hệ thống"
    assert counted.moderated_by_account_id == org.head_b.account_id
    with pytest.raises(Conflict):
        service.decide_held(session, actor=org.head_b, thanks_id=rows[0].id, approve=False,
                            reason="changed my mind", now=now)
    assert queries.held_ratings(session, actor=org.head_b) == ([], False)


def test_nobody_outside_the_unit_decides_and_nobody_on_themselves(session, org, token, now):
    _set(session, org, now, formats="", per_network=1)
    f.citizen_thanks(session, token=token, now=now, dossier="HS-0001")
    f.citizen_thanks(session, token=token, now=now, dossier="HS-0002")
    held_id = session.exec(select(CitizenThanks.id).where(CitizenThanks.status == "held")).one()
    with pytest.raises(NotAllowed):
        service.decide_held(session, actor=org.taker, thanks_id=held_id, approve=True, reason="it was me", now=now)
    with pytest.raises(NotAllowed):
        service.decide_held(session, actor=None, thanks_id=held_id, approve=True, reason="anonymous", now=now)
    head_a = f.user(session, org.admin, now, unit_id=org.a, username="heada", name="Trưởng A",
                    role="unit_head", role_unit_id=org.a)
    with pytest.raises(NotFound):
        service.decide_held(session, actor=head_a, thanks_id=held_id, approve=True, reason="not my unit", now=now)
    assert queries.held_ratings(session, actor=head_a) == ([], False)
    assert session.get(CitizenThanks, held_id).status == "held"


# --- the pages -------------------------------------------------------------------------------


@pytest.fixture
def app_db(app_db):
    from engagement.core import clock
    from engagement.recognition.demo import seed_demo

    with Session(app_db) as s:
        seed_demo(s, now=clock.now())
        s.commit()
    return app_db


def test_the_officer_sets_the_format_and_the_citizens_page_shows_it(app_db):
    from engagement.recognition.models import ThanksLink
    from engagement.recognition.state import ThanksSettingsState, ThanksState

    state = f.app_state(app_db, ThanksSettingsState, "officer")
    f.run_handler(state, "load")
    assert (state.hold_per_network, state.hold_per_person) == (rules.HOLD_PER_NETWORK, rules.HOLD_PER_PERSON)
    f.run_handler(state, "save", {"dossier_formats": "(a|aa)+$", "hold_per_network": "2", "hold_per_person": "9"})
    assert "only letters, digits" in state.settings_error
    f.run_handler(state, "save", {"dossier_formats": FORMAT, "hold_per_network": "2", "hold_per_person": "9"})
    assert state.settings_error == "" and state.dossier_formats == FORMAT and state.hold_per_network == 2

    staff = f.app_state(app_db, ThanksSettingsState, "staff")
    f.run_handler(staff, "save", {"dossier_formats": "", "hold_per_network": "5", "hold_per_person": "500"})
    assert staff.settings_error  # refused
    with Session(app_db) as s:
        assert s.get(ThanksSettings, 1).dossier_formats == FORMAT
        link = s.exec(select(ThanksLink.token).where(ThanksLink.is_active.is_(True))).first()

    from reflex.istate.data import RouterData
    from reflex.state import State

    citizen = State(_reflex_internal_init=True).get_substate(ThanksState.get_full_name().split(".")[1:])
    citizen.router = RouterData.from_router_data({
        "headers": {"asgi-scope-client": "198.51.100.4"}, "ip": "198.51.100.4",
        "pathname": "/thanks/[thanks_token]", "query": {"thanks_token": link}})
    f.run_handler(citizen, "load")
    assert citizen.found and FORMAT in citizen.dossier_hint


def test_the_unit_head_decides_from_the_citizens_page(app_db):
    from engagement.core import clock
    from engagement.core.db import unit_of_work
    from engagement.org import sessions
    from engagement.org.demo import DEMO_PASSWORD
    from engagement.recognition.models import ThanksLink
    from engagement.recognition.state import HeldRatingsState

    def actor(s, username):
        result = f.login(s, username, DEMO_PASSWORD, now=clock.now())
        return sessions.resolve_actor(s, token=result.token, now=clock.now())

    with unit_of_work(app_db) as s:
        officer = actor(s, "officer")
        service.set_thanks_settings(s, actor=officer, dossier_formats="", hold_per_network=1, hold_per_person=10,
                                    now=clock.now())
        head = actor(s, "head.snv")
        staff = actor(s, "staff")  # in an office of the head's department
        service.ensure_unit_links(s, actor=head, unit_id=staff.unit_id, now=clock.now())
        link = s.exec(select(ThanksLink).where(ThanksLink.is_active.is_(True),
                                               ThanksLink.person_id == staff.person_id)).one()
        for i in range(2):
            service.submit_thanks(s, token=link.token, attitude=5, timeliness=5, guidance=5, note="",
                                  dossier=f"HS-77{i}", proof=f.thanks_proof(s, now=clock.now()),
                                  client_ip="203.0.113.200", now=clock.now())
    state = f.app_state(app_db, HeldRatingsState, "head.snv")
    f.run_handler(state, "load")
    assert len(state.held) == 1 and state.held[0].dossier_ref == "HS-771"
    held_id = state.held[0].id
    f.run_handler(state, "decide", {"thanks_id": "999999", "decision": "count", "reason": "a good reason"})
    assert state.held_error == "Choose a rating from the list."
    f.run_handler(state, "decide", {"thanks_id": str(held_id), "decision": "maybe", "reason": "a good reason"})
    assert "count the rating or set it aside" in state.held_error
    f.run_handler(state, "decide", {"thanks_id": str(held_id), "decision": "count", "reason": "Đã đối chiếu hồ sơ"})
    assert state.held_error == "" and state.held == []
    with Session(app_db) as s:
        assert s.get(CitizenThanks, held_id).status == "approved"
