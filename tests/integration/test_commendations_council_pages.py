"""The council pages driven as a browser would (issue 15): the officer schedules a session from the
sessions page; the secretary records attendance, opens the session, opens and closes the rounds and
records a written vote; members vote on the session page; the minutes download. And the refusals:
a staff member, a recused member, a second vote, no quorum, an unanswered public comment.

Each test logs in as demo users on the app's own database (``app_db``: the demo organisation with
the national catalogue), with the council-member role granted to five of them: ``council`` (the
chair), ``staff2`` (the secretary), ``head.snv``, ``head.tanlap`` and ``union.snv``. The nominees
are made directly with the models (appraised eligible): ``staff`` and ``head.snv`` for LĐTT,
so that ``head.snv`` is recused on their own item. What the handlers wrote is read back from the
database.
"""

from __future__ import annotations

import base64
import re
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest
from reflex.istate.data import PageData, RouterData, SessionData
from sqlmodel import Session, select

from engagement.commendations import council, models, rules, service
from engagement.commendations.council_state import (
    CouncilSessionState,
    CouncilState,
    ItemCard,
    _moment,
)
from engagement.core import clock, routes
from engagement.core.access import Role
from engagement.core.audit import AuditEntry
from engagement.core.errors import Invalid, NotAllowed, NotFound
from engagement.notify.models import Notification
from engagement.org import service as org_service
from engagement.org import sessions
from engagement.org.demo import DEMO_PASSWORD
from engagement.org.models import Account, Person, Unit
from engagement.settings import get_settings
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401
from tests.integration.test_commendations_council import make_world
from tests.integration.test_commendations_council import nominee as world_nominee
from tests.integration.test_commendations_council import schedule as world_schedule

MEMBERS = ("council", "staff2", "head.snv", "head.tanlap", "union.snv")
CHAIR, SECRETARY = "council", "staff2"
#: Every table the council services write, to show that a refusal wrote nothing.
TABLES = (models.CouncilSession, models.SessionMember, models.AgendaItem, models.Recusal,
          models.BallotParticipation, models.Tally, models.NominationEvent, AuditEntry, Notification)


@pytest.fixture
def app_db(app_db):
    """The demo organisation, the national catalogue, five council members and two nominees ready."""
    now = clock.now()
    with Session(app_db) as s:
        service.ensure_catalogue(s, now=now)
        admin = _actor(s, "admin")
        for username in MEMBERS:
            if username == "council":
                continue  # the demo's own council member
            account = s.exec(select(Account.id).where(Account.username == username)).one()
            org_service.grant_role(s, actor=admin, account_id=account, role=Role.COUNCIL_MEMBER, now=now)
        s.commit()
    return app_db


# --- helpers -------------------------------------------------------------------------------------


def _actor(session: Session, username: str):
    result = f.login(session, username, DEMO_PASSWORD, now=clock.now())
    assert result.ok, result.message
    return sessions.resolve_actor(session, token=result.token, now=clock.now())


def _person(engine, username: str) -> Person:
    with Session(engine) as s:
        return s.exec(select(Person).join(Account, Account.person_id == Person.id)
                      .where(Account.username == username)).one()


def _counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return f.counts(s, *TABLES)


def _nominee(engine, username: str, code: str = "LDTT") -> int:
    """A nomination of the person of ``username`` by Sở Nội vụ, appraised, the nominee eligible; its id."""
    person = _person(engine, username)
    now = clock.now()
    with Session(engine) as s:
        unit = s.exec(select(Unit.id).where(Unit.code == "SNV")).one()
        title = s.exec(select(models.Title.id).where(models.Title.code == code)).one()
        nomination = models.Nomination(year=now.year, title_id=title, unit_id=unit, status=rules.APPRAISED,
                                       version=1, created_at=now, updated_at=now)
        s.add(nomination)
        s.flush()
        row = models.Nominee(nomination_id=nomination.id, subject_key=rules.person_key(person.id),
                             person_id=person.id, eligibility=rules.ELIGIBLE, appraisal=rules.APPRAISED_ELIGIBLE)
        s.add(row)
        s.commit()
        return row.id


def _route(state: Any, **params: str) -> Any:
    state.router = RouterData(session=SessionData(client_ip="10.0.0.1"), _page=PageData(params=params))
    return state


def _council(engine, username: str) -> CouncilState:
    state = f.app_state(engine, CouncilState, username)
    f.run_handler(state, "load")
    return state


