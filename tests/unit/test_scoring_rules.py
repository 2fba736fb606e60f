"""Pure scoring rules: caps, periods, ranges and ranking."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement.core.errors import Invalid
from engagement.scoring import rules
from engagement.scoring.rules import Criterion, Source


def test_points_are_quantity_times_weight_rounded():
    assert rules.points_for(Criterion(weight=3), 2.5, 0) == 8
    assert rules.points_for(Criterion(weight=0), 5, 0) == 0
    assert rules.points_for(Criterion(weight=3), 0, 0) == 0
    assert rules.points_for(Criterion(weight=3), -2, 0) == 0


@given(st.integers(1, 50), st.floats(0.1, 20), st.integers(1, 200), st.integers(0, 300))
def test_capped_points_never_exceed_what_the_cap_leaves(weight, quantity, cap, earned):
    got = rules.points_for(Criterion(weight=weight, monthly_cap=cap), quantity, earned)
    assert 0 <= got <= max(0, cap - earned)
    assert got <= round(quantity * weight)


@pytest.mark.parametrize(("day", "keys"), [
    (date(2026, 1, 1), ("2026-01", "2026-Q1", "2026")),
    (date(2026, 6, 30), ("2026-06", "2026-Q2", "2026")),
    (date(2026, 12, 31), ("2026-12", "2026-Q4", "2026")),
])
def test_period_keys(day, keys):
    assert rules.period_keys(day) == keys


@pytest.mark.parametrize(("key", "previous"), [
    ("2026-01", "2025-12"), ("2026-07", "2026-06"), ("2026-Q1", "2025-Q4"), ("2026-Q3", "2026-Q2"),
    ("2026", "2025"),
])
def test_previous_period(key, previous):
    assert rules.previous_period(key) == previous


def test_parse_period_bounds():
    assert rules.parse_period("2026-02") == (rules.PeriodKind.MONTH, date(2026, 2, 1), date(2026, 2, 28))
    assert rules.parse_period("2024-Q1")[2] == date(2024, 3, 31)
    assert rules.parse_period("2026")[1:] == (date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize("bad", ["", "2026-13", "2026-Q5", "26", "March", "2026-1"])
def test_bad_periods_get_a_message(bad):
    with pytest.raises(Invalid, match="Choose a period"):
        rules.parse_period(bad)


def test_month_range_and_compression():
    months = rules.month_range("2025-09", "2026-08")
    assert len(months) == 12 and months[0] == "2025-09" and months[-1] == "2026-08"
    assert rules.compress_months(months) == ["2025-09", "2025-Q4", "2026-Q1", "2026-Q2", "2026-07", "2026-08"]
    assert rules.compress_months(rules.month_range("2025-01", "2026-02")) == ["2025", "2026-01", "2026-02"]
    with pytest.raises(Invalid, match="ends before"):
        rules.month_range("2026-03", "2026-01")
    with pytest.raises(Invalid, match="36"):
        rules.month_range("2020-01", "2026-01")
    with pytest.raises(Invalid, match="month"):
        rules.month_range("2026", "2026-05")


@given(st.integers(2020, 2030), st.integers(1, 12), st.integers(0, 35))
def test_compression_covers_exactly_the_months(year, month, extra):
    start = f"{year}-{month:02d}"
    end_index = (month - 1 + extra)
    end = f"{year + end_index // 12}-{end_index % 12 + 1:02d}"
    months = rules.month_range(start, end)
    covered = []
    for key in rules.compress_months(months):
        _kind, first, last = rules.parse_period(key)
        y, m = first.year, first.month
        while date(y, m, 1) <= last:
            covered.append(f"{y}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    assert covered == months


def test_competition_ranks_share_ties():
    assert rules.competition_ranks([9, 5, 5, 1]) == [1, 2, 2, 4]
    assert rules.competition_ranks([]) == []
    assert rules.competition_ranks([3, 3, 3]) == [1, 1, 1]


def test_per_member_and_rank_change():
    assert rules.per_member(30, 4) == 7.5
    assert rules.per_member(30, 0) == 0.0
    assert rules.rank_change(2, 5) == 3
    assert rules.rank_change(5, 2) == -3
    assert rules.rank_change(1, None) is None


def test_check_criteria_accepts_and_names_each_bad_field():
    good = rules.check_criteria({s.value: ("2", "") for s in Source} | {"recognition": ("3", "30")})
    assert good[Source.RECOGNITION] == Criterion(weight=3, monthly_cap=30)
    assert good[Source.GREEN] == Criterion(weight=2, monthly_cap=None)
    with pytest.raises(Invalid) as err:
        rules.check_criteria({s.value: ("x", "0") for s in Source})
    assert set(err.value.fields) == {f"weight_{s.value}" for s in Source}
    with pytest.raises(Invalid) as err:
        rules.check_criteria({s.value: ("1", "0") for s in Source})
    assert set(err.value.fields) == {f"cap_{s.value}" for s in Source}


def test_period_options_months_newest_first_for_two_years():
    got = rules.period_options("month", date(2026, 3, 20))
    assert len(got) == 24
    assert got[0] == ("2026-03", "2026-03")
    assert [v for v, _ in got[:4]] == ["2026-03", "2026-02", "2026-01", "2025-12"]
    assert got[-1] == ("2024-04", "2024-04")
    assert all(value == label for value, label in got)


def test_period_options_quarters_cross_the_year_boundary():
    got = [v for v, _ in rules.period_options("quarter", date(2026, 2, 10))]
    assert got == ["2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1", "2024-Q4", "2024-Q3", "2024-Q2"]


def test_period_options_years_and_enum_kinds():
    assert rules.period_options("year", date(2026, 7, 1)) == [("2026", "2026"), ("2025", "2025"), ("2024", "2024")]
    assert rules.period_options(rules.PeriodKind.QUARTER, date(2026, 12, 31))[0] == ("2026-Q4", "2026-Q4")
    assert len(rules.period_options(rules.PeriodKind.QUARTER, date(2026, 12, 31))) == 8


def test_decode_criteria_fills_missing_sources_with_defaults():
    got = rules.decode_criteria('{"green": {"weight": 3, "monthly_cap": 40}, "commitment": {"weight": 12}}')
    assert got[Source.GREEN] == Criterion(weight=3, monthly_cap=40)
    assert got[Source.COMMITMENT] == Criterion(weight=12, monthly_cap=None)
    assert got[Source.RECOGNITION] == rules.DEFAULT_CRITERIA[Source.RECOGNITION]
    assert set(got) == set(Source)
