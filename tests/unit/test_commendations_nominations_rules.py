"""The pure rules of nominations (rules.py, section "nominations") and the holiday calendar."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engagement.commendations import nominations, rules
from engagement.core.errors import Invalid


@pytest.mark.parametrize(("status", "missed", "allowed"), [
    ("missing", 1, True),
    ("missing", 2, False),
    ("missing", 0, False),
    ("held", 1, False),
    ("excluded", 1, False),
    ("eligible", 0, False),
])
def test_an_override_is_for_exactly_one_missed_criterion_and_never_for_held_or_excluded(status, missed, allowed):
    assert rules.may_override(status, missed) is allowed


def test_a_report_is_trimmed_and_empty_fields_dropped():
    out = rules.check_report(rules.INDIVIDUAL, {"full_name": "  Nguyễn   Văn An ", "birth_year": 1985,
                                                "achievements": "Dòng 1\r\n  Dòng   2 ", "post": ""},
                             this_year=2026)
    assert out == {"full_name": "Nguyễn Văn An", "birth_year": "1985", "achievements": "Dòng 1\nDòng 2"}


@pytest.mark.parametrize("fields", [
    {"hobby": "x"},
    {"name": "a collective's field"},
    {"achievements": "x" * 8001},
    {"birth_year": "85"},
    {"birth_year": "2030"},
    {"birth_year": True},
    {"post": 12},
    ["full_name"],
])
def test_a_bad_individual_report_is_refused(fields):
    with pytest.raises(Invalid):
        rules.check_report(rules.INDIVIDUAL, fields, this_year=2026)


def test_a_collective_report_has_its_own_fields():
    assert rules.check_report(rules.COLLECTIVE, {"name": "Tổ Nhân sự", "head": "Vũ Thanh Sơn"}, this_year=2026)
    with pytest.raises(Invalid):
        rules.check_report(rules.COLLECTIVE, {"full_name": "x"}, this_year=2026)
    assert next(iter(rules.report_fields(rules.COLLECTIVE))) == "name"
    assert next(iter(rules.report_fields(rules.INDIVIDUAL))) == "full_name"


def test_every_report_field_has_a_label():
    assert set(rules.INDIVIDUAL_REPORT) | set(rules.COLLECTIVE_REPORT) == set(rules.REPORT_FIELD_NAMES)


def test_a_report_without_the_name_or_the_achievements_is_incomplete():
    assert rules.report_missing(rules.INDIVIDUAL, {}) == ("full_name", "achievements")
    assert rules.report_missing(rules.INDIVIDUAL, {"full_name": "A", "achievements": " "}) == ("achievements",)
    assert rules.report_missing(rules.INDIVIDUAL, {"full_name": "A", "achievements": "B"}) == ()
    assert rules.report_missing(rules.COLLECTIVE, {"name": "A", "achievements": "B"}) == ()


def test_a_notice_is_open_from_its_first_to_its_last_day():
    opens, closes = date(2026, 3, 2), date(2026, 3, 16)
    assert not rules.notice_open(opens, closes, date(2026, 3, 1))
    assert rules.notice_open(opens, closes, opens)
    assert rules.notice_open(opens, closes, closes)
    assert not rules.notice_open(opens, closes, date(2026, 3, 17))


def test_the_canonical_json_does_not_depend_on_key_order():
    a = rules.canonical_json({"b": 1, "a": "Việt"})
    assert a == rules.canonical_json({"a": "Việt", "b": 1}) == '{"a":"Việt","b":1}'
    assert json.loads(a) == {"a": "Việt", "b": 1}


def test_the_holidays_are_working_days_of_2025_to_2027():
    assert all(d.weekday() < 5 and 2025 <= d.year <= 2027 for d in nominations.HOLIDAYS)
    assert date(2026, 2, 17) in nominations.HOLIDAYS  # Tết Bính Ngọ
    assert date(2026, 4, 27) in nominations.HOLIDAYS  # Hùng Kings' day (a Sunday), taken on Monday


@pytest.mark.parametrize(("start", "days", "expected"), [
    (date(2026, 3, 2), 20, date(2026, 3, 30)),  # no holiday in March 2026
    (date(2026, 2, 13), 20, date(2026, 3, 20)),  # Tết: 16-20 February off
    (date(2026, 4, 24), 3, date(2026, 5, 4)),  # 27 April, 30 April and 1 May off
    (date(2025, 8, 29), 1, date(2025, 9, 3)),  # National Day, 1-2 September 2025
    (date(2026, 3, 6), 1, date(2026, 3, 9)),  # a Friday: the next working day is Monday
])
def test_working_days_skip_weekends_and_the_public_holidays(start, days, expected):
    assert rules.add_working_days(start, days, nominations.HOLIDAYS) == expected
