"""Pure rules of green-office campaigns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engagement.core.errors import Invalid
from engagement.green import rules

D = date(2026, 3, 2)  # a Monday


def test_back_dating_window_edges():
    rules.check_activity_date(occurred_on=D - timedelta(days=7), today=D, starts_on=date(2026, 1, 1),
                              ends_on=date(2026, 12, 31), backdate_days=7)
    with pytest.raises(Invalid):
        rules.check_activity_date(occurred_on=D - timedelta(days=8), today=D, starts_on=date(2026, 1, 1),
                                  ends_on=date(2026, 12, 31), backdate_days=7)
    rules.check_activity_date(occurred_on=D, today=D, starts_on=D, ends_on=D, backdate_days=0)
    with pytest.raises(Invalid):
        rules.check_activity_date(occurred_on=D - timedelta(days=1), today=D, starts_on=D - timedelta(days=5),
                                  ends_on=D, backdate_days=0)


@pytest.mark.parametrize(("period", "day", "expected"), [
    ("day", date(2026, 3, 4), (date(2026, 3, 4), date(2026, 3, 4))),
    ("week", date(2026, 3, 8), (date(2026, 3, 2), date(2026, 3, 8))),
    ("month", date(2026, 2, 14), (date(2026, 2, 1), date(2026, 2, 28))),
    ("month", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ("campaign", date(2026, 3, 4), (date(2026, 1, 1), date(2026, 6, 30))),
])
def test_period_bounds(period, day, expected):
    assert rules.period_bounds(period, day, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)) == expected


def test_limit_allows_up_to_the_count_and_zero_means_no_limit():
    rules.check_limit(action_name="A", limit_count=2, limit_period="week", already=1)
    with pytest.raises(Invalid, match="2 times a week"):
        rules.check_limit(action_name="A", limit_count=2, limit_period="week", already=2)
    rules.check_limit(action_name="A", limit_count=0, limit_period="day", already=99)


def test_roster_dates_fall_on_the_weekday_at_the_interval():
    dates = rules.roster_dates(starts_on=D, ends_on=D + timedelta(days=34), weekday=4, every_weeks=2)
    assert dates == [date(2026, 3, 6), date(2026, 3, 20), date(2026, 4, 3)]
    assert rules.roster_dates(starts_on=D, ends_on=D + timedelta(days=2), weekday=4, every_weeks=1) == []
    with pytest.raises(Invalid):
        rules.roster_dates(starts_on=D, ends_on=D + timedelta(days=400), weekday=0, every_weeks=1)
    with pytest.raises(Invalid):
        rules.roster_dates(starts_on=D, ends_on=D, weekday=7, every_weeks=1)


def test_round_robin_shares_duties_evenly():
    dates = [D + timedelta(weeks=i) for i in range(3)]
    out = rules.assign_round_robin([1, 2, 3, 4], dates, 2)
    assert out == [(dates[0], 1), (dates[0], 2), (dates[1], 3), (dates[1], 4), (dates[2], 1), (dates[2], 2)]
    with pytest.raises(Invalid):
        rules.assign_round_robin([], dates, 1)
    with pytest.raises(Invalid):
        rules.assign_round_robin([1], dates, 2)


def test_assessment_score_and_missing_answers():
    full = {k: 2 for k, _ in rules.CHECKLIST}
    assert rules.assessment_score(full) == 100
    assert rules.assessment_score({k: 0 for k, _ in rules.CHECKLIST}) == 0
    with pytest.raises(Invalid):
        rules.assessment_score({**full, "plants": 3})
    with pytest.raises(Invalid):
        rules.assessment_score({k: v for k, v in full.items() if k != "energy"})


def test_percent_caps_and_handles_no_target():
    assert rules.percent(5, 20) == 25
    assert rules.percent(50, 20) == 100
    assert rules.percent(5, 0) == 0


def test_every_default_action_is_well_formed():
    for spec in (*rules.GREEN_OFFICE_ACTIONS, *rules.VOLUNTEER_ACTIONS):
        assert spec.points > 0 and spec.limit_period in rules.LIMIT_PERIODS
    with pytest.raises(Invalid):
        rules.check_campaign(name=" ", starts_on=D, ends_on=D, kind="green", backdate_days=7)
    with pytest.raises(Invalid):
        rules.check_campaign(name="X", starts_on=D, ends_on=D, kind="other", backdate_days=7)


def test_takes_part_is_a_unit_in_or_below_a_participating_unit():
    paths = ["/1/2/", "/1/7/"]
    assert rules.takes_part(paths, "/1/2/")
    assert rules.takes_part(paths, "/1/7/9/")
    assert not rules.takes_part(paths, "/1/")
    assert not rules.takes_part(paths, "/1/3/")
    assert not rules.takes_part([], "/1/2/")
