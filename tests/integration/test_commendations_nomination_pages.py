"""The nomination pages driven as a browser would (issue 15): the list and "new nomination", the
dossier with every action of the proposer and the officers, and the public notice a citizen
comments on without logging in.

Each test logs in as a demo user on the app's own database (``app_db``: the demo organisation
with the national catalogue) and runs the States' handlers; what they wrote is read back from the
database. The demo unit head ``head.snv`` heads Sở Nội vụ, where ``staff`` works (Văn phòng);
``head.tanlap`` heads a commune outside it; ``officer`` is the emulation officer.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta
from typing import Any

import pytest
from reflex.istate.data import PageData, RouterData, SessionData
from sqlmodel import Session, select

from engagement.commendations import models, nominations, queries, rules, service
from engagement.commendations.nomination_state import DossierState, NominationsState, NoticeState
from engagement.core import clock, routes
from engagement.core.access import Actor
from engagement.core.audit import AuditEntry
from engagement.core.files import StoredFile
from engagement.org import sessions
from engagement.org.demo import DEMO_PASSWORD, ROOT_CODE
from engagement.org.labels import unit_labels
from engagement.org.models import Account, Person, Unit
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ACHIEVEMENTS = "Hoàn thành xuất sắc nhiệm vụ, 100% hồ sơ đúng hạn."
#: Every table the nomination services write, to show that a refusal wrote nothing.
TABLES = (models.Nomination, models.Nominee, models.NominationEvent, models.NominationVersion,
          models.NominationFile, models.Notice, models.NoticeItem, models.NoticeComment, StoredFile, AuditEntry)


@pytest.fixture
def app_db(app_db):
    """The demo organisation with the national catalogue, as ``engagement migrate`` seeds it."""
    with Session(app_db) as s:
        service.ensure_catalogue(s, now=clock.now())
        s.commit()
    return app_db


# --- helpers -------------------------------------------------------------------------------------


def _actor(session: Session, username: str) -> Actor:
    result = f.login(session, username, DEMO_PASSWORD, now=clock.now())
    assert result.ok, result.message
    return sessions.resolve_actor(session, token=result.token, now=clock.now())


def _person_of(engine, username: str) -> Person:
    with Session(engine) as s:
        return s.exec(select(Person).join(Account, Account.person_id == Person.id)
                      .where(Account.username == username)).one()


def _unit(engine, code: str) -> Unit:
    with Session(engine) as s:
        return s.exec(select(Unit).where(Unit.code == code)).one()


def _title_id(engine, code: str) -> int:
    with Session(engine) as s:
        return s.exec(select(models.Title.id).where(models.Title.code == code)).one()


def _counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return f.counts(s, *TABLES)


def _status(engine, nomination_id: int) -> str:
    with Session(engine) as s:
        return s.get(models.Nomination, nomination_id).status


def _no_registration_needed(engine) -> None:
    """The officer switches off the "not registered for emulation" exclusion."""
    with Session(engine) as s:
        service.set_exclusion(s, actor=_actor(s, "officer"), code="not_registered", enabled=False, value=0,
                              basis_document="", now=clock.now())
        s.commit()


def _rate(engine, username: str, level: str = rules.GOOD) -> int:
    """The officer rates the person of ``username`` for this year (registration not required); their id."""
    person = _person_of(engine, username)
    with Session(engine) as s:
        service.rate_person(s, actor=_actor(s, "officer"), person_id=person.id,
                            year=queries.today(clock.now()).year, level=level, months_worked=12, absent_days=0,
                            now=clock.now())
        s.commit()
    _no_registration_needed(engine)
    return person.id


def _drain(state: Any, name: str, *args: Any) -> list[Any]:
    """Run a handler that may yield (the public comment), collecting what it yields or returns."""
    result = type(state).event_handlers[name].fn(state, *args)
    out: list[Any] = []

    async def go() -> None:
        if inspect.isasyncgen(result):
            async for item in result:
                out.append(item)
        elif inspect.iscoroutine(result):
            out.append(await result)

    asyncio.run(go())
    return out


def _route(state: Any, *, ip: str = "203.0.113.7", **params: str) -> Any:
    """The state as the browser opens the route with these dynamic parts (and a client address)."""
    state.router = RouterData(session=SessionData(client_ip=ip), _page=PageData(params=params))
    return state


def _dossier(engine, username: str, nomination_id: int) -> DossierState:
    state = _route(f.app_state(engine, DossierState, username), nomination_id=str(nomination_id))
    f.run_handler(state, "load")
    return state


def _visitor(token: str, *, ip: str = "203.0.113.7") -> NoticeState:
    """The public notice as a citizen opens it: no login at all."""
    from reflex.state import State

    import engagement.engagement  # noqa: F401  (registers the States)

    root = State(_reflex_internal_init=True)
    state = _route(root.get_substate(NoticeState.get_full_name().split(".")[1:]), ip=ip, token=token)
    f.run_handler(state, "load")
    return state


class _Upload:
    def __init__(self, data: bytes, filename: str) -> None:
        self.data, self.filename = data, filename

    async def read(self, size: int = -1) -> bytes:
        # Like a real upload, each read goes on where the last one stopped (handlers read in chunks).
        pos = getattr(self, "_pos", 0)
        end = len(self.data) if size < 0 else pos + size
        self._pos = min(end, len(self.data))
        return self.data[pos:end]


def _new_form(engine, *, unit: str = "SNV", title: str = "LDTT", **changes: str) -> dict[str, str]:
    form = {"year": str(queries.today(clock.now()).year), "unit_id": str(_unit(engine, unit).id),
            "title_id": str(_title_id(engine, title)), "occasion": "year", "occasion_ref": "",
            "reference": "12/TTr-SNV", "summary": "Đề nghị khen thưởng năm"}
    form.update(changes)
    return form


def _started(engine, username: str = "head.snv", **changes: str) -> int:
    """A nomination started through the list page's form; its id."""
    state = f.app_state(engine, NominationsState, username)
    f.run_handler(state, "load")
    f.run_handler(state, "open_new")
    before = _counts(engine)["Nomination"]
    out = f.run_handler(state, "create", _new_form(engine, **changes))
    assert state.form_error == "" and state.dialog == ""
    assert _counts(engine)["Nomination"] == before + 1
    with Session(engine) as s:
        nomination_id = s.exec(select(models.Nomination.id).order_by(models.Nomination.id.desc())).first()
    assert routes.nomination(nomination_id) in str(out)  # the dossier opens next
    return nomination_id


