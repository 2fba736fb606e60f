"""Pure figure-building of the movement's review report: periods, roll-up, percentages, groups."""

from __future__ import annotations

from datetime import date

import pytest

from engagement.core.errors import Invalid
from engagement.review import rules
from engagement.review.rules import Period

PATHS = {1: "/1/", 2: "/1/2/", 3: "/1/2/3/", 4: "/1/4/"}


def test_periods_of_each_kind():
    assert rules.period_for(rules.YEAR, year=2026) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert rules.period_for(rules.PLAN) == Period(date(2019, 1, 1), date(2025, 12, 31))
    assert rules.period_for(rules.MIDTERM) == Period(date(2019, 1, 1), date(2022, 6, 30))
    assert rules.period_for(rules.CUSTOM, start=date(2026, 4, 1), end=date(2026, 4, 30)).days == 30


@pytest.mark.parametrize(("kind", "kw", "fragment"), [
    ("year", {}, "year of the report"),
    ("year", {"year": 1990}, "2000 to 2100"),
    ("month", {}, "kind of period"),
    ("custom", {"start": date(2026, 1, 1)}, "first and the last day"),
    ("custom", {"start": date(2026, 2, 1), "end": date(2026, 1, 1)}, "swap them"),
    ("custom", {"start": date(2000, 1, 1), "end": date(2026, 1, 1)}, "twelve years"),
])
def test_bad_periods_are_refused(kind, kw, fragment):
    with pytest.raises(Invalid, match=fragment):
        rules.period_for(kind, **kw)


@pytest.mark.parametrize(("period", "before"), [
    (Period(date(2026, 1, 1), date(2026, 12, 31)), Period(date(2025, 1, 1), date(2025, 12, 31))),
    (Period(date(2025, 1, 1), date(2025, 12, 31)), Period(date(2024, 1, 1), date(2024, 12, 31))),  # a leap year
    (Period(date(2019, 1, 1), date(2025, 12, 31)), Period(date(2012, 1, 1), date(2018, 12, 31))),
    (Period(date(2019, 1, 1), date(2022, 6, 30)), Period(date(2015, 7, 1), date(2018, 12, 31))),
    (Period(date(2026, 4, 1), date(2026, 6, 30)), Period(date(2026, 1, 1), date(2026, 3, 31))),
    (Period(date(2026, 3, 1), date(2026, 3, 31)), Period(date(2026, 2, 1), date(2026, 2, 28))),
    (Period(date(2026, 3, 10), date(2026, 3, 19)), Period(date(2026, 2, 28), date(2026, 3, 9))),
])
def test_the_previous_period_has_the_same_length(period, before):
    assert rules.previous(period) == before


def test_roll_up_adds_each_unit_to_its_ancestors():
    rolled = rules.roll_up({3: {"awards": 2}, 2: {"awards": 1}, 4: {"visits": 5}, 99: {"awards": 7}}, PATHS)
    assert rolled[1]["awards"] == 3 and rolled[2]["awards"] == 3 and rolled[3]["awards"] == 2
    assert rolled[4]["awards"] == 0 and rolled[1]["visits"] == 5
    assert set(rolled) == set(PATHS)  # the unknown unit 99 is left out


def test_percentages_and_averages_are_derived_and_unknown_when_nothing_to_divide():
    line = rules.line({"commit_done": 3, "commit_total": 4, "thanks": 2, "thanks_score": 9, "items_checked": 0})
    assert line.completion == 75 and line.rating == 4.5 and line.compliance is None
    empty = rules.line(rules.empty())
    assert empty.completion is None and empty.rating is None and empty.people == 0
    assert rules.percent(1, 0) is None and rules.percent(1, 8) == 12.5


def test_change_is_unknown_when_either_side_is():
    assert rules.change(80, 75) == 5 and rules.change(None, 3) is None and rules.change(3, None) is None


def test_sections_group_units_and_put_the_rest_in_no_group():
    units = {1: ("Tỉnh", 0), 2: ("Sở Nội vụ", 1), 3: ("Phòng A", 2), 4: ("Xã Tân Lập", 1), 5: ("Sở Y tế", 1)}
    now = {2: {"awards": 2, "people": 10}, 4: {"awards": 1, "people": 5}, 5: {"people": 3}}
    before = {2: {"awards": 1}}
    out = rules.sections([("Khối sở", [5, 2]), ("Empty", [42])], units, now, before, others_name="Others")
    assert [s.name for s in out] == ["Khối sở", "Others"]
    assert [u.name for u in out[0].units] == ["Sở Nội vụ", "Sở Y tế"]  # by name
    assert out[0].total.now.awards == 2 and out[0].total.before.awards == 1 and out[0].total.now.people == 13
    assert [u.unit_id for u in out[1].units] == [4]  # only top-level units in no group


def test_awards_by_title_merges_both_periods():
    assert rules.by_title([("CSTĐCS", "Chiến sĩ", 3), ("GK", "Giấy khen", 1)], [("GK", "Giấy khen", 4),
                                                                                ("BK", "Bằng khen", 2)]) == [
        ("CSTĐCS", "Chiến sĩ", 3, 0), ("GK", "Giấy khen", 1, 4), ("BK", "Bằng khen", 0, 2)]
