"""Conduct spot checks on a real database (SQLite; PostgreSQL with TEST_POSTGRES_URL): checklists,
plans, the draw, recording visits, refusals that write nothing, corrective actions, responses,
corrections, scoring, trends, the period summary and the reminder job."""

from __future__ import annotations

import functools
import random
from datetime import date

import pytest
from sqlmodel import Session, select

from engagement.core import workdays
from engagement.core.access import Role
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.core.files import StoredFile
from engagement.jobs import rules as job_rules
from engagement.jobs import supervision as supervision_jobs
from engagement.notify.models import OutboxMessage
from engagement.scoring import service as scoring
from engagement.scoring.models import PointEntry
from engagement.settings import get_settings
from engagement.supervision import models, queries, rules, service
from engagement.supervision.service import FindingInput
from tests import factories as f

TZ = get_settings().tz
at = functools.partial(f.at, 3)  # at(day, hour=9): March 2026, local time as aware UTC
PERSON_KEYS = [i.key for i in rules.DEFAULT_ITEMS if i.scope == rules.PERSON]
UNIT_KEYS = [i.key for i in rules.DEFAULT_ITEMS if i.scope == rules.UNIT]


class World:
    """Units A (with A1) and B; an officer in the root; a union officer and a head in A; a head
    and a clerk in B; a plan for March over A and B with the officer, the union officer and B's head."""

    def __init__(self, session: Session) -> None:
        now = at(2)
        o = f.staff_org(session, now=now)
        self.o = o
        self.officer = f.officer(session, org=o, now=now)
        self.checklist = service.ensure_default_checklist(session, actor=self.officer, now=now)
        self.plan = service.create_plan(
            session, actor=self.officer, name="Kiểm tra văn hoá công sở tháng 3/2026", period="2026-03", visits=4,
            unit_ids=[o.a, o.b], team_ids=[self.officer.person_id, o.verifier.person_id, o.head_b.person_id],
            now=now)

    def adhoc(self, session: Session, *, unit: int | None = None, day: int = 2, team=None) -> int:
        return service.schedule_visit(session, actor=self.officer, unit_id=unit or self.o.b, on=date(2026, 3, day),
                                      inspector_ids=team or [self.o.verifier.person_id], now=at(2, 8))

    def findings(self, *, people: list[int], fail: dict[tuple[int | None, str], str] | None = None,
                 photo: dict[tuple[int | None, str], bytes] | None = None) -> list[FindingInput]:
        fail, photo = fail or {}, photo or {}
        out = [FindingInput(item_key=k, result=rules.FAIL if (None, k) in fail else rules.PASS,
                            note=fail.get((None, k), ""), photo=photo.get((None, k))) for k in UNIT_KEYS]
        for p in people:
            for k in PERSON_KEYS:
                out.append(FindingInput(item_key=k, person_id=p, result=rules.FAIL if (p, k) in fail else rules.PASS,
                                        note=fail.get((p, k), ""), photo=photo.get((p, k))))
        return out


@pytest.fixture
def w(session) -> World:
    world = World(session)
    session.commit()
    return world


def _rows(session: Session) -> dict[str, int]:
    return {m.__tablename__: f.count(session, m) for m in (
        models.Visit, models.Presence, models.Finding, models.Action, models.Response, models.Correction)} | {
        "files": f.count(session, StoredFile), "points": f.count(session, PointEntry)}


# --- checklists --------------------------------------------------------------------------------


def test_default_checklist_is_published_once_and_new_versions_keep_item_keys(session, w):
    assert service.ensure_default_checklist(session, actor=w.officer, now=at(3)) == w.checklist
    person = [i.text for i in rules.DEFAULT_ITEMS if i.scope == rules.PERSON]
    new = service.publish_checklist(session, actor=w.officer, title=rules.DEFAULT_TITLE,
                                    person_items=[*person, "Không sử dụng điện thoại cho việc riêng"],
                                    unit_items=["Bàn làm việc gọn gàng"], now=at(3))
    rows = queries.checklists(session, actor=w.officer)
    assert [(r.version, r.is_latest) for r in rows] == [(2, True), (1, False)]
    v2 = {i.text: i.key for i in rows[0].items}
    assert v2[person[0]] == "gio-lam-viec" and v2["Bàn làm việc gọn gàng"].startswith("muc-")
    assert queries.latest_checklist(session).id == new
    with pytest.raises(Conflict):
        service.publish_checklist(session, actor=w.officer, title=rules.DEFAULT_TITLE,
                                  person_items=[*person, "Không sử dụng điện thoại cho việc riêng"],
                                  unit_items=["Bàn làm việc gọn gàng"], now=at(3))