def _propose(state: DossierState, person: Person) -> None:
    """Search the person by staff code, pick them and propose them."""
    f.run_handler(state, "set_search_text", person.employee_code)
    assert str(person.id) in [o.value for o in state.search_results], state.error
    f.run_handler(state, "pick", str(person.id))
    f.run_handler(state, "add_person")
    assert state.nominee_error == ""


def _report(state: DossierState, nominee_id: int, **fields: str) -> None:
    f.run_handler(state, "save_report", {"nominee_id": str(nominee_id), "achievements": ACHIEVEMENTS,
                                         "birth_year": "1985", **fields})


# --- the whole flow ------------------------------------------------------------------------------


def test_a_nomination_goes_from_a_draft_to_an_answered_public_comment(app_db):
    staff = _person_of(app_db, "staff")
    _rate(app_db, "staff")
    snv = _unit(app_db, "SNV")

    # The list: the unit head's units and the titles; a new nomination opens its dossier.
    lst = f.app_state(app_db, NominationsState, "head.snv")
    f.run_handler(lst, "load")
    assert lst.error == "" and lst.total == 0
    assert lst.units[0].value == str(snv.id) and not lst.units[0].label.startswith("\u2003")
    assert str(_title_id(app_db, "LDTT")) in [o.value for o in lst.titles]
    nid = _started(app_db)
    f.run_handler(lst, "load")
    assert [r.id for r in lst.rows] == [nid] and lst.rows[0].status == rules.DRAFT
    f.run_handler(lst, "select_status", rules.SUBMITTED)
    assert lst.rows == [] and lst.total == 0
    f.run_handler(lst, "select_status", "bogus")  # unknown: every status
    assert lst.status == "" and lst.total == 1
    f.run_handler(lst, "set_mine", True)
    assert [r.id for r in lst.rows] == [nid]
    officers = f.app_state(app_db, NominationsState, "officer")
    f.run_handler(officers, "load")
    assert [r.id for r in officers.rows] == [nid] and officers.units[0].label == _unit(app_db, ROOT_CODE).name
    f.run_handler(officers, "set_mine", True)  # the officer started none
    assert officers.rows == []

    # The dossier of the draft: the proposer adds a nominee, fills the report, attaches a file.
    head = _dossier(app_db, "head.snv", nid)
    assert head.error == "" and head.found and head.dossier_id == nid
    assert (head.status, head.can_edit, head.can_process, head.may_submit, head.may_receive) == \
        (rules.DRAFT, True, False, True, False)
    _propose(head, staff)
    (card,) = head.nominees
    assert (card.name, card.eligibility, card.eligibility_label) == (staff.full_name, rules.ELIGIBLE, "Eligible")
    labels = {fact.label for fact in card.facts}
    assert {"Conduct commitment", "Recognitions received", "Rank", "Citizens' ratings"} <= labels
    assert any(fact.label.startswith("Rating of") and "HTTNV" in fact.value for fact in card.facts)
    report = {fld.name: fld.value for fld in card.report}
    assert report["full_name"] == staff.full_name and list(report)[:2] == ["full_name", "birth_year"]
    assert "Achievements" in card.report_missing

    f.run_handler(head, "submit")  # the report is not complete yet
    assert "achievement report of" in head.action_error and _status(app_db, nid) == rules.DRAFT
    _report(head, card.id, birth_year="85")
    assert head.report_error.startswith("Enter the year of birth") and head.report_error_id == card.id
    _report(head, card.id)
    assert head.report_error == "" and head.nominees[0].report_missing == []
    assert {fld.name: fld.value for fld in head.nominees[0].report}["achievements"] == ACHIEVEMENTS

    f.run_handler(head, "attach", {"label": "Tờ trình", "nominee_id": ""})
    assert head.file_error == "Choose a PDF or an image file first."
    f.run_handler(head, "keep_upload", [_Upload(b"just some text", "notes.txt")])
    before = _counts(app_db)
    f.run_handler(head, "attach", {"label": "Ghi chú", "nominee_id": ""})
    assert head.file_error and _counts(app_db) == before  # neither a PDF nor an image: nothing stored
    f.run_handler(head, "keep_upload", [_Upload(PDF, "to-trinh.pdf")])
    assert head.upload_info.startswith("File ready: to-trinh.pdf")
    f.run_handler(head, "attach", {"label": "Tờ trình", "nominee_id": ""})
    f.run_handler(head, "keep_upload", [_Upload(f.png(), "anh.png")])
    f.run_handler(head, "attach", {"label": "Minh chứng", "nominee_id": str(card.id)})
    assert head.file_error == "" and head.upload_info == ""
    (general,) = head.files
    assert general.label == "Tờ trình" and general.url.startswith("/files/") and not general.is_image
    (photo,) = head.nominees[0].files
    assert photo.is_image and photo.label == "Minh chứng"

    f.run_handler(head, "submit")
    assert head.action_error == "" and head.status == rules.SUBMITTED and head.version == 1
    assert not head.can_edit and not head.may_submit
    f.run_handler(head, "receive")  # not an officer: refused, nothing moves
    assert head.action_error.startswith("Only ") and _status(app_db, nid) == rules.SUBMITTED

    # The officer receives, returns with a reason, and the proposer submits again.
    officer = _dossier(app_db, "officer", nid)
    assert officer.found and officer.can_process and officer.may_receive and officer.may_return
    assert not officer.may_appraise and not officer.may_publish
    f.run_handler(officer, "receive")
    assert officer.status == rules.RECEIVED and officer.due_on and officer.may_appraise
    f.run_handler(officer, "open_return")
    assert officer.dialog == "return"
    f.run_handler(officer, "submit_return", {"reason": "  "})
    assert officer.dialog_error.startswith("Say why") and officer.dialog == "return"
    f.run_handler(officer, "submit_return", {"reason": "Bổ sung biên bản họp"})
    assert officer.dialog == "" and officer.status == rules.RETURNED
    assert any(e.reason == "Bổ sung biên bản họp" for e in officer.events)

    f.run_handler(head, "load")
    assert head.can_edit and head.may_submit
    f.run_handler(head, "submit")
    assert head.status == rules.SUBMITTED and head.version == 2 and len(head.versions) == 2
    assert all(len(v.sha256) == 64 for v in head.versions)

    # Appraisal: every nominee needs an outcome.
    f.run_handler(officer, "load")
    f.run_handler(officer, "receive")
    f.run_handler(officer, "appraise", {})
    assert "eligible" in officer.action_error and _status(app_db, nid) == rules.RECEIVED
    f.run_handler(officer, "appraise", {f"outcome_{card.id}": "eligible", f"note_{card.id}": "Đủ điều kiện"})
    assert officer.action_error == "" and officer.status == rules.APPRAISED
    assert officer.nominees[0].appraisal == rules.APPRAISED_ELIGIBLE and officer.may_publish and officer.may_close

    # The public notice.
    f.run_handler(officer, "open_publish")
    assert officer.dialog == "publish" and officer.notice_days == "10" and "LĐTT" in officer.notice_title
    f.run_handler(officer, "submit_publish", {"title": "", "days": "10"})
    assert officer.dialog_error.startswith("Give the notice a title")
    f.run_handler(officer, "submit_publish", {"title": "Công khai", "days": "40"})
    assert officer.dialog_error == "A notice stays open from 1 to 30 working days."
    assert _counts(app_db)["Notice"] == 0
    f.run_handler(officer, "submit_publish", {"title": "Công khai danh sách đề nghị LĐTT", "days": "10"})
    assert officer.dialog == "" and officer.status == rules.NOTICE
    (link,) = officer.notices
    assert link.is_open and link.url.startswith("/notice/") and link.title == "Công khai danh sách đề nghị LĐTT"
    token = link.url.removeprefix("/notice/")

    # A citizen comments without logging in; five a day from one network.
    citizen = _visitor(token)
    assert citizen.error == "" and citizen.found and citizen.is_open
    assert [(n.name, n.unit_name) for n in citizen.nominees] == [(staff.full_name, staff_unit_name(app_db))]
    assert citizen.choices[0].value == str(card.id)
    before = _counts(app_db)
    _drain(citizen, "submit", {"nominee_id": "", "name": "", "contact": "", "text": "  "})
    assert citizen.error == "Write your comment." and not citizen.done
    _drain(citizen, "submit", {"nominee_id": "999999", "text": "Ý kiến"})
    assert citizen.error == "Choose a nominee from the list."
    assert _counts(app_db) == before
    _drain(citizen, "submit", {"nominee_id": str(card.id), "name": "Người dân", "contact": "0912 000 000",
                               "text": "Anh làm việc rất tận tình."})
    assert citizen.error == "" and citizen.done and citizen.done_message.startswith("Thank you!")
    with Session(app_db) as s:
        (comment,) = s.exec(select(models.NoticeComment)).all()
    assert (comment.nominee_id, comment.name, comment.contact) == (card.id, "Người dân", "0912 000 000")
    assert "203.0.113.7" not in comment.client_key
    for i in range(nominations.COMMENTS_PER_CLIENT_PER_DAY - 1):
        f.run_handler(citizen, "write_another")
        assert not citizen.done and citizen.is_open
        _drain(citizen, "submit", {"nominee_id": "", "text": f"Ý kiến số {i + 2}"})
        assert citizen.done, citizen.error
    f.run_handler(citizen, "write_another")
    _drain(citizen, "submit", {"nominee_id": "", "text": "Một ý kiến nữa"})
    assert citizen.error.startswith("Thank you! We have received several comments") and not citizen.done
    other = _visitor(token, ip="198.51.100.4")  # another network is not held back
    _drain(other, "submit", {"nominee_id": "", "text": "Đồng ý"})
    assert other.done

    # The officer answers on the dossier; the proposer sees comments without the contacts.
    f.run_handler(officer, "load")
    assert len(officer.comments) == nominations.COMMENTS_PER_CLIENT_PER_DAY + 1
    assert officer.unanswered == len(officer.comments)
    first = next(c for c in officer.comments if c.id == comment.id)
    assert first.contact == "0912 000 000" and first.nominee_name == staff.full_name
    f.run_handler(officer, "answer", {"comment_id": str(comment.id), "answer": " "})
    assert officer.comment_error == "Write the answer to the comment."
    f.run_handler(officer, "answer", {"comment_id": "999999", "answer": "Cảm ơn."})
    assert officer.comment_error == "Choose a comment from the list."
    f.run_handler(officer, "answer", {"comment_id": str(comment.id), "answer": "Cảm ơn ý kiến của ông/bà."})
    assert officer.comment_error == "" and officer.unanswered == len(officer.comments) - 1
    answered = next(c for c in officer.comments if c.id == comment.id)
    assert answered.answer == "Cảm ơn ý kiến của ông/bà." and answered.answered_at
    f.run_handler(officer, "answer", {"comment_id": str(comment.id), "answer": "Lần nữa"})
    assert officer.comment_error == "This comment has already been answered."
    f.run_handler(head, "load")
    assert head.notices and {c.contact for c in head.comments} == {""}

    # Once the notice has closed, the page is read-only and a late comment is refused.
    with Session(app_db) as s:
        notice = s.exec(select(models.Notice)).one()
        notice.closes_on = queries.today(clock.now()) - timedelta(days=1)
        notice.opens_on = notice.closes_on - timedelta(days=14)
        s.add(notice)
        s.commit()
    late = _visitor(token, ip="192.0.2.50")
    assert late.found and not late.is_open and late.nominees
    before = _counts(app_db)
    _drain(late, "submit", {"nominee_id": "", "text": "Muộn"})
    assert late.error.startswith("Comments on this notice closed on") and _counts(app_db) == before
    assert not _visitor("no-such-notice").found


