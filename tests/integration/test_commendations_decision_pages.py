"""The decision pages driven as a browser would (issue 15): the officers' decisions page (nominees
waiting, issuing a decision, proposing upward, PDFs, certificates, revocation, the chain check),
the registers and reports (officers and unit heads), and the public check of a certificate.

Each test logs in as a demo user on the app's own database (``app_db``: the demo organisation
with the national catalogue) and runs the States' handlers; what they wrote is read back from
the database. Approved nominees are made directly with the models (a nomination "council" with
its nominee "approved"): the council's ballot has its own tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from reflex.istate.data import PageData, RouterData, SessionData
from sqlmodel import Session, select

from engagement.commendations import decisions, models, queries, rules, service
from engagement.commendations.decision_state import (
    DECIDE_PREFIX,
    DEFAULT_BASIS,
    UPWARD_PREFIX,
    DecisionsState,
    ReportsState,
    VerifyAwardState,
)
from engagement.core import clock
from engagement.core.audit import AuditEntry
from engagement.core.errors import NotAllowed, NotFound
from engagement.org import sessions
from engagement.org.demo import DEMO_PASSWORD
from engagement.org.models import Account, Person, Unit
from engagement.scoring.models import PointEntry
from tests import factories as f


@pytest.fixture
def app_db(app_db):
    """The demo organisation with the national catalogue, as ``engagement migrate`` seeds it."""
    with Session(app_db) as s:
        service.ensure_catalogue(s, now=clock.now())
        s.commit()
    return app_db


def _year() -> int:
    return queries.today(clock.now()).year


def _person_of(engine, username: str) -> Person:
    with Session(engine) as s:
        return s.exec(select(Person).join(Account, Account.person_id == Person.id)
                      .where(Account.username == username)).one()


def _unit(engine, code: str) -> Unit:
    with Session(engine) as s:
        return s.exec(select(Unit).where(Unit.code == code)).one()


def _approved(engine, code: str, *, person_id: int | None = None, unit_id: int | None = None) -> int:
    """One approved nominee in a nomination of its own, before the council (committed)."""
    now = clock.now()
    with Session(engine) as s:
        title_id = s.exec(select(models.Title.id).where(models.Title.code == code)).one()
        root = s.exec(select(Unit.id).where(Unit.parent_id.is_(None))).first()
        nomination = models.Nomination(year=_year(), title_id=title_id, unit_id=root, status="council", version=1,
                                       reference="TTr 01", created_at=now, updated_at=now)
        s.add(nomination)
        s.flush()
        key = rules.person_key(person_id) if person_id else rules.unit_key(unit_id)
        nominee = models.Nominee(nomination_id=nomination.id, subject_key=key, person_id=person_id, unit_id=unit_id,
                                 appraisal="eligible", eligibility="eligible", outcome="approved",
                                 report=json.dumps({"achievements": "Hoàn thành xuất sắc nhiệm vụ"}))
        s.add(nominee)
        s.commit()
        return nominee.id


def _form(*nominee_ids: int, prefix: str = DECIDE_PREFIX, **changes: str) -> dict[str, str]:
    form = {"issuer_code": "SNV", "issuer_name": "Sở Nội vụ tỉnh Demo", "decided_on": queries.today(
        clock.now()).isoformat(), "signer_name": "Nguyễn Văn Giám", "signer_title": "Giám đốc Sở Nội vụ",
        "basis": DEFAULT_BASIS, **{f"{prefix}{i}": "on" for i in nominee_ids}}
    form.update(changes)
    return form


def _counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return f.counts(s, models.Decision, models.DecisionCounter, models.Award, AuditEntry, PointEntry,
                        models.NominationEvent)


def _nominee(engine, nominee_id: int) -> models.Nominee:
    with Session(engine) as s:
        return s.get(models.Nominee, nominee_id)


def _route(state: Any, **params: str) -> Any:
    state.router = RouterData(session=SessionData(client_ip="203.0.113.9"), _page=PageData(params=params))
    return state


def _visitor(code: str) -> VerifyAwardState:
    """The public verify page as a phone opens it from the QR code: no login at all."""
    from reflex.state import State

    import engagement.engagement  # noqa: F401  (registers the States)

    root = State(_reflex_internal_init=True)
    state = _route(root.get_substate(VerifyAwardState.get_full_name().split(".")[1:]), code=code)
    f.run_handler(state, "load")
    return state


def _decisions(engine, username: str = "officer") -> DecisionsState:
    state = f.app_state(engine, DecisionsState, username)
    f.run_handler(state, "load")
    return state


def _downloads(events: Any) -> list[Any]:
    items = events if isinstance(events, list) else [events]
    return [e for e in items
            if getattr(getattr(getattr(e, "handler", None), "fn", None), "__qualname__", "") == "_download"]


# --- the decisions page ----------------------------------------------------------------------------


def test_the_page_lists_the_approved_by_title_in_one_read(app_db, read_sessions):
    hoa, thang = _person_of(app_db, "staff"), _person_of(app_db, "staff2")
    ldtt = _approved(app_db, "LDTT", person_id=hoa.id)
    upward = _approved(app_db, "CSTD_TINH", person_id=thang.id)
    state = f.app_state(app_db, DecisionsState, "officer")
    read_sessions.clear()
    f.run_handler(state, "load")
    assert state.error == ""
    assert len(read_sessions) == 1
    assert [(g.title, [r.nominee_id for r in g.rows]) for g in state.decide_groups] == [("LĐTT", [ldtt])]
    assert [(g.title, [r.nominee_id for r in g.rows]) for g in state.upward_groups] == [("CSTĐ cấp tỉnh", [upward])]
    assert state.decide_groups[0].rows[0].name == hoa.full_name
    assert state.waiting == 2
    assert not state.chain_loaded  # the whole chain is read only when asked
    assert state.rows == [] and state.total == 0
    assert state.basis == DEFAULT_BASIS


def test_issuing_a_decision_awards_the_ticked_and_shows_its_awards(app_db):
    hoa = _person_of(app_db, "staff")
    nid = _approved(app_db, "LDTT", person_id=hoa.id)
    state = _decisions(app_db)
    result = f.run_handler(state, "issue", _form(nid))
    assert state.decide_error == "", state.decide_error
    assert result is not None  # the success toast
    with Session(app_db) as s:
        [decision] = s.exec(select(models.Decision)).all()
        award = s.exec(select(models.Award).where(models.Award.decision_id == decision.id)).one()
    assert (decision.number, decision.issuer_code, decision.signer_name) == (1, "SNV", "Nguyễn Văn Giám")
    assert _nominee(app_db, nid).outcome == "decided"
    assert "1/QĐ-SNV" in state.issued
    # The waiting list is empty now; the decision is listed and its awards are open.
    assert state.decide_groups == [] and state.waiting == 0
    assert [r.reference for r in state.rows] == ["1/QĐ-SNV"]
    assert state.rows[0].awards == 1
    assert state.open_id == decision.id and state.open_reference == "1/QĐ-SNV"
    assert [(a.id, a.name, a.certificate_code) for a in state.open_awards] == [
        (award.id, hoa.full_name, award.certificate_code)]
    assert not state.chain_loaded  # a new decision: the last check no longer holds
    f.run_handler(state, "check_chain")
    assert (state.chain_loaded, state.chain_checked, state.chain_breaks) == (True, 1, [])
    # The issuer and the signer stay for the next decision.
    assert (state.issuer_code, state.signer_title) == ("SNV", "Giám đốc Sở Nội vụ")
    # A second load prefills the issuer and the signer from the newest decision.
    again = _decisions(app_db)
    assert (again.issuer_code, again.issuer_name) == ("SNV", "Sở Nội vụ tỉnh Demo")
    assert (again.signer_name, again.signer_title) == ("Nguyễn Văn Giám", "Giám đốc Sở Nội vụ")


@pytest.mark.parametrize(("changes", "ticked"), [
    ({}, False),  # nobody ticked
    ({"decided_on": "2999-01-01"}, True),  # in the future
    ({"decided_on": "not a date"}, True),
    ({"basis": "   "}, True),
    ({"issuer_code": "S N V!"}, True),
    ({"signer_name": ""}, True),
])
def test_a_bad_decision_form_says_why_and_writes_nothing(app_db, changes, ticked):
    nid = _approved(app_db, "LDTT", person_id=_person_of(app_db, "staff").id)
    state = _decisions(app_db)
    before = _counts(app_db)
    f.run_handler(state, "issue", _form(*([nid] if ticked else []), **changes))
    assert state.decide_error != ""
    assert _counts(app_db) == before
    assert _nominee(app_db, nid).outcome == "approved"
    assert state.issued == ""


def test_a_hostile_form_is_refused(app_db):
    state = _decisions(app_db)
    before = _counts(app_db)
    f.run_handler(state, "issue", "not a form")
    assert state.decide_error != ""
    f.run_handler(state, "issue", _form(999_999))
    assert state.decide_error != ""
    assert _counts(app_db) == before


def test_a_title_decided_above_cannot_be_decided_here(app_db):
    nid = _approved(app_db, "CSTD_TINH", person_id=_person_of(app_db, "staff").id)
    state = _decisions(app_db)
    before = _counts(app_db)
    f.run_handler(state, "issue", _form(nid))
    assert "upward" in state.decide_error
    assert _counts(app_db) == before


def test_proposing_upward_downloads_the_dossier(app_db):
    nid = _approved(app_db, "CSTD_TINH", person_id=_person_of(app_db, "staff2").id)
    state = _decisions(app_db)
    events = f.run_handler(state, "propose", {f"{UPWARD_PREFIX}{nid}": "on"})
    assert state.upward_error == ""
    assert len(_downloads(events)) == 2
    assert _nominee(app_db, nid).outcome == "proposed"
    assert state.upward_groups == []
    # Nothing ticked: a message, nothing written.
    before = _counts(app_db)
    assert f.run_handler(state, "propose", {}) is None
    assert state.upward_error != ""
    assert _counts(app_db) == before
    # The dossier page of a nomination proposed upward gives a second copy, to officers only.
    from tests.integration.test_commendations_nomination_pages import _dossier

    with Session(app_db) as s:
        nomination = s.get(models.Nomination, _nominee(app_db, nid).nomination_id)
    assert nomination.status == "proposed"
    for who, may in (("officer", True), ("staff2", False)):
        dossier = _dossier(app_db, who, nomination.id)
        assert dossier.may_upward is may
        events = f.run_handler(dossier, "download_upward")
        assert len(_downloads(events) if may else []) == (2 if may else 0)
        if not may:
            assert dossier.action_error != "" or dossier.error != ""


def test_the_decision_and_the_certificate_download_as_pdf(app_db):
    nid = _approved(app_db, "LDTT", person_id=_person_of(app_db, "staff").id)
    state = _decisions(app_db)
    f.run_handler(state, "issue", _form(nid))
    decision_id, award_id = state.rows[0].id, state.open_awards[0].id
    [pdf] = _downloads(f.run_handler(state, "download_decision", decision_id))
    assert "1-QD-SNV" in str(pdf)
    [cert] = _downloads(f.run_handler(state, "download_certificate", award_id))
    assert state.open_awards[0].certificate_code in str(cert)
    # A bogus id gets a toast, not a crash.
    assert _downloads(f.run_handler(state, "download_decision", "abc")) == []
    assert _downloads(f.run_handler(state, "download_certificate", 999_999)) == []


def test_open_decision_toggles_its_awards(app_db):
    nid = _approved(app_db, "LDTT", person_id=_person_of(app_db, "staff").id)
    state = _decisions(app_db)
    f.run_handler(state, "issue", _form(nid))
    decision_id = state.rows[0].id
    f.run_handler(state, "open_decision", decision_id)
    assert state.open_id == 0 and state.open_awards == []
    f.run_handler(state, "open_decision", decision_id)
    assert state.open_id == decision_id and len(state.open_awards) == 1
    f.run_handler(state, "open_decision", 999_999)
    assert state.awards_error != ""


def test_revoking_needs_a_ground_and_the_verify_page_then_says_revoked(app_db):
    nid = _approved(app_db, "LDTT", person_id=_person_of(app_db, "staff").id)
    state = _decisions(app_db)
    f.run_handler(state, "issue", _form(nid))
    award = state.open_awards[0]
    assert _visitor(award.certificate_code).check.valid
    f.run_handler(state, "open_revoke", award.id)
    assert state.dialog == "revoke" and state.revoke_amount == str(award.amount)
    before = _counts(app_db)
    for bad in ({"ground": "", "reason": "Kê khai không trung thực"},  # no legal ground
                {"ground": "made-up", "reason": "x"},
                {"ground": "dishonest", "reason": "  "},  # no reason
                {"ground": "dishonest", "reason": "x", "refund": "99999999999"},  # more than it paid
                {"ground": "dishonest", "reason": "x", "refund": "-5"}):
        f.run_handler(state, "submit_revoke", bad)
        assert state.dialog_error != "", bad
        assert state.dialog == "revoke"
    assert _counts(app_db) == before
    f.run_handler(state, "submit_revoke", {"ground": "dishonest", "reason": "Kết luận thanh tra số 12/KL-TTr",
                                           "refund": ""})
    assert state.dialog_error == "" and state.dialog == ""
    with Session(app_db) as s:
        row = s.get(models.Award, award.id)
    assert row.revoked_at is not None and row.revoked_ground == "dishonest" and row.refund_amount == award.amount
    assert state.open_awards[0].revoked
    assert state.chain_loaded and state.chain_breaks == []
    seen = _visitor(award.certificate_code)
    assert seen.check.found and seen.check.revoked and not seen.check.valid
    assert seen.check.revoked_ground != "" and seen.check.revoked_on != ""
    # A revoked award is not offered again.
    f.run_handler(state, "open_revoke", award.id)
    assert state.dialog == ""


def test_staff_and_unit_heads_cannot_use_the_decisions_page(app_db):
    nid = _approved(app_db, "LDTT", person_id=_person_of(app_db, "staff").id)
    for username in ("staff", "head.snv", "council"):
        state = _decisions(app_db, username)
        assert state.error != "" and state.decide_groups == [] and state.rows == []
        before = _counts(app_db)
        f.run_handler(state, "issue", _form(nid))
        f.run_handler(state, "propose", {f"{UPWARD_PREFIX}{nid}": "on"})
        assert _counts(app_db) == before
        assert _nominee(app_db, nid).outcome == "approved"


# --- the public check ------------------------------------------------------------------------------


def test_an_unknown_or_garbled_code_says_so(app_db):
    for code in ("", "ABCDEFGHJKMNPQRS", "<script>", "x" * 500):
        state = _visitor(code)
        assert state.loaded and not state.check.found
    # The look-up form goes to a well-formed code's page, and answers a garbled one at once.
    state = _visitor("")
    assert f.run_handler(state, "look_up", {"code": "abcd-efgh-jkmn-pqrs"}) is not None
    assert f.run_handler(state, "look_up", {"code": "nope"}) is None
    assert state.loaded and not state.check.found
    assert f.run_handler(state, "look_up", "hostile") is None


def test_the_verify_page_shows_the_facts_of_a_valid_certificate(app_db):
    hoa = _person_of(app_db, "staff")
    nid = _approved(app_db, "LDTT", person_id=hoa.id)
    state = _decisions(app_db)
    f.run_handler(state, "issue", _form(nid))
    code = state.open_awards[0].certificate_code
    # Typed with spaces and in lower case, as read off the paper.
    seen = _visitor(" ".join([code[:4].lower(), code[4:8], code[8:12], code[12:]]))
    c = seen.check
    assert (c.found, c.valid, c.revoked, c.intact) == (True, True, False, True)
    assert (c.name, c.decision_number, c.year) == (hoa.full_name, "1/QĐ-SNV", _year())
    assert c.issuer == "Sở Nội vụ tỉnh Demo"


# --- registers and reports -------------------------------------------------------------------------


def _decided(engine) -> tuple[Person, Person]:
    """Two awards decided: Hoa (Văn phòng Sở Nội vụ) and Thắng (xã Tân Lập), LĐTT this year."""
    hoa, thang = _person_of(engine, "staff"), _person_of(engine, "staff2")
    ids = [_approved(engine, "LDTT", person_id=hoa.id), _approved(engine, "LDTT", person_id=thang.id)]
    state = _decisions(engine)
    f.run_handler(state, "issue", _form(*ids))
    assert state.decide_error == ""
    return hoa, thang


def test_officers_read_the_register_filter_it_and_export_it(app_db, read_sessions):
    hoa, thang = _decided(app_db)
    state = f.app_state(app_db, ReportsState, "officer")
    read_sessions.clear()
    f.run_handler(state, "load")
    assert state.error == ""
    assert len(read_sessions) == 1
    assert sorted(r.name for r in state.rows) == sorted([hoa.full_name, thang.full_name])
    assert state.stat_year == _year()
    assert [(s.title, s.individuals) for s in state.stats] == [("LĐTT", 2)]
    assert state.stat_individuals == 2
    snv = _unit(app_db, "SNV")
    f.run_handler(state, "select_unit", str(snv.id))
    assert [r.name for r in state.rows] == [hoa.full_name]
    f.run_handler(state, "select_revoked", "yes")
    assert state.rows == [] and state.total == 0
    f.run_handler(state, "select_revoked", "bogus")
    assert state.filter_revoked == ""
    f.run_handler(state, "select_year", str(_year() - 1))
    assert state.rows == []
    f.run_handler(state, "select_year", "1850")
    assert state.register_error != ""
    f.run_handler(state, "select_year", "")
    f.run_handler(state, "select_unit", "999999")
    assert state.register_error != "" and state.filter_unit == str(snv.id)
    for fmt in ("xlsx", "csv", "anything"):
        [download] = _downloads(f.run_handler(state, "export_register", fmt))
        assert download is not None
        [download] = _downloads(f.run_handler(state, "export_stats", fmt))
    f.run_handler(state, "select_stat_year", str(_year() - 1))
    assert state.stats == [] and state.stat_individuals == 0
    f.run_handler(state, "select_stat_year", "abc")
    assert state.stats_error != ""


def test_a_person_s_and_a_unit_s_history(app_db):
    hoa, _thang = _decided(app_db)
    state = f.app_state(app_db, ReportsState, "officer")
    f.run_handler(state, "load")
    f.run_handler(state, "find_people", {"q": "x"})
    assert state.history_error != ""
    f.run_handler(state, "find_people", {"q": hoa.employee_code})
    assert [o.value for o in state.people] == [str(hoa.id)]
    f.run_handler(state, "person_history", str(hoa.id))
    assert state.history_error == "" and state.history_shown
    assert state.history_label == hoa.full_name
    assert [(r.title, r.year, r.decision_ref) for r in state.history_rows] == [("LĐTT", _year(), "1/QĐ-SNV")]
    f.run_handler(state, "unit_history", str(_unit(app_db, "SNV").id))
    assert state.history_shown and state.history_rows == []  # the unit itself holds no title
    f.run_handler(state, "person_history", "abc")
    assert state.history_error != "" and not state.history_shown


def test_unit_heads_see_their_units_only_and_staff_nothing(app_db):
    hoa, thang = _decided(app_db)
    head = f.app_state(app_db, ReportsState, "head.snv")
    f.run_handler(head, "load")
    assert head.error == ""
    assert [r.name for r in head.rows] == [hoa.full_name]
    assert str(_unit(app_db, "TANLAP").id) not in {o.value for o in head.units}
    f.run_handler(head, "select_unit", str(_unit(app_db, "TANLAP").id))
    assert head.register_error != ""
    f.run_handler(head, "person_history", str(thang.id))
    assert head.history_error != "" and head.history_rows == []
    assert [(s.title, s.individuals) for s in head.stats] == [("LĐTT", 1)]
    staff = f.app_state(app_db, ReportsState, "staff")
    f.run_handler(staff, "load")
    assert staff.error != "" and staff.rows == [] and staff.units == []
    assert _downloads(f.run_handler(staff, "export_register", "csv")) == []
    assert _downloads(f.run_handler(staff, "export_stats", "csv")) == []


def _actor(session: Session, username: str):
    result = f.login(session, username, DEMO_PASSWORD, now=clock.now())
    assert result.ok, result.message
    return sessions.resolve_actor(session, token=result.token, now=clock.now())


def test_the_reads_added_for_the_page_are_for_officers_only(app_db):
    nid = _approved(app_db, "LDTT", person_id=_person_of(app_db, "staff").id)
    with Session(app_db) as s:
        rows = decisions.awaiting_decision(s, actor=_actor(s, "officer"))
        assert [r.nominee_id for r in rows] == [nid]
        assert rows[0].upward is False and rows[0].session_id == 0 and rows[0].title == "LĐTT"
        for username in ("staff", "head.snv", "council"):
            with pytest.raises(NotAllowed):
                decisions.awaiting_decision(s, actor=_actor(s, username))
            with pytest.raises(NotAllowed):
                decisions.decision_awards(s, actor=_actor(s, username), decision_id=1)
        with pytest.raises(NotAllowed):
            decisions.awaiting_decision(s, actor=None)
        with pytest.raises(NotFound):
            decisions.decision_awards(s, actor=_actor(s, "officer"), decision_id=999_999)


def test_the_statistics_open_on_the_newest_year_of_the_register(app_db):
    hoa = _person_of(app_db, "staff")
    last = _year() - 1
    with Session(app_db) as s:
        title_id = s.exec(select(models.Title.id).where(models.Title.code == "LDTT")).one()
        f.commendation_award(s, actor=_actor(s, "officer"), title_id=title_id, year=last, person_id=hoa.id,
                             now=clock.now(), decided_on=queries.today(clock.now()), decided_by="UBND tỉnh")
        s.commit()
    state = f.app_state(app_db, ReportsState, "officer")
    f.run_handler(state, "load")
    assert state.stat_year == last
    assert [(s.title, s.individuals) for s in state.stats] == [("LĐTT", 1)]
    # A year chosen is kept on the next visit.
    f.run_handler(state, "select_stat_year", str(_year()))
    f.run_handler(state, "load")
    assert state.stat_year == _year() and state.stats == []