def _session(engine, username: str, session_id: int) -> CouncilSessionState:
    state = _route(f.app_state(engine, CouncilSessionState, username), session_id=str(session_id))
    f.run_handler(state, "load")
    return state


def _when(days: int = 7) -> str:
    """A ``datetime-local`` value ``days`` ahead, 09:00 in the organisation's zone."""
    local = clock.local(clock.now(), get_settings().tz) + timedelta(days=days)
    return local.replace(hour=9, minute=0).strftime("%Y-%m-%dT%H:%M")


def _form(engine, nominee_ids: list[int], **changes: str) -> dict[str, str]:
    form = {"title": "Phiên họp xét khen thưởng năm", "when": _when(), "place": "Phòng họp số 1",
            "chair": str(_person(engine, CHAIR).id), "secretary": str(_person(engine, SECRETARY).id),
            "quorum": "2/3", **{f"nominee_{n}": "on" for n in nominee_ids}}
    form.update(changes)
    return form


def _schedule(engine, nominee_ids: list[int]) -> int:
    """The officer schedules a session from the sessions page; its id (the page opens next)."""
    state = _council(engine, "officer")
    f.run_handler(state, "open_schedule")
    out = f.run_handler(state, "schedule", _form(engine, nominee_ids))
    assert state.form_error == "" and state.dialog == ""
    with Session(engine) as s:
        session_id = s.exec(select(models.CouncilSession.id).order_by(models.CouncilSession.id.desc())).first()
    assert routes.council_session(session_id) in str(out)
    return session_id


def _attend(engine, session_id: int, *, present: tuple[str, ...], written: tuple[str, ...] = ()) -> CouncilSessionState:
    secretary = _session(engine, SECRETARY, session_id)
    for username in MEMBERS:
        choice = "present" if username in present else "written" if username in written else "absent"
        f.run_handler(secretary, "set_attendance", _person(engine, username).id, choice)
        assert secretary.action_error == "", secretary.action_error
    return secretary


def _item(state: CouncilSessionState, username_or_name: str, engine=None) -> ItemCard:
    name = _person(engine, username_or_name).full_name if engine is not None else username_or_name
    return next(i for i in state.items if i.nominee_name == name)


def _tally(engine, item_id: int, round_no: int = 1) -> models.Tally:
    with Session(engine) as s:
        return s.get(models.Tally, (item_id, round_no))


def _pdf(event: Any, filename: str) -> bytes:
    """The bytes of an ``rx.download`` event (a data URL), checking its file name."""
    text = str(event)
    assert filename in text, text[:300]
    encoded = re.search(r"base64,([A-Za-z0-9+/=]+)", text)
    assert encoded, text[:300]
    return base64.b64decode(encoded.group(1))


# --- the whole session --------------------------------------------------------------------------