def staff_unit_name(engine) -> str:
    with Session(engine) as s:
        person = s.exec(select(Person).join(Account, Account.person_id == Person.id)
                        .where(Account.username == "staff")).one()
        return unit_labels(s, [person.unit_id])[person.unit_id]  # the unit with its parent


def test_an_officer_overrides_one_missed_criterion_and_closes_after_an_ineligible_appraisal(app_db):
    # Not rated this year (and no registration needed): LĐTT's one criterion is missed.
    _no_registration_needed(app_db)
    staff = _person_of(app_db, "staff")
    nid = _started(app_db)
    head = _dossier(app_db, "head.snv", nid)
    _propose(head, staff)
    (card,) = head.nominees
    assert card.eligibility == rules.MISSING and card.may_override and any("HTTNV" in r for r in card.reasons)
    _report(head, card.id)
    f.run_handler(head, "submit")
    assert "without an officer's override" in head.action_error and _status(app_db, nid) == rules.DRAFT
    f.run_handler(head, "open_override", card.id)  # the proposer is offered no override
    assert head.dialog == ""
    officer = _dossier(app_db, "officer", nid)
    assert officer.may_override
    f.run_handler(officer, "open_override", card.id)
    assert officer.dialog == "override" and officer.dialog_label == staff.full_name and officer.dialog_reasons
    f.run_handler(officer, "submit_override", {"reason": ""})
    assert officer.dialog_error.startswith("Write why this nominee may go forward")
    f.run_handler(officer, "submit_override", {"reason": "Nghỉ thai sản, đã xác nhận"})
    assert officer.dialog == "" and officer.nominees[0].override_reason == "Nghỉ thai sản, đã xác nhận"
    assert not officer.nominees[0].may_override

    f.run_handler(head, "load")
    f.run_handler(head, "submit")
    assert head.action_error == "" and head.status == rules.SUBMITTED
    f.run_handler(officer, "load")
    f.run_handler(officer, "receive")
    f.run_handler(officer, "appraise", {f"outcome_{card.id}": "ineligible", f"note_{card.id}": ""})
    assert officer.action_error.startswith("Say why") and _status(app_db, nid) == rules.RECEIVED
    f.run_handler(officer, "appraise", {f"outcome_{card.id}": "ineligible", f"note_{card.id}": "Chưa được đánh giá"})
    assert officer.status == rules.APPRAISED and officer.nominees[0].appraisal_note == "Chưa được đánh giá"
    f.run_handler(officer, "open_publish")
    f.run_handler(officer, "submit_publish", {"title": "Công khai", "days": "10"})
    assert "has no nominee appraised eligible" in officer.dialog_error
    f.run_handler(officer, "close_dialog")
    f.run_handler(officer, "open_close")
    f.run_handler(officer, "submit_close", {"reason": ""})
    assert officer.dialog_error.startswith("Say why")
    f.run_handler(officer, "submit_close", {"reason": "Không đủ tiêu chuẩn"})
    assert officer.status == rules.CLOSED and not officer.may_close and not officer.may_publish
    assert officer.events[-1].reason == "Không đủ tiêu chuẩn"


