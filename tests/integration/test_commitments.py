"""Commitments: templates, campaigns, signing, evidence, the hash chain, dashboards, exports."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from sqlmodel import select

from engagement.commitments import audience, queries, rules, service
from engagement.commitments.models import Campaign, CommitmentTemplate, Signature
from engagement.core.audit import AuditEntry
from engagement.core.db import unit_of_work
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.org import service as org_service
from engagement.org.models import LoginAttempt
from engagement.schema import metadata
from tests import factories as f

STAFF_NAME = "Lê Thị Hoa"
PLEDGE = "Trả lời mọi yêu cầu của người dân trong 2 ngày"
SCAN = f.png(size=(50, 50), color=(255, 255, 255))  # a signed paper form, scanned


class World:
    """The small org with an officer, a unit head of A, a union chair of A and staff."""

    def __init__(self, session, now):
        org = f.small_org(session, now)
        self.org = org
        self.officer = f.officer(session, org=org, now=now)
        self.head = f.user(session, org.admin, now, unit_id=org.a, username="head.a", role="unit_head",
                           role_unit_id=org.a, name="Đỗ Trưởng Phòng")
        self.chair = f.user(session, org.admin, now, unit_id=org.a, username="chair.a", role="union_officer",
                            branch_id=org.union_branch, name="Vũ Công Đoàn")
        self.staff = f.user(session, org.admin, now, unit_id=org.a1, username="staff.a1", name=STAFF_NAME)
        self.staff_b = f.user(session, org.admin, now, unit_id=org.b, username="staff.b", name="Hồ Văn Bình")
        self.paper_person = f.person(session, org.admin, now, unit_id=org.a1, name="Ngô Thị Giấy")
        self.personal, self.collective = f.commitment_templates(session, actor=self.officer, now=now)
        # The officer's campaign for unit A with a collective commitment; ``opens_on``/``due_on``
        # in days from ``now`` (default: opens today, due in 30 days).
        self.campaign = partial(f.commitment_campaign, actor=self.officer, unit_ids=[org.a], collective=True)


@pytest.fixture
def w(session, now):
    return World(session, now)


# --- templates -------------------------------------------------------------------------------------


def test_default_template_has_the_movement_clauses(session, now, w):
    t = session.get(CommitmentTemplate, w.personal)
    clauses = json.loads(t.clauses_json)
    text = " ".join(clauses)
    for words in ("thời giờ làm việc", "thẻ", "4 xin", "4 luôn", "sách nhiễu", "Quy tắc ứng xử",
                  "xanh, sạch", "kỹ năng số"):
        assert words in text
    assert t.version == 1
    assert service.ensure_default_templates(session, actor=w.officer, now=now) == (w.personal, w.collective)


def test_editing_a_template_publishes_a_new_version_and_keeps_the_old(session, now, w):
    new_id = service.publish_template(session, actor=w.officer, template_id=w.personal, title="Bản cam kết mới",
                                      preamble="", clauses=["Điều một", "", "Điều hai"], now=now)
    old, new = session.get(CommitmentTemplate, w.personal), session.get(CommitmentTemplate, new_id)
    assert (old.version, new.version) == (1, 2)
    assert json.loads(old.clauses_json) == list(rules.DEFAULT_CLAUSES)
    assert json.loads(new.clauses_json) == ["Điều một", "Điều hai"]
    rows = queries.templates(session, actor=w.officer)
    assert [r.is_latest for r in rows if r.family == rules.DEFAULT_FAMILY] == [True, False]


def test_a_campaign_on_a_new_version_needs_new_signatures(session, now, w):
    first = w.campaign(session, now=now)
    f.signature(session, actor=w.staff, campaign_id=first, now=now)
    new_id = service.publish_template(session, actor=w.officer, template_id=w.personal, title="Bản mới",
                                      preamble="", clauses=["Chỉ một điều"], now=now)
    # The same people cannot have two campaigns in one year (issue 16): the new version is next year's.
    second = f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[w.org.a], name="Bổ sung",
                                   template_id=new_id, due_on=10, year=2027)
    view = queries.sign_view(session, actor=w.staff, campaign_id=second, now=now)
    assert view.can_sign and view.clauses == ["Chỉ một điều"]
    assert f.signature(session, actor=w.staff, campaign_id=second, now=now, ticked=[1]).code


def test_template_without_clauses_or_by_staff_is_refused(session, now, w):
    with pytest.raises(Invalid, match="at least one clause"):
        service.publish_template(session, actor=w.officer, template_id=w.personal, title="T", preamble="",
                                 clauses=["  "], now=now)
    with pytest.raises(NotAllowed):
        service.publish_template(session, actor=w.staff, template_id=w.personal, title="T", preamble="",
                                 clauses=["x"], now=now)


# --- campaigns ---------------------------------------------------------------------------------------


def test_status_moves_draft_open_closed_by_the_dates(session, now, w):
    cid = w.campaign(session, now=now, opens_on=3, due_on=10)
    c = session.get(Campaign, cid)
    assert audience.status_of(c, now) == "draft"
    assert audience.status_of(c, now + timedelta(days=4)) == "open"
    assert audience.status_of(c, now + timedelta(days=12)) == "closed"


def test_late_signing_keeps_the_campaign_open_until_its_limit(session, now, w):
    cid = w.campaign(session, now=now, due_on=5, allow_late=True, late_until_on=f.iso_day(now, 20))
    c = session.get(Campaign, cid)
    later = now + timedelta(days=8)
    assert audience.status_of(c, later) == "open"
    info = f.signature(session, actor=w.staff, campaign_id=cid, now=later)
    assert info.on_time is False
    rows = queries.people(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a, now=later)
    assert {r.name: r.status for r in rows.rows}[w.head.full_name] == "overdue"


def test_officer_opens_and_closes_explicitly(session, now, w):
    cid = w.campaign(session, now=now, opens_on=5)
    service.open_campaign(session, actor=w.officer, campaign_id=cid, now=now)
    assert audience.status_of(session.get(Campaign, cid), now) == "open"
    service.close_campaign(session, actor=w.officer, campaign_id=cid, now=now)
    assert audience.status_of(session.get(Campaign, cid), now) == "closed"
    with pytest.raises(Conflict):
        service.close_campaign(session, actor=w.officer, campaign_id=cid, now=now)
    service.open_campaign(session, actor=w.officer, campaign_id=cid, now=now)
    assert audience.status_of(session.get(Campaign, cid), now) == "open"


def test_reopening_after_the_due_date_needs_a_new_due_date(session, now, w):
    cid = w.campaign(session, now=now, due_on=2)
    later = now + timedelta(days=5)
    with pytest.raises(Invalid, match="new due date"):
        service.open_campaign(session, actor=w.officer, campaign_id=cid, now=later)
    service.open_campaign(session, actor=w.officer, campaign_id=cid, due_on=f.iso_day(now, 15), now=later)
    assert audience.status_of(session.get(Campaign, cid), later) == "open"


def test_campaign_validation_and_permission(session, now, w):
    with pytest.raises(Invalid, match="after the opening"):
        w.campaign(session, now=now, opens_on=10, due_on=5)
    with pytest.raises(Invalid, match="at least one unit"):
        f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[], name="x", template_id=w.personal,
                              due_on=5)
    with pytest.raises(Invalid, match="as a date"):
        f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[w.org.a], name="x",
                              template_id=w.personal, opens_on="tomorrow", due_on=5)
    with pytest.raises(NotAllowed):
        f.commitment_campaign(session, actor=w.head, now=now, unit_ids=[w.org.a], name="x", template_id=w.personal,
                              due_on=5)
    assert f.count(session, Campaign) == 0


def test_joiners_are_added_and_leavers_drop_out(session, now, w):
    cid = w.campaign(session, now=now)
    before = {r.unit_id: r for r in queries.completion(session, actor=w.officer, campaign_id=cid, now=now)}
    # staff_b joins A1 (in the audience); the paper person leaves for B (outside it).
    org_service.update_person(session, actor=w.org.admin, person_id=w.staff_b.person_id, full_name="Hồ Văn Bình",
                              position="Chuyên viên", unit_id=w.org.a1, now=now)
    org_service.update_person(session, actor=w.org.admin, person_id=w.paper_person, full_name="Ngô Thị Giấy",
                              position="Chuyên viên", unit_id=w.org.b, now=now)
    after = {r.unit_id: r for r in queries.completion(session, actor=w.officer, campaign_id=cid, now=now)}
    assert after[w.org.a1].total == before[w.org.a1].total
    names = {r.name for r in queries.people(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a1,
                                            now=now).rows}
    assert "Hồ Văn Bình" in names and "Ngô Thị Giấy" not in names


def test_positions_limit_the_audience(session, now, w):
    cid = w.campaign(session, now=now, positions="Trưởng phòng")
    with pytest.raises(NotAllowed, match="not addressed to you"):
        f.signature(session, actor=w.staff, campaign_id=cid, now=now)
    rows = queries.completion(session, actor=w.officer, campaign_id=cid, now=now)
    assert rows[0].total == 0


def test_due_exception_moves_one_persons_deadline_with_a_reason(session, now, w):
    cid = w.campaign(session, now=now, due_on=3)
    service.set_exception(session, actor=w.head, campaign_id=cid, person_id=w.staff.person_id,
                          reason="Nghỉ ốm dài ngày", due_on=f.iso_day(now, 20), now=now)
    later = now + timedelta(days=6)
    statuses = {r.name: r for r in queries.people(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a,
                                                  now=later).rows}
    assert statuses[STAFF_NAME].status == "pending"
    assert "Nghỉ ốm" in statuses[STAFF_NAME].note
    assert statuses[w.head.full_name].status == "overdue"
    info = f.signature(session, actor=w.staff, campaign_id=cid, now=later)
    assert info.on_time
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "commitment_exception.set")).one()
    assert "Nghỉ ốm" in audit.detail


def test_exemption_counts_as_exempted(session, now, w):
    cid = w.campaign(session, now=now)
    service.set_exception(session, actor=w.officer, campaign_id=cid, person_id=w.paper_person,
                          reason="Nghỉ thai sản", exempt=True, now=now)
    row = next(r for r in queries.completion(session, actor=w.officer, campaign_id=cid, now=now)
               if r.unit_id == w.org.a1)
    assert row.exempted == 1


def test_exception_needs_a_reason_and_reach(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.root])
    with pytest.raises(Invalid, match="reason"):
        service.set_exception(session, actor=w.officer, campaign_id=cid, person_id=w.staff.person_id,
                              reason="", due_on=f.iso_day(now, 40), now=now)
    with pytest.raises(NotAllowed):
        service.set_exception(session, actor=w.head, campaign_id=cid, person_id=w.staff_b.person_id,
                              reason="Nghỉ phép năm", due_on=f.iso_day(now, 40), now=now)


# --- signing -----------------------------------------------------------------------------------------


def test_sign_keeps_evidence_and_the_exact_text(session, now, w):
    cid = w.campaign(session, now=now)
    info = f.signature(session, actor=w.staff, campaign_id=cid, now=now, pledges=[PLEDGE], client_ip="10.1.2.3",
                       user_agent="Firefox/130")
    sig = session.get(Signature, info.id)
    assert (sig.client_ip, sig.user_agent, sig.signed_at, sig.method) == ("10.1.2.3", "Firefox/130", now, "online")
    assert "4 xin" in sig.content and "Trả lời mọi yêu cầu" in sig.content and STAFF_NAME in sig.content
    assert json.loads(sig.pledges_json) == ["Trả lời mọi yêu cầu của người dân trong 2 ngày"]
    assert sig.prev_hash == rules.GENESIS_HASH and len(sig.content_hash) == 64
    mine = queries.my_commitments(session, actor=w.staff, now=now)
    assert mine[0].status == "signed" and mine[0].pledges == json.loads(sig.pledges_json)


@pytest.mark.parametrize(("change", "message"), [
    ({"typed_name": "Lê Thị Hoà"}, "not the name on your record"),
    ({"ticked": [1, 2]}, "tick every clause"),
    ({"pledges": ["ngắn"]}, "short measurable"),
])
def test_bad_input_gets_a_message_and_writes_nothing(session, now, w, change, message):
    cid = w.campaign(session, now=now)
    with pytest.raises(Invalid, match=message):
        f.signature(session, actor=w.staff, campaign_id=cid, now=now, **change)
    assert f.count(session, Signature) == 0


@pytest.mark.parametrize("password", ["wrong password!", ""])
def test_a_wrong_password_is_returned_as_a_refusal_and_signs_nothing(session, now, w, password):
    cid = w.campaign(session, now=now)
    refusal = f.signature(session, actor=w.staff, campaign_id=cid, now=now, password=password,
                          expect_refusal=True)
    assert isinstance(refusal, service.PasswordRefused) and not refusal.ok and not refusal.throttled
    assert "password is not right" in refusal.message and refusal.fields == {"password": "Wrong password"}
    assert f.count(session, Signature) == 0


def test_signing_twice_is_refused(session, now, w):
    cid = w.campaign(session, now=now)
    f.signature(session, actor=w.staff, campaign_id=cid, now=now)
    with pytest.raises(Conflict, match="already signed"):
        f.signature(session, actor=w.staff, campaign_id=cid, now=now)
    assert f.count(session, Signature) == 1


def test_signing_a_closed_or_draft_campaign_is_refused(session, now, w):
    draft = w.campaign(session, now=now, opens_on=3)
    with pytest.raises(Invalid, match="not open"):
        f.signature(session, actor=w.staff, campaign_id=draft, now=now)
    closed = w.campaign(session, now=now, due_on=2, year=2027)  # one campaign a year for the same people
    with pytest.raises(Invalid, match="closed on"):
        f.signature(session, actor=w.staff, campaign_id=closed, now=now + timedelta(days=4))
    assert f.count(session, Signature) == 0


def test_signing_someone_elses_campaign_is_refused(session, now, w):
    cid = w.campaign(session, now=now)  # unit A only
    with pytest.raises(NotAllowed, match="not addressed to you"):
        f.signature(session, actor=w.staff_b, campaign_id=cid, now=now)
    with pytest.raises(NotFound):
        f.signature(session, actor=w.staff, campaign_id=9999, now=now)
    assert f.count(session, Signature) == 0


def test_decline_and_clarify_are_seen_by_the_unit_head(session, now, w):
    cid = w.campaign(session, now=now)
    service.respond(session, actor=w.staff, campaign_id=cid, kind="decline", reason="Tôi chưa rõ điều 5",
                    now=now)
    rows = queries.people(session, actor=w.head, campaign_id=cid, unit_id=w.org.a, status="todo", now=now).rows
    row = next(r for r in rows if r.name == STAFF_NAME)
    assert row.status == "declined" and "Tôi chưa rõ điều 5" in row.note
    with pytest.raises(Invalid):
        service.respond(session, actor=w.staff, campaign_id=cid, kind="clarify", reason="", now=now)


def test_collective_signed_by_head_and_countersigned_by_union_chair(session, now, w):
    cid = w.campaign(session, now=now)
    with pytest.raises(NotAllowed):
        f.collective_signature(session, actor=w.staff, campaign_id=cid, unit_id=w.org.a, now=now)
    head_sig = f.collective_signature(session, actor=w.head, campaign_id=cid, unit_id=w.org.a, now=now)
    with pytest.raises(NotAllowed):
        service.countersign(session, actor=w.head, signature_id=head_sig.id, typed_name=w.head.full_name,
                            password=f.PASSWORD, client_ip="", user_agent="", now=now)
    service.countersign(session, actor=w.chair, signature_id=head_sig.id, typed_name=w.chair.full_name,
                        password=f.PASSWORD, client_ip="", user_agent="", now=now)
    row = next(r for r in queries.completion(session, actor=w.officer, campaign_id=cid, now=now)
               if r.unit_id == w.org.a)
    assert row.collective == "countersigned"
    listed = queries.collectives(session, actor=w.chair, now=now)
    assert listed[0].countersigned_at != ""


def test_paper_signature_is_recorded_with_scan_and_marked(session, now, w):
    cid = w.campaign(session, now=now)
    info = service.record_paper_signature(session, actor=w.officer, campaign_id=cid, person_id=w.paper_person,
                                          reason="Không có tài khoản", scan=SCAN, scan_name="scan",
                                          signed_on=f.iso_day(now, 0), now=now)
    sig = session.get(Signature, info.id)
    assert sig.method == "paper" and sig.scan_file_id and sig.recorded_by == w.officer.account_id
    people = queries.people(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a1, now=now).rows
    assert next(r for r in people if r.name == "Ngô Thị Giấy").method == "paper"
    data, _ = queries.export_register(session, actor=w.officer, campaign_id=cid, fmt="csv", now=now)
    assert "paper" in data.decode("utf-8-sig")
    with pytest.raises(NotAllowed):
        service.record_paper_signature(session, actor=w.head, campaign_id=cid, person_id=w.paper_person,
                                       reason="xxxxxx", scan=SCAN, scan_name="s", signed_on=f.iso_day(now, 0),
                                       now=now)
    with pytest.raises(Invalid, match="scan"):
        service.record_paper_signature(session, actor=w.officer, campaign_id=cid, person_id=w.staff.person_id,
                                       reason="Không có tài khoản", scan=b"", scan_name="s",
                                       signed_on=f.iso_day(now, 0), now=now)


# --- tamper evidence -----------------------------------------------------------------------------------


def _three(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.root])
    for actor in (w.staff, w.staff_b, w.head):
        f.signature(session, actor=actor, campaign_id=cid, now=now)
    session.commit()
    return cid


def test_chain_links_each_signature_to_the_previous(session, now, w):
    _three(session, now, w)
    sigs = session.exec(select(Signature).order_by(Signature.seq)).all()
    assert [s.seq for s in sigs] == [1, 2, 3]
    assert sigs[1].prev_hash == sigs[0].content_hash and sigs[2].prev_hash == sigs[1].content_hash
    assert queries.verify_chain(session).intact


def test_tampering_with_a_stored_signature_is_detected(session, now, w):
    _three(session, now, w)
    session.execute(sa.update(Signature).where(Signature.seq == 2).values(content="Nội dung đã bị sửa"))
    session.commit()
    report = queries.verify_chain(session)
    assert not report.intact
    assert any("#2" in b and "hash mismatch" in b for b in report.breaks)
    code = session.exec(select(Signature.code).where(Signature.seq == 2)).one()
    assert not queries.public_signature(session, reference=code).intact
    other = session.exec(select(Signature.code).where(Signature.seq == 3)).one()
    assert queries.public_signature(session, reference=other).intact


def test_deleting_a_signature_breaks_the_chain(session, now, w):
    _three(session, now, w)
    session.execute(sa.delete(Signature).where(Signature.seq == 2))
    session.commit()
    report = queries.verify_chain(session)
    assert any("missing" in b for b in report.breaks)


def test_verify_command_exits_non_zero_and_lists_breaks(session, now, w, engine, monkeypatch, capsys):
    from engagement import cli
    from engagement.core import db as core_db

    _three(session, now, w)
    monkeypatch.setattr(core_db, "get_read_engine", lambda: engine)
    assert cli.main(["verify-signatures"]) == 0
    session.execute(sa.update(Signature).where(Signature.seq == 1).values(typed_name="Người Khác"))
    session.commit()
    assert cli.main(["verify-signatures"]) != 0
    assert "#1" in capsys.readouterr().out


def test_public_verify_shows_only_name_unit_campaign_date(session, now, w):
    cid = w.campaign(session, now=now)
    info = f.signature(session, actor=w.staff, campaign_id=cid, now=now)
    found = queries.public_signature(session, reference=info.content_hash)
    assert found.found and found.intact and found.name == STAFF_NAME and found.unit == "Tổ Nhân sự"
    assert not queries.public_signature(session, reference="deadbeefdeadbeef").found
    assert not queries.public_signature(session, reference="' or 1=1 --").found


def test_pdf_renders_vietnamese_with_hash_and_qr(session, now, w):
    from engagement.commitments import pdf

    cid = w.campaign(session, now=now)
    info = f.signature(session, actor=w.staff, campaign_id=cid, now=now)
    data = pdf.render(queries.signature_for_pdf(session, actor=w.staff, signature_id=info.id))
    assert data.startswith(b"%PDF") and len(data) > 5000
    with pytest.raises(NotFound):
        queries.signature_for_pdf(session, actor=w.staff_b, signature_id=info.id)
    assert queries.signature_for_pdf(session, actor=w.head, signature_id=info.id)["hash"] == info.content_hash


# --- dashboards and exports ----------------------------------------------------------------------------


def test_completion_rolls_up_sub_units(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.root])
    f.signature(session, actor=w.staff, campaign_id=cid, now=now)
    service.respond(session, actor=w.staff_b, campaign_id=cid, kind="decline", reason="Không đồng ý",
                    now=now)
    rows = {r.unit_id: r for r in queries.completion(session, actor=w.officer, campaign_id=cid, now=now)}
    a1, a, root = rows[w.org.a1], rows[w.org.a], rows[w.org.root]
    assert (a1.total, a1.signed, a1.pending) == (2, 1, 1)
    assert a.total == a1.total + 2 and a.signed == 1  # head and chair sit in A
    assert root.total == 7 and root.signed == 1 and root.declined == 1  # + admin, officer, staff_b
    later = now + timedelta(days=40)
    rows = {r.unit_id: r for r in queries.completion(session, actor=w.officer, campaign_id=cid, now=later)}
    assert rows[w.org.root].overdue == 5


def test_unit_head_sees_only_their_units(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.root])
    ids = {r.unit_id for r in queries.completion(session, actor=w.head, campaign_id=cid, now=now)}
    assert ids == {w.org.a, w.org.a1}
    with pytest.raises(NotFound):
        queries.people(session, actor=w.head, campaign_id=cid, unit_id=w.org.b, now=now)
    with pytest.raises(NotAllowed):
        queries.completion(session, actor=w.staff, campaign_id=cid, now=now)


def test_filter_by_unit_group(session, now, w):
    cid = w.campaign(session, now=now, unit_ids=[w.org.root])
    gid = org_service.create_group(session, actor=w.org.admin, name="Phòng chuyên môn", description="", now=now)
    org_service.set_group_membership(session, actor=w.org.admin, group_id=gid, unit_id=w.org.b, member=True,
                                     now=now)
    rows = queries.completion(session, actor=w.officer, campaign_id=cid, group_id=gid, now=now)
    assert [r.unit_id for r in rows] == [w.org.b]


def test_exports_csv_and_xlsx(session, now, w):
    from openpyxl import load_workbook

    cid = w.campaign(session, now=now)
    f.signature(session, actor=w.staff, campaign_id=cid, now=now, client_ip="10.1.2.3")
    data, name = queries.export_completion(session, actor=w.officer, campaign_id=cid, fmt="csv", now=now)
    assert name.endswith(".csv") and "Tổ Nhân sự" in data.decode("utf-8-sig")
    data, name = queries.export_register(session, actor=w.head, campaign_id=cid, fmt="xlsx", now=now)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.cell(2, 6).value == STAFF_NAME and name.endswith(".xlsx")
    # Client addresses are for officers: the unit head's copy leaves them out.
    assert "10.1.2.3" not in [c.value for c in sheet[2]]
    officer_copy, _ = queries.export_register(session, actor=w.officer, campaign_id=cid, fmt="csv", now=now)
    assert "10.1.2.3" in officer_copy.decode("utf-8-sig")


def test_staff_sees_their_commitments_past_years_and_pledges(session, now, w):
    old = w.campaign(session, now=now, due_on=3)
    pledge = "Trả lời mọi hồ sơ trong ngày"
    f.signature(session, actor=w.staff, campaign_id=old, now=now, pledges=[pledge])
    current = f.commitment_campaign(session, actor=w.officer, now=now, unit_ids=[w.org.a], year=2027,
                                    name="Cam kết 2027", template_id=w.personal, due_on=20)
    mine = queries.my_commitments(session, actor=w.staff, now=now + timedelta(days=5))
    assert [(m.campaign_id, m.status) for m in mine] == [(current, "pending"), (old, "signed")]
    assert [m.pledges for m in mine] == [[], [pledge]]


def test_demo_seed_opens_this_years_campaign_with_paper_signatures(session, now):
    from engagement.commitments.demo import seed_demo as seed_commitments
    from engagement.org.demo import seed_demo as seed_org

    seed_org(session, now=now)
    signed = seed_commitments(session, now=now)
    c = session.exec(select(Campaign)).one()
    assert audience.status_of(c, now) == "open" and signed == 6
    assert queries.verify_chain(session).intact
    assert all(s.method == "paper" for s in session.exec(select(Signature)))


def test_late_signing_without_a_limit_runs_to_the_end_of_the_year(session, now, w):
    cid = w.campaign(session, now=now, due_on=5, allow_late=True)
    c = session.get(Campaign, cid)
    assert audience.status_of(c, now + timedelta(days=60)) == "open"
    assert audience.status_of(c, now + timedelta(days=400)) == "closed"


def test_paper_scan_is_readable_by_signer_officer_and_current_head_only(session, now, w):
    from engagement.core.files import StoredFile

    cid = w.campaign(session, now=now, unit_ids=[w.org.root])
    info = service.record_paper_signature(session, actor=w.officer, campaign_id=cid, person_id=w.staff.person_id,
                                          reason="Ký tại cuộc họp", scan=SCAN, scan_name="scan",
                                          signed_on=f.iso_day(now, 0), now=now)
    stored = session.get(StoredFile, session.get(Signature, info.id).scan_file_id)
    assert service.may_read_scan(session, w.staff, stored)
    assert service.may_read_scan(session, w.officer, stored)
    assert service.may_read_scan(session, w.head, stored)
    assert not service.may_read_scan(session, w.staff_b, stored)
    assert not service.may_read_scan(session, None, stored)
    row = next(r for r in queries.people(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a1, now=now).rows
               if r.person_id == w.staff.person_id)
    assert row.scan_url == f"/files/{stored.id}"
    # The signer moves to unit B: B's head (whose people list now shows the link) may open
    # it, A's head no longer may.
    from engagement.org import service as org_service
    from engagement.org.models import Person

    head_b = f.user(session, w.org.admin, now, unit_id=w.org.b, username="head.b", role="unit_head",
                    role_unit_id=w.org.b, name="Lê Trưởng B")
    person = session.get(Person, w.staff.person_id)
    org_service.update_person(session, actor=w.org.admin, person_id=person.id, full_name=person.full_name,
                              position=person.position, unit_id=w.org.b, now=now + timedelta(days=1))
    assert service.may_read_scan(session, head_b, stored)
    assert not service.may_read_scan(session, w.head, stored)
    assert service.may_read_scan(session, w.staff, stored) and service.may_read_scan(session, w.officer, stored)


# --- emulation points (issue 6's ledger) -------------------------------------------------------------


def test_signing_on_time_earns_points_once_and_late_earns_none(session, now, w):
    cid = w.campaign(session, now=now, due_on=5, allow_late=True)
    on_time = f.signature(session, actor=w.staff, campaign_id=cid, now=now)
    entries = f.point_entries(session, source_ref=f"signature:{on_time.id}")
    assert len(entries) == 1 and entries[0].person_id == w.staff.person_id and entries[0].points > 0
    assert entries[0].source == "commitment"
    late = f.signature(session, actor=w.head, campaign_id=cid, now=now + timedelta(days=8))
    assert not late.on_time and f.point_entries(session, source_ref=f"signature:{late.id}") == []


def test_refused_signature_earns_no_points(session, now, w):
    from engagement.scoring.models import PointEntry

    cid = w.campaign(session, now=now)
    refusal = f.signature(session, actor=w.staff, campaign_id=cid, now=now, password="not my password",
                          expect_refusal=True)
    assert isinstance(refusal, service.PasswordRefused)
    assert f.count(session, PointEntry) == 0


def test_countersigned_collective_earns_the_unit_points(session, now, w):
    cid = w.campaign(session, now=now)
    head_sig = f.collective_signature(session, actor=w.head, campaign_id=cid, unit_id=w.org.a, now=now)
    assert f.point_entries(session, source_ref=f"signature:{head_sig.id}") == []
    service.countersign(session, actor=w.chair, signature_id=head_sig.id, typed_name=w.chair.full_name,
                        password=f.PASSWORD, client_ip="", user_agent="", now=now)
    entries = f.point_entries(session, source_ref=f"signature:{head_sig.id}")
    assert len(entries) == 1 and entries[0].unit_id == w.org.a and entries[0].person_id is None


def test_a_unit_head_cannot_give_themselves_an_exception(session, now, w):
    cid = w.campaign(session, now=now, due_on=3)
    with pytest.raises(NotAllowed, match="yourself"):
        service.set_exception(session, actor=w.head, campaign_id=cid, person_id=w.head.person_id,
                              reason="Đi công tác dài ngày", due_on=f.iso_day(now, 20), now=now)
    with pytest.raises(NotAllowed, match="yourself"):
        service.set_exception(session, actor=w.head, campaign_id=cid, person_id=w.head.person_id,
                              reason="Đi công tác dài ngày", exempt=True, now=now)
    # An officer (organisation-wide) may record it for the head.
    service.set_exception(session, actor=w.officer, campaign_id=cid, person_id=w.head.person_id,
                          reason="Đi công tác dài ngày", due_on=f.iso_day(now, 20), now=now)
    later = now + timedelta(days=6)
    statuses = {r.name: r for r in queries.people(session, actor=w.officer, campaign_id=cid, unit_id=w.org.a,
                                                  now=later).rows}
    assert statuses[w.head.full_name].status == "pending"


# --- the password at signing goes through the login throttle -------------------------------------

WRONG = "not my password at all"


def _counts(engine):
    with unit_of_work(engine) as s:
        return {t.name: s.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def _refused_in_its_own_transaction(engine, fn, throttled=False, **kw):
    """Call a signing service as a state handler does: one unit of work, committed when it returns.

    The password refusal is returned, so the unit of work commits: what it commits must be the
    failed attempt (none when throttled: nothing is checked) and nothing else.
    """
    before = _counts(engine)
    with unit_of_work(engine) as s:
        refusal = fn(s, **kw)
    assert isinstance(refusal, service.PasswordRefused) and not refusal.ok
    assert refusal.throttled is throttled
    after = _counts(engine)
    assert after.pop("login_attempt") == before.pop("login_attempt") + (0 if throttled else 1)
    assert after == before
    return refusal


def _failed_attempts(engine, username):
    with unit_of_work(engine) as s:
        return f.count(s, LoginAttempt, LoginAttempt.success.is_(False), username=username)


def test_wrong_password_at_signing_counts_towards_the_login_throttle(session, engine, now, w):
    cid = w.campaign(session, now=now)
    session.commit()
    refusal = _refused_in_its_own_transaction(
        engine, f.signature, expect_refusal=True, actor=w.staff, campaign_id=cid, now=now,
        password=WRONG)
    assert "password is not right" in refusal.message and refusal.fields == {"password": "Wrong password"}
    assert _failed_attempts(engine, "staff.a1") == 1  # committed by the caller; no signature is
    for _ in range(2):
        with unit_of_work(engine) as s:
            assert not f.login(s, "staff.a1", WRONG, now=now, client_ip="10.0.0.1").ok
    # Two wrong logins and the wrong signing from that client make three: it must now wait.
    with unit_of_work(engine) as s:
        result = f.login(s, "staff.a1", now=now, client_ip="10.0.0.1")
    assert not result.ok and "Too many failed attempts" in result.message
    assert f.count(session, Signature) == 0


def test_after_three_wrong_passwords_signing_waits_even_with_the_right_one(session, engine, now, w):
    cid = w.campaign(session, now=now)
    session.commit()
    for _ in range(3):
        _refused_in_its_own_transaction(
            engine, f.signature, expect_refusal=True, actor=w.staff, campaign_id=cid, now=now,
            password=WRONG)
    refusal = _refused_in_its_own_transaction(
        engine, f.signature, expect_refusal=True, throttled=True, actor=w.staff, campaign_id=cid,
        now=now)
    assert "Too many failed attempts" in refusal.message and refusal.field == "password"
    assert _failed_attempts(engine, "staff.a1") == 3  # a throttled attempt is not checked or counted
    assert f.count(session, Signature) == 0
    # Once the (growing) delay has passed, the right password signs.
    assert f.signature(session, actor=w.staff, campaign_id=cid, now=now + timedelta(seconds=1)).code


def test_wrong_logins_also_refuse_signing(session, engine, now, w):
    cid = w.campaign(session, now=now)
    session.commit()
    for _ in range(3):  # from the client that then signs
        with unit_of_work(engine) as s:
            assert not f.login(s, "staff.a1", WRONG, now=now, client_ip="10.0.0.1").ok
    refusal = _refused_in_its_own_transaction(
        engine, f.signature, expect_refusal=True, throttled=True, actor=w.staff, campaign_id=cid,
        now=now)
    assert "Too many failed attempts" in refusal.message


def test_wrong_password_at_collective_signing_and_countersigning_is_counted(session, engine, now, w):
    cid = w.campaign(session, now=now)
    collective = {"actor": w.head, "campaign_id": cid, "unit_id": w.org.a, "client_ip": "10.1.2.4", "now": now}
    session.commit()
    _refused_in_its_own_transaction(engine, f.collective_signature, password=WRONG, expect_refusal=True,
                                    **collective)
    assert _failed_attempts(engine, "head.a") == 1
    head_sig = f.collective_signature(session, **collective)
    session.commit()
    _refused_in_its_own_transaction(engine, service.countersign, actor=w.chair, signature_id=head_sig.id,
                                    typed_name=w.chair.full_name, password=WRONG, client_ip="10.1.2.5",
                                    user_agent="", now=now)
    assert _failed_attempts(engine, "chair.a") == 1
