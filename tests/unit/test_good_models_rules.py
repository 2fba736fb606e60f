"""Pure rules of the register of good models: keys, checks, periods and effects."""

from __future__ import annotations

from datetime import date

import pytest

from engagement.core.errors import Invalid
from engagement.good_models import rules
from engagement.good_models.rules import ResultInput

TODAY = date(2026, 3, 2)


def test_title_key_ignores_accents_case_and_spaces():
    assert rules.title_key("Một  cửa THÂN thiện ") == rules.title_key("mot cua than thien") == "mot cua than thien"


def test_search_key_holds_every_part_folded():
    key = rules.search_key("Văn phòng không giấy", "", "UBND xã Tân Lập")
    assert "van phong khong giay" in key and "tan lap" in key


@pytest.mark.parametrize(("kw", "fragment"), [
    ({"title": " "}, "title"),
    ({"title": "x" * 201}, "too long: at most 200"),
    ({"summary": ""}, "what the model changed"),
    ({"field": "sport"}, "field"),
    ({"year": 1999}, "between 2000 and 2100"),
])
def test_a_proposal_needs_title_change_field_and_year(kw, fragment):
    args = {"title": "Mô hình", "summary": "Đổi mới", "field": "digital", "year": 2026, **kw}
    with pytest.raises(Invalid, match=fragment):
        rules.check_proposal(**args)


def test_a_good_proposal_passes():
    rules.check_proposal(title="Mô hình", summary="Đổi mới", field="other", year=2026)


def test_results_skip_empty_rows_and_keep_the_others():
    kept = rules.check_results([ResultInput("", None, None, ""), ResultInput(" Ngày ", 10, 6, " ngày ")],
                               required=True)
    assert kept == [ResultInput("Ngày", 10.0, 6.0, "ngày")]
    assert rules.check_results([], required=False) == []


@pytest.mark.parametrize(("rows", "fragment"), [
    ([ResultInput("", 1, 2)], "name the indicator"),
    ([ResultInput("Ngày", 1, None)], "before and after"),
    ([ResultInput("Ngày", 1e13, 2)], "too large"),
    ([ResultInput(f"I{n}", 1, 2) for n in range(11)], "at most 10"),
    ([], "at least one"),
])
def test_bad_results_are_refused(rows, fragment):
    with pytest.raises(Invalid, match=fragment):
        rules.check_results(rows, required=True)


def test_add_months_keeps_the_day_or_the_month_end():
    assert rules.add_months(date(2026, 3, 2), 3) == date(2026, 6, 2)
    assert rules.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


def test_adoption_plan_checks():
    assert rules.check_adoption(starts_on=TODAY, months=6, today=TODAY) == date(2026, 9, 2)
    with pytest.raises(Invalid, match="Enter the day"):
        rules.check_adoption(starts_on=None, months=6, today=TODAY)
    with pytest.raises(Invalid, match="more than a year ago"):
        rules.check_adoption(starts_on=date(2025, 2, 1), months=6, today=TODAY)
    for months in (0, 37):
        with pytest.raises(Invalid, match="between 1 and 36"):
            rules.check_adoption(starts_on=TODAY, months=months, today=TODAY)


def test_a_report_waits_for_the_start_and_is_made_once():
    rules.check_report(starts_on=TODAY, today=TODAY, status=rules.ADOPTED)
    with pytest.raises(Invalid, match="after it has started"):
        rules.check_report(starts_on=date(2026, 3, 3), today=TODAY, status=rules.ADOPTED, start_text="03/03/2026")
    with pytest.raises(Invalid, match="already reported"):
        rules.check_report(starts_on=TODAY, today=TODAY, status=rules.REPORTED)


def test_effect_in_units_and_percent():
    assert rules.effect(10, 6) == (-4, -40.0)
    assert rules.effect(0, 5) == (5, None)
    assert rules.effect(-10, -5) == (5, 50.0)


def test_report_due_only_for_running_adoptions_past_their_date():
    assert rules.report_due(due_on=TODAY, today=TODAY, status=rules.ADOPTED)
    assert not rules.report_due(due_on=date(2026, 3, 3), today=TODAY, status=rules.ADOPTED)
    assert not rules.report_due(due_on=TODAY, today=TODAY, status=rules.REPORTED)