def test_a_collective_title_proposes_a_unit_of_the_subtree_and_a_nominee_can_be_taken_out(app_db):
    nid = _started(app_db, title="TTLDTT")
    head = _dossier(app_db, "head.snv", nid)
    assert head.subject == rules.COLLECTIVE
    snv = _unit(app_db, "SNV")
    assert head.unit_choices[0].value == str(snv.id)
    with Session(app_db) as s:
        inside = {u.id for u in s.exec(select(Unit).where(Unit.path.startswith(snv.path), Unit.is_active.is_(True)))}
    assert {int(o.value) for o in head.unit_choices} == inside
    outside = _unit(app_db, "TANLAP")
    f.run_handler(head, "add_unit", {"unit_id": str(outside.id)})
    assert head.nominee_error == "Choose a unit from the list." and head.nominees == []
    office = _unit(app_db, "SNV-VP")
    f.run_handler(head, "add_unit", {"unit_id": str(office.id)})
    with Session(app_db) as s:
        office_label = unit_labels(s, [office.id])[office.id]
    assert head.nominee_error == "" and [n.name for n in head.nominees] == [office_label]
    assert any(fact.label == "Members" for fact in head.nominees[0].facts)
    assert {fld.name for fld in head.nominees[0].report} == set(rules.COLLECTIVE_REPORT)
    f.run_handler(head, "add_unit", {"unit_id": str(office.id)})
    assert "already in this nomination" in head.nominee_error
    f.run_handler(head, "remove_nominee", 999999)
    assert head.nominee_error == "Choose a nominee from the list." and len(head.nominees) == 1
    f.run_handler(head, "remove_nominee", head.nominees[0].id)
    assert head.nominee_error == "" and head.nominees == []


