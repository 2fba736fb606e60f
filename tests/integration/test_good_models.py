"""The register of good models: propose, return and send again, recognise, publish, search,
adopt, report, remind; every refusal writes nothing; files go through the authorised route."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from engagement.core.audit import AuditEntry
from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound
from engagement.core.files import StoredFile
from engagement.good_models import models, queries, rules, service
from engagement.good_models.rules import ResultInput
from engagement.notify.models import Notification
from tests import factories as f

TODAY = date(2026, 3, 2)
RESULTS = [ResultInput("Thời gian giải quyết hồ sơ", 10, 6, "ngày"), ResultInput("", None, None, "")]


@pytest.fixture
def w(session, now):
    org = f.staff_org(session, now=now)
    officer = f.officer(session, org=org, now=now)
    return org, officer


def _propose(session, actor, unit_id, now, title="Một cửa thân thiện", **kw):
    kw.setdefault("summary", "Tiếp nhận hồ sơ tại một quầy, trả kết quả đúng hẹn")
    kw.setdefault("field", "admin_reform")
    kw.setdefault("year", 2026)
    kw.setdefault("results", RESULTS)
    return service.propose_model(session, actor=actor, unit_id=unit_id, title=title, now=now, **kw)


def _published(session, w, now, **kw) -> int:
    org, officer = w
    model_id = _propose(session, org.head_a, org.a, now, **kw)
    service.recognise_model(session, actor=officer, model_id=model_id, decision_ref="15/QĐ-UBND",
                            decided_on=TODAY, publish=True, now=now)
    return model_id


def _writes(session) -> dict[str, int]:
    session.flush()
    return f.counts(session, models.GoodModel, models.GoodModelAdoption, models.GoodModelResult,
                    models.GoodModelFile, StoredFile, AuditEntry)


def test_a_unit_head_proposes_with_results_and_a_photo_and_it_is_audited(session, now, w):
    org, _officer = w
    model_id = _propose(session, org.head_a, org.a, now, uploads=[(f.png(exif=True), "quay.png")])
    model = session.get(models.GoodModel, model_id)
    assert (model.status, model.unit_id, model.title_key) == ("proposed", org.a, "mot cua than thien")
    results = session.exec(select(models.GoodModelResult).where(models.GoodModelResult.model_id == model_id)).all()
    assert [(r.indicator, r.value_before, r.value_after, r.measure) for r in results] == [
        ("Thời gian giải quyết hồ sơ", 10, 6, "ngày")]
    stored = session.exec(select(StoredFile).join(models.GoodModelFile,
                                                   models.GoodModelFile.file_id == StoredFile.id)).one()
    assert stored.content_type == "image/jpeg" and b"SecretCam" not in stored.data
    assert f.count(session, AuditEntry, action="good_model.propose") == 1


def test_refusals_write_nothing(session, now, w):
    org, _officer = w
    _propose(session, org.head_a, org.a, now)
    before = _writes(session)
    with pytest.raises(Conflict):  # the same title in the same year, accents and case aside
        _propose(session, org.head_a, org.a, now, title="MỘT CỬA  thân THIỆN")
    with pytest.raises(Invalid, match="neither a photo nor a PDF"):
        _propose(session, org.head_a, org.a, now, title="Khác", uploads=[(b"MZ\x90\x00 not an image", "virus.exe")])
    with pytest.raises(NotAllowed):  # the head of A proposes for B
        _propose(session, org.head_a, org.b, now, title="Khác nữa")
    with pytest.raises(NotAllowed):  # a staff member is no unit head
        _propose(session, org.member, org.a, now, title="Khác nữa")
    with pytest.raises(Invalid, match="before and after"):
        _propose(session, org.head_a, org.a, now, title="Thiếu số", results=[ResultInput("Số hồ sơ", 3, None)])
    assert _writes(session) == before


def test_same_title_another_year_is_fine(session, now, w):
    org, _officer = w
    _propose(session, org.head_a, org.a, now)
    assert _propose(session, org.head_a, org.a, now, year=2025)


def test_return_then_send_again_then_recognise_with_initiative_and_publish(session, now, w):
    org, officer = w
    model_id = _propose(session, org.head_a, org.a, now)
    with pytest.raises(Invalid):
        service.return_model(session, actor=officer, model_id=model_id, reason="  ", now=now)
    with pytest.raises(NotAllowed):
        service.return_model(session, actor=org.head_a, model_id=model_id, reason="x", now=now)
    service.return_model(session, actor=officer, model_id=model_id, reason="Thiếu số liệu đo lường", now=now)
    assert session.get(models.GoodModel, model_id).status == "returned"
    notices = session.exec(select(Notification).where(Notification.recipient_id == org.head_a.person_id)).all()
    assert any("Một cửa thân thiện" in n.title for n in notices)
    with pytest.raises(Conflict):  # returned: it cannot be recognised until sent again
        service.recognise_model(session, actor=officer, model_id=model_id, decision_ref="1", decided_on=TODAY,
                                now=now)
    service.resubmit_model(session, actor=org.head_a, model_id=model_id, title="Một cửa thân thiện",
                           summary="Bổ sung số liệu", field="admin_reform",
                           results=[ResultInput("Hồ sơ trễ hẹn", 12, 2, "hồ sơ")], now=now)
    assert session.get(models.GoodModel, model_id).status == "proposed"
    initiative_id = f.initiative(session, actor=officer, unit_id=org.a, author_ids=[org.head_a.person_id], now=now)
    with pytest.raises(Invalid, match="future"):
        service.recognise_model(session, actor=officer, model_id=model_id, decision_ref="15/QĐ-UBND",
                                decided_on=TODAY + timedelta(days=3), now=now)
    with pytest.raises(NotFound):
        service.recognise_model(session, actor=officer, model_id=model_id, decision_ref="15/QĐ-UBND",
                                decided_on=TODAY, initiative_id=999_999, now=now)
    service.recognise_model(session, actor=officer, model_id=model_id, decision_ref="15/QĐ-UBND", decided_on=TODAY,
                            initiative_id=initiative_id, now=now)
    # Recognised, not yet in the register: a colleague cannot see it, the head of A can.
    assert queries.register(session, actor=org.clerk).total == 0
    with pytest.raises(NotFound):
        queries.model_detail(session, actor=org.clerk, model_id=model_id, today=TODAY)
    detail = queries.model_detail(session, actor=org.head_a, model_id=model_id, today=TODAY)
    assert "15/QĐ-UBND" in detail.row.decision and detail.initiative
    assert [r.indicator for r in detail.results] == ["Thời gian giải quyết hồ sơ", "Hồ sơ trễ hẹn"]
    service.publish_model(session, actor=officer, model_id=model_id, now=now)
    with pytest.raises(Conflict):
        service.publish_model(session, actor=officer, model_id=model_id, now=now)
    assert queries.register(session, actor=org.clerk).total == 1
    actions = list(session.exec(select(AuditEntry.action).where(AuditEntry.entity == "good_model")
                                .order_by(AuditEntry.id)))
    assert actions == ["good_model.propose", "good_model.return", "good_model.resubmit", "good_model.recognise",
                       "good_model.publish"]


def test_register_search_ignores_accents_and_filters(session, now, w):
    org, officer = w
    _published(session, w, now)
    other = _propose(session, org.head_b, org.b, now, title="Văn phòng không giấy", field="digital", year=2025)
    service.recognise_model(session, actor=officer, model_id=other, decision_ref="2/QĐ", decided_on=TODAY,
                            publish=True, now=now)
    _propose(session, org.head_b, org.b, now, title="Chưa công bố")  # proposed only: never listed
    assert queries.register(session, actor=org.member).total == 2
    assert [r.title for r in queries.register(session, actor=org.member, text="THAN THIEN").rows] == [
        "Một cửa thân thiện"]
    assert [r.title for r in queries.register(session, actor=org.member, text="giấy").rows] == ["Văn phòng không giấy"]
    assert queries.register(session, actor=org.member, text="cong bo").total == 0
    assert [r.year for r in queries.register(session, actor=org.member, year=2025).rows] == [2025]
    assert [r.field for r in queries.register(session, actor=org.member, field="digital").rows] == ["digital"]
    assert [r.unit_name for r in queries.register(session, actor=org.member, unit_id=org.a).rows] == ["Phòng Tổ chức"]
    assert queries.register(session, actor=org.member, text="100%_").total == 0
    with pytest.raises(NotAllowed):
        queries.register(session, actor=None)


def test_adopt_report_and_the_register_shows_the_effect(session, now, w):
    org, _officer = w
    model_id = _published(session, w, now)
    untouched = _writes(session)
    with pytest.raises(Conflict, match="own model"):
        service.adopt_model(session, actor=org.head_a, model_id=model_id, unit_id=org.a, starts_on=TODAY, months=6,
                            now=now)
    assert _writes(session) == untouched
    adoption_id = service.adopt_model(session, actor=org.head_b, model_id=model_id, unit_id=org.b,
                                      starts_on=TODAY + timedelta(days=5), months=3, plan="Áp dụng ở bộ phận một cửa",
                                      now=now)
    adoption = session.get(models.GoodModelAdoption, adoption_id)
    assert adoption.due_on == date(2026, 6, 7)
    with pytest.raises(Conflict, match="already adopts"):
        service.adopt_model(session, actor=org.head_b, model_id=model_id, unit_id=org.b, starts_on=TODAY, months=3,
                            now=now)
    before = _writes(session)
    with pytest.raises(Invalid, match="after it has started"):
        service.report_adoption(session, actor=org.head_b, adoption_id=adoption_id, report="Sớm",
                                results=[ResultInput("Thời gian", 9, 5, "ngày")], now=now)
    with pytest.raises(NotAllowed):
        service.report_adoption(session, actor=org.head_a, adoption_id=adoption_id, report="x",
                                results=[ResultInput("Thời gian", 9, 5, "ngày")], now=now + timedelta(days=10))
    assert _writes(session) == before
    later = now + timedelta(days=100)
    with pytest.raises(Invalid, match="at least one"):
        service.report_adoption(session, actor=org.head_b, adoption_id=adoption_id, report="x", results=[], now=later)
    service.report_adoption(session, actor=org.head_b, adoption_id=adoption_id, report="Giảm một nửa thời gian",
                            results=[ResultInput("Thời gian giải quyết hồ sơ", 8, 4, "ngày")], now=later)
    with pytest.raises(Invalid, match="already reported"):
        service.report_adoption(session, actor=org.head_b, adoption_id=adoption_id, report="x",
                                results=[ResultInput("T", 1, 2)], now=later)
    detail = queries.model_detail(session, actor=org.clerk, model_id=model_id, today=TODAY)
    assert detail.row.adoptions == 1 and detail.row.reported == 1
    (row,) = detail.adoptions
    assert row.unit_name == "Phòng Tài chính" and row.status == "reported"
    assert "8 → 4" in row.effects and "50%" in row.effects
    assert [(r.where, r.change) for r in detail.replicated_results] == [("Phòng Tài chính", "−4 ngày (−50%)")]


def test_adopting_needs_a_published_model_and_a_sound_plan(session, now, w):
    org, _officer = w
    proposed = _propose(session, org.head_a, org.a, now)
    with pytest.raises(Conflict, match="published"):
        service.adopt_model(session, actor=org.head_b, model_id=proposed, unit_id=org.b, starts_on=TODAY, months=3,
                            now=now)
    model_id = _published(session, w, now, title="Khác")
    with pytest.raises(Invalid, match="between 1 and 36"):
        service.adopt_model(session, actor=org.head_b, model_id=model_id, unit_id=org.b, starts_on=TODAY, months=0,
                            now=now)
    with pytest.raises(Invalid, match="start"):
        service.adopt_model(session, actor=org.head_b, model_id=model_id, unit_id=org.b, starts_on=None, months=3,
                            now=now)


def test_report_reminder_goes_once_when_due(session, now, w):
    org, _officer = w
    model_id = _published(session, w, now)
    service.adopt_model(session, actor=org.head_b, model_id=model_id, unit_id=org.b, starts_on=TODAY, months=1,
                        now=now)
    assert service.remind_due_reports(session, now=now) == 0  # not due yet
    due = now + timedelta(days=31)
    assert service.remind_due_reports(session, now=due) == 1
    assert service.remind_due_reports(session, now=due + timedelta(days=1)) == 0
    notices = session.exec(select(Notification).where(Notification.recipient_id == org.head_b.person_id,
                                                      Notification.kind == "good_model.report_due")).all()
    assert len(notices) == 1 and "Một cửa thân thiện" in notices[0].title


def test_files_are_served_to_those_who_may_see_the_model(session, now, w):
    org, officer = w
    model_id = _propose(session, org.head_a, org.a, now, uploads=[(b"%PDF-1.4 minutes", "bien-ban.pdf")])
    stored = session.exec(select(StoredFile).join(models.GoodModelFile,
                                                   models.GoodModelFile.file_id == StoredFile.id)).one()
    assert stored.content_type == "application/pdf"
    assert queries.may_see_file(session, org.head_a, stored)
    assert queries.may_see_file(session, officer, stored)
    assert not queries.may_see_file(session, org.clerk, stored)
    assert not queries.may_see_file(session, None, stored)
    service.recognise_model(session, actor=officer, model_id=model_id, decision_ref="3/QĐ", decided_on=TODAY,
                            publish=True, now=now)
    assert queries.may_see_file(session, org.clerk, stored)


def test_period_summary_counts_per_unit(session, now, w):
    org, _officer = w
    model_id = _published(session, w, now)
    service.adopt_model(session, actor=org.head_b, model_id=model_id, unit_id=org.b, starts_on=TODAY, months=1,
                        now=now)
    summary = queries.period_summary(session, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert summary[org.a]["proposed"] == 1 and summary[org.a]["recognised"] == 1
    assert summary[org.b]["adopted"] == 1 and summary[org.b]["reported"] == 0
    assert queries.period_summary(session, start=date(2025, 1, 1), end=date(2025, 12, 31)) == {}


def test_rules_are_consistent():
    assert rules.title_key("  Đổi  MỚI ") == "doi moi"
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_the_scheduled_job_reminds_once_in_the_sending_window(session, engine, now, w):
    from engagement.jobs import good_models as job
    from engagement.jobs import registry
    from engagement.settings import get_settings

    org, _officer = w
    model_id = _published(session, w, now)
    service.adopt_model(session, actor=org.head_b, model_id=model_id, unit_id=org.b, starts_on=TODAY, months=1,
                        now=now)
    session.commit()
    assert "good-model-reports" in registry.JOBS
    due = f.at(4, 6)  # Monday 6 April 2026, 09:00: the report was due on 2 April
    window = registry.window_from_settings()
    sunday = f.at(4, 5)  # due, but nothing goes out on a Sunday
    assert job.remind_adoption_reports(engine, now=sunday, tz=get_settings().tz, window=window) == 0
    assert job.remind_adoption_reports(engine, now=due, tz=get_settings().tz, window=window) == 1
    assert job.remind_adoption_reports(engine, now=due, tz=get_settings().tz, window=window) == 0