def test_a_session_goes_from_scheduling_to_the_minutes(app_db):
    staff_nominee, head_nominee = _nominee(app_db, "staff"), _nominee(app_db, "head.snv")

    # The officer: the council's members and the nominees ready for it, then a session.
    officer = _council(app_db, "officer")
    assert officer.error == "" and officer.is_officer
    assert sorted(int(o.value) for o in officer.chairs) == sorted(_person(app_db, u).id for u in MEMBERS)
    assert {n.nominee_id for n in officer.nominees} == {staff_nominee, head_nominee}
    assert all(n.url.startswith("/commendations/nominations/") for n in officer.nominees)
    session_id = _schedule(app_db, [staff_nominee, head_nominee])
    with Session(app_db) as s:
        assert f.count(s, models.SessionMember, session_id=session_id) == len(MEMBERS)
        assert f.count(s, models.AgendaItem, session_id=session_id) == 2
        assert f.count(s, Notification, kind="commendations.council.scheduled") == len(MEMBERS)
    officer = _council(app_db, "officer")
    assert [r.id for r in officer.sessions] == [session_id] and officer.nominees == []

    # A member sees the session among theirs, with their seat, and the dossiers' links.
    chair = _council(app_db, CHAIR)
    assert chair.error == "" and chair.is_member and not chair.is_officer
    assert [(r.id, r.position_label) for r in chair.mine] == [(session_id, "Chair")]
    member = _session(app_db, "head.tanlap", session_id)
    assert member.error == "" and member.found and not member.may_run and not member.may_ballot
    assert all(i.dossier_url.startswith("/commendations/nominations/") for i in member.items)

    # The secretary: no quorum yet, so the session does not open; then attendance, and it opens.
    secretary = _session(app_db, SECRETARY, session_id)
    assert secretary.may_run and secretary.may_ballot and len(secretary.members) == len(MEMBERS)
    before = _counts(app_db)
    f.run_handler(secretary, "open_session")
    assert secretary.action_error == ("The session cannot open: 0 of 5 members are present, and the quorum is 4.")
    assert _counts(app_db) == before and secretary.status == rules.SESSION_SCHEDULED
    secretary = _attend(app_db, session_id, present=("council", "staff2", "head.snv", "head.tanlap"),
                        written=("union.snv",))
    assert (secretary.present, secretary.written, secretary.quorum_met) == (4, 1, True)
    f.run_handler(secretary, "open_session")
    assert secretary.action_error == "" and secretary.status == rules.SESSION_OPEN
    a, b = _item(secretary, "staff", app_db), _item(secretary, "head.snv", app_db)
    assert a.recusals == [] and len(b.recusals) == 1 and b.recusals[0].startswith(_person(app_db, "head.snv").full_name)
    assert a.may_open_round and b.may_open_round

    # A round on staff's item: members vote, the page says only that they have voted.
    f.run_handler(secretary, "open_round", a.item_id)
    assert secretary.action_error == "" and _item(secretary, "staff", app_db).round_open
    yes, no = _session(app_db, "head.tanlap", session_id), _session(app_db, "head.snv", session_id)
    assert _item(yes, "staff", app_db).my_can_vote and _item(no, "staff", app_db).my_can_vote
    f.run_handler(yes, "vote", a.item_id, True)
    f.run_handler(no, "vote", a.item_id, False)
    for state in (yes, no):
        assert state.action_error == "" and state.vote_message == "Your vote is recorded."
        f.run_handler(state, "refresh")
        mine = _item(state, "staff", app_db)
        assert mine.my_voted and not mine.my_can_vote
        assert [r.status for r in mine.rounds] == ["Voting: 2 of 5 have voted"]  # no counts while open
    # Nothing in either page tells the two ballots apart: the choice is kept nowhere.
    assert asdict(_item(yes, "staff", app_db)) == asdict(_item(no, "staff", app_db))
    assert yes.vote_message == no.vote_message
    t = _tally(app_db, a.item_id)
    assert (t.agree, t.disagree) == (1, 1)

    # Voting twice is refused and counts nothing.
    before = _counts(app_db)
    f.run_handler(yes, "vote", a.item_id, True)
    assert yes.action_error == "This vote has already been cast in this round; a member votes once per round."
    assert _counts(app_db) == before and (_tally(app_db, a.item_id).agree, _tally(app_db, a.item_id).disagree) == (1, 1)

    # The chair votes; the secretary records the written vote of the absent member.
    chair_page = _session(app_db, CHAIR, session_id)
    f.run_handler(chair_page, "vote", a.item_id, True)
    assert chair_page.action_error == ""
    f.run_handler(secretary, "refresh")
    assert _item(secretary, "staff", app_db).rounds[0].status == "Voting: 3 of 5 have voted"
    f.run_handler(secretary, "open_written", a.item_id)
    union = _person(app_db, "union.snv")
    assert secretary.dialog == "written" and [o.value for o in secretary.written_choices] == [str(union.id)]
    f.run_handler(secretary, "submit_written", {"person_id": str(union.id), "choice": "maybe"})
    assert secretary.dialog_error == "Choose agree or disagree."
    f.run_handler(secretary, "submit_written", {"person_id": str(union.id), "choice": "agree"})
    assert secretary.dialog_error == "" and secretary.dialog == ""
    with Session(app_db) as s:
        assert s.get(models.BallotParticipation, (a.item_id, 1, union.id)).written
    f.run_handler(secretary, "open_written", a.item_id)
    assert secretary.written_choices[0].label.endswith("✓")  # has voted (never how)
    before = _counts(app_db)
    f.run_handler(secretary, "submit_written", {"person_id": str(union.id), "choice": "disagree"})
    assert secretary.dialog_error == ("This vote has already been cast in this round; a member votes once per "
                                      "round.")
    assert _counts(app_db) == before
    f.run_handler(secretary, "close_dialog")

    # A member cannot close the round; the secretary does, and the counts and outcome show.
    f.run_handler(yes, "close_round", a.item_id)
    assert yes.action_error == "Only the secretary of this session can run its ballot."
    f.run_handler(secretary, "close_round", a.item_id)
    assert secretary.action_error == ""
    closed = _item(secretary, "staff", app_db)
    assert closed.outcome == rules.APPROVED and not closed.round_open and not closed.may_open_round
    assert closed.rounds[0].status.startswith("Agree 3, disagree 1; 3 needed.")
    f.run_handler(yes, "refresh")
    assert _item(yes, "staff", app_db).rounds[0].status.startswith("Agree 3, disagree 1")

    # head.snv's own item: they are recused and their vote is refused.
    f.run_handler(secretary, "open_round", b.item_id)
    f.run_handler(no, "refresh")
    own = _item(no, "head.snv", app_db)
    assert own.my_recused and not own.my_can_vote
    before = _counts(app_db)
    f.run_handler(no, "vote", b.item_id, True)
    assert no.action_error == "This member is recused from voting on this nominee (the minutes say why)."
    assert _counts(app_db) == before
    f.run_handler(chair_page, "vote", b.item_id, True)
    f.run_handler(yes, "vote", b.item_id, False)
    f.run_handler(secretary, "close_round", b.item_id)
    first = _item(secretary, "head.snv", app_db)
    assert first.outcome == "" and first.may_open_round  # a second round may follow

    # Closing the session: B without a second round is not approved; the minutes download.
    f.run_handler(secretary, "close_session")
    assert secretary.action_error == "" and secretary.status == rules.SESSION_CLOSED
    assert _item(secretary, "head.snv", app_db).outcome == rules.REJECTED
    minutes_pdf = _pdf(f.run_handler(secretary, "download_minutes"), f"bien-ban-hop-{session_id}.pdf")
    tally_pdf = _pdf(f.run_handler(secretary, "download_tally"), f"bien-ban-kiem-phieu-{session_id}.pdf")
    assert minutes_pdf.startswith(b"%PDF") and tally_pdf.startswith(b"%PDF")
    # A member may download them too once it is closed; the sessions page shows it closed.
    assert _pdf(f.run_handler(yes, "download_minutes"), "bien-ban-hop").startswith(b"%PDF")
    assert _council(app_db, "head.tanlap").mine[0].status == rules.SESSION_CLOSED