def test_only_officers_manage_checklists_and_plans(session, w):
    for actor in (w.o.head_a, w.o.member, None):
        with pytest.raises(NotAllowed):
            service.publish_checklist(session, actor=actor, title="X", person_items=["Đúng giờ"], unit_items=[],
                                      now=at(3))
        with pytest.raises(NotAllowed):
            service.create_plan(session, actor=actor, name="X", period="2026-Q2", visits=1, unit_ids=[w.o.a],
                                team_ids=[w.officer.person_id], now=at(3))
        with pytest.raises(NotAllowed):
            queries.plans(session, actor=actor)


@pytest.mark.parametrize(("changes", "message"), [
    ({"period": "2026-02"}, "This period is over"),
    ({"period": "2026"}, "A plan covers a month"),
    ({"visits": 0}, "Plan between 1 and"),
    ({"unit_ids": [999_999]}, "One of the chosen units does not exist"),
    ({"team_ids": []}, "Name at least one inspector"),
])
def test_bad_plans_write_nothing(session, w, changes, message):
    before = f.count(session, models.Plan), f.count(session, models.TeamMember)
    fields = {"name": "Quý II", "period": "2026-Q2", "visits": 3, "unit_ids": [w.o.a],
              "team_ids": [w.officer.person_id]} | changes
    with pytest.raises(Invalid) as caught:
        service.create_plan(session, actor=w.officer, now=at(3), **fields)
    assert caught.value.msg.msgid.startswith(message)
    assert (f.count(session, models.Plan), f.count(session, models.TeamMember)) == before


def test_a_team_is_made_of_people_who_may_inspect(session, w):
    with pytest.raises(Invalid) as caught:
        service.create_plan(session, actor=w.officer, name="Quý II", period="2026-Q2", visits=3, unit_ids=[w.o.a],
                            team_ids=[w.officer.person_id, w.o.member.person_id], now=at(3))
    assert caught.value.msg.params["name"] == "Nguyễn Thị Mai"
    service.add_to_team(session, actor=w.officer, plan_id=w.plan, person_id=w.o.head_a.person_id, now=at(3))
    with pytest.raises(Conflict):
        service.add_to_team(session, actor=w.officer, plan_id=w.plan, person_id=w.o.head_a.person_id, now=at(3))


# --- the draw ----------------------------------------------------------------------------------


def test_draw_makes_unannounced_visits_on_working_days_for_the_team_once(session, engine, w):
    drawn = f.run_after_commit(session, supervision_jobs.draw_plans, engine, now=at(2, 10), tz=TZ,
                               window=job_rules.SendingWindow(), rng=random.Random(5))
    visits = list(session.exec(select(models.Visit).where(models.Visit.plan_id == w.plan)))
    assert drawn == len(visits) >= 2  # two units, 21-day gap, one month: at most 2 each
    # The union officer works in A and B's head in B: neither inspects (nor hears of) a visit to their unit.
    outsiders = {w.o.a: {w.officer.person_id, w.o.head_b.person_id},
                 w.o.b: {w.officer.person_id, w.o.verifier.person_id}}
    for v in visits:
        assert date(2026, 3, 3) <= v.scheduled_on <= date(2026, 3, 31)
        assert workdays.is_working_day(v.scheduled_on)
        assert queries.inspectors(session, v.id) == outsiders[v.unit_id]
    team_notices = f.outbox(session, kind="supervision.visit.assigned", channel="in_app")
    assert sorted((m.recipient_id, m.subject_ref) for m in team_notices) == sorted(
        (p, f"visit:{v.id}") for v in visits for p in outsiders[v.unit_id])
    again = f.run_after_commit(session, supervision_jobs.draw_plans, engine, now=at(2, 11), tz=TZ,
                               window=job_rules.SendingWindow(), rng=random.Random(6))
    assert again == 0 and f.count(session, models.Visit) == len(visits)
    assert service.draw_plan(session, plan_id=w.plan, rng=random.Random(1), now=at(3)) == 0


