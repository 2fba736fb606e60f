"""Journeys a person makes in the browser, against the production build."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from engagement.org.demo import DEMO_PASSWORD


def log_in(page: Page, app_url: str, username: str) -> None:
    page.goto(f"{app_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(app_url) + r"/?$"), timeout=15_000)


def test_anonymous_visitor_is_sent_to_login(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/org/people")
    expect(page).to_have_url(re.compile(r"/login"), timeout=15_000)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_wrong_password_shows_a_message(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/login")
    page.get_by_label("Username").fill("staff2")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")


def test_staff_logs_in_sees_their_unit_and_logs_out(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    expect(page.locator("#my-unit")).to_have_text("Văn phòng Sở")
    expect(page.locator("#my-roles")).to_contain_text("Staff")
    # The navigation shows only what a staff member may use.
    nav = page.get_by_label("Main navigation")
    expect(nav.get_by_text("Organisation")).to_be_visible()
    expect(nav.get_by_text("Audit log")).to_have_count(0)
    expect(nav.get_by_text("People")).to_have_count(0)
    page.locator("#user-menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{app_url}/")
    expect(page).to_have_url(re.compile(r"/login"), timeout=15_000)


def test_staff_member_is_refused_the_admin_pages(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff2")
    page.goto(f"{app_url}/admin/audit")
    expect(page.get_by_role("alert")).to_contain_text("Only system administrators can read the audit log")
    page.goto(f"{app_url}/org/people")
    expect(page.get_by_role("alert")).to_contain_text("can see this list of people")
    expect(page.locator(".person-row")).to_have_count(0)


def test_admin_creates_a_unit_and_a_person(page: Page, app_url: str) -> None:
    log_in(page, app_url, "admin")
    page.goto(f"{app_url}/org/units")
    expect(page.locator(".unit-row").first).to_be_visible()
    page.get_by_role("button", name="New top-level unit").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Ban Dân tộc tỉnh")
    dialog.get_by_label("Code").fill("BDT")
    dialog.get_by_role("button", name="Create unit").click()
    expect(page.locator(".unit-row", has_text="Ban Dân tộc tỉnh")).to_be_visible()

    page.goto(f"{app_url}/org/people")
    expect(page.locator(".person-row").first).to_be_visible()
    page.get_by_role("button", name="New person").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Employee code").fill("CB77777")
    dialog.get_by_label("Full name").fill("Hà Thị Thu Hường")
    dialog.get_by_label("Position").fill("Chuyên viên")
    unit_select = dialog.locator("select[name=unit_id]")
    value = unit_select.locator("option", has_text="Ban Dân tộc tỉnh").get_attribute("value")
    unit_select.select_option(value)
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.locator("#people-search").fill("thu huong")
    row = page.locator(".person-row", has_text="Hà Thị Thu Hường")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Ban Dân tộc tỉnh")


def test_bad_person_input_gets_a_clear_message_and_writes_nothing(page: Page, app_url: str) -> None:
    log_in(page, app_url, "officer")
    page.goto(f"{app_url}/org/people")
    page.get_by_role("button", name="New person").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Employee code").fill("CB88888")
    dialog.get_by_label("Full name").fill("Nguyen 123")
    unit_select = dialog.locator("select[name=unit_id]")
    unit_select.select_option(index=1)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("not a valid name")
    page.keyboard.press("Escape")
    # Type only once the dialog has gone: while it closes, the page behind it is inert.
    expect(dialog).to_be_hidden()
    page.locator("#people-search").fill("CB88888")
    expect(page.get_by_text("No one matches.")).to_be_visible()
