"""The movement's review report: figures from every feature, per unit group, against the previous
period; a PDF with the Vietnamese heading and an XLSX; a statement count independent of the units."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from engagement.core import i18n
from engagement.core.errors import Invalid, NotAllowed
from engagement.good_models import service as models_service
from engagement.good_models.rules import ResultInput
from engagement.org import service as org_service
from engagement.review import documents, queries, rules
from tests import factories as f

YEAR_2026 = rules.Period(date(2026, 1, 1), date(2026, 12, 31))
TODAY = date(2026, 3, 2)


def fake_inspections(session, *, start, end):
    """Stands in for supervision.queries.period_summary: A inspected in 2026 (8 of 10 items), none before."""
    if start.year != 2026:
        return {}
    return {W.a: {"visits": 2, "items_checked": 10, "items_passed": 8, "actions_opened": 2, "actions_closed": 1,
                  "actions_overdue": 1}}


class W:
    a = 0


@pytest.fixture
def w(session, now):
    org = f.staff_org(session, now=now)
    W.a = org.a
    officer = f.officer(session, org=org, now=now)
    campaign = f.commitment_campaign(session, actor=officer, now=now, unit_ids=[org.a, org.b])
    f.signature(session, actor=org.member, campaign_id=campaign, now=now)
    f.recognition(session, actor=org.clerk, now=now, to=[org.member.person_id])
    token = f.thanks_token(session, actor=org.head_a, person_id=org.member.person_id, now=now)
    f.citizen_thanks(session, token=token, now=now, rating=4)
    green = f.green_campaign(session, actor=officer, now=now)
    f.green_activity(session, actor=org.member, campaign_id=green, now=now, approve_by=org.verifier,
                     impact_amount=2.5)
    model_id = models_service.propose_model(
        session, actor=org.head_a, unit_id=org.a, title="Một cửa thân thiện", summary="Một quầy", field="admin_reform",
        year=2026, results=[ResultInput("Thời gian", 10, 6, "ngày")], now=now)
    models_service.recognise_model(session, actor=officer, model_id=model_id, decision_ref="15/QĐ-UBND",
                                   decided_on=TODAY, publish=True, now=now)
    models_service.adopt_model(session, actor=org.head_b, model_id=model_id, unit_id=org.b, starts_on=TODAY,
                               months=3, now=now)
    titles = f.commendation_catalogue(session, now=now)
    f.commendation_award(session, actor=officer, title_id=titles["TTLDTT"], year=2025, unit_id=org.a,
                         decided_on=date(2026, 1, 15), now=now)
    f.commendation_award(session, actor=officer, title_id=titles["TTLDTT"], year=2024, unit_id=org.b,
                         decided_on=date(2025, 1, 15), now=now)
    group = org_service.create_group(session, actor=officer, name="Khối sở, ngành", description="", now=now)
    org_service.set_group_membership(session, actor=officer, group_id=group, unit_id=org.a, member=True, now=now)
    session.flush()
    return org, officer


def _build(session, officer, now, **kw):
    return queries.build(session, actor=officer, kind=rules.YEAR, period=YEAR_2026, now=now, **kw)


def test_figures_come_from_every_feature_and_compare_with_the_year_before(session, now, w):
    _org, officer = w
    report = _build(session, officer, now, inspections=fake_inspections)
    assert report.before == rules.Period(date(2025, 1, 1), date(2025, 12, 31))
    o = report.org_now
    assert o.people == 7  # admin, officer, member, verifier, two heads, clerk
    assert o.completion == pytest.approx(100 / 5)  # one of the five people of A and B signed
    assert (o.recognitions, o.thanks, o.green_activities, o.green_people) == (1, 1, 1, 1)
    assert o.rating == pytest.approx(4)
    assert (o.visits, o.compliance, o.actions_overdue) == (2, pytest.approx(80), 1)
    assert (o.models_proposed, o.models_recognised, o.adoptions, o.adoptions_reported, o.awards) == (1, 1, 1, 0, 1)
    assert report.org_before.awards == 1 and report.org_before.recognitions == 0
    assert report.awards == [("TTLĐTT", "Tập thể lao động tiên tiến", 1, 1)]
    assert [m.title for m in report.models] == ["Một cửa thân thiện"]
    assert any("2.5" in now_ for _what, now_, _before in report.impact)
    names = [s.name for s in report.sections]
    assert names == ["Khối sở, ngành", "Units in no group"]
    (a_line,) = report.sections[0].units
    assert a_line.name == "Phòng Tổ chức" and a_line.now.compliance == pytest.approx(80)
    assert a_line.now.people == 3 and a_line.now.completion == pytest.approx(100 / 3)  # A (with A1): 1 of 3
    assert [u.name for u in report.sections[1].units] == ["Phòng Tài chính"]
    assert report.sections[1].units[0].now.adoptions == 1


def test_without_the_inspection_module_the_report_says_so(session, now, w):
    _org, officer = w
    report = _build(session, officer, now, use_installed=False)
    assert not report.has_inspections and report.org_now.visits == 0
    pdf = documents.render_pdf(report)
    assert "no inspection data" in _text(pdf)


def test_only_officers_get_the_report(session, now, w):
    org, _officer = w
    with pytest.raises(NotAllowed):
        queries.export(session, actor=org.head_a, kind=rules.YEAR, year=2026, now=now)
    with pytest.raises(NotAllowed):
        queries.export(session, actor=None, kind=rules.YEAR, year=2026, now=now)


def test_a_bad_period_is_refused(session, now, w):
    _org, officer = w
    with pytest.raises(Invalid, match="before the first day"):
        queries.export(session, actor=officer, kind=rules.CUSTOM, start=date(2026, 5, 1), end=date(2026, 4, 1),
                       now=now)


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def test_the_pdf_is_in_vietnamese_and_names_the_units(session, now, w):
    _org, officer = w
    with i18n.using("vi"):
        report = _build(session, officer, now, inspections=fake_inspections)
        pdf = documents.render_pdf(report)
        heading = i18n.Msg("REVIEW REPORT OF THE MOVEMENT").render("vi")
    text = _text(pdf)
    assert pdf.startswith(b"%PDF-")
    assert heading in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Phòng Tổ chức" in text and "Khối sở, ngành" in text and "Một cửa thân thiện" in text


def test_the_workbook_holds_the_units_and_neutralises_formulas(session, now, w):
    org, officer = w
    org_service.rename_unit(session, actor=officer, unit_id=org.b, name="=HYPERLINK(\"x\")", now=now)
    data, name = queries.export(session, actor=officer, kind=rules.YEAR, year=2026, fmt="xlsx", now=now,
                                inspections=fake_inspections)
    assert name == "review-2026-01-01-2026-12-31.xlsx"
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Overview", "Units", "Awards by title", "Green impact", "Good models"]
    units = [[c.value for c in row] for row in book["Units"].iter_rows(min_row=2)]
    assert units[0][:2] == ["Khối sở, ngành", "Phòng Tổ chức"]
    assert all(not str(v).startswith("=") for row in units for v in row if v is not None)
    assert "'=HYPERLINK(\"x\")" in [row[1] for row in units]
    assert book["Awards by title"]["C2"].value == 1


def test_the_number_of_statements_does_not_grow_with_the_number_of_units(session, engine, now, w):
    org, officer = w

    def statements() -> int:
        session.flush()
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:
            seen.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            _build(session, officer, now, inspections=fake_inspections)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    few = statements()
    admin = org.admin
    for n in range(12):
        unit = f.unit(session, admin, now, parent_id=org.root, name=f"Xã số {n}", code=f"X{n:03d}")
        for _ in range(3):
            f.person(session, admin, now, unit_id=unit)
    many = statements()
    assert many == few


def test_previous_of_a_custom_period_has_the_same_number_of_days(session, now, w):
    _org, officer = w
    data, name = queries.export(session, actor=officer, kind=rules.CUSTOM, start=date(2026, 2, 10),
                                end=date(2026, 3, 1), now=now)
    assert data.startswith(b"%PDF-") and name.endswith(".pdf")
    assert rules.previous(rules.Period(date(2026, 2, 10), date(2026, 3, 1))) == rules.Period(
        date(2026, 1, 21), date(2026, 2, 9))


def test_the_installed_spot_checks_are_read_by_default(session, now, w):
    _org, officer = w
    assert queries.inspection_reader() is not None  # engagement.supervision.queries.period_summary
    report = _build(session, officer, now)
    assert report.has_inspections and report.org_now.visits == 0 and report.org_now.compliance is None