def test_the_date_is_known_only_to_the_team_and_officers_until_recorded(session, w):
    visit = w.adhoc(session, day=5)
    assert [v.id for v in queries.my_visits(session, actor=w.o.verifier)] == [visit]
    assert queries.visit_sheet(session, actor=w.officer, visit_id=visit, today=date(2026, 3, 2)).id == visit
    for outsider in (w.o.head_b, w.o.clerk, w.o.member):
        assert queries.my_visits(session, actor=outsider) == []
        with pytest.raises(NotFound):
            queries.visit_sheet(session, actor=outsider, visit_id=visit)
    sheet = queries.visit_sheet(session, actor=w.o.verifier, visit_id=visit, today=date(2026, 3, 2))
    assert not sheet.may_record and "planned for" in sheet.refusal


# --- recording ---------------------------------------------------------------------------------


def test_record_a_visit_with_failures_opens_actions_and_credits_the_unit(session, w):
    visit = w.adhoc(session)
    clerk, head = w.o.clerk.person_id, w.o.head_b.person_id
    result = service.record_visit(
        session, actor=w.o.verifier, visit_id=visit, present=[clerk, head],
        findings=w.findings(people=[clerk, head], fail={(clerk, "trang-phuc"): "Không đeo thẻ công chức",
                                                        (None, "xanh-sach-dep"): "Hồ sơ để trên sàn"},
                            photo={(None, "xanh-sach-dep"): f.png()}),
        note="Kiểm tra đột xuất buổi sáng", now=at(2, 10))
    checked = len(UNIT_KEYS) + 2 * len(PERSON_KEYS)
    assert (result.findings, result.failed, result.actions, result.repeats) == (checked, 2, 2, 0)
    assert result.compliance == round(100 * (checked - 2) / checked)
    # Unit points: weight 10 x compliance, once for the visit.
    assert result.points == round(10 * result.compliance / 100)
    assert f.point_entries(session, source="inspection", source_ref=f"visit:{visit}")[0].unit_id == w.o.b
    actions = list(session.exec(select(models.Action).order_by(models.Action.id)))
    assert [(a.person_id, a.status) for a in actions] == [(None, "open"), (clerk, "open")]
    assert all(a.due_on == workdays.add_working_days(date(2026, 3, 2), 10) for a in actions)
    photo = session.exec(select(models.Finding).where(models.Finding.item_key == "xanh-sach-dep")).one().photo_file_id
    assert session.get(StoredFile, photo).content_type == "image/jpeg"
    # The clerk hears of their results, B's head of the actions (the head was also inspected: both).
    told = {(m.recipient_id, m.kind) for m in f.outbox(session, channel="in_app") if m.kind.startswith("supervision.")}
    assert (clerk, "supervision.findings") in told and (head, "supervision.findings") in told
    assert (head, "supervision.actions") in told
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "supervision.visit.record")).one()
    with pytest.raises(Conflict):
        service.record_visit(session, actor=w.o.verifier, visit_id=visit, present=[], findings=w.findings(people=[]),
                             now=at(2, 11))


def test_an_inspector_cannot_inspect_their_own_unit(session, w):
    with pytest.raises(Invalid) as caught:  # the union officer works in A
        w.adhoc(session, unit=w.o.a, team=[w.o.verifier.person_id])
    assert caught.value.msg.params["name"] == "Đỗ Minh Quân"
    # Added to a plan's team later, or moved into the unit after the draw: still refused at recording.
    visit = w.adhoc(session, unit=w.o.a, team=[w.officer.person_id])
    session.add(models.VisitInspector(visit_id=visit, person_id=w.o.verifier.person_id))
    session.flush()
    before = _rows(session)
    with pytest.raises(NotAllowed) as caught:
        service.record_visit(session, actor=w.o.verifier, visit_id=visit, present=[],
                             findings=w.findings(people=[]), now=at(2, 10))
    assert "another member of the team" in caught.value.msg.msgid
    assert _rows(session) == before


