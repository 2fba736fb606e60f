"""Pure rules of the scheduled jobs: sending windows, reminder stages, digests, nudges."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagement.jobs import rules as job_rules

WINDOW = job_rules.SendingWindow(holidays=frozenset({date(2026, 3, 11)}))
POLICY = job_rules.ReminderPolicy(every_days=3, before_days=2, overdue_max=2)


def test_quiet_hours_span_midnight_and_weekends_and_holidays_are_off():
    assert WINDOW.is_quiet(time(20, 0)) and WINDOW.is_quiet(time(6, 59)) and not WINDOW.is_quiet(time(7, 0))
    assert WINDOW.may_send(datetime(2026, 3, 2, 9, 0))          # Monday
    assert not WINDOW.may_send(datetime(2026, 3, 7, 9, 0))      # Saturday
    assert not WINDOW.may_send(datetime(2026, 3, 11, 9, 0))     # holiday
    day_window = job_rules.SendingWindow(quiet_start=time(12, 0), quiet_end=time(13, 0))
    assert day_window.is_quiet(time(12, 30)) and not day_window.is_quiet(time(13, 0))


def test_settings_parse_or_name_the_bad_value():
    assert job_rules.parse_holidays(" 2026-04-30, 2026-05-01 ,") == {date(2026, 4, 30), date(2026, 5, 1)}
    with pytest.raises(ValueError, match="30/04"):
        job_rules.parse_holidays("30/04/2026")
    assert job_rules.parse_clock("07:30") == time(7, 30)
    with pytest.raises(ValueError, match="7h"):
        job_rules.parse_clock("7h")
    assert job_rules.parse_policy("every=5,overdue=1") == job_rules.ReminderPolicy(5, 3, 1)
    with pytest.raises(ValueError, match="weekly"):
        job_rules.parse_policy("weekly=1")


def _stage(day: int) -> str | None:
    return job_rules.campaign_stage(today=date(2026, 3, day), opens_on=date(2026, 3, 2),
                                due_on=date(2026, 3, 13), policy=POLICY, window=WINDOW)


def test_campaign_stages_from_launch_to_escalation():
    assert job_rules.campaign_stage(today=date(2026, 3, 1), opens_on=date(2026, 3, 2), due_on=date(2026, 3, 13),
                                policy=POLICY, window=WINDOW) is None
    assert [_stage(d) for d in (2, 4, 5, 8, 10, 11, 12, 13)] == [
        "launch", "launch", "every-1", "every-2", "every-2", "before-2", "before-2", "due"]
    # The weekend after the due date counts no overdue day; Mon 16 is the first.
    assert [_stage(d) for d in (14, 15, 16, 17, 18, 25)] == [
        "due", "due", "overdue-1", "overdue-2", "escalate", "escalate"]
    assert job_rules.is_urgent("due") and job_rules.is_urgent("overdue-1") and not job_rules.is_urgent("every-1")


# --- digests ---------------------------------------------------------------------------------


def test_previous_week_is_the_iso_week_before_today_across_a_year_end():
    span = job_rules.previous_week(date(2026, 11, 23))  # a Monday
    assert (span.first, span.last, span.key) == (date(2026, 11, 16), date(2026, 11, 22), "2026-W47")
    assert job_rules.previous_week(date(2026, 11, 29)).key == "2026-W47"  # the Sunday of the same week
    span = job_rules.previous_week(date(2027, 1, 6))
    assert (span.first, span.last, span.key) == (date(2026, 12, 28), date(2027, 1, 3), "2026-W53")


def test_previous_month_and_when_its_digest_may_go():
    span = job_rules.previous_month(date(2027, 1, 4))
    assert (span.first, span.last, span.key, span.label) == (date(2026, 12, 1), date(2026, 12, 31),
                                                            "2026-12", "December 2026")
    assert job_rules.previous_month(date(2026, 3, 1)).last == date(2026, 2, 28)
    assert job_rules.monthly_digest_due(date(2026, 3, 2), WINDOW)           # Monday 2nd
    assert not job_rules.monthly_digest_due(date(2026, 3, 1), WINDOW)       # Sunday
    assert not job_rules.monthly_digest_due(date(2026, 3, 11), WINDOW)      # holiday, and too late
    assert not job_rules.monthly_digest_due(date(2026, 3, 12), WINDOW)      # too late to be news


def test_ordinals_and_excerpts():
    assert [job_rules.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]
    assert job_rules.excerpt("short  text\nhere") == "short text here"
    cut = job_rules.excerpt("Chị Mai đã hướng dẫn tận tình, chu đáo cho người dân làm thủ tục " * 3, 40)
    assert len(cut) <= 40 and cut.endswith("…") and " " in cut


def _facts(received=(), week=0):
    return job_rules.WeeklyFacts(received=tuple(received), week_points=week, month_label="2026-11",
                             month_points=45, year_label="2026", year_points=320)


def test_weekly_digest_says_nothing_of_an_empty_week_and_quotes_three_recognitions():
    span = job_rules.previous_week(date(2026, 11, 23))
    assert job_rules.weekly_digest(_facts(), span) is None
    title, body = job_rules.weekly_digest(_facts(week=-2), span)
    assert title == "Your week: -2 points" and "-2 this week; 45 in 2026-11, 320 in 2026" in body
    got = [job_rules.Received(giver=f"Giver {i}", level="Great work", message=f"Message {i}") for i in range(5)]
    title, body = job_rules.weekly_digest(_facts(got, week=12), span)
    assert title == "Your week: 5 recognitions, +12 points"
    assert "16/11 – 22/11/2026" in body and "Great work from Giver 2: “Message 2”" in body
    assert "Giver 3" not in body and "and 2 more" in body


def test_unit_digest_reports_rank_movement_and_campaign_completion():
    span = job_rules.previous_month(date(2026, 12, 1))
    facts = job_rules.UnitMonth(unit="Phòng Tổ chức", members=42, points=1234, rank=3, peers=12, previous_rank=5,
                            recognitions=18, green_activities=7,
                            campaigns=(job_rules.CampaignProgress("Cam kết 2026", 40, 42),
                                       job_rules.CampaignProgress("Cam kết bổ sung", 3, 3)))
    title, body = job_rules.unit_digest(facts, span)
    assert title == "Phòng Tổ chức: your month in review (November 2026)"
    assert "Points: 1234 — 3rd of 12 units at its level (up 2 from 5th)" in body
    assert "Cam kết 2026: 40 of 42 signed or exempted (95%), 2 not yet" in body
    assert "Cam kết bổ sung: 3 of 3 signed or exempted (100%)\n" not in body
    assert body.endswith("Cam kết bổ sung: 3 of 3 signed or exempted (100%)")
    same = job_rules.unit_digest(job_rules.UnitMonth(unit="U", members=1, points=0, rank=1, peers=1, previous_rank=1,
                                             recognitions=0, green_activities=0, campaigns=()), span)[1]
    assert "(up" not in same and "(down" not in same and "1 member)" in same


# --- nudges -----------------------------------------------------------------------------------

# November 2026: Mon 23 .. Fri 27, Mon 30; Friday 27 is a holiday here.
NOV = job_rules.SendingWindow(holidays=frozenset({date(2026, 11, 27)}))


def test_the_last_working_days_of_a_month_skip_weekends_and_holidays():
    assert job_rules.last_working_days(2026, 11, 3, NOV) == (date(2026, 11, 25), date(2026, 11, 26),
                                                         date(2026, 11, 30))
    assert job_rules.last_working_days(2026, 12, 1, job_rules.SendingWindow()) == (date(2026, 12, 31),)
    # A month of holidays has fewer working days than asked for.
    all_off = job_rules.SendingWindow(holidays=frozenset(date(2026, 2, d) for d in range(1, 27)))
    assert job_rules.last_working_days(2026, 2, 5, all_off) == (date(2026, 2, 27),)


@pytest.mark.parametrize(("day", "due"), [
    (24, False),  # Tuesday: before the last three working days
    (25, True), (26, True),
    (27, False),  # holiday
    (28, False), (29, False),  # weekend
    (30, True),
])
def test_the_allowance_nudge_is_due_on_the_last_k_working_days_only(day, due):
    assert job_rules.allowance_nudge_due(date(2026, 11, day), days=3, window=NOV) is due


def test_the_allowance_nudge_never_runs_into_the_next_month():
    assert not job_rules.allowance_nudge_due(date(2026, 12, 1), days=3, window=NOV)
    assert not job_rules.allowance_nudge_due(date(2026, 11, 30), days=0, window=NOV)


def test_a_months_span_reads_in_the_current_language_whatever_the_locale():
    from engagement.core import i18n

    november = job_rules.previous_month(date(2026, 12, 3))
    with i18n.using("en"):
        assert november.label == "November 2026"
    with i18n.using("vi"):
        assert november.label == "Tháng 11/2026"


def test_idle_nudges_come_every_n_days_after_more_than_n_quiet_days():
    window = job_rules.SendingWindow()
    last = date(2026, 3, 2)  # Monday
    owed = {d: job_rules.idle_nudge(today=last + timedelta(days=d), last_active=last, every_days=14,
                                window=window) for d in range(0, 45)}
    assert {d for d, n in owed.items() if n is None} == set(range(0, 15))
    assert owed[15] == 1 and owed[28] == 1   # Tue 17 March starts the first period
    assert owed[29] == 2 and owed[42] == 2   # 14 days later, Tue 31 March
    assert owed[43] == 3
    assert job_rules.idle_nudge(today=date(2026, 6, 1), last_active=last, every_days=0, window=window) is None


def test_an_idle_nudge_due_at_a_weekend_waits_for_the_working_day_and_the_next_keeps_its_distance():
    # Last activity Tue 3 March; 14 quiet days end Tue 17; due on Wed 18 (a holiday here)
    # so Thursday 19; the next one 14 days after that: Thu 2 April.
    window = job_rules.SendingWindow(holidays=frozenset({date(2026, 3, 18)}))
    last = date(2026, 3, 3)
    assert job_rules.idle_nudge(today=date(2026, 3, 18), last_active=last, every_days=14, window=window) is None
    assert job_rules.idle_nudge(today=date(2026, 3, 19), last_active=last, every_days=14, window=window) == 1
    assert job_rules.idle_nudge(today=date(2026, 4, 1), last_active=last, every_days=14, window=window) == 1
    assert job_rules.idle_nudge(today=date(2026, 4, 2), last_active=last, every_days=14, window=window) == 2


def test_the_closing_day_moves_back_to_a_working_day():
    # Campaign ends Wed 1 April 2026; 3 days before is Sun 29 March -> Fri 27 March.
    assert job_rules.closing_day(date(2026, 4, 1), days_before=3, window=WINDOW) == date(2026, 3, 27)
    assert job_rules.closing_day(date(2026, 3, 13), days_before=2, window=WINDOW) == date(2026, 3, 10)  # 11th off
    assert job_rules.closing_day(date(2026, 3, 13), days_before=0, window=WINDOW) == date(2026, 3, 13)


@pytest.mark.parametrize(("day", "due"), [
    (26, False), (27, True),
    (28, False), (29, False),  # weekend: nothing goes out
    (30, True), (31, True),    # caught up if missed
])
def test_the_closing_message_is_due_from_its_day_to_the_campaign_end(day, due):
    assert job_rules.closing_due(date(2026, 3, day), starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 1),
                             days_before=3, window=WINDOW) is due


def test_the_closing_message_is_never_sent_after_the_end_or_before_the_start():
    assert not job_rules.closing_due(date(2026, 4, 2), starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 1),
                                 days_before=3, window=WINDOW)
    # A two-day campaign: its closing day falls before it starts; it is sent on its first day.
    assert not job_rules.closing_due(date(2026, 3, 5), starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 10),
                                 days_before=3, window=WINDOW)
    assert job_rules.closing_due(date(2026, 3, 9), starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 10),
                             days_before=3, window=WINDOW)


_days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
_windows = st.builds(job_rules.SendingWindow,
                     holidays=st.frozensets(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 3, 31)),
                                            max_size=40))


@settings(max_examples=300, deadline=None)
@given(last=_days, every=st.integers(min_value=1, max_value=30), window=_windows,
       span=st.integers(min_value=0, max_value=120))
def test_idle_nudges_are_working_days_at_least_n_days_apart(last, every, window, span):
    """Walking day by day, the days a new nudge number starts are working days, the first
    more than ``every`` days after the last activity, each next at least ``every`` days later;
    the number never goes down."""
    starts, previous = [], None
    for n in range(span + every + 2):
        today = last + timedelta(days=n)
        number = job_rules.idle_nudge(today=today, last_active=last, every_days=every, window=window)
        if number is None:
            assert previous is None
            continue
        assert previous is None or number >= previous
        if number != previous:
            assert number == (previous or 0) + 1
            starts.append(today)
        previous = number
    for day in starts:
        assert window.is_working_day(day)
    if starts:
        assert (starts[0] - last).days > every
    assert all((b - a).days >= every for a, b in pairwise(starts))


@settings(max_examples=300, deadline=None)
@given(today=_days, k=st.integers(min_value=1, max_value=10), window=_windows)
def test_the_allowance_window_is_exactly_the_last_k_working_days(today, k, window):
    last = job_rules.last_working_days(today.year, today.month, k, window)
    assert len(last) <= k and all(d.month == today.month and window.is_working_day(d) for d in last)
    assert job_rules.allowance_nudge_due(today, days=k, window=window) is (today in last)


@settings(max_examples=300, deadline=None)
@given(ends_on=_days, before=st.integers(min_value=0, max_value=30), window=_windows)
def test_the_closing_day_is_the_last_working_day_at_or_before_the_target(ends_on, before, window):
    day = job_rules.closing_day(ends_on, days_before=before, window=window)
    target = ends_on - timedelta(days=before)
    assert day <= target and window.is_working_day(day)
    assert not any(window.is_working_day(day + timedelta(days=n)) for n in range(1, (target - day).days + 1))


def test_nudge_settings_default_turn_off_and_name_a_bad_value(monkeypatch):
    from engagement.settings import load_settings

    for name in ("ENGAGEMENT_ALLOWANCE_NUDGE_DAYS", "ENGAGEMENT_GREEN_IDLE_DAYS", "ENGAGEMENT_GREEN_CLOSING_DAYS"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert (s.allowance_nudge_days, s.green_idle_days, s.green_closing_days) == (3, 14, 3)
    monkeypatch.setenv("ENGAGEMENT_GREEN_IDLE_DAYS", "off")
    monkeypatch.setenv("ENGAGEMENT_GREEN_CLOSING_DAYS", "0")
    s = load_settings()
    assert (s.green_idle_days, s.green_closing_days) == (None, 0)
    for name, bad in (("ENGAGEMENT_GREEN_IDLE_DAYS", "two weeks"), ("ENGAGEMENT_GREEN_IDLE_DAYS", "0"),
                      ("ENGAGEMENT_ALLOWANCE_NUDGE_DAYS", "-1"), ("ENGAGEMENT_GREEN_CLOSING_DAYS", "99"),
                      ("ENGAGEMENT_ALLOWANCE_NUDGE_DAYS", "３")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValueError, match=f"Setting {name} must be .* got '{bad}'"):
            load_settings()
        monkeypatch.delenv(name)