# --- refusals -------------------------------------------------------------------------------------


def test_a_staff_member_sees_no_session_and_writes_nothing(app_db):
    nominee = _nominee(app_db, "staff")
    session_id = _schedule(app_db, [nominee])
    secretary = _attend(app_db, session_id, present=MEMBERS)
    f.run_handler(secretary, "open_session")
    f.run_handler(secretary, "open_round", secretary.items[0].item_id)
    item_id = secretary.items[0].item_id

    staff = _council(app_db, "staff")
    assert staff.error == "Only emulation officers and council members can open the council's sessions."
    assert staff.sessions == [] and staff.mine == [] and not staff.is_officer
    page = _session(app_db, "staff", session_id)
    assert page.error != "" and not page.found and page.items == []
    before = _counts(app_db)
    # Even with the page's lists forged into the state, every service refuses the staff member.
    page.items, page.members = list(secretary.items), list(secretary.members)
    page._session_id = session_id
    for name, args in (("vote", (item_id, True)), ("close_round", (item_id,)), ("open_round", (item_id,)),
                       ("close_session", ()), ("set_attendance", (secretary.members[0].person_id, "absent"))):
        page.action_error = ""
        f.run_handler(page, name, *args)
        assert page.action_error != "", name
    assert page.vote_message == ""
    assert "bien-ban" not in str(f.run_handler(page, "download_minutes"))
    staff.chairs, staff.nominees = list(_council(app_db, "officer").chairs), []
    f.run_handler(staff, "schedule", _form(app_db, []))
    assert staff.form_error == "Put at least one nominee on the agenda."
    assert _counts(app_db) == before