def test_a_unit_head_inspects_only_the_units_they_head(session, w):
    visit = w.adhoc(session, unit=w.o.a1, team=[w.o.head_b.person_id])
    with pytest.raises(NotAllowed):
        service.record_visit(session, actor=w.o.head_b, visit_id=visit, present=[], findings=w.findings(people=[]),
                             now=at(2, 10))


def test_only_the_team_records(session, w):
    visit = w.adhoc(session)
    with pytest.raises(NotFound):
        service.record_visit(session, actor=w.o.head_a, visit_id=visit, present=[], findings=w.findings(people=[]),
                             now=at(2, 10))
    with pytest.raises(NotAllowed):  # an officer not on this visit's team
        service.record_visit(session, actor=w.officer, visit_id=visit, present=[], findings=w.findings(people=[]),
                             now=at(2, 10))


def test_bad_input_is_refused_and_writes_nothing(session, w):
    visit = w.adhoc(session)
    clerk, stranger = w.o.clerk.person_id, w.o.member.person_id  # the member works in A, not B
    cases = [
        ([clerk, stranger], w.findings(people=[clerk]), "Only people of"),
        ([clerk], w.findings(people=[clerk, stranger]), "A finding names someone who is not a member"),
        ([clerk], w.findings(people=[]), "Give a result for"),
        ([clerk], w.findings(people=[clerk], fail={(clerk, "viec-rieng"): ""}), "Say what was seen"),
        ([clerk], [*w.findings(people=[clerk]), FindingInput(item_key="khong-co", result="pass")], "An item is not"),
        ([clerk], [FindingInput(item_key=k, result="maybe") for k in UNIT_KEYS], "Choose pass, fail"),
        ([clerk], w.findings(people=[clerk], photo={(clerk, "trang-phuc"): b"%PDF-1.4 not a photo"}),
         "This file is not a photo"),
    ]
    before = _rows(session)
    for present, findings, message in cases:
        with pytest.raises(Invalid) as caught:
            service.record_visit(session, actor=w.o.verifier, visit_id=visit, present=present, findings=findings,
                                 now=at(2, 10))
        assert caught.value.msg.msgid.startswith(message), (message, caught.value.msg.msgid)
        assert _rows(session) == before
    assert session.get(models.Visit, visit).status == rules.SCHEDULED


def test_repeat_failures_of_the_same_item_within_a_year_are_flagged(session, w):
    clerk = w.o.clerk.person_id
    first = w.adhoc(session, day=2)
    service.record_visit(session, actor=w.o.verifier, visit_id=first, present=[clerk],
                         findings=w.findings(people=[clerk], fail={(clerk, "viec-rieng"): "Xem phim trong giờ"}),
                         now=at(2, 10))
    second = w.adhoc(session, day=9)
    result = service.record_visit(
        session, actor=w.o.verifier, visit_id=second, present=[clerk],
        findings=w.findings(people=[clerk], fail={(clerk, "viec-rieng"): "Lại xem phim",
                                                  (clerk, "trang-phuc"): "Dép lê"}),
        now=at(9, 10))
    assert result.repeats == 1
    repeat = {(x.item_key, x.repeat) for x in session.exec(select(models.Finding).where(
        models.Finding.visit_id == second, models.Finding.result == "fail"))}
    assert repeat == {("viec-rieng", True), ("trang-phuc", False)}


# --- what follows ------------------------------------------------------------------------------


def _recorded(session, w, *, fail=None) -> int:
    visit = w.adhoc(session)
    clerk = w.o.clerk.person_id
    service.record_visit(session, actor=w.o.verifier, visit_id=visit, present=[clerk],
                         findings=w.findings(people=[clerk], fail=fail or {(clerk, "trang-phuc"): "Không đeo thẻ"}),
                         now=at(2, 10))
    return visit


