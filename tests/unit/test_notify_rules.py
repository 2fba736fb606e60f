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
