"""Notifications in the browser: a staff member chooses e-mail for a kind of message; the system
admin sees the outbox (no mail server: e-mails wait), requeues a failed e-mail and runs a job."""

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


def log_out(page: Page) -> None:
    page.locator("#user-menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))


def test_a_preference_is_kept_and_the_admin_sees_and_drives_the_outbox(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    page.locator("#bell").click()
    expect(page).to_have_url(re.compile(r"/notifications"))
    green = page.locator(".preference-row").filter(has_text="Green office")
    email = green.get_by_role("radio", name="In the app and by e-mail")
    expect(email).not_to_be_checked()
    email.click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.reload()
    expect(page.locator(".preference-row").filter(has_text="Green office")
           .get_by_role("radio", name="In the app and by e-mail")).to_be_checked(timeout=15_000)
    log_out(page)

    log_in(page, app_url, "admin")
    page.get_by_role("link", name="Messages and jobs").first.click()
    expect(page).to_have_url(re.compile(r"/admin/notifications"))
    expect(page.get_by_text("No mail server is configured")).to_be_visible()
    expect(page.get_by_text("1 failed")).to_be_visible()
    page.get_by_role("button", name="Retry").first.click()
    expect(page.get_by_text("queued again")).to_be_visible()
    expect(page.get_by_text("0 failed")).to_be_visible()
    row = page.locator("tr").filter(has_text="Daily digest of approval queues")
    row.get_by_role("button", name="Run now").click()
    expect(page.get_by_text(re.compile(r"The job ran"))).to_be_visible(timeout=20_000)