def test_a_person_sees_and_explains_their_findings_within_the_working_days(session, w):
    _recorded(session, w)
    mine = queries.my_findings(session, actor=w.o.clerk, today=date(2026, 3, 3))
    failed = [r for r in mine if r.result == "fail"]
    assert len(failed) == 1 and failed[0].may_respond and failed[0].action_status == "open"
    assert queries.my_findings(session, actor=w.o.member) == []
    service.respond(session, actor=w.o.clerk, finding_id=failed[0].id, text="Tôi để quên thẻ ở nhà hôm đó",
                    now=at(3))
    service.respond(session, actor=w.o.clerk, finding_id=failed[0].id, text="Đã làm lại thẻ mới", now=at(4))
    assert queries.my_findings(session, actor=w.o.clerk, today=date(2026, 3, 4))[0].responses == [
        "Tôi để quên thẻ ở nhà hôm đó", "Đã làm lại thẻ mới"]
    with pytest.raises(NotFound):
        service.respond(session, actor=w.o.member, finding_id=failed[0].id, text="Không phải của tôi", now=at(3))
    with pytest.raises(Invalid):
        service.respond(session, actor=w.o.clerk, finding_id=failed[0].id, text="ok", now=at(3))
    # 5 working days from Monday 2 March: Monday 9 March is the last day.
    with pytest.raises(Conflict):
        service.respond(session, actor=w.o.clerk, finding_id=failed[0].id, text="Giải trình muộn một chút", now=at(10))
    assert f.count(session, models.Response) == 2


def test_the_unit_head_confirms_a_corrective_action(session, w):
    _recorded(session, w)
    rows = queries.unit_actions(session, actor=w.o.head_b, today=date(2026, 3, 3))
    assert [r.subject for r in rows] == ["Phạm Thu Hà"] and rows[0].may_confirm
    assert queries.unit_actions(session, actor=w.o.head_a) == []  # A's head does not see B's actions
    with pytest.raises(NotAllowed):
        service.confirm_action(session, actor=w.o.head_a, action_id=rows[0].id, now=at(3))
    with pytest.raises(NotAllowed):
        service.confirm_action(session, actor=w.o.clerk, action_id=rows[0].id, now=at(3))
    with pytest.raises(Invalid):
        service.confirm_action(session, actor=w.o.head_b, action_id=rows[0].id, evidence=b"not a file", now=at(3))
    assert f.count(session, StoredFile) == 0
    service.confirm_action(session, actor=w.o.head_b, action_id=rows[0].id, note="Đã cấp lại thẻ",
                           evidence=f.png(), now=at(3))
    done = session.get(models.Action, rows[0].id)
    assert done.status == "done" and done.evidence_file_id is not None and done.done_note == "Đã cấp lại thẻ"
    with pytest.raises(Conflict):
        service.confirm_action(session, actor=w.o.head_b, action_id=rows[0].id, now=at(3))


def test_a_head_does_not_close_an_action_about_themselves(session, w):
    visit = w.adhoc(session)
    head = w.o.head_b.person_id
    service.record_visit(session, actor=w.o.verifier, visit_id=visit, present=[head],
                         findings=w.findings(people=[head], fail={(head, "gio-lam-viec"): "Đến muộn 30 phút"}),
                         now=at(2, 10))
    (row,) = queries.unit_actions(session, actor=w.o.head_b, today=date(2026, 3, 3))
    assert not row.may_confirm
    with pytest.raises(NotAllowed):
        service.confirm_action(session, actor=w.o.head_b, action_id=row.id, now=at(3))
    service.confirm_action(session, actor=w.officer, action_id=row.id, now=at(3))


def test_a_correction_keeps_the_record_withdraws_the_action_and_replaces_the_points(session, w):
    visit = _recorded(session, w)
    finding = session.exec(select(models.Finding).where(models.Finding.result == "fail")).one()
    before = session.get(models.Visit, visit).compliance
    with pytest.raises(NotAllowed):
        service.correct_finding(session, actor=w.o.head_b, finding_id=finding.id, result="pass",
                                reason="Thẻ đã được xuất trình sau", now=at(3))
    service.correct_finding(session, actor=w.officer, finding_id=finding.id, result="pass",
                            reason="Thẻ đã được xuất trình sau", now=at(3))
    (correction,) = session.exec(select(models.Correction)).all()
    assert (correction.old_result, correction.new_result) == ("fail", "pass")
    assert session.exec(select(models.Action)).one().status == "void"
    assert session.get(models.Visit, visit).compliance == 100 > before
    entries = f.point_entries(session, source="inspection")
    assert sum(e.points for e in entries) == 10  # the old credit reversed, the corrected one recorded
    with pytest.raises(Conflict):
        service.correct_finding(session, actor=w.officer, finding_id=finding.id, result="pass",
                                reason="Thẻ đã được xuất trình sau", now=at(3))


