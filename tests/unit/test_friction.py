"""Issue 16, the pure parts: the rules and the kit behind the bugs people tripped over."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagement.commitments import rules as commitment_rules
from engagement.core import limits, sheets
from engagement.core.errors import Invalid
from engagement.green import rules as green_rules
from engagement.org import rules as org_rules
from engagement.ui.kit import Attempt, AttemptBlock, Form

ROOT = Path(__file__).resolve().parents[2]


# --- 6. the password rule ---------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Mật khẩu rất mạnh 2026!", "thanh-pho-xanh-2026", "khanhmai-2026!x"])
def test_a_name_inside_another_word_is_not_the_name(password):
    assert "Do not put your name in your password." not in org_rules.password_problems(
        password, username="mai.anh", full_name="Trần Mai Anh")


@pytest.mark.parametrize("password", ["Anh-yeu-em-2026", "anh2026anh2026", "Xin chào ÁNH 2026", "maianh-2026-ok",
                                      "tranmaianh!2026", "iloveAnh2026"])
def test_the_name_as_a_word_of_its_own_is_refused_accents_ignored(password):
    full_name = "Trần Mai Anh" if "mai" in password.lower() else "Lê Văn Anh"
    assert "Do not put your name in your password." in org_rules.password_problems(
        password, username="x.y", full_name=full_name)


def test_a_name_of_two_letters_is_never_looked_for():
    assert not org_rules.name_in_password("Ly ly ly ly 2026!", "Trần Ly")


# --- 9. import problem counts -----------------------------------------------------------------


def test_import_problems_count_the_rows_they_are_on():
    assert sheets.problems_summary([5, 5, 5, 5, 5]).render("en") == (
        "Nothing was imported: 5 problems in 1 row. Fix them and upload the file again.")
    assert sheets.problems_summary([2, 7]).render("en").startswith("Nothing was imported: 2 problems in 2 rows.")
    assert sheets.problems_summary([3]).render("en").startswith("Nothing was imported: 1 problem in 1 row.")


# --- 10. over-long text: one rule, refused with the limit --------------------------------------


def test_within_refuses_over_long_text_naming_field_and_limit():
    assert limits.within("abc", limit=3, what="note", field="note") == "abc"
    with pytest.raises(Invalid) as refused:
        limits.within("abcd", limit=3, what="note", field="note")
    assert refused.value.message == ("The note is too long: at most 3 characters, you typed 4. Shorten it and send "
                                     "again.")
    assert refused.value.fields == {"note": "At most 3 characters"}


def test_a_form_refuses_over_long_text_instead_of_cutting_it():
    form = Form({"message": "x" * 1001, "short": "ok", "lines": "ok\n" + "y" * 201})
    assert form.text("short", 10) == "ok"
    with pytest.raises(Invalid) as refused:
        form.text("message", 1000, "message")
    assert "at most 1000 characters, you typed 1001" in refused.value.message
    assert refused.value.fields == {"message": "At most 1000 characters"}
    with pytest.raises(Invalid, match="Line 2 is too long: at most 200"):
        form.lines("lines")


def test_campaign_names_and_green_notes_have_limits():
    assert commitment_rules.clean_campaign_name("  Cam   kết  ") == "Cam kết"
    with pytest.raises(Invalid, match="campaign name is too long"):
        commitment_rules.clean_campaign_name("x" * 201)
    with pytest.raises(Invalid, match="note is too long: at most 1000"):
        green_rules.check_note("n" * 1001)


# --- 3 and 4: overlapping audiences, dates in the past ----------------------------------------


def test_audiences_overlap_by_unit_subtree_and_position():
    assert commitment_rules.audiences_overlap(("/1/",), (), ("/1/4/",), ())
    assert commitment_rules.audiences_overlap(("/1/4/",), (), ("/1/",), ())
    assert not commitment_rules.audiences_overlap(("/1/4/",), (), ("/1/5/",), ())
    assert not commitment_rules.audiences_overlap(("/1/",), ("Giám đốc",), ("/1/",), ("Chuyên viên",))
    assert commitment_rules.audiences_overlap(("/1/",), ("giám  đốc",), ("/1/",), ("Giám đốc", "Phó"))
    assert commitment_rules.audiences_overlap(("/1/",), ("Giám đốc",), ("/1/",), ())


def test_a_past_due_date_is_named_as_in_the_past():
    with pytest.raises(Invalid, match="These dates are in the past: the due date 28/02/2020"):
        commitment_rules.check_not_past(due_day=date(2020, 2, 28), today=date(2026, 3, 2))
    commitment_rules.check_not_past(due_day=date(2026, 3, 2), today=date(2026, 3, 2))


# --- 13. rosters on working days --------------------------------------------------------------


def test_roster_dates_skip_holidays_and_weekends():
    days = green_rules.roster_dates(starts_on=date(2026, 12, 28), ends_on=date(2027, 1, 11), weekday=4,
                                    every_weeks=1, holidays={date(2027, 1, 1)})
    assert days == [date(2027, 1, 8)]
    assert green_rules.roster_dates(starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 31), weekday=6,
                                    every_weeks=1) == []


# --- 1 and 11: messages next to their field; a new attempt starts clean -------------------------


class _State:
    base_vars = {"error": None, "error_fields": None}

    def __init__(self):
        self.error, self.error_fields = "old refusal", {"typed_name": "old"}


def test_an_attempt_clears_the_last_refusal_and_fills_the_fields_of_the_new_one():
    state = _State()
    block = AttemptBlock(state, Attempt(lang="en"), "error")
    with block:
        assert (state.error, state.error_fields) == ("", {})  # cleared as the attempt starts
        raise Invalid("Wrong password, try again.", {"password": "Wrong password"})
    assert state.error == "Wrong password, try again." and state.error_fields == {"password": "Wrong password"}
    with AttemptBlock(state, Attempt(lang="en"), "error"):
        pass
    assert (state.error, state.error_fields) == ("", {})


def test_a_state_without_field_messages_keeps_working():
    class Plain:
        base_vars = {"error": None}
        error = ""

    state = Plain()
    with AttemptBlock(state, Attempt(lang="en"), "error"):
        raise Invalid("No.", {"x": "y"})
    assert state.error == "No." and not hasattr(state, "error_fields")


# --- 7. long words wrap -----------------------------------------------------------------------


def test_long_unbroken_words_wrap_everywhere():
    css = (ROOT / "assets" / "styles.css").read_text(encoding="utf-8")
    assert "body { overflow-wrap: anywhere; }" in css