# --- refusals ------------------------------------------------------------------------------------


def test_staff_see_no_nomination_and_write_nothing(app_db):
    nid = _started(app_db)
    before = _counts(app_db)
    lst = f.app_state(app_db, NominationsState, "staff")
    f.run_handler(lst, "load")
    assert lst.error.startswith("Only ") and lst.rows == [] and lst.units == []
    f.run_handler(lst, "create", _new_form(app_db))
    assert lst.form_error.startswith("Choose a ")
    f.run_handler(lst, "select_status", "draft")
    assert lst.error.startswith("Only ")

    state = _dossier(app_db, "staff", nid)
    assert state.error == "This nomination does not exist." and not state.found
    staff = _person_of(app_db, "staff")
    for name, args in (("submit", ()), ("receive", ()), ("add_person", ()),
                       ("add_unit", ({"unit_id": "1"},)), ("save_report", ({"nominee_id": "1"},)),
                       ("appraise", ({},)), ("submit_close", ({"reason": "x"},)),
                       ("submit_publish", ({"title": "x", "days": "5"},)), ("answer", ({"comment_id": "1"},))):
        f.run_handler(state, name, *args)
    f.run_handler(state, "set_search_text", staff.employee_code)
    assert state.search_results == []
    assert _counts(app_db) == before and _status(app_db, nid) == rules.DRAFT


