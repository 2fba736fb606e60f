"""Pure rules of notifications: channels from preferences and the back-off of e-mail retries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engagement.notify import rules


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
