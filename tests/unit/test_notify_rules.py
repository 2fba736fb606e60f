"""Pure rules of notifications: channels, back-off, sending window, reminder stages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from engagement.notify import rules

WINDOW = rules.SendingWindow(holidays=frozenset({date(2026, 3, 11)}))
POLICY = rules.ReminderPolicy(every_days=3, before_days=2, overdue_max=2)


@pytest.mark.parametrize(("mode", "mandatory", "has_email", "expected"), [
    (None, False, True, ("in_app",)),
    ("in_app", False, True, ("in_app",)),
    ("email", False, True, ("in_app", "email")),
    ("email", False, False, ("in_app",)),
    ("off", False, True, ()),
    ("off", True, True, ("in_app",)),
])
def test_channels_follow_the_choice_and_mandatory_notices_ignore_off(mode, mandatory, has_email, expected):
    assert rules.channels(mode, mandatory=mandatory, has_email=has_email) == expected


def test_back_off_doubles_from_a_minute_and_is_capped():
    assert [rules.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert rules.backoff(40) == timedelta(hours=6)
    assert rules.give_up(6, max_attempts=6) and not rules.give_up(5, max_attempts=6)


def test_quiet_hours_span_midnight_and_weekends_and_holidays_are_off():
    assert WINDOW.is_quiet(time(20, 0)) and WINDOW.is_quiet(time(6, 59)) and not WINDOW.is_quiet(time(7, 0))
    assert WINDOW.may_send(datetime(2026, 3, 2, 9, 0))          # Monday
    assert not WINDOW.may_send(datetime(2026, 3, 7, 9, 0))      # Saturday
    assert not WINDOW.may_send(datetime(2026, 3, 11, 9, 0))     # holiday
    day_window = rules.SendingWindow(quiet_start=time(12, 0), quiet_end=time(13, 0))
    assert day_window.is_quiet(time(12, 30)) and not day_window.is_quiet(time(13, 0))


def test_settings_parse_or_name_the_bad_value():
    assert rules.parse_holidays(" 2026-04-30, 2026-05-01 ,") == {date(2026, 4, 30), date(2026, 5, 1)}
    with pytest.raises(ValueError, match="30/04"):
        rules.parse_holidays("30/04/2026")
    assert rules.parse_clock("07:30") == time(7, 30)
    with pytest.raises(ValueError, match="7h"):
        rules.parse_clock("7h")
    assert rules.parse_policy("every=5,overdue=1") == rules.ReminderPolicy(5, 3, 1)
    with pytest.raises(ValueError, match="weekly"):
        rules.parse_policy("weekly=1")


def _stage(day: int) -> str | None:
    return rules.campaign_stage(today=date(2026, 3, day), opens_on=date(2026, 3, 2),
                                due_on=date(2026, 3, 13), policy=POLICY, window=WINDOW)


def test_campaign_stages_from_launch_to_escalation():
    assert rules.campaign_stage(today=date(2026, 3, 1), opens_on=date(2026, 3, 2), due_on=date(2026, 3, 13),
                                policy=POLICY, window=WINDOW) is None
    assert [_stage(d) for d in (2, 4, 5, 8, 10, 11, 12, 13)] == [
        "launch", "launch", "every-1", "every-2", "every-2", "before-2", "before-2", "due"]
    # The weekend after the due date counts no overdue day; Mon 16 is the first.
    assert [_stage(d) for d in (14, 15, 16, 17, 18, 25)] == [
        "due", "due", "overdue-1", "overdue-2", "escalate", "escalate"]
    assert rules.is_urgent("due") and rules.is_urgent("overdue-1") and not rules.is_urgent("every-1")


# --- digests ---------------------------------------------------------------------------------


def test_previous_week_is_the_iso_week_before_today_across_a_year_end():
    span = rules.previous_week(date(2026, 11, 23))  # a Monday
    assert (span.first, span.last, span.key) == (date(2026, 11, 16), date(2026, 11, 22), "2026-W47")
    assert rules.previous_week(date(2026, 11, 29)).key == "2026-W47"  # the Sunday of the same week
    span = rules.previous_week(date(2027, 1, 6))
    assert (span.first, span.last, span.key) == (date(2026, 12, 28), date(2027, 1, 3), "2026-W53")


def test_previous_month_and_when_its_digest_may_go():
    span = rules.previous_month(date(2027, 1, 4))
    assert (span.first, span.last, span.key, span.label) == (date(2026, 12, 1), date(2026, 12, 31),
                                                            "2026-12", "December 2026")
    assert rules.previous_month(date(2026, 3, 1)).last == date(2026, 2, 28)
    assert rules.monthly_digest_due(date(2026, 3, 2), WINDOW)           # Monday 2nd
    assert not rules.monthly_digest_due(date(2026, 3, 1), WINDOW)       # Sunday
    assert not rules.monthly_digest_due(date(2026, 3, 11), WINDOW)      # holiday, and too late
    assert not rules.monthly_digest_due(date(2026, 3, 12), WINDOW)      # too late to be news


def test_ordinals_and_excerpts():
    assert [rules.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]
    assert rules.excerpt("short  text\nhere") == "short text here"
    cut = rules.excerpt("Chị Mai đã hướng dẫn tận tình, chu đáo cho người dân làm thủ tục " * 3, 40)
    assert len(cut) <= 40 and cut.endswith("…") and " " in cut


def _facts(received=(), week=0):
    return rules.WeeklyFacts(received=tuple(received), week_points=week, month_label="2026-11",
                             month_points=45, year_label="2026", year_points=320)


def test_weekly_digest_says_nothing_of_an_empty_week_and_quotes_three_recognitions():
    span = rules.previous_week(date(2026, 11, 23))
    assert rules.weekly_digest(_facts(), span) is None
    title, body = rules.weekly_digest(_facts(week=-2), span)
    assert title == "Your week: -2 points" and "-2 this week; 45 in 2026-11, 320 in 2026" in body
    got = [rules.Received(giver=f"Giver {i}", level="Great work", message=f"Message {i}") for i in range(5)]
    title, body = rules.weekly_digest(_facts(got, week=12), span)
    assert title == "Your week: 5 recognitions, +12 points"
    assert "16/11 – 22/11/2026" in body and "Great work from Giver 2: “Message 2”" in body
    assert "Giver 3" not in body and "and 2 more" in body


def test_unit_digest_reports_rank_movement_and_campaign_completion():
    span = rules.previous_month(date(2026, 12, 1))
    facts = rules.UnitMonth(unit="Phòng Tổ chức", members=42, points=1234, rank=3, peers=12, previous_rank=5,
                            recognitions=18, green_activities=7,
                            campaigns=(rules.CampaignProgress("Cam kết 2026", 40, 42),
                                       rules.CampaignProgress("Cam kết bổ sung", 3, 3)))
    title, body = rules.unit_digest(facts, span)
    assert title == "Phòng Tổ chức: your month in review (November 2026)"
    assert "Points: 1234 — 3rd of 12 units at its level (up 2 from 5th)" in body
    assert "Cam kết 2026: 40 of 42 signed or exempted (95%), 2 not yet" in body
    assert "Cam kết bổ sung: 3 of 3 signed or exempted (100%)\n" not in body
    assert body.endswith("Cam kết bổ sung: 3 of 3 signed or exempted (100%)")
    same = rules.unit_digest(rules.UnitMonth(unit="U", members=1, points=0, rank=1, peers=1, previous_rank=1,
                                             recognitions=0, green_activities=0, campaigns=()), span)[1]
    assert "(up" not in same and "(down" not in same and "1 member)" in same
