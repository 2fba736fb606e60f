"""The spot-check pages driven as the browser drives them, on the demo organisation with its two
quarters of spot checks: a team records a visit with a failed item, the person explains, the unit
head closes the action; officers plan and export; nobody else can do any of it."""

from __future__ import annotations

import pytest
from reflex.istate.data import PageData, RouterData, SessionData
from sqlmodel import Session, func, select

from engagement.core import clock
from engagement.org import sessions
from engagement.org.demo import DEMO_PASSWORD
from engagement.org.models import Account, Person, Unit
from engagement.scoring.models import PointEntry
from engagement.supervision import models, queries, rules, service
from engagement.supervision.demo import seed_demo
from engagement.supervision.state import ManageState, SupervisionState, TrendsState, VisitState
from tests import factories as f


@pytest.fixture
def app_db(app_db):
    """The demo organisation with the spot-check demo (two quarters)."""
    with Session(app_db) as s:
        assert seed_demo(s, now=clock.now())["spot_check_visits"] > 0
        s.commit()
    return app_db


def _actor(s: Session, username: str):
    now = clock.now()
    return sessions.resolve_actor(s, token=f.login(s, username, DEMO_PASSWORD, now=now).token, now=now)


def _person(s: Session, username: str) -> int:
    return s.exec(select(Account.person_id).where(Account.username == username)).one()


@pytest.fixture
def visit_today(app_db) -> int:
    """An ad-hoc visit today to the demo staff member's office, inspected by the officer."""
    with Session(app_db) as s:
        officer = _actor(s, "officer")
        unit = s.exec(select(Unit.id).where(Unit.code == "SNV-VP")).one()
        visit = service.schedule_visit(s, actor=officer, unit_id=unit, on=queries.today_of(clock.now()),
                                       inspector_ids=[officer.person_id], now=clock.now())
        s.commit()
    return visit


def _visit_page(engine, username: str, visit_id: int) -> VisitState:
    """The visit page as the browser opens /supervision/visits/<id>."""
    state = f.app_state(engine, VisitState, username)
    state.router = RouterData(session=SessionData(client_ip="203.0.113.7"),
                              _page=PageData(params={"visit_id": str(visit_id)}))
    return state


def _count(engine, model, *where) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_team_records_the_person_explains_and_the_head_closes(app_db, visit_today):
    page = _visit_page(app_db, "officer", visit_today)
    f.run_handler(page, "load")
    assert page.may_record, page.refusal
    assert page.unit == "Văn phòng Sở · Sở Nội vụ" and page.members and page.unit_items and page.person_items
    staff_id = None
    with Session(app_db) as s:
        staff_id = _person(s, "staff")
    assert staff_id in [m.id for m in page.members]
    form = {f"present_{staff_id}": "on", "note": "Kiểm tra đột xuất"}
    for item in page.unit_items:
        form[f"u__{item.key}"] = "pass"
    for item in page.person_items:
        form[f"r__{staff_id}__{item.key}"] = "pass"
    form[f"r__{staff_id}__trang-phuc"] = "fail"
    # A failure without a note is refused: nothing written.
    f.run_handler(page, "submit_record", form)
    assert "Say what was seen" in page.record_error
    assert _count(app_db, models.Finding, models.Finding.visit_id == visit_today) == 0
    form[f"n__{staff_id}__trang-phuc"] = "Không đeo thẻ công chức"
    f.run_handler(page, "submit_record", form)
    assert page.record_error == "" and page.status == rules.RECORDED and page.result_text
    failed = [r for r in page.findings if r.result == "fail"]
    assert len(failed) == 1 and failed[0].action_id > 0
    assert _count(app_db, PointEntry, PointEntry.source == "inspection",
                  PointEntry.source_ref == f"visit:{visit_today}") == 1

    mine = f.app_state(app_db, SupervisionState, "staff")
    f.run_handler(mine, "load")
    row = next(r for r in mine.findings if r.id == failed[0].id)
    assert row.may_respond
    f.run_handler(mine, "open_respond", row.id)
    f.run_handler(mine, "submit_respond", {"text": "Tôi để quên thẻ trong ngăn bàn"})
    assert mine.respond_error == ""
    assert _count(app_db, models.Response, models.Response.finding_id == row.id) == 1

    # A colleague cannot close it; the head of Sở Nội vụ can.
    other = f.app_state(app_db, SupervisionState, "staff2")
    f.run_handler(other, "load")
    assert other.actions == [] and not other.can_follow
    other._target = failed[0].action_id  # even a forged target is re-checked by the service
    f.run_handler(other, "submit_confirm", {"note": "x"})
    assert _count(app_db, models.Action, models.Action.id == failed[0].action_id, models.Action.status == "open") == 1
    head = f.app_state(app_db, SupervisionState, "head.snv")
    f.run_handler(head, "load")
    assert any(a.id == failed[0].action_id for a in head.actions)
    f.run_handler(head, "open_confirm", failed[0].action_id)
    f.run_handler(head, "submit_confirm", {"note": "Đã cấp lại thẻ"})
    assert head.confirm_error == ""
    assert _count(app_db, models.Action, models.Action.id == failed[0].action_id, models.Action.status == "done") == 1


def test_the_visit_page_is_closed_to_others_until_recorded(app_db, visit_today):
    for username in ("staff", "head.snv", "staff2"):
        page = _visit_page(app_db, username, visit_today)
        f.run_handler(page, "load")
        assert page.error and page.members == [] and not page.may_record
        f.run_handler(page, "submit_record", {"present_1": "on"})
    assert _count(app_db, models.Finding, models.Finding.visit_id == visit_today) == 0
    assert session_status(app_db, visit_today) == rules.SCHEDULED