def test_an_unanswered_public_comment_keeps_the_session_closed(app_db):
    nominee = _nominee(app_db, "staff")
    now = clock.now()
    with Session(app_db) as s:
        notice = models.Notice(token="t" * 32, title="Công khai", opens_on=now.date() - timedelta(days=14),
                               closes_on=now.date() - timedelta(days=1), created_at=now)
        s.add(notice)
        s.flush()
        s.add(models.NoticeItem(notice_id=notice.id, nominee_id=nominee))
        comment = models.NoticeComment(notice_id=notice.id, nominee_id=nominee, text="Ý kiến", created_at=now)
        s.add(comment)
        s.commit()
        comment_id = comment.id
    officer = _council(app_db, "officer")
    assert [n.notice_closes != "" for n in officer.nominees] == [True]
    session_id = _schedule(app_db, [nominee])
    secretary = _attend(app_db, session_id, present=MEMBERS)
    before = _counts(app_db)
    f.run_handler(secretary, "open_session")
    assert secretary.action_error == ("The session cannot open: 1 public comments on the nominees are not answered "
                                      "yet. Answer them first.")
    assert _counts(app_db) == before and secretary.status == rules.SESSION_SCHEDULED
    with Session(app_db) as s:
        row = s.get(models.NoticeComment, comment_id)
        row.answer, row.answered_at = "Đã trả lời", now
        s.add(row)
        s.commit()
    # An officer who is not the secretary may open it too (but not run the ballot).
    runner = _session(app_db, "officer", session_id)
    assert runner.may_run and not runner.may_ballot
    f.run_handler(runner, "open_session")
    assert runner.action_error == "" and runner.status == rules.SESSION_OPEN
    f.run_handler(runner, "open_round", runner.items[0].item_id)
    assert runner.action_error == "Only the secretary of this session can run its ballot."


def test_bad_schedule_forms_write_nothing(app_db):
    nominee = _nominee(app_db, "staff")
    state = _council(app_db, "officer")
    f.run_handler(state, "open_schedule")
    before = _counts(app_db)
    cases = (
        ({"when": "next tuesday"}, "Choose the day and time of the session."),
        ({"when": ""}, "Choose the day and time of the session."),
        ({"chair": "999999"}, "Choose a member from the list."),
        ({"secretary": str(_person(app_db, CHAIR).id)}, "The chair and the secretary must be two different members."),
        ({"quorum": "1/1000"}, "The quorum is a share of all members, such as 2/3 or 4/5."),
        ({"nominee_999999": "on"}, "Choose a nominee from the list."),
        ({"when": _when(-3)}, "The session cannot be scheduled in the past."),
        ({"title": "  "}, "Give the session a name of at most 300 characters."),
    )
    for changes, message in cases:
        f.run_handler(state, "schedule", _form(app_db, [nominee], **changes))
        assert state.form_error == message, changes
    f.run_handler(state, "schedule", "not a form")
    assert state.form_error == "The form could not be read. Reload the page and fill it in again."
    assert _counts(app_db) == before


def test_hostile_session_handler_arguments_are_refused(app_db):
    session_id = _schedule(app_db, [_nominee(app_db, "staff")])
    secretary = _session(app_db, SECRETARY, session_id)
    before = _counts(app_db)
    f.run_handler(secretary, "set_attendance", _person(app_db, "staff").id, "present")
    assert secretary.action_error == "Choose a member from the list."
    f.run_handler(secretary, "set_attendance", secretary.members[0].person_id, "everywhere")
    assert secretary.action_error == "Choose present, absent voting in writing, or absent."
    f.run_handler(secretary, "open_round", "1; drop table")
    assert secretary.action_error == "Choose a nominee from the list."
    f.run_handler(secretary, "vote", secretary.items[0].item_id, "yes")
    assert secretary.action_error == "Choose agree or disagree."
    f.run_handler(secretary, "open_written", secretary.items[0].item_id)  # no round open
    assert secretary.dialog == ""
    assert _counts(app_db) == before
    missing = _session(app_db, SECRETARY, 999999)
    assert missing.error == "This council session does not exist." and not missing.found
    garbage = _session(app_db, SECRETARY, "abc")  # type: ignore[arg-type]
    assert garbage.error != "" and not garbage.found


def test_each_page_reads_in_one_transaction(app_db, read_sessions):
    session_id = _schedule(app_db, [_nominee(app_db, "staff")])
    for username in ("officer", CHAIR):
        read_sessions.clear()
        _council(app_db, username)
        assert len(read_sessions) == 1, username
        read_sessions.clear()
        _session(app_db, username, session_id)
        assert len(read_sessions) == 1, username


def test_moment_reads_the_local_time_of_the_organisation():
    moment = _moment("2026-03-09T09:30")
    assert moment.tzinfo is not None
    assert clock.local(moment, get_settings().tz).strftime("%Y-%m-%d %H:%M") == "2026-03-09 09:30"
    for bad in ("", "09/03/2026", "2026-03-09T09:30+07:00", None, 42):
        with pytest.raises(Invalid):
            _moment(bad)