def test_a_head_of_another_unit_can_neither_propose_for_it_nor_open_its_dossier(app_db):
    nid = _started(app_db)
    before = _counts(app_db)
    lst = f.app_state(app_db, NominationsState, "head.tanlap")
    f.run_handler(lst, "load")
    assert lst.error == "" and lst.rows == []  # the other unit's nomination is not listed
    tanlap = _unit(app_db, "TANLAP")
    assert lst.units[0].value == str(tanlap.id) and str(_unit(app_db, "SNV").id) not in {o.value for o in lst.units}
    f.run_handler(lst, "create", _new_form(app_db, unit="SNV"))
    assert lst.form_error == "Choose a unit from the list."
    assert _counts(app_db) == before

    other = _dossier(app_db, "head.tanlap", nid)
    assert other.error == "This nomination does not exist." and not other.found
    f.run_handler(other, "keep_upload", [_Upload(PDF, "x.pdf")])
    f.run_handler(other, "attach", {"label": "x", "nominee_id": ""})
    f.run_handler(other, "submit")
    assert _counts(app_db) == before

    # The proposer's search stays in the proposing unit: a person of the commune is not found.
    staff2 = _person_of(app_db, "staff2")
    head = _dossier(app_db, "head.snv", nid)
    f.run_handler(head, "set_search_text", staff2.employee_code)
    assert head.search_results == []
    f.run_handler(head, "pick", str(staff2.id))  # not among the results: ignored
    f.run_handler(head, "add_person")
    assert head.nominee_error.startswith("Find the person first") and head.nominees == []
    assert _counts(app_db) == before


