"""Journeys a person makes in the browser, against the production build.

Texts are the app's in the journeys' language (``L``, see conftest.py)."""

from __future__ import annotations

import re
from functools import partial

import pytest
from playwright.sync_api import Page, expect

from engagement.core.i18n import N_
from engagement.org.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.e2e.conftest import E2E_LANGUAGE, ROOT, L, L_re, text_in

NAMES = {username: name for username, _role, name in DEMO_LOGINS}


def log_in(page: Page, app_url: str, username: str, *, lang: str = E2E_LANGUAGE) -> None:
    """Log in on the login page, shown in ``lang`` (the journeys' language unless told)."""
    T = partial(text_in, lang)
    page.goto(f"{app_url}/login")
    page.get_by_label(T("Username")).fill(username)
    page.get_by_label(T("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=T("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(app_url) + r"/?$"), timeout=15_000)


def log_out(page: Page, *, lang: str = E2E_LANGUAGE) -> None:
    page.locator("#user-menu").click()
    page.get_by_role("menuitem", name=text_in(lang, "Log out")).click()
    expect(page).to_have_url(re.compile(r"/login"))


def test_anonymous_visitor_is_sent_to_login(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/org/people")
    expect(page).to_have_url(re.compile(r"/login"), timeout=15_000)
    expect(page.get_by_role("button", name=L("Log in"), exact=True)).to_be_visible()


def test_wrong_password_shows_a_message(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/login")
    page.get_by_label(L("Username")).fill("staff2")
    page.get_by_label(L("Password")).fill("not the password")
    page.get_by_role("button", name=L("Log in"), exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(L("Wrong username or password."))


def test_staff_logs_in_sees_their_unit_and_logs_out(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    expect(page.locator("#my-unit")).to_have_text("Văn phòng Sở")
    expect(page.locator("#my-roles")).to_contain_text(L("Staff"))
    # The navigation shows only what a staff member may use.
    nav = page.get_by_label(L("Main navigation"))
    expect(nav.get_by_role("link", name=L("Organisation"), exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name=L("Audit log"), exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name=L("People"), exact=True)).to_have_count(0)
    log_out(page)
    page.goto(f"{app_url}/")
    expect(page).to_have_url(re.compile(r"/login"), timeout=15_000)


def test_staff_member_is_refused_the_admin_pages(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff2")
    page.goto(f"{app_url}/admin/audit")
    expect(page.get_by_role("alert")).to_contain_text(
        L("Only system administrators can {action}.", action=N_("read the audit log")))
    page.goto(f"{app_url}/org/people")
    expect(page.get_by_role("alert")).to_contain_text(
        L_re("Only {roles} can {action}. Ask a system administrator if you need one of these roles.",
             action=N_("see this list of people")))
    expect(page.locator(".person-row")).to_have_count(0)


def test_admin_creates_a_unit_and_a_person(page: Page, app_url: str) -> None:
    log_in(page, app_url, "admin")
    page.goto(f"{app_url}/org/units")
    expect(page.locator(".unit-row").first).to_be_visible()
    page.get_by_role("button", name=L("New top-level unit")).click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[name=name]").fill("Ban Dân tộc tỉnh")
    dialog.locator("input[name=code]").fill("BDT")
    dialog.get_by_role("button", name=L("Create unit")).click()
    expect(page.locator(".unit-row", has_text="Ban Dân tộc tỉnh")).to_be_visible()

    page.goto(f"{app_url}/org/people")
    expect(page.locator(".person-row").first).to_be_visible()
    page.locator("#new-person").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(L("Employee code")).fill("CB77777")
    dialog.get_by_label(L("Full name")).fill("Hà Thị Thu Hường")
    dialog.get_by_label(L("Position")).fill("Chuyên viên")
    unit_select = dialog.locator("select[name=unit_id]")
    value = unit_select.locator("option", has_text="Ban Dân tộc tỉnh").get_attribute("value")
    unit_select.select_option(value)
    dialog.get_by_role("button", name=L("Save"), exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.locator("#people-search").fill("thu huong")
    row = page.locator(".person-row", has_text="Hà Thị Thu Hường")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Ban Dân tộc tỉnh")


def test_bad_person_input_gets_a_clear_message_and_writes_nothing(page: Page, app_url: str) -> None:
    log_in(page, app_url, "officer")
    page.goto(f"{app_url}/org/people")
    page.locator("#new-person").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(L("Employee code")).fill("CB88888")
    dialog.get_by_label(L("Full name")).fill("Nguyen 123")
    unit_select = dialog.locator("select[name=unit_id]")
    unit_select.select_option(index=1)
    dialog.get_by_role("button", name=L("Save"), exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        L("“{name}” is not a valid name: use letters and spaces only (no digits or symbols).", name="Nguyen 123"))
    page.keyboard.press("Escape")
    # Type only once the dialog has gone: while it closes, the page behind it is inert.
    expect(dialog).to_be_hidden()
    page.locator("#people-search").fill("CB88888")
    expect(page.get_by_text(L("No one matches."))).to_be_visible()


# --- the interface language ------------------------------------------------------------------

#: The login page and the header offer a language switch (a native select labelled "Language").
HEADER_LANGUAGE_SWITCH = ("AuthState.choose_language" in (ROOT / "engagement/ui/layout.py").read_text()
                          and "language_switch(" in (ROOT / "engagement/ui/pages.py").read_text())
#: The profile page offers one labelled "Interface language".
PROFILE_LANGUAGE_SWITCH = "Interface language" in (ROOT / "engagement/org/pages.py").read_text()


def _choose(page: Page, label: str, code: str) -> None:
    """Choose ``code`` in the language select labelled ``label``; wait for the page to reload in it."""
    page.evaluate("window.__before_switch = true")
    page.get_by_label(label, exact=True).select_option(code)
    # The switch reloads the page: the mark is gone once the new document is there.
    page.wait_for_function("() => window.__before_switch === undefined", timeout=15_000)
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", code, timeout=15_000)


def _switch(page: Page, lang_shown: str, code: str) -> None:
    """Choose ``code`` in the header's (or login page's) switch, labelled in ``lang_shown``."""
    _choose(page, text_in(lang_shown, "Language"), code)


@pytest.mark.skipif(not HEADER_LANGUAGE_SWITCH, reason="the login page and header have no language switch yet")
def test_a_person_switches_to_english_on_the_login_page_and_back_in_the_header(page: Page, app_url: str) -> None:
    EN = partial(text_in, "en")
    page.goto(f"{app_url}/login")
    expect(page.get_by_role("button", name=L("Log in"), exact=True)).to_be_visible()
    _switch(page, E2E_LANGUAGE, "en")
    # The page reloads in English; this browser remembers it after logging in.
    expect(page.get_by_role("button", name=EN("Log in"), exact=True)).to_be_visible(timeout=15_000)
    log_in(page, app_url, "council", lang="en")
    expect(page.get_by_role("heading", name=EN("Welcome, {name}", name=NAMES["council"]))).to_be_visible()
    expect(page.get_by_role("heading", name=EN("My roles"))).to_be_visible()
    nav = page.get_by_label(EN("Main navigation"))
    expect(nav.get_by_role("link", name=EN("Organisation"), exact=True)).to_be_visible()
    page.goto(f"{app_url}/profile")
    expect(page.get_by_role("heading", name=EN("My profile"), exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_text(EN("Full name"), exact=True)).to_be_visible()

    # Back to the journeys' language, from the header.
    _switch(page, "en", E2E_LANGUAGE)
    expect(page.get_by_role("heading", name=L("My profile"), exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_label(L("Language"), exact=True)).to_have_value(E2E_LANGUAGE)
    log_out(page)
    expect(page.get_by_role("button", name=L("Log in"), exact=True)).to_be_visible()


@pytest.mark.skipif(not PROFILE_LANGUAGE_SWITCH, reason="the profile page has no 'Interface language' select yet")
def test_the_language_chosen_on_the_profile_follows_the_account(page: Page, app_url: str) -> None:
    EN = partial(text_in, "en")
    log_in(page, app_url, "council")
    page.goto(f"{app_url}/profile")
    expect(page.get_by_role("heading", name=L("My profile"), exact=True)).to_be_visible(timeout=15_000)
    _choose(page, L("Interface language"), "en")
    expect(page.get_by_role("heading", name=EN("My profile"), exact=True)).to_be_visible(timeout=15_000)
    expect(page.get_by_label(EN("Language"), exact=True)).to_have_value("en")

    # The account keeps it: a browser that never chose a language shows English after login.
    page.context.clear_cookies()
    log_in(page, app_url, "council")
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=15_000)
    expect(page.get_by_role("heading", name=EN("My roles"))).to_be_visible()

    # Back to the journeys' language, on the profile page again.
    page.goto(f"{app_url}/profile")
    _choose(page, EN("Interface language"), E2E_LANGUAGE)
    expect(page.get_by_role("heading", name=L("My profile"), exact=True)).to_be_visible(timeout=15_000)
    page.context.clear_cookies()
    log_in(page, app_url, "council")
    expect(page.locator("html")).to_have_attribute("lang", E2E_LANGUAGE, timeout=15_000)
    expect(page.get_by_role("heading", name=L("My roles"))).to_be_visible()