def test_a_negative_weight_deducts_the_share_of_failures(session, w):
    officer_now = at(2, 8)
    weights = {s.value: ("1", "") for s in scoring.rules.Source} | {"inspection": ("-20", "")}
    scoring.set_criteria(session, actor=w.officer, year="2026", effective_from="2026-03", criteria=weights,
                         now=officer_now)
    visit = w.adhoc(session)
    clerk = w.o.clerk.person_id
    result = service.record_visit(session, actor=w.o.verifier, visit_id=visit, present=[clerk],
                                  findings=w.findings(people=[clerk], fail={(clerk, "viec-rieng"): "Bán hàng online"}),
                                  now=at(2, 10))
    checked = len(UNIT_KEYS) + len(PERSON_KEYS)
    assert result.points == round(-20 * (1 - result.compliance / 100)) < 0
    assert result.compliance == round(100 * (checked - 1) / checked)


def test_photo_of_a_finding_is_seen_only_by_those_concerned(session, w):
    visit = w.adhoc(session)
    clerk = w.o.clerk.person_id
    service.record_visit(session, actor=w.o.verifier, visit_id=visit, present=[clerk],
                         findings=w.findings(people=[clerk], fail={(clerk, "trang-phuc"): "Áo phông"},
                                             photo={(clerk, "trang-phuc"): f.png()}), now=at(2, 10))
    row = session.exec(select(StoredFile).where(StoredFile.purpose == rules.PHOTO_PURPOSE)).one()
    allowed = {a.username: queries.may_see_photo(session, a, row)
               for a in (w.o.clerk, w.o.verifier, w.o.head_b, w.officer, w.o.head_a, w.o.member)}
    assert allowed == {"nv.b": True, "cd.a": True, "head.b": True, "officer": True, "head.a": False, "nv.a": False}
    assert not queries.may_see_photo(session, None, row)


# --- trends, summary, evidence ---------------------------------------------------------------------


