"""Notifications in the browser: a staff member chooses e-mail for a kind of message; the system
admin sees the outbox (no mail server: e-mails wait), requeues a failed e-mail and runs a job."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import L, L_re
from tests.e2e.test_journeys import log_in, log_out


def test_a_preference_is_kept_and_the_admin_sees_and_drives_the_outbox(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    page.locator("#bell").click()
    expect(page).to_have_url(re.compile(r"/notifications"))
    green = page.locator(".preference-row").filter(has_text=L("Green office"))
    email = green.get_by_role("radio", name=L("In the app and by e-mail"))
    expect(email).not_to_be_checked()
    email.click()
    expect(page.get_by_text(L("Saved."), exact=True)).to_be_visible()
    page.reload()
    expect(page.locator(".preference-row").filter(has_text=L("Green office"))
           .get_by_role("radio", name=L("In the app and by e-mail"))).to_be_checked(timeout=15_000)
    log_out(page)

    log_in(page, app_url, "admin")
    page.get_by_role("link", name=L("Messages and jobs")).first.click()
    expect(page).to_have_url(re.compile(r"/admin/notifications"))
    expect(page.get_by_text(L("No mail server is configured (ENGAGEMENT_SMTP_HOST): e-mails wait in the "
                              "outbox and go out once one is set."))).to_be_visible()
    # One failed e-mail in the demo outbox (shown by the status filter, the outbox being long):
    # one Retry button, none once it is queued again.
    page.get_by_role("combobox", name=L("Status")).click()
    page.get_by_role("option", name=L("Failed"), exact=True).click()
    retry = page.get_by_role("button", name=L("Retry"), exact=True)
    expect(retry).to_have_count(1)
    retry.click()
    expect(page.get_by_text(L("The message is queued again; the next mail run sends it."))).to_be_visible()
    expect(retry).to_have_count(0)
    row = page.locator("tr").filter(has_text=L("Daily digest of approval queues"))
    row.get_by_role("button", name=L("Run now"), exact=True).click()
    ran = re.compile(f"{L_re('The job ran: {n} message(s) sent.').pattern}"
                     f"|{re.escape(L('The job ran; see its last error below.'))}")
    expect(page.get_by_text(ran)).to_be_visible(timeout=20_000)