def session_status(engine, visit_id: int) -> str:
    with Session(engine) as s:
        return s.get(models.Visit, visit_id).status


def test_staff_hub_shows_the_demo_findings_and_no_unannounced_dates(app_db):
    hub = f.app_state(app_db, SupervisionState, "staff")
    f.run_handler(hub, "load")
    assert any(r.result == "fail" for r in hub.findings)
    assert hub.visits == [] and not hub.can_manage
    team = f.app_state(app_db, SupervisionState, "officer")
    f.run_handler(team, "load")
    assert team.can_manage and any(v.status == rules.SCHEDULED for v in team.visits)


def test_officers_plan_and_schedule_from_the_manage_page(app_db):
    page = f.app_state(app_db, ManageState, "officer")
    f.run_handler(page, "load")
    assert page.checklists and len(page.plans) >= 2 and page.candidates and page.units
    with Session(app_db) as s:
        units = list(s.exec(select(Unit.id).where(Unit.code.in_(["STC-VP", "SYT-VP"]))))
        union = _person(s, "union.snv")
        officer = _person(s, "officer")
    today = queries.today_of(clock.now())
    period = f"{today.year:04d}-{today.month:02d}" if today.day < 28 else f"{today.year + (today.month == 12):04d}-" \
        f"{today.month % 12 + 1:02d}"
    plans = _count(app_db, models.Plan)
    form = {"name": "Kiểm tra bổ sung", "period": period, "visits": "2", "response_days": "5", "action_days": "10",
            **{f"unit_{u}": "on" for u in units}, f"team_{union}": "on"}
    staff = f.app_state(app_db, ManageState, "staff")
    f.run_handler(staff, "create_plan", form)
    assert _count(app_db, models.Plan) == plans
    f.run_handler(page, "create_plan", {**form, "visits": "0"})
    assert page.plan_error and _count(app_db, models.Plan) == plans
    f.run_handler(page, "create_plan", form)
    assert page.plan_error == "" and _count(app_db, models.Plan) == plans + 1
    visits = _count(app_db, models.Visit)
    f.run_handler(page, "schedule_visit", {"unit_id": str(units[0]), "on": today.isoformat(),
                                           f"inspector_{officer}": "on"})
    assert page.visit_error == "" and _count(app_db, models.Visit) == visits + 1


def test_trends_and_export_for_officers_only(app_db):
    page = f.app_state(app_db, TrendsState, "officer")
    f.run_handler(page, "load")
    assert page.units and page.items and len(page.months) == 12
    rates = [u.compliance for u in page.units if u.compliance is not None]
    assert rates == sorted(rates)  # most in need first
    download = f.run_handler(page, "export")
    assert "xlsx" in str(download)
    staff = f.app_state(app_db, TrendsState, "staff")
    f.run_handler(staff, "load")
    assert staff.error and staff.units == []
    assert "xlsx" not in str(f.run_handler(staff, "export"))


def test_unit_compliance_reaches_the_leaderboard_totals(app_db):
    with Session(app_db) as s:
        total = s.exec(select(func.sum(PointEntry.points)).where(PointEntry.source == "inspection")).one()
        people = s.exec(select(func.count()).select_from(Person)).one()
    assert total and total > 0 and people


def test_an_officer_corrects_a_result_from_the_visit_page(app_db):
    with Session(app_db) as s:
        finding = s.exec(select(models.Finding).where(models.Finding.result == "fail")
                         .order_by(models.Finding.id)).first()
        visit_id = finding.visit_id
    form = {"finding_id": str(finding.id), "result": "pass", "reason": "Đã xác minh lại, kết quả đạt"}
    head = _visit_page(app_db, "head.snv", visit_id)
    f.run_handler(head, "load")
    assert not head.may_correct
    f.run_handler(head, "submit_correct", form)
    assert _count(app_db, models.Correction) == 1  # the demo's one correction only
    page = _visit_page(app_db, "officer", visit_id)
    f.run_handler(page, "load")
    assert page.may_correct and page.findings
    f.run_handler(page, "submit_correct", {**form, "reason": "x"})
    assert page.correct_error and _count(app_db, models.Correction) == 1
    f.run_handler(page, "submit_correct", form)
    assert page.correct_error == "" and _count(app_db, models.Correction) == 2
    assert next(r for r in page.findings if r.id == finding.id).result == "pass"


def test_photos_and_evidence_are_served_only_through_the_authorised_route(app_db):
    import engagement.engagement  # noqa: F401  (registers the pages and the file readers)
    from engagement.ui import files as ui_files

    assert ui_files._readers[rules.PHOTO_PURPOSE] is queries.may_see_photo
    assert ui_files._readers[rules.EVIDENCE_PURPOSE] is queries.may_see_photo
    with Session(app_db) as s:
        officer = _actor(s, "officer")
        finding = s.exec(select(models.Finding).join(models.VisitInspector, models.VisitInspector.visit_id
                                                     == models.Finding.visit_id)
                         .where(models.VisitInspector.person_id == officer.person_id,
                                models.Finding.person_id.is_not(None), models.Finding.photo_file_id.is_(None))
                         .order_by(models.Finding.id)).first()
        file_id = service.attach_photo(s, actor=officer, finding_id=finding.id, data=f.png(), now=clock.now())
        tokens = {u: f.login(s, u, DEMO_PASSWORD, now=clock.now()).token for u in ("officer", "council")}
        s.commit()
    assert ui_files._fetch(tokens["officer"], file_id)[1] == "image/jpeg"
    assert ui_files._fetch(tokens["council"], file_id) is None  # neither the person, the team nor a head
    assert ui_files._fetch("", file_id) is None
