"""Issue 16, "units that can be told apart": two units called "Văn phòng" (one under A, one under
B) are named with their parent in the register of titles and its export, the spot-check lists and
trends, and the register of good models."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from engagement.commendations import decisions
from engagement.commendations import queries as commendation_queries
from engagement.good_models import queries as good_model_queries
from engagement.good_models import service as good_models
from engagement.supervision import queries as supervision_queries
from engagement.supervision import rules as supervision_rules
from engagement.supervision import service as supervision
from engagement.supervision.service import FindingInput
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401

OFFICE_A, OFFICE_B = "Văn phòng · Phòng Tổ chức", "Văn phòng · Phòng Tài chính"


@pytest.fixture
def w(session, now):
    org = f.staff_org(session, now=now)
    officer = f.officer(session, org=org, now=now)
    office_a = f.unit(session, org.admin, now, parent_id=org.a, name="Văn phòng", code="VP-A")
    office_b = f.unit(session, org.admin, now, parent_id=org.b, name="Văn phòng", code="VP-B")
    return org, officer, office_a, office_b


def test_the_register_of_titles_and_its_export_name_each_office_with_its_parent(session, now, w):
    _org, officer, office_a, office_b = w
    titles = f.commendation_catalogue(session, now=now)
    for unit in (office_a, office_b):
        f.commendation_award(session, actor=officer, title_id=titles["TTLDTT"], year=2025, now=now, unit_id=unit)
    assert {r.subject_name for r in commendation_queries.awards(session, actor=officer)} == {OFFICE_A, OFFICE_B}
    data, _name = decisions.export_awards(session, actor=officer, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    assert {OFFICE_A, OFFICE_B} <= cells


def test_spot_check_lists_and_trends_name_each_office_with_its_parent(session, now, w):
    _org, officer, office_a, office_b = w
    supervision.ensure_default_checklist(session, actor=officer, now=now)
    unit_findings = [FindingInput(item_key=i.key, result="pass") for i in supervision_rules.DEFAULT_ITEMS
                     if i.scope == supervision_rules.UNIT]
    for unit in (office_a, office_b):
        visit = supervision.schedule_visit(session, actor=officer, unit_id=unit, on=date(2026, 3, 2),
                                           inspector_ids=[officer.person_id], now=now)
        supervision.record_visit(session, actor=officer, visit_id=visit, present=[], findings=unit_findings,
                                 now=now)
    trends = supervision_queries.trends(session, actor=officer, year=2026, today=date(2026, 3, 2))
    assert {u.unit for u in trends.units} == {OFFICE_A, OFFICE_B}
    workbook = load_workbook(io.BytesIO(supervision_queries.trends_xlsx(session, actor=officer, year=2026))).active
    assert {OFFICE_A, OFFICE_B} <= {str(c.value) for row in workbook.iter_rows() for c in row if c.value}


def test_the_register_of_good_models_names_each_office_with_its_parent(session, now, w):
    _org, officer, office_a, office_b = w
    for n, unit in enumerate((office_a, office_b)):
        model = good_models.propose_model(session, actor=officer, unit_id=unit, title=f"Một cửa thân thiện {n}",
                                          summary="Tiếp nhận hồ sơ tại một quầy", field="admin_reform", year=2026,
                                          results=[], now=now)
        good_models.recognise_model(session, actor=officer, model_id=model, decision_ref="15/QĐ-UBND",
                                    decided_on=date(2026, 3, 1), publish=True, now=now)
    page = good_model_queries.register(session, actor=officer)
    assert {r.unit_name for r in page.rows} == {OFFICE_A, OFFICE_B}