# --- the service reads these pages added -----------------------------------------------------------


def test_schedulable_nominees_lists_only_nominees_ready_for_the_council(session, now):
    w = make_world(session, now)
    high = world_nominee(session, w, "CSTDCS", person_id=w.people_b)
    low = world_nominee(session, w, "LDTT", person_id=w.people_a1, status=rules.NOTICE)
    world_nominee(session, w, "LDTT", person_id=w.staff.person_id, appraisal=rules.APPRAISED_INELIGIBLE)
    world_nominee(session, w, "LDTT", unit_id=w.org.a, status=rules.RECEIVED)
    decided = world_nominee(session, w, "LDTT", unit_id=w.org.b)
    row = session.get(models.Nominee, decided)
    row.outcome = rules.REJECTED
    session.add(row)
    notice = models.Notice(token="n" * 32, title="Công khai", opens_on=now.date() - timedelta(days=14),
                           closes_on=now.date() - timedelta(days=1), created_at=now)
    session.add(notice)
    session.flush()
    session.add(models.NoticeItem(notice_id=notice.id, nominee_id=low))
    session.flush()

    rows = council.schedulable_nominees(session, actor=w.officer)
    assert [r.nominee_id for r in rows] == [low, high]  # lower titles first
    assert rows[0].name == "Lê Văn Hùng" and rows[0].title_name.startswith("LĐTT")
    assert rows[0].notice_closes != "" and rows[1].notice_closes == ""
    assert rows[0].nomination_id == session.get(models.Nominee, low).nomination_id
    world_schedule(session, w, [low], now)
    assert [r.nominee_id for r in council.schedulable_nominees(session, actor=w.officer)] == [high]
    for who in (w.staff, w.chair, None):
        with pytest.raises(NotAllowed):
            council.schedulable_nominees(session, actor=who)


def test_council_members_are_the_role_holders_for_officers_only(session, now):
    w = make_world(session, now)
    members = council.council_members(session, actor=w.officer)
    assert sorted(m.person_id for m in members) == sorted(m.person_id for m in w.members)
    assert all(m.name and m.unit_name for m in members)
    for who in (w.staff, w.chair, None):
        with pytest.raises(NotAllowed):
            council.council_members(session, actor=who)


def test_my_session_is_for_its_members_only(session, now):
    w = make_world(session, now)
    nominee_id = world_nominee(session, w, "LDTT", person_id=w.people_b)
    sid = world_schedule(session, w, [nominee_id], now)
    view = council.my_session(session, actor=w.members[4], session_id=sid)
    assert view.id == sid and view.my_position == "member" and not view.i_am_secretary
    assert view.items[0].nomination_id == session.get(models.Nominee, nominee_id).nomination_id
    for who in (w.staff, w.officer, None):
        with pytest.raises(NotAllowed):
            council.my_session(session, actor=who, session_id=sid)
    with pytest.raises(NotFound):
        council.my_session(session, actor=w.chair, session_id=999999)


# --- the pages ------------------------------------------------------------------------------------


class _App:
    def __init__(self) -> None:
        self.routes: list[str] = []

    def add_page(self, component: Any, *, route: str, title: str, on_load: Any) -> None:
        assert component().render()
        self.routes.append(route)


def test_add_pages_registers_the_two_pages():
    from engagement.commendations import council_pages

    app = _App()
    council_pages.add_pages(app)
    assert app.routes == [routes.COMMENDATION_COUNCIL, routes.COMMENDATION_SESSION]


def test_the_pages_build_with_the_ids_the_browser_journey_uses():
    from engagement.commendations import council_pages

    listing = str(council_pages.council_page().render())
    for wanted in ('"council-schedule"', '"council-sessions"', '"my-sessions"', '"agenda-choices"',
                   '"schedule-submit"', '"agenda-choice"'):
        assert wanted in listing, wanted
    page = str(council_pages.session_page().render())
    for wanted in ('"session-open"', '"session-members"', '"session-agenda"', '"session-refresh"', '"minutes-pdf"',
                   '"tally-pdf"', '"round-open"', '"round-close"', '"written-open"', '"written-submit"',
                   '"vote-agree"', '"vote-disagree"', '"vote-confirm-agree"', '"vote-confirm-disagree"',
                   '"my-voted"', '"my-recused"', '"dossier-link"', '"session-close"', '"session-close-confirm"',
                   '"data-outcome"', 'attendance-select'):
        assert wanted in page, wanted
