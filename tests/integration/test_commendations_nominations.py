"""Commendations, part 2 (issue 15): nominations, their review and the public notice, through the
real services, on SQLite and PostgreSQL.

Every test starts from ``w``: the small org (ROOT with A, A1 under A, and B), the national
catalogue, an emulation officer, the unit heads of A and B, and people of A, A1 and B made
eligible (or not) for LĐTT 2026 by the part-1 services. ``now`` is Monday 2 March 2026.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import select

from engagement.commendations import models, rules
from engagement.commendations import nominations as nom
from engagement.commendations import service as part1
from engagement.core.access import Actor, Role
from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound, Throttled
from engagement.core.files import StoredFile
from engagement.notify.models import OutboxMessage
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401

YEAR = 2026
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
REPORT = {"full_name": "Nguyễn Văn An", "birth_year": "1985", "post": "Chuyên viên", "duties": "Tiếp nhận hồ sơ",
          "achievements": "Hoàn thành xuất sắc nhiệm vụ, 100% hồ sơ đúng hạn.", "discipline": "Không",
          "proposal": "Đề nghị tặng danh hiệu Lao động tiên tiến năm 2026."}
#: Every table a nomination service writes, to show that a refusal wrote nothing.
TABLES = (models.Nomination, models.Nominee, models.NominationEvent, models.NominationVersion,
          models.NominationFile, models.Notice, models.NoticeItem, models.NoticeComment, StoredFile, AuditEntry,
          OutboxMessage)


@dataclass
class World:
    org: f.SmallOrg
    titles: dict[str, int]
    officer: Actor
    head_a: Actor  # unit head of A (so also of A1)
    head_b: Actor
    eligible: int  # a person of A, rated HTTNV and registered: eligible for LĐTT
    colleague: int  # a person of A1, eligible too
    outsider: int  # a person of B, eligible


@pytest.fixture
def w(session, now) -> World:
    org = f.small_org(session, now)
    titles = f.commendation_catalogue(session, now=now)
    world = World(
        org=org, titles=titles, officer=f.officer(session, org=org, now=now),
        head_a=f.user(session, org.admin, now, unit_id=org.a, username="head.a", name="Vũ Thanh Sơn",
                      role=Role.UNIT_HEAD, role_unit_id=org.a),
        head_b=f.user(session, org.admin, now, unit_id=org.b, username="head.b", name="Hồ Thị Lan",
                      role=Role.UNIT_HEAD, role_unit_id=org.b),
        eligible=0, colleague=0, outsider=0)
    world.eligible = candidate(session, world, now, name="Nguyễn Văn An")
    world.colleague = candidate(session, world, now, unit_id=org.a1, name="Lê Văn Hùng")
    world.outsider = candidate(session, world, now, unit_id=org.b, name="Phạm Thu Hà")
    return world


def candidate(session, w: World, now, *, unit_id: int | None = None, level: str | None = "HTTNV",
              register: bool = True, name: str = "Trần Văn Bình") -> int:
    """A person of ``unit_id`` (default A) rated ``level`` for 2026 and registered for LĐTT."""
    pid = f.person(session, w.org.admin, now, unit_id=unit_id or w.org.a, name=name)
    if level:
        f.rating(session, actor=w.officer, person_id=pid, level=level, now=now)
    if register:
        f.emulation_registration(session, actor=w.officer, person_id=pid, title_id=w.titles["LDTT"], now=now)
    return pid


def nomination(session, w: World, now, *, actor: Actor | None = None, code: str = "LDTT",
               unit_id: int | None = None, **kw) -> int:
    return nom.create_nomination(session, actor=actor or w.head_a, year=YEAR, title_id=w.titles[code],
                                 unit_id=unit_id or w.org.a, reference="12/TTr-PTC", summary="Năm 2026", now=now,
                                 **kw)


def ready(session, w: World, now, *, person_id: int | None = None, actor: Actor | None = None,
          code: str = "LDTT") -> tuple[int, int]:
    """A draft with one nominee and a complete report: (nomination id, nominee id)."""
    nid = nomination(session, w, now, actor=actor, code=code)
    nominee = nom.add_nominee(session, actor=actor or w.head_a, nomination_id=nid,
                              person_id=person_id or w.eligible, now=now)
    nom.set_report(session, actor=actor or w.head_a, nominee_id=nominee, fields=REPORT, now=now)
    return nid, nominee


def appraised(session, w: World, now, *, person_id: int | None = None) -> tuple[int, int]:
    """A nomination submitted, received and appraised eligible."""
    nid, nominee = ready(session, w, now, person_id=person_id)
    nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    nom.receive(session, actor=w.officer, nomination_id=nid, now=now)
    nom.appraise(session, actor=w.officer, nomination_id=nid, outcomes={nominee: ("eligible", "")}, now=now)
    return nid, nominee


def snapshot(session) -> dict[str, int]:
    session.expire_all()
    return f.counts(session, *TABLES)


def status_of(session, nid: int) -> str:
    session.expire_all()
    return session.get(models.Nomination, nid).status


# --- the whole flow -------------------------------------------------------------------------------


def test_the_whole_flow_from_a_draft_to_the_public_notice(session, now, w):
    nid = nomination(session, w, now)
    row = session.get(models.Nomination, nid)
    assert (row.status, row.version, row.unit_id) == ("draft", 0, w.org.a)

    nominee_id = nom.add_nominee(session, actor=w.head_a, nomination_id=nid, person_id=w.eligible, now=now)
    nominee = session.get(models.Nominee, nominee_id)
    assert nominee.eligibility == "eligible"
    ev = json.loads(nominee.evidence)
    assert ev["eligibility"] == {"status": "eligible", "reasons": [], "missed": 0, "initiative_ids": []}
    assert ev["rating"] == "HTTNV" and ev["year"] == YEAR and ev["title"] == "LDTT"
    assert {"commitment", "points", "rank", "rank_of", "recognitions", "citizen_avg", "citizen_count", "green",
            "initiatives", "prior_titles"} <= set(ev)
    assert ev["green"]["available"] is False  # no bulk per-person read in green yet
    # The report starts from what the app knows.
    assert json.loads(nominee.report)["full_name"] == "Nguyễn Văn An"

    report = nom.set_report(session, actor=w.head_a, nominee_id=nominee_id, fields=REPORT, now=now)
    assert report["achievements"] == REPORT["achievements"] and report["birth_year"] == "1985"
    nom.attach_file(session, actor=w.head_a, nomination_id=nid, data=PDF, name="to-trinh", label="Tờ trình",
                    now=now)
    nom.attach_file(session, actor=w.head_a, nomination_id=nid, nominee_id=nominee_id, data=f.png(),
                    name="anh", label="Minh chứng", now=now)

    assert nom.submit(session, actor=w.head_a, nomination_id=nid, now=now) == 1
    first = session.exec(select(models.NominationVersion).where(models.NominationVersion.nomination_id == nid)).one()
    assert first.content_sha256 == hashlib.sha256(first.content.encode()).hexdigest()
    content = json.loads(first.content)
    assert content["nominees"][0]["report"]["achievements"] == REPORT["achievements"]
    assert len(content["files"]) == 2

    due = nom.receive(session, actor=w.officer, nomination_id=nid, now=now)
    assert due == date(2026, 3, 30)  # 20 working days after Monday 2 March
    nom.return_for_completion(session, actor=w.officer, nomination_id=nid, reason="Bổ sung biên bản họp", now=now)
    assert status_of(session, nid) == "returned" and session.get(models.Nomination, nid).due_on is None
    returned = f.outbox(session, kind="nomination.returned", recipient_id=w.head_a.person_id)
    assert returned and returned[0].body == "Bổ sung biên bản họp"

    nom.set_report(session, actor=w.head_a, nominee_id=nominee_id, fields={"initiatives": "Số hóa hồ sơ"}, now=now)
    assert nom.submit(session, actor=w.head_a, nomination_id=nid, now=now) == 2
    versions = list(session.exec(select(models.NominationVersion).where(models.NominationVersion.nomination_id == nid)
                                 .order_by(models.NominationVersion.version)))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].content_sha256 != versions[1].content_sha256
    assert "initiatives" not in json.loads(versions[0].content)["nominees"][0]["report"]

    nom.receive(session, actor=w.officer, nomination_id=nid, now=now)
    nom.appraise(session, actor=w.officer, nomination_id=nid, outcomes={nominee_id: ("eligible", "Đủ điều kiện")},
                 now=now)
    assert status_of(session, nid) == "appraised"
    assert f.outbox(session, kind="nomination.appraised", recipient_id=w.head_a.person_id)

    notice = nom.publish_notice(session, actor=w.officer, nomination_ids=[nid], title="Công khai danh sách 2026",
                                now=now)
    assert status_of(session, nid) == "notice"
    assert (notice.opens_on, notice.closes_on, notice.nominees) == (date(2026, 3, 2), date(2026, 3, 16), 1)
    assert len(notice.token) >= 32
    page = nom.notice_page(session, token=notice.token, today=date(2026, 3, 2))
    assert page.is_open and [(n.name, n.unit_name) for n in page.nominees] == [("Nguyễn Văn An", "Phòng Tổ chức")]
    assert page.nominees[0].title.startswith("LĐTT") and page.nominees[0].summary == REPORT["achievements"]

    comment = nom.submit_comment(session, token=notice.token, nominee_id=nominee_id, name="Người dân",
                                 contact="0912 000 000", text="Anh An làm việc rất tận tình.", client_ip="203.0.113.7",
                                 now=now)
    general = nom.submit_comment(session, token=notice.token, text="Danh sách hợp lý.", client_ip="203.0.113.8",
                                 now=now)
    assert {c.id for c in nom.unanswered_comments(session, nomination_ids=[nid])} == {comment, general}
    stored = session.get(models.NoticeComment, comment)
    assert stored.client_key and "203.0.113.7" not in stored.client_key
    nom.answer_comment(session, actor=w.officer, comment_id=comment, answer="Cảm ơn ý kiến.", now=now)
    nom.answer_comment(session, actor=w.officer, comment_id=general, answer="Cảm ơn.", now=now)
    assert nom.unanswered_comments(session, nomination_ids=[nid]) == []

    dossier = nom.dossier(session, actor=w.head_a, nomination_id=nid)
    assert dossier.status == "notice" and dossier.version == 2 and len(dossier.versions) == 2
    assert [n.name for n in dossier.nominees] == ["Nguyễn Văn An"]
    assert dossier.nominees[0].appraisal == "eligible" and dossier.nominees[0].eligibility == "eligible"
    assert len(dossier.files) == 2 and len(dossier.comments) == 2
    assert dossier.comments[0].contact == ""  # contacts are for officers only
    assert nom.dossier(session, actor=w.officer, nomination_id=nid).comments[0].contact == "0912 000 000"
    moves = [(e.from_label, e.to_label) for e in dossier.events]
    assert len(moves) == 8 and moves[0] == ("", "Draft") and moves[-1][1] == "On public notice"
    assert dossier.events[3].reason == "Bổ sung biên bản họp"
    assert dossier.events[3].actor_name == "Phạm Thi Đua"
    actions = [a for a in session.exec(select(AuditEntry.action).where(
        AuditEntry.action.like("commendations.no%")))]
    for action in ("commendations.nomination.create", "commendations.nominee.add", "commendations.nominee.report",
                   "commendations.nomination.file", "commendations.nomination.submit",
                   "commendations.nomination.receive", "commendations.nomination.return",
                   "commendations.nomination.appraise", "commendations.notice.publish",
                   "commendations.notice.comment", "commendations.notice.answer"):
        assert action in actions


def test_a_collective_nominee_carries_the_units_evidence(session, now, w):
    f.commendation_catalogue(session, now=now)
    part1.rate_unit(session, actor=w.officer, unit_id=w.org.a1, year=YEAR, level="HTTNV", now=now)
    nid = nomination(session, w, now, code="TTLDTT")
    with pytest.raises(Invalid):
        nom.add_nominee(session, actor=w.head_a, nomination_id=nid, person_id=w.colleague, now=now)
    nominee_id = nom.add_nominee(session, actor=w.head_a, nomination_id=nid, unit_id=w.org.a1, now=now)
    nominee = session.get(models.Nominee, nominee_id)
    assert nominee.eligibility == "eligible"  # A1's only member is eligible for LĐTT
    ev = json.loads(nominee.evidence)
    assert ev["rating"] == "HTTNV" and ev["members"] == 1 and ev["green"] == {"available": True, "approved": 0}
    with pytest.raises(Invalid):
        nom.set_report(session, actor=w.head_a, nominee_id=nominee_id, fields={"full_name": "x"}, now=now)
    nom.set_report(session, actor=w.head_a, nominee_id=nominee_id,
                   fields={"name": "Tổ Nhân sự", "achievements": "Dẫn đầu khối."}, now=now)
    assert nom.submit(session, actor=w.head_a, nomination_id=nid, now=now) == 1


# --- proposing: who, whom ---------------------------------------------------------------------------


def test_a_held_nominee_is_refused_and_nothing_is_written(session, now, w):
    part1.place_hold(session, actor=w.officer, person_id=w.eligible, reason="press", starts_on=date(2026, 2, 1),
                     now=now)
    nid = nomination(session, w, now)
    before = snapshot(session)
    with pytest.raises(Conflict) as refused:
        nom.add_nominee(session, actor=w.head_a, nomination_id=nid, person_id=w.eligible, now=now)
    assert "on hold" in refused.value.message and "Nguyễn Văn An" in refused.value.message
    assert snapshot(session) == before


def test_a_hold_placed_after_adding_blocks_the_submission(session, now, w):
    nid, _nominee = ready(session, w, now)
    part1.place_hold(session, actor=w.officer, person_id=w.eligible, reason="inspection",
                     starts_on=date(2026, 3, 1), now=now)
    before = snapshot(session)
    with pytest.raises(Conflict) as refused:
        nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    assert "Nguyễn Văn An is on hold" in refused.value.message
    assert snapshot(session) == before and status_of(session, nid) == "draft"


def test_a_nominee_outside_my_units_is_refused_and_nothing_is_written(session, now, w):
    nid = nomination(session, w, now)
    before = snapshot(session)
    with pytest.raises(NotAllowed):
        nom.add_nominee(session, actor=w.head_a, nomination_id=nid, person_id=w.outsider, now=now)
    with pytest.raises(NotAllowed):  # B's head cannot touch A's nomination
        nom.add_nominee(session, actor=w.head_b, nomination_id=nid, person_id=w.outsider, now=now)
    assert snapshot(session) == before
    with pytest.raises(NotAllowed):
        nomination(session, w, now, unit_id=w.org.b)
    assert snapshot(session) == before


def test_a_nominee_outside_the_proposing_unit_is_refused(session, now, w):
    nid = nomination(session, w, now, actor=w.officer, unit_id=w.org.a1)
    before = snapshot(session)
    with pytest.raises(Invalid) as refused:
        nom.add_nominee(session, actor=w.officer, nomination_id=nid, person_id=w.eligible, now=now)
    assert "Tổ Nhân sự" in refused.value.message
    assert snapshot(session) == before
    assert nom.add_nominee(session, actor=w.officer, nomination_id=nid, person_id=w.colleague, now=now)


def test_staff_cannot_nominate(session, now, w):
    staff = f.user(session, w.org.admin, now, unit_id=w.org.a, username="nv.a", name="Nguyễn Thị Mai")
    with pytest.raises(NotAllowed):
        nomination(session, w, now, actor=staff)
    with pytest.raises(NotAllowed):
        nom.create_nomination(session, actor=None, year=YEAR, title_id=w.titles["LDTT"], unit_id=w.org.a, now=now)


def test_a_nominee_proposed_twice_for_the_same_title_and_year_is_refused(session, now, w):
    ready(session, w, now)
    other = nomination(session, w, now)
    before = snapshot(session)
    with pytest.raises(Conflict):
        nom.add_nominee(session, actor=w.head_a, nomination_id=other, person_id=w.eligible, now=now)
    assert snapshot(session) == before


@pytest.mark.parametrize("kw", [
    {"occasion": "campaign"},  # a campaign without its name
    {"occasion": "party"},
    {"year": 1999},
])
def test_a_nomination_with_bad_values_is_refused(session, now, w, kw):
    before = snapshot(session)
    args = {"actor": w.head_a, "year": YEAR, "title_id": w.titles["LDTT"], "unit_id": w.org.a, **kw}
    with pytest.raises(Invalid):
        nom.create_nomination(session, now=now, **args)
    assert snapshot(session) == before


def test_the_report_checks_its_fields_and_writes_nothing_when_wrong(session, now, w):
    _nid, nominee_id = ready(session, w, now)
    before = snapshot(session)
    report_before = session.get(models.Nominee, nominee_id).report
    for fields in ({"hobby": "x"}, {"achievements": "x" * 8001}, {"birth_year": "85"}, {"post": 12}):
        with pytest.raises(Invalid):
            nom.set_report(session, actor=w.head_a, nominee_id=nominee_id, fields=fields, now=now)
    assert snapshot(session) == before
    session.expire_all()
    assert session.get(models.Nominee, nominee_id).report == report_before


def test_an_incomplete_report_blocks_the_submission(session, now, w):
    nid = nomination(session, w, now)
    nom.add_nominee(session, actor=w.head_a, nomination_id=nid, person_id=w.eligible, now=now)
    before = snapshot(session)
    with pytest.raises(Conflict) as refused:
        nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    assert "achievement report of Nguyễn Văn An is incomplete" in refused.value.message
    assert snapshot(session) == before
    empty = nomination(session, w, now)
    with pytest.raises(Invalid):
        nom.submit(session, actor=w.head_a, nomination_id=empty, now=now)


def test_a_nominee_is_removed_only_while_the_dossier_is_editable(session, now, w):
    nid, nominee_id = ready(session, w, now)
    other = nom.add_nominee(session, actor=w.head_a, nomination_id=nid, person_id=w.colleague, now=now)
    nom.remove_nominee(session, actor=w.head_a, nominee_id=other, now=now)
    assert f.count(session, models.Nominee, nomination_id=nid) == 1
    nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    with pytest.raises(Conflict):
        nom.remove_nominee(session, actor=w.head_a, nominee_id=nominee_id, now=now)
    with pytest.raises(Conflict):
        nom.set_report(session, actor=w.head_a, nominee_id=nominee_id, fields={"post": "Trưởng phòng"}, now=now)


# --- attachments ------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"PK\x03\x04 a zip file", b"<html>not a scan</html>", b""])
def test_an_attachment_that_is_not_a_pdf_or_an_image_is_refused_and_nothing_is_written(session, now, w, data):
    nid, _nominee = ready(session, w, now)
    before = snapshot(session)
    with pytest.raises(Invalid):
        nom.attach_file(session, actor=w.head_a, nomination_id=nid, data=data, name="x.pdf", now=now)
    assert snapshot(session) == before


def test_attachments_are_seen_by_whoever_sees_the_dossier(session, now, w):
    nid, _nominee = ready(session, w, now)
    link = nom.attach_file(session, actor=w.head_a, nomination_id=nid, data=PDF, name="to-trinh", now=now)
    stored = session.get(StoredFile, session.get(models.NominationFile, link).file_id)
    assert stored.purpose == nom.NOMINATION_FILE and stored.content_type == "application/pdf"
    assert nom.may_see_nomination_file(session, w.head_a, stored)
    assert nom.may_see_nomination_file(session, w.officer, stored)
    assert not nom.may_see_nomination_file(session, w.head_b, stored)
    assert not nom.may_see_nomination_file(session, None, stored)


# --- eligibility overrides ------------------------------------------------------------------------


def test_an_ineligible_nominee_cannot_be_submitted_without_an_override(session, now, w):
    weak = candidate(session, w, now, level="HTNV", name="Đặng Văn Cường")
    nid, nominee_id = ready(session, w, now, person_id=weak)
    nominee = session.get(models.Nominee, nominee_id)
    assert nominee.eligibility == "missing" and json.loads(nominee.evidence)["eligibility"]["missed"] == 1
    before = snapshot(session)
    with pytest.raises(Conflict) as refused:
        nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    assert "Đặng Văn Cường misses 1 criteria without an officer's override" in refused.value.message
    assert snapshot(session) == before and status_of(session, nid) == "draft"
    with pytest.raises(NotAllowed):  # only officers override
        nom.override(session, actor=w.head_a, nominee_id=nominee_id, reason="Thành tích đột xuất", now=now)
    with pytest.raises(Invalid):
        nom.override(session, actor=w.officer, nominee_id=nominee_id, reason="  ", now=now)
    assert snapshot(session) == before

    nom.override(session, actor=w.officer, nominee_id=nominee_id, reason="Thành tích đột xuất được UBND ghi nhận",
                 now=now)
    assert nom.submit(session, actor=w.head_a, nomination_id=nid, now=now) == 1
    version = session.exec(select(models.NominationVersion).where(models.NominationVersion.nomination_id == nid)).one()
    assert json.loads(version.content)["nominees"][0]["override_reason"] == "Thành tích đột xuất được UBND ghi nhận"
    view = nom.dossier(session, actor=w.officer, nomination_id=nid).nominees[0]
    assert view.override_reason and view.missed == 1 and "HTTNV" in view.reasons[0]


def test_an_override_with_two_missed_criteria_is_refused_and_nothing_is_written(session, now, w):
    weak = candidate(session, w, now, level="HTNV", name="Đặng Văn Cường")
    _nid, nominee_id = ready(session, w, now, person_id=weak, code="CSTDCS")
    assert json.loads(session.get(models.Nominee, nominee_id).evidence)["eligibility"]["missed"] == 2
    before = snapshot(session)
    with pytest.raises(Conflict) as refused:
        nom.override(session, actor=w.officer, nominee_id=nominee_id, reason="Xin ngoại lệ", now=now)
    assert "misses 2 criteria" in refused.value.message
    assert snapshot(session) == before
    session.expire_all()
    assert session.get(models.Nominee, nominee_id).override_reason == ""


def test_an_excluded_nominee_is_never_overridden_nor_submitted(session, now, w):
    unregistered = candidate(session, w, now, register=False, name="Đặng Văn Cường")
    nid, nominee_id = ready(session, w, now, person_id=unregistered)
    assert session.get(models.Nominee, nominee_id).eligibility == "excluded"
    before = snapshot(session)
    with pytest.raises(Conflict):
        nom.override(session, actor=w.officer, nominee_id=nominee_id, reason="Xin ngoại lệ", now=now)
    with pytest.raises(Conflict) as refused:
        nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    assert "Đặng Văn Cường is excluded" in refused.value.message
    assert snapshot(session) == before


def test_an_eligible_nominee_needs_no_override(session, now, w):
    _nid, nominee_id = ready(session, w, now)
    with pytest.raises(Conflict):
        nom.override(session, actor=w.officer, nominee_id=nominee_id, reason="x", now=now)


# --- the officers' moves ----------------------------------------------------------------------------


def test_a_return_without_a_reason_is_refused_and_nothing_is_written(session, now, w):
    nid, _nominee = ready(session, w, now)
    nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    before = snapshot(session)
    with pytest.raises(Invalid):
        nom.return_for_completion(session, actor=w.officer, nomination_id=nid, reason="   ", now=now)
    with pytest.raises(NotAllowed):
        nom.return_for_completion(session, actor=w.head_a, nomination_id=nid, reason="x", now=now)
    assert snapshot(session) == before and status_of(session, nid) == "submitted"


def test_moves_outside_the_flow_are_refused(session, now, w):
    nid, nominee_id = ready(session, w, now)
    with pytest.raises(Invalid):
        nom.receive(session, actor=w.officer, nomination_id=nid, now=now)  # a draft is not received
    with pytest.raises(Invalid):
        nom.appraise(session, actor=w.officer, nomination_id=nid, outcomes={nominee_id: "eligible"}, now=now)
    with pytest.raises(Invalid):
        nom.publish_notice(session, actor=w.officer, nomination_ids=[nid], title="x", now=now)
    nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    with pytest.raises(Invalid):
        nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)  # twice
    assert status_of(session, nid) == "submitted"


def test_the_appraisal_covers_every_nominee_with_a_note_for_a_refusal(session, now, w):
    nid, nominee_id = ready(session, w, now)
    nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    nom.receive(session, actor=w.officer, nomination_id=nid, now=now)
    before = snapshot(session)
    for outcomes in ({}, {nominee_id: ("ineligible", "")}, {nominee_id: ("maybe", "")},
                     {nominee_id: "eligible", 999: "eligible"}):
        with pytest.raises(Invalid):
            nom.appraise(session, actor=w.officer, nomination_id=nid, outcomes=outcomes, now=now)
    assert snapshot(session) == before
    nom.appraise(session, actor=w.officer, nomination_id=nid,
                 outcomes={nominee_id: {"outcome": "ineligible", "note": "Thiếu minh chứng"}}, now=now)
    assert session.get(models.Nominee, nominee_id).appraisal_note == "Thiếu minh chứng"
    with pytest.raises(Invalid):  # nobody eligible to publish
        nom.publish_notice(session, actor=w.officer, nomination_ids=[nid], title="Công khai", now=now)
    with pytest.raises(Invalid):
        nom.close(session, actor=w.officer, nomination_id=nid, reason="", now=now)
    nom.close(session, actor=w.officer, nomination_id=nid, reason="Không đủ điều kiện", now=now)
    assert status_of(session, nid) == "closed"


def test_the_appraisal_deadline_skips_weekends_and_public_holidays(session, now, w):
    nid, _nominee = ready(session, w, now)
    nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    # Friday 13 February 2026; Tết Bính Ngọ takes Monday 16 to Friday 20 February.
    due = nom.receive(session, actor=w.officer, nomination_id=nid, now=f.at(2, 13))
    assert due == date(2026, 3, 20)
    assert rules.add_working_days(date(2026, 2, 13), 20) == date(2026, 3, 13)  # what it would be without Tết
    assert session.get(models.Nomination, nid).due_on == date(2026, 3, 20)


def test_due_soon_lists_received_nominations_near_or_past_their_deadline(session, now, w):
    nid, _nominee = ready(session, w, now)
    nom.submit(session, actor=w.head_a, nomination_id=nid, now=now)
    nom.receive(session, actor=w.officer, nomination_id=nid, now=now)  # due Monday 30 March
    assert nom.due_soon(session, today=date(2026, 3, 24)) == []
    soon = nom.due_soon(session, today=date(2026, 3, 25))  # 3 working days before
    assert [(r.nomination_id, r.overdue) for r in soon] == [(nid, False)]
    assert [(r.nomination_id, r.overdue) for r in nom.due_soon(session, today=date(2026, 4, 2))] == [(nid, True)]
    nom.return_for_completion(session, actor=w.officer, nomination_id=nid, reason="Bổ sung", now=now)
    assert nom.due_soon(session, today=date(2026, 4, 2)) == []


# --- the public notice ------------------------------------------------------------------------------


def test_a_comment_after_the_notice_closes_is_refused_and_nothing_is_written(session, now, w):
    nid, nominee_id = appraised(session, w, now)
    notice = nom.publish_notice(session, actor=w.officer, nomination_ids=[nid], title="Công khai", days=10, now=now)
    assert nom.submit_comment(session, token=notice.token, text="Đồng ý", client_ip="198.51.100.1",
                              now=f.at(3, 16, 20))  # the last day, in the evening
    assert not nom.notice_page(session, token=notice.token, today=date(2026, 3, 17)).is_open
    before = snapshot(session)
    with pytest.raises(Conflict) as refused:
        nom.submit_comment(session, token=notice.token, nominee_id=nominee_id, text="Muộn", client_ip="198.51.100.1",
                           now=f.at(3, 17))
    assert "16/03/2026" in refused.value.message
    assert snapshot(session) == before


def test_comments_are_rate_limited_per_network_and_the_extra_one_writes_nothing(session, now, w):
    nid, _nominee = appraised(session, w, now)
    notice = nom.publish_notice(session, actor=w.officer, nomination_ids=[nid], title="Công khai", now=now)
    for i in range(nom.COMMENTS_PER_CLIENT_PER_DAY):
        nom.submit_comment(session, token=notice.token, text=f"Ý kiến {i}", client_ip="192.0.2.10", now=now)
    before = snapshot(session)
    with pytest.raises(Throttled):
        nom.submit_comment(session, token=notice.token, text="Thêm", client_ip="192.0.2.10",
                           now=now + timedelta(hours=1))
    assert snapshot(session) == before
    # Another network, or the same one a day later, may comment.
    nom.submit_comment(session, token=notice.token, text="Khác", client_ip="192.0.2.11", now=now)
    nom.submit_comment(session, token=notice.token, text="Hôm sau", client_ip="192.0.2.10",
                       now=now + timedelta(days=1, minutes=1))


def test_bad_comments_and_unknown_notices_are_refused(session, now, w):
    nid, _nominee = appraised(session, w, now)
    notice = nom.publish_notice(session, actor=w.officer, nomination_ids=[nid], title="Công khai", now=now)
    before = snapshot(session)
    with pytest.raises(Invalid):
        nom.submit_comment(session, token=notice.token, text="   ", client_ip="192.0.2.1", now=now)
    with pytest.raises(Invalid):
        nom.submit_comment(session, token=notice.token, text="x" * 4001, client_ip="192.0.2.1", now=now)
    with pytest.raises(NotFound):
        nom.submit_comment(session, token=notice.token, nominee_id=987654, text="x", client_ip="192.0.2.1", now=now)
    with pytest.raises(NotFound):
        nom.submit_comment(session, token=f.token(), text="x", client_ip="192.0.2.1", now=now)
    with pytest.raises(NotFound):
        nom.notice_page(session, token="", today=date(2026, 3, 2))
    assert snapshot(session) == before


def test_only_officers_publish_and_answer(session, now, w):
    nid, _nominee = appraised(session, w, now)
    with pytest.raises(NotAllowed):
        nom.publish_notice(session, actor=w.head_a, nomination_ids=[nid], title="Công khai", now=now)
    with pytest.raises(Invalid):
        nom.publish_notice(session, actor=w.officer, nomination_ids=[nid], title="Công khai", days=0, now=now)
    notice = nom.publish_notice(session, actor=w.officer, nomination_ids=[nid], title="Công khai", now=now)
    comment = nom.submit_comment(session, token=notice.token, text="Ý kiến", client_ip="192.0.2.1", now=now)
    with pytest.raises(NotAllowed):
        nom.answer_comment(session, actor=w.head_a, comment_id=comment, answer="x", now=now)
    with pytest.raises(Invalid):
        nom.answer_comment(session, actor=w.officer, comment_id=comment, answer="", now=now)
    nom.answer_comment(session, actor=w.officer, comment_id=comment, answer="Đã xác minh.", now=now)
    with pytest.raises(Conflict):
        nom.answer_comment(session, actor=w.officer, comment_id=comment, answer="Lần hai", now=now)


# --- reads -------------------------------------------------------------------------------------------


def test_nominations_are_listed_for_their_units_heads_and_all_officers(session, now, w):
    mine, _n = ready(session, w, now)
    officers = nomination(session, w, now, actor=w.officer, unit_id=w.org.b)
    nom.submit(session, actor=w.head_a, nomination_id=mine, now=now)
    by_head = nom.nominations(session, actor=w.head_a, now=now)
    assert [r.id for r in by_head.rows] == [mine] and by_head.rows[0].nominees == 1
    assert by_head.rows[0].status == "submitted"
    # B's head sees the officer's nomination for B, never A's.
    assert [r.id for r in nom.nominations(session, actor=w.head_b, now=now).rows] == [officers]
    assert {r.id for r in nom.nominations(session, actor=w.officer, now=now).rows} == {mine, officers}
    assert [r.id for r in nom.nominations(session, actor=w.officer, status="draft", now=now).rows] == [officers]
    assert [r.id for r in nom.nominations(session, actor=w.officer, mine=True, now=now).rows] == [officers]
    paged = nom.nominations(session, actor=w.officer, page=2, page_size=1, now=now)
    assert (paged.total, paged.pages, paged.page, len(paged.rows)) == (2, 2, 2, 1)
    staff = f.user(session, w.org.admin, now, unit_id=w.org.a, username="nv.a", name="Nguyễn Thị Mai")
    with pytest.raises(NotAllowed):
        nom.nominations(session, actor=staff, now=now)


def test_a_dossier_is_seen_by_council_members_only_while_on_their_sessions_agenda(session, now, w):
    nid, nominee_id = appraised(session, w, now)
    member = f.user(session, w.org.admin, now, unit_id=w.org.b, username="hd.1", name="Trương Văn Hội",
                    role=Role.COUNCIL_MEMBER)
    other_member = f.user(session, w.org.admin, now, unit_id=w.org.b, username="hd.2", name="Lý Thị Đồng",
                          role=Role.COUNCIL_MEMBER)
    with pytest.raises(NotFound):
        nom.dossier(session, actor=member, nomination_id=nid)
    with pytest.raises(NotFound):
        nom.dossier(session, actor=w.head_b, nomination_id=nid)
    council = models.CouncilSession(title="Phiên họp 2026", scheduled_at=now + timedelta(days=20), created_at=now)
    session.add(council)
    session.flush()
    session.add(models.SessionMember(session_id=council.id, person_id=member.person_id))
    session.add(models.AgendaItem(session_id=council.id, nominee_id=nominee_id))
    session.flush()
    assert nom.dossier(session, actor=member, nomination_id=nid).nominees[0].id == nominee_id
    with pytest.raises(NotFound):
        nom.dossier(session, actor=other_member, nomination_id=nid)
    council.status = "closed"
    session.add(council)
    session.flush()
    with pytest.raises(NotFound):
        nom.dossier(session, actor=member, nomination_id=nid)
