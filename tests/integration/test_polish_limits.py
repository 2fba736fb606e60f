"""Issue 16, item 10 across recognition, green, scoring, commendations, supervision and good
models: a text longer than its limit is refused with the field and the limit named, and nothing
is written (never cut and saved)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from engagement.commendations import models as commendation_models
from engagement.commendations import service as commendations
from engagement.core.audit import AuditEntry
from engagement.core.errors import Invalid
from engagement.good_models import models as good_models
from engagement.good_models import service as good_model_service
from engagement.good_models.rules import ResultInput
from engagement.green import models as green_models
from engagement.green import service as green
from engagement.recognition import models as recognition_models
from engagement.recognition import service as recognition
from engagement.scoring import service as scoring
from engagement.scoring.models import PointEntry, ScoringCriteria
from engagement.supervision import models as supervision_models
from engagement.supervision import rules as supervision_rules
from engagement.supervision import service as supervision
from engagement.supervision.service import FindingInput
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401


def refused(call, *, what: str, limit: int, typed: int, field: str | None = None) -> Invalid:
    """``call()`` raises Invalid naming ``what``, its limit and how much was typed."""
    with pytest.raises(Invalid) as caught:
        call()
    message = caught.value.message
    assert f"{what} is too long: at most {limit} characters, you typed {typed}" in message, message
    if field is not None:
        assert caught.value.fields.get(field) == f"At most {limit} characters", caught.value.fields
    return caught.value


@pytest.fixture
def w(session, now):
    org = f.staff_org(session, now=now)
    return org, f.officer(session, org=org, now=now)


# --- recognition -------------------------------------------------------------------------------


def test_an_over_long_value_name_or_description_is_refused_and_not_added(session, now, w):
    _org, officer = w
    before = f.counts(session, recognition_models.RecognitionValue, AuditEntry)
    refused(lambda: recognition.add_value(session, actor=officer, name="Sáng tạo " + "x" * 120, description="",
                                          now=now), what="value name", limit=120, typed=129, field="name")
    refused(lambda: recognition.add_value(session, actor=officer, name="Sáng tạo", description="d" * 501, now=now),
            what="value description", limit=500, typed=501, field="description")
    assert f.counts(session, recognition_models.RecognitionValue, AuditEntry) == before
    recognition.add_value(session, actor=officer, name="Sáng tạo", description="d" * 500, now=now)
    assert session.exec(select(recognition_models.RecognitionValue.description).where(
        recognition_models.RecognitionValue.name == "Sáng tạo")).one() == "d" * 500


def test_an_over_long_dossier_number_or_revoke_reason_is_refused(session, now):
    org = f.recognition_org(session, now=now)
    officer = f.officer(session, org=org, now=now)
    refused(lambda: f.recognition(session, actor=org.giver, now=now, to=[org.taker.person_id], work_ref="H" * 61),
            what="dossier or case number", limit=60, typed=61, field="work_ref")
    assert f.count(session, recognition_models.Recognition) == 0
    given = f.recognition(session, actor=org.giver, now=now, to=[org.taker.person_id], work_ref="HS-2026-1")
    points = f.count(session, PointEntry)
    refused(lambda: recognition.revoke(session, actor=officer, recognition_id=given.id,
                                       reason="r" * 501, now=now), what="reason", limit=500, typed=501)
    assert session.get(recognition_models.Recognition, given.id).revoked_at is None
    assert f.count(session, PointEntry) == points


# --- green -------------------------------------------------------------------------------------


def test_an_over_long_campaign_name_or_description_is_refused_on_create_and_edit(session, now, w):
    _org, officer = w
    refused(lambda: f.green_campaign(session, actor=officer, now=now, name="C" * 201), what="campaign name",
            limit=200, typed=201, field="name")
    refused(lambda: f.green_campaign(session, actor=officer, now=now, description="d" * 2001),
            what="campaign description", limit=2000, typed=2001, field="description")
    assert f.counts(session, green_models.Campaign, green_models.Action) == {"Campaign": 0, "Action": 0}
    campaign = f.green_campaign(session, actor=officer, now=now, description="Mô tả")
    refused(lambda: green.update_campaign(session, actor=officer, campaign_id=campaign, name="Công sở xanh",
                                          description="d" * 2001, ends_on=date(2026, 6, 30), backdate_days=7,
                                          now=now), what="campaign description", limit=2000, typed=2001)
    row = session.get(green_models.Campaign, campaign)
    assert (row.name, row.description) == ("Công sở xanh 2026", "Mô tả")


def test_an_over_long_duty_or_assessment_note_is_refused(session, now, w):
    org, officer = w
    refused(lambda: f.green_roster(session, actor=officer, branch_id=org.union_branch, now=now, title="T" * 201),
            what="duty", limit=200, typed=201, field="title")
    assert f.count(session, green_models.Roster) == 0
    answers = {key: 2 for key, _q in green.rules.CHECKLIST}
    refused(lambda: green.submit_assessment(session, actor=org.head_a, unit_id=org.a, answers=answers,
                                            note="n" * 1001, now=now), what="note", limit=1000, typed=1001)
    assert f.count(session, green_models.SelfAssessment) == 0


# --- scoring -----------------------------------------------------------------------------------


def test_an_over_long_adjustment_reason_or_criteria_note_is_refused(session, now, w):
    org, officer = w
    before = f.counts(session, PointEntry, ScoringCriteria, AuditEntry)
    with pytest.raises(Invalid) as caught:
        scoring.adjust(session, actor=officer, person_id=org.member.person_id, points="5", reason="r" * 501, now=now)
    assert "reason is too long: at most 500 characters, you typed 501" in caught.value.message
    assert "at most 500" in caught.value.fields["reason"]
    refused(lambda: scoring.set_criteria(session, actor=officer, year=2026, effective_from="2026-04", criteria={},
                                         note="n" * 501, now=now), what="note", limit=500, typed=501, field="note")
    assert f.counts(session, PointEntry, ScoringCriteria, AuditEntry) == before


def test_a_reversal_with_an_over_long_reason_reverses_nothing(session, now, w):
    org, _officer = w
    f.points(session, person_id=org.member.person_id, now=now)
    entry = session.exec(select(PointEntry)).one()
    refused(lambda: scoring.reverse_points(session, source=entry.source, source_ref=entry.source_ref,
                                           reason="r" * 501, now=now, actor=None), what="reason", limit=500,
            typed=501)
    assert f.count(session, PointEntry) == 1


# --- commendations -----------------------------------------------------------------------------


def _title(session, officer, now, **kw):
    args = {"code": "GK_CD", "abbreviation": "GK CĐ", "name": "Giấy khen của Công đoàn", "subject": "individual",
            "kind": "form", "decider": "org_head", "coefficient_pct": 20,
            "criteria": [{"kind": "min_rating", "level": "HTTNV"}], "basis_document": "Quy chế TĐKT 2026",
            "valid_from": date(2026, 1, 1), **kw}
    return commendations.add_title(session, actor=officer, now=now, **args)


def test_an_over_long_title_name_basis_or_note_is_refused_and_adds_no_title(session, now, w):
    _org, officer = w
    f.commendation_catalogue(session, now=now)
    before = f.counts(session, commendation_models.Title, commendation_models.TitleRule)
    refused(lambda: _title(session, officer, now, name="N" * 201), what="title's name", limit=200, typed=201,
            field="name")
    refused(lambda: _title(session, officer, now, basis_document="B" * 201), what="basis document", limit=200,
            typed=201, field="basis_document")
    refused(lambda: _title(session, officer, now, note="n" * 1001), what="note", limit=1000, typed=1001, field="note")
    assert f.counts(session, commendation_models.Title, commendation_models.TitleRule) == before


def test_an_over_long_rating_reason_is_refused_in_the_form_and_in_a_file(session, now, w):
    org, officer = w
    f.commendation_catalogue(session, now=now)
    refused(lambda: f.rating(session, actor=officer, person_id=org.member.person_id, now=now, level="NONE",
                             reason="r" * 301), what="reason", limit=300, typed=301, field="reason")
    assert f.count(session, commendation_models.Rating) == 0
    code = session.get(f.Person, org.member.person_id).employee_code
    data, name = f.table_file([["employee_code", "level", "reason"], [code, "NONE", "r" * 301]])
    report = commendations.import_ratings(session, actor=officer, data=data, filename=name, year=2026, now=now)
    assert report.written == 0 and [(line, column) for line, column, _m in report.errors] == [(2, "reason")]
    assert "at most 300 characters" in report.errors[0][2]
    assert f.count(session, commendation_models.Rating) == 0


def test_over_long_record_texts_are_refused(session, now, w):
    org, officer = w
    f.commendation_catalogue(session, now=now)
    person = org.member.person_id
    refused(lambda: commendations.record_discipline(
        session, actor=officer, person_id=person, form="reprimand", starts_on=date(2026, 1, 10),
        ends_on=date(2026, 7, 9), decision_ref="QĐ 3/QĐ-KL", note="n" * 1001, now=now), what="note", limit=1000,
        typed=1001)
    refused(lambda: commendations.record_discipline(
        session, actor=officer, person_id=person, form="reprimand", starts_on=date(2026, 1, 10),
        ends_on=date(2026, 7, 9), decision_ref="Q" * 121, now=now), what="decision number", limit=120, typed=121)
    refused(lambda: commendations.record_covenant(
        session, actor=officer, unit_id=org.a, year=2026, title="Giao ước", signed_on=date(2026, 2, 1),
        content="c" * 4001, signatory_unit_ids=[org.b], now=now), what="covenant's content", limit=4000, typed=4001)
    assert f.count(session, commendation_models.Discipline) == f.count(session, commendation_models.Covenant) == 0


def test_an_over_long_award_revocation_reason_is_refused(session, now, w):
    org, officer = w
    titles = f.commendation_catalogue(session, now=now)
    award = f.commendation_award(session, actor=officer, title_id=titles["LDTT"], year=2025, now=now,
                                 person_id=org.member.person_id)
    refused(lambda: commendations.revoke_award(session, actor=officer, award_id=award, reason="r" * 501, now=now),
            what="reason", limit=500, typed=501, field="reason")
    assert session.get(commendation_models.Award, award).revoked_at is None


# --- supervision -------------------------------------------------------------------------------


def test_over_long_supervision_texts_are_refused_naming_the_field(session, now, w):
    org, officer = w
    supervision.ensure_default_checklist(session, actor=officer, now=now)
    refused(lambda: supervision.publish_checklist(session, actor=officer, title="T" * 201, person_items=["Đeo thẻ"],
                                                  unit_items=[], now=now),
            what="checklist's title", limit=200, typed=201, field="title")
    refused(lambda: supervision.create_plan(
        session, actor=officer, name="K" * 201, period="2026-03", visits=2, unit_ids=[org.a, org.b],
        team_ids=[officer.person_id, org.verifier.person_id], now=now), what="plan's name", limit=200, typed=201)
    assert f.count(session, supervision_models.Plan) == 0


def test_an_over_long_finding_note_names_its_item_and_records_nothing(session, now, w):
    org, officer = w
    supervision.ensure_default_checklist(session, actor=officer, now=now)
    visit = supervision.schedule_visit(session, actor=officer, unit_id=org.b, on=date(2026, 3, 2),
                                       inspector_ids=[org.verifier.person_id], now=now)
    items = supervision_rules.DEFAULT_ITEMS
    clerk = org.clerk.person_id
    long_note = "n" * 1001

    def findings(note_of):
        out = [FindingInput(item_key=i.key, result="fail" if i.key == items[-1].key else "pass",
                            note=note_of(i)) for i in items if i.scope == supervision_rules.UNIT]
        out += [FindingInput(item_key=i.key, person_id=clerk, result="pass") for i in items
                if i.scope == supervision_rules.PERSON]
        return out

    unit_item = next(i for i in reversed(items) if i.scope == supervision_rules.UNIT)
    with pytest.raises(Invalid) as caught:
        supervision.record_visit(session, actor=org.verifier, visit_id=visit, present=[clerk],
                                 findings=findings(lambda i: long_note if i.key == unit_item.key else ""), now=now)
    assert f"note on “{unit_item.text}” is too long: at most 1000 characters" in caught.value.message
    refused(lambda: supervision.record_visit(session, actor=org.verifier, visit_id=visit, present=[clerk],
                                             findings=findings(lambda i: "Hồ sơ để trên sàn"), note="v" * 2001,
                                             now=now), what="visit's note", limit=2000, typed=2001)
    assert f.counts(session, supervision_models.Finding, supervision_models.Presence) == {"Finding": 0, "Presence": 0}
    assert session.get(supervision_models.Visit, visit).status == supervision_rules.SCHEDULED


# --- good models -------------------------------------------------------------------------------


def test_over_long_good_model_texts_are_refused_and_write_nothing(session, now, w):
    org, officer = w

    def propose(**kw):
        args = {"title": "Một cửa thân thiện", "summary": "Tiếp nhận hồ sơ tại một quầy", "field": "admin_reform",
                "year": 2026, "results": [], **kw}
        return good_model_service.propose_model(session, actor=org.head_a, unit_id=org.a, now=now, **args)

    refused(lambda: propose(summary="s" * 8001), what="description of the change", limit=8000, typed=8001,
            field="summary")
    refused(lambda: propose(evidence="e" * 8001), what="evidence", limit=8000, typed=8001, field="evidence")
    refused(lambda: propose(results=[ResultInput("i" * 201, 1, 2, "ngày")]), what="indicator of result 1",
            limit=200, typed=201, field="r1_indicator")
    assert f.count(session, good_models.GoodModel) == f.count(session, good_models.GoodModelResult) == 0
    model = propose()
    refused(lambda: good_model_service.return_model(session, actor=officer, model_id=model, reason="r" * 1001,
                                                    now=now), what="reason", limit=1000, typed=1001)
    refused(lambda: good_model_service.recognise_model(session, actor=officer, model_id=model,
                                                       decision_ref="Q" * 121, decided_on=date(2026, 3, 1), now=now),
            what="decision number", limit=120, typed=121)
    assert session.get(good_models.GoodModel, model).status == "proposed"
