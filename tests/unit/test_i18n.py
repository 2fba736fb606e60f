"""The interface languages: the catalogues are complete, pages show no untranslated text, and
the mechanism renders each message in its reader's language."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date

import pytest

from engagement.core import catalogue, formats, i18n
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.i18n import N_, Msg
from engagement.settings import LANGUAGES
from tests import i18n_scan

TRANSLATED = [lang for lang in LANGUAGES if lang != i18n.SOURCE_LANGUAGE]


@pytest.fixture(scope="module")
def extracted():
    """The template from the code, and what the extractor complained about."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        template = catalogue.extract()
    return template, err.getvalue()


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_the_extractor_reads_every_marked_message(extracted):
    template, complaints = extracted
    # An f-string as a message cannot be translated: it must be a template with parameters.
    assert "Skipping" not in complaints, complaints[:2000]
    assert len(template) > 500  # the whole interface, not an empty scan


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_has_a_translation(extracted, lang):
    template, _ = extracted
    catalog = catalogue.read(lang)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None or found.fuzzy or not all(_strings(found)):
            missing.append(_ids(message)[0])
    assert not missing, f"{len(missing)} messages without a {lang} translation (run make i18n): {missing[:20]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    wrong = []
    for message in catalogue.read(lang):
        if not message.id:
            continue
        wanted = set().union(*(i18n.placeholders(i) for i in _ids(message)))
        for text in _strings(message):
            if text and i18n.placeholders(text) != wanted:
                wrong.append((_ids(message)[0], text))
    assert not wrong, wrong[:20]


@pytest.mark.parametrize("route", sorted(i18n_scan.pages()))
def test_every_page_shows_only_translated_text(route):
    assert i18n_scan.untranslated(route) == []


def test_the_scan_finds_untranslated_text():
    import reflex as rx

    from engagement.ui.i18n import t

    found = set(i18n_scan.texts(rx.vstack(rx.text("Plain words"), rx.text(t("Log in")),
                                          rx.input(placeholder="Type here"), rx.text("·"))))
    assert found == {"Plain words", "placeholder=Type here"}


def test_a_message_renders_in_the_language_asked_for():
    msg = N_("Choose a {what} from the list.", what=N_("unit"))
    assert msg.render("en") == "Choose a unit from the list."
    vietnamese = msg.render("vi")
    assert vietnamese != msg.render("en")
    assert i18n.translate("unit", "vi") in vietnamese  # the parameter is translated too


def test_user_data_in_a_message_is_never_translated():
    assert Msg("“{name}” is taken.", {"name": "unit"}).render("vi").count("unit") == 1


def test_an_error_renders_at_the_edge_in_the_readers_language():
    error = NotAllowed("Change your temporary password first.")
    assert error.render("en") == "Change your temporary password first."
    assert error.render("vi") != error.render("en")
    with i18n.using("vi"):
        assert str(error) == error.render("vi")
    with i18n.using("en"):
        assert error.message == "Change your temporary password first."


def test_field_messages_render_in_the_readers_language():
    error = Invalid("Some criteria need correcting.", fields={"name": N_("record")})
    assert error.render_fields("en") == {"name": "record"}
    assert error.render_fields("vi") == {"name": i18n.translate("record", "vi")}


def test_plural_forms():
    with i18n.using("en"):
        assert i18n._n("one person", "{n} people", 1) == "one person"
        assert i18n._n("one person", "{n} people", 3) == "3 people"


def test_a_missing_parameter_is_left_visible_not_a_crash():
    assert i18n.fill("{a} and {b}", {"a": 1}, "en") == "1 and {b}"


@pytest.mark.parametrize(("header", "expected"), [
    ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
    ("en-GB,en;q=0.9", "en"),
    ("fr-FR,en;q=0.5,vi;q=0.7", "vi"),
    ("fr-FR", i18n.default_language()),
    ("", i18n.default_language()),
    ("en;q=abc,vi", "vi"),
])
def test_the_browsers_language_is_negotiated(header, expected):
    assert i18n.negotiate(header) == expected


def test_unknown_codes_fall_back_to_the_default():
    assert i18n.normalise("EN-us") == "en"
    assert i18n.normalise("xx") == i18n.default_language()
    assert not i18n.supported("xx")
    assert not i18n.supported(None)


def test_the_current_language_is_scoped():
    with i18n.using("en"):
        with i18n.using("vi"):
            assert i18n.current() == "vi"
        assert i18n.current() == "en"


def test_numbers_and_months_follow_the_language():
    with i18n.using("vi"):
        assert formats.number(1234.5) == "1.234,5"
        assert formats.month_label(2026, 12) == "Tháng 12/2026"
        assert formats.long_day(date(2026, 12, 1)) == "ngày 01 tháng 12 năm 2026"
        assert formats.weekday_name(0) == "Thứ Hai"
    with i18n.using("en"):
        assert formats.number(1234.5) == "1,234.5"
        assert formats.month_label(2026, 12) == "December 2026"
        assert formats.weekday_name(0) == "Monday"
    assert formats.day(date(2026, 12, 1)) == "01/12/2026"


def test_a_page_text_compiles_every_language_and_picks_by_the_tab():
    import reflex as rx

    from engagement.ui.i18n import LangState, t, t_n

    js = str(t("Log in"))
    assert json.dumps("Log in") in js and json.dumps(i18n.translate("Log in", "vi")) in js and "lang" in js
    with_var = str(t("{n} people", n=LangState.lang))
    assert "lang" in with_var
    plural = str(t_n("one person", "{n} people", rx.Var.create(2)))
    assert "one person" in plural


def test_the_catalogue_is_read_once_per_process():
    first = i18n._translations("vi")
    assert i18n._translations("vi") is first
