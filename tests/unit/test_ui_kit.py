"""The state kit's pure parts: form accessors and the attempt block."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from engagement.core.errors import Invalid, NotAllowed
from engagement.ui.kit import Attempt, AttemptBlock, Form, as_date, as_int, unit_options


def test_a_form_that_is_not_a_dict_is_refused_with_a_message():
    with pytest.raises(Invalid) as exc:
        Form(["name", "x"])
    assert "Reload the page" in exc.value.message


def test_form_text_is_bounded_and_missing_fields_are_empty():
    f = Form({"name": "  Nguyễn Văn A  ", "long": "x" * 5000})
    assert f.text("name") == "  Nguyễn Văn A  "
    assert f.stripped("name") == "Nguyễn Văn A"
    with pytest.raises(Invalid) as refused:  # refused with the limit, never cut
        f.text("long", 100)
    assert "at most 100 characters, you typed 5000" in refused.value.message
    assert f.text("long", 5000) == "x" * 5000
    assert f.text("absent") == ""


def test_form_numbers_dates_and_ids_say_what_is_wrong():
    f = Form({"n": "12", "bad": "twelve", "d": "2026-12-01", "amount": "2,5", "id": "7", "zero": "0"})
    assert f.number("n") == 12
    assert f.number("missing", default=3) == 3
    with pytest.raises(Invalid, match="as a whole number"):
        f.number("bad", what="target")
    assert f.day("d") == date(2026, 12, 1)
    assert f.optional_day("missing") is None
    with pytest.raises(Invalid, match="as a date"):
        f.day("bad", "due date")
    assert f.decimal("amount") == 2.5
    assert f.id("id") == 7
    assert f.optional_id("zero") is None
    with pytest.raises(Invalid, match="from the list"):
        f.id("bad", "unit")


def test_form_flags_lines_and_ticked_boxes():
    f = Form({"on": "on", "off": "", "lines": "a\n\n b \nc", "c_3": "on", "c_1": True, "c_x": "on", "c_0": "on",
              "c_2": ""})
    assert f.flag("on") is True
    assert f.flag("off") is False
    assert f.flag("absent") is False
    assert f.lines("lines") == ["a", "b", "c"]
    assert f.ticked("c_") == [1, 3]


def test_single_arguments_are_parsed_or_refused():
    assert as_int(" 5 ") == 5
    with pytest.raises(Invalid):
        as_int("-1")
    with pytest.raises(Invalid):
        as_int(None)
    assert as_date("2026-01-31") == date(2026, 1, 31)


def test_an_attempt_turns_a_refusal_into_the_message_and_clears_it_on_success():
    state = SimpleNamespace(error="old")
    with AttemptBlock(state, Attempt(success="Saved."), "error") as done:
        raise NotAllowed("Only officers can do this.")
    assert not done.ok
    assert state.error == "Only officers can do this."
    assert done.message == "Only officers can do this."
    with AttemptBlock(state, Attempt(success="Saved."), "error") as done:
        pass
    assert done.ok
    assert state.error == ""


def test_an_attempt_lets_a_programming_error_through():
    state = SimpleNamespace(error="")
    with pytest.raises(ZeroDivisionError), AttemptBlock(state, Attempt(), "error"):
        _ = 1 / 0
    assert state.error == ""


def test_unit_options_are_indented_and_skip_inactive_units():
    rows = [SimpleNamespace(id=1, depth=0, name="Sở Nội vụ", code="SNV", is_active=True, parent_id=None),
            SimpleNamespace(id=2, depth=1, name="Văn phòng", code="VP", is_active=True, parent_id=1),
            SimpleNamespace(id=3, depth=1, name="Cũ", code="OLD", is_active=False, parent_id=1)]
    options = unit_options(rows)
    assert [o.value for o in options] == ["1", "2"]
    assert options[1].label == "\u2003Văn phòng (VP)"
    assert unit_options(rows, with_code=False)[0].label == "Sở Nội vụ"
