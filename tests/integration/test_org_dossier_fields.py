"""The person fields commendation dossiers need: gender, date of birth, rank or grade, date of recruitment."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from engagement.core.audit import AuditEntry
from engagement.core.errors import Invalid
from engagement.org import queries, rules, service
from engagement.org.models import Person
from tests import factories as f
from tests.integration._hashing import fast_hashing  # noqa: F401 - autouse

TODAY = date(2026, 3, 2)  # the ``now`` fixture's day in Hanoi


def create(session, now, org, **fields):
    return service.create_person(session, actor=org.admin, employee_code="NV9", full_name="Đỗ Thị Lan",
                                 position="Chuyên viên", unit_id=org.a, now=now, **fields)


def test_the_dossier_fields_are_stored_and_shown_on_the_person(session, now, small_org):
    pid = create(session, now, small_org, gender="Nữ", birth_date=date(1985, 12, 3), rank=" Chuyên viên  chính ",
                 recruited_on=date(2008, 6, 1))
    row = queries.person(session, actor=small_org.admin, person_id=pid)
    assert (row.gender, row.birth_date, row.rank, row.recruited_on) == (
        "female", "1985-12-03", "Chuyên viên chính", "2008-06-01")


def test_every_dossier_field_may_be_left_empty(session, now, small_org):
    row = queries.person(session, actor=small_org.admin, person_id=create(session, now, small_org))
    assert (row.gender, row.birth_date, row.rank, row.recruited_on) == ("", "", "", "")


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"birth_date": date(2026, 3, 3)}, "birth_date", "The date of birth 03/03/2026 is in the future"),
    ({"birth_date": date(1920, 1, 1)}, "birth_date", "over 100 years old"),
    ({"recruited_on": date(2026, 4, 1)}, "recruited_on", "The date of recruitment 01/04/2026 is in the future"),
    ({"birth_date": date(2000, 5, 10), "recruited_on": date(2016, 5, 9)}, "recruited_on",
     "before the person's 16th birthday (10/05/2016)"),
    ({"birth_date": date(1940, 1, 1), "recruited_on": date(2015, 1, 1)}, "recruited_on", "after the person's 70th"),
    ({"gender": "khác"}, "gender", "is not a gender: write Nam or Nữ"),
    ({"rank": "x" * 121}, "rank", "longer than 120 characters"),
])
def test_implausible_dossier_values_are_refused_with_a_clear_message_and_nothing_written(
        session, now, small_org, fields, field, words):
    before = f.counts(session, Person, AuditEntry)
    with pytest.raises(Invalid) as refused:
        create(session, now, small_org, **fields)
    assert words in refused.value.render("en")
    assert field in refused.value.raw_fields
    assert f.counts(session, Person, AuditEntry) == before


def test_recruitment_on_the_16th_birthday_is_accepted(session, now, small_org):
    pid = create(session, now, small_org, birth_date=date(2000, 5, 10), recruited_on=date(2016, 5, 10))
    assert session.get(Person, pid).recruited_on == date(2016, 5, 10)


def test_editing_a_person_sets_the_dossier_fields_and_the_audit_names_what_changed(session, now, small_org):
    pid = create(session, now, small_org)
    service.update_person(session, actor=small_org.admin, person_id=pid, full_name="Đỗ Thị Lan",
                          position="Chuyên viên", unit_id=small_org.a, gender="female",
                          birth_date=date(1991, 2, 28), rank="Chuyên viên", recruited_on=date(2015, 3, 1), now=now)
    stored = session.get(Person, pid)
    assert (stored.gender, stored.birth_date, stored.rank, stored.recruited_on) == (
        "female", date(1991, 2, 28), "Chuyên viên", date(2015, 3, 1))
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "person.update")).one()
    detail = json.loads(entry.detail)
    assert detail == {"before": {"gender": "", "birth_date": "", "rank": "", "recruited_on": ""},
                      "after": {"gender": "female", "birth_date": "1991-02-28", "rank": "Chuyên viên",
                                "recruited_on": "2015-03-01"}}


def test_a_refused_edit_changes_nothing(session, now, small_org):
    pid = create(session, now, small_org, rank="Cán sự")
    with pytest.raises(Invalid):
        service.update_person(session, actor=small_org.admin, person_id=pid, full_name="Tên Mới",
                              position="", unit_id=small_org.a, birth_date=date(2030, 1, 1), now=now)
    assert (session.get(Person, pid).full_name, session.get(Person, pid).rank) == ("Đỗ Thị Lan", "Cán sự")


@pytest.mark.parametrize(("raw", "expected"), [
    ("Nam", "male"), ("nữ", "female"), ("NU", "female"), ("male", "male"), ("Female", "female"), ("", ""),
    ("  ", ""),
])
def test_gender_is_read_as_the_dossier_forms_write_it(raw, expected):
    assert rules.clean_gender(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("25/03/1990", date(1990, 3, 25)), ("5/3/1990", date(1990, 3, 5)), ("1990-03-25", date(1990, 3, 25)),
    ("25.03.1990", date(1990, 3, 25)), ("", None),
])
def test_days_are_read_as_dd_mm_yyyy_or_iso(raw, expected):
    assert rules.parse_day(raw, "date of birth") == expected


@pytest.mark.parametrize("raw", ["31/02/1990", "1990/25/03", "hôm qua", "25/03/9999"])
def test_a_day_that_is_not_one_is_refused_with_the_expected_form(raw):
    with pytest.raises(Invalid):
        rules.parse_day(raw, "date of birth")


def test_the_import_template_has_the_dossier_columns_and_its_example_row_is_valid():
    from engagement.org.state import _TEMPLATE_EXAMPLE

    assert {"gender", "birth_date", "rank", "recruited_on"} <= set(rules.IMPORT_COLUMNS)
    _, rows = rules.read_csv(",".join(rules.IMPORT_COLUMNS) + "\n" + ",".join(_TEMPLATE_EXAMPLE) + "\n")
    valid, errors = rules.validate_import(rows, unit_ids_by_code={"SNV-VP": 1}, union_branch_ids_by_code={},
                                          youth_branch_ids_by_code={}, allowed_unit_ids=None)
    assert errors == []
    (row,) = valid
    assert (row.gender, row.birth_date, row.recruited_on) == ("female", date(1990, 3, 25), date(2014, 9, 1))
    rules.check_dossier_dates(birth_date=row.birth_date, recruited_on=row.recruited_on, today=TODAY)