def test_trends_period_summary_and_evidence(session, w):
    visit = _recorded(session, w, fail={(w.o.clerk.person_id, "trang-phuc"): "Không đeo thẻ",
                                        (None, "xanh-sach-dep"): "Bừa bộn"})
    data = queries.trends(session, actor=w.officer, year=2026, today=date(2026, 3, 20))
    (unit,) = data.units
    assert (unit.unit, unit.visits, unit.failed, unit.open_actions, unit.overdue_actions) == (
        "Phòng Tài chính", 1, 2, 2, 2)
    assert data.items[0].failed == 1 and data.months[2].visits == 1 and data.months[2].compliance == unit.compliance
    assert [r.name for r in data.unit_months] == ["Phòng Tài chính"]
    assert data.unit_months[0].cells[2] == f"{unit.compliance}%" and data.unit_months[0].cells[3] == ""
    assert {r.name: r.cells[2] for r in data.item_months}[data.items[0].item] == "0%"
    workbook = queries.trends_xlsx(session, actor=w.officer, year=2026)
    assert workbook[:2] == b"PK"
    with pytest.raises(NotAllowed):
        queries.trends(session, actor=w.o.head_b, year=2026)
    summary = queries.period_summary(session, start=date(2026, 3, 1), end=date(2026, 3, 31))
    checked = len(UNIT_KEYS) + len(PERSON_KEYS)
    assert summary == {w.o.b: {"visits": 1, "items_checked": checked, "items_passed": checked - 2,
                               "actions_opened": 2, "actions_closed": 0, "actions_overdue": 2}}
    action = session.exec(select(models.Action).where(models.Action.person_id.is_(None))).one()
    service.confirm_action(session, actor=w.o.head_b, action_id=action.id, now=at(5))
    summary = queries.period_summary(session, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert summary[w.o.b]["actions_closed"] == 1 and summary[w.o.b]["actions_overdue"] == 1
    assert queries.period_summary(session, start=date(2026, 4, 1), end=date(2026, 4, 30)).get(w.o.b, {}).get(
        "visits", 0) == 0
    assert queries.findings_in_year(session, person_ids=[w.o.clerk.person_id, w.o.member.person_id], year=2026) == {
        w.o.clerk.person_id: (len(PERSON_KEYS), 1, 0)}
    assert visit


def test_rating_evidence_shows_the_years_findings(session, w):
    from engagement.commendations.evidence import evidence

    _recorded(session, w)
    found = evidence(session, person_ids=[w.o.clerk.person_id, w.o.member.person_id], year=2026)
    assert (found[w.o.clerk.person_id].checks, found[w.o.clerk.person_id].failures) == (len(PERSON_KEYS), 1)
    assert (found[w.o.member.person_id].checks, found[w.o.member.person_id].failures) == (0, 0)
    from engagement.commendations import queries as commendation_queries
    from engagement.core import i18n

    with i18n.using("en"):
        sheet = commendation_queries.rating_sheet(session, actor=w.o.head_b, unit_id=w.o.b, year=2026)
    rows = {r.person_id: r.spot_checks for r in sheet.rows}
    assert rows[w.o.clerk.person_id] == f"1 failed of {len(PERSON_KEYS)} checked (0 repeated)"
    assert rows[w.o.head_b.person_id] == ""


# --- the reminder job --------------------------------------------------------------------------------


def test_overdue_actions_remind_then_escalate_once_per_stage(session, engine, w):
    _recorded(session, w)
    action = session.exec(select(models.Action)).one()
    due = action.due_on  # 10 working days after 2 March: 16 March
    assert due == date(2026, 3, 16)
    window = job_rules.SendingWindow()

    def run(day: int, hour: int = 9) -> int:
        return f.run_after_commit(session, supervision_jobs.remind_actions, engine, now=at(day, hour), tz=TZ,
                                  window=window)

    assert run(13) == 0  # before the due day
    first = run(16)
    assert first == 2  # the clerk and B's head
    assert run(16, 14) == 0  # the same stage again: nothing new
    assert run(17) == 2 and run(21) == 0  # a Saturday: nothing
    run(18), run(19)
    escalated = run(20)
    assert escalated == 1  # the officer
    stages = [m.period for m in f.outbox(session, kind="supervision.action.reminder", channel="in_app")
              if m.recipient_id == w.o.clerk.person_id]
    assert stages == ["due", "overdue-1", "overdue-2", "overdue-3"]
    officer_msgs = [m for m in f.outbox(session, kind="supervision.action.reminder", channel="in_app")
                    if m.recipient_id == w.officer.person_id]
    assert [m.period for m in officer_msgs] == ["escalate"]
    assert run(23) == 0  # escalated once only
    service.confirm_action(session, actor=w.o.head_b, action_id=action.id, now=at(23, 10))
    assert run(24) == 0
    assert f.count(session, OutboxMessage, OutboxMessage.kind == "supervision.action.reminder",
                   OutboxMessage.channel == "in_app") == 2 * 4 + 1


def test_union_officer_role_is_needed_for_the_team(session, w):
    clerk_role = {g.role for g in w.o.clerk.grants}
    assert Role.UNION_OFFICER not in clerk_role
    with pytest.raises(Invalid):
        service.add_to_team(session, actor=w.officer, plan_id=w.plan, person_id=w.o.clerk.person_id, now=at(3))


def test_heads_see_recorded_visits_of_their_units_only(session, w):
    recorded = _recorded(session, w)
    scheduled = w.adhoc(session, day=20)
    assert [v.id for v in queries.unit_visits(session, actor=w.o.head_b)] == [recorded]
    assert queries.unit_visits(session, actor=w.o.head_a) == []
    assert scheduled not in [v.id for v in queries.unit_visits(session, actor=w.officer)]
    assert queries.visit_sheet(session, actor=w.o.head_b, visit_id=recorded).findings
    with pytest.raises(NotAllowed):
        queries.unit_visits(session, actor=w.o.clerk)