def test_a_dossier_without_an_id_or_of_a_council_member_is_not_shown(app_db):
    nid = _started(app_db)
    blank = _route(f.app_state(app_db, DossierState, "officer"))
    f.run_handler(blank, "load")
    assert blank.error == "Choose a nomination from the list." and not blank.found
    bogus = _route(f.app_state(app_db, DossierState, "officer"), nomination_id="abc")
    f.run_handler(bogus, "load")
    assert not bogus.found
    council = _dossier(app_db, "council", nid)  # not on an agenda of theirs
    assert council.error == "This nomination does not exist." and not council.found


# --- the pages and the files route ----------------------------------------------------------------


class _App:
    """Records what ``add_pages`` registers."""

    def __init__(self) -> None:
        self.routes: list[str] = []

    def add_page(self, component: Any, *, route: str, title: str, on_load: Any) -> None:
        assert component().render()
        self.routes.append(route)


def test_add_pages_registers_the_three_pages_and_the_attachments_reader(app_db):
    from engagement.commendations import nomination_pages
    from engagement.ui import files as ui_files

    app = _App()
    nomination_pages.add_pages(app)
    assert app.routes == [routes.COMMENDATION_NOMINATIONS, routes.COMMENDATION_NOMINATION, routes.NOTICE]
    assert ui_files._readers[nominations.NOMINATION_FILE] is nominations.may_see_nomination_file

    nid = _started(app_db)
    head = _dossier(app_db, "head.snv", nid)
    f.run_handler(head, "keep_upload", [_Upload(PDF, "to-trinh.pdf")])
    f.run_handler(head, "attach", {"label": "Tờ trình", "nominee_id": ""})
    (attached,) = head.files
    file_id = int(attached.url.removeprefix("/files/"))
    with Session(app_db) as s:
        tokens = {u: f.login(s, u, DEMO_PASSWORD, now=clock.now()).token for u in ("head.snv", "staff", "officer")}
        s.commit()
    assert ui_files._fetch(tokens["head.snv"], file_id)[0] == PDF
    assert ui_files._fetch(tokens["officer"], file_id)[0] == PDF
    assert ui_files._fetch(tokens["staff"], file_id) is None
    assert ui_files._fetch("", file_id) is None


def test_the_pages_build_with_the_ids_the_browser_journey_uses():
    from engagement.commendations import nomination_pages

    listing = str(nomination_pages.nominations_page().render())
    for wanted in ('"nominations-list"', '"nomination-new"', '"nomination-status"', '"nomination-create"'):
        assert wanted in listing
    dossier = str(nomination_pages.dossier_page().render())
    for wanted in ('"dossier-submit"', '"dossier-receive"', '"dossier-return"', '"dossier-publish"',
                   '"dossier-appraise"', '"dossier-attach"', '"nominee-search"', '"dossier-comments"',
                   '"dossier-notices"', '"publish-submit"', '"override-submit"', '"data-status"'):
        assert wanted in dossier
    notice = str(nomination_pages.notice_page().render())
    for wanted in ('"notice-submit"', '"notice-nominees"', '"notice-missing"', '"language-switch"'):
        assert wanted in notice
