"""Commitments journey: the officer cannot open a second campaign for people the province-wide one
already covers (it is named); staff signs that campaign; the unit head sees one more signed."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from engagement.core import clock
from engagement.org.demo import DEMO_LOGINS, DEMO_PASSWORD
from engagement.settings import get_settings
from tests.e2e.conftest import L
from tests.e2e.test_journeys import log_in

NAMES = {username: name for username, _role, name in DEMO_LOGINS}
CAMPAIGN = "Cam kết bổ sung Sở Nội vụ"
TODAY = clock.local_day(clock.now(), get_settings().tz)  # the organisation's day, not the machine's
YEAR = TODAY.year
DEMO_CAMPAIGN = f"Cam kết văn hoá công vụ năm {YEAR}"  # the demo's province-wide campaign


def _snv_signed(page: Page) -> str:
    row = page.locator(".completion-row").filter(has=page.get_by_text("Sở Nội vụ", exact=True)).first
    expect(row).to_be_visible(timeout=15_000)
    return row.locator(".signed-count").inner_text()


def test_officer_launches_staff_signs_unit_head_sees_one_more(page: Page, app_url: str) -> None:
    # The officer tries a second campaign for Sở Nội vụ: refused, the campaign covering them named.
    log_in(page, app_url, "officer")
    page.goto(f"{app_url}/commitments/campaigns")
    form = page.locator("form", has=page.locator("#create-campaign"))
    form.locator("input[name=name]").fill(CAMPAIGN)
    form.locator("select[name=template_id]").select_option(index=1)
    unit = form.locator("select[name=unit_id]")
    unit.select_option(unit.locator("option", has_text="Sở Nội vụ").first.get_attribute("value"))
    today = TODAY
    form.get_by_label(L("Opens on")).fill(today.isoformat())
    form.get_by_label(L("Due on")).fill((today + timedelta(days=14)).isoformat())
    form.get_by_role("button", name=L("Launch campaign")).click()
    expect(page.get_by_role("alert").filter(has_text=DEMO_CAMPAIGN).first).to_be_visible(timeout=15_000)
    expect(page.locator(".campaign-row", has_text=CAMPAIGN)).to_have_count(0)
    expect(form.locator("input[name=name]")).to_have_value(CAMPAIGN)  # what was typed is kept

    # The unit head sees nobody has signed it yet.
    page.context.clear_cookies()
    log_in(page, app_url, "head.snv")
    page.goto(f"{app_url}/commitments/campaigns")
    before = int(_snv_signed(page))

    # Staff reads every clause (the button stays disabled until then), types name and password.
    page.context.clear_cookies()
    log_in(page, app_url, "staff")
    page.goto(f"{app_url}/commitments")
    page.locator(".my-commitment", has_text=DEMO_CAMPAIGN).get_by_role("button", name=L("Read and sign")).click()
    sign = page.get_by_role("button", name=L("Sign my commitment"))
    expect(sign).to_be_disabled(timeout=15_000)
    boxes = page.get_by_role("checkbox")
    for i in range(boxes.count()):
        boxes.nth(i).click()
    expect(sign).to_be_enabled()
    page.locator("textarea[name=pledges]").fill("Trả lời mọi yêu cầu của người dân trong 2 ngày")
    page.get_by_label(L("Type your full name")).fill("Someone Else")
    page.get_by_label(L("Your password")).fill(DEMO_PASSWORD)
    sign.click()
    expect(page.locator("#sign-error")).to_contain_text(L(
        "The name you typed is not the name on your record (“{name}”). Type your full name exactly.",
        name=NAMES["staff"]))
    page.get_by_label(L("Type your full name")).fill(NAMES["staff"])
    sign.click()
    expect(page.locator("#signed-callout")).to_be_visible(timeout=15_000)
    code = page.locator("#signed-callout code").inner_text()

    # Anyone can verify it, without logging in.
    page.context.clear_cookies()
    page.goto(f"{app_url}/verify/{code}")
    expect(page.locator("#verify-result")).to_contain_text(L("Signature found and its chain is intact."),
                                                          timeout=15_000)
    expect(page.get_by_text(NAMES["staff"])).to_be_visible()

    # The unit head sees one more signed.
    log_in(page, app_url, "head.snv")
    page.goto(f"{app_url}/commitments/campaigns")
    expect(page.locator(".completion-row").filter(has=page.get_by_text("Sở Nội vụ", exact=True)).first
           .locator(".signed-count")).to_have_text(str(before + 1), timeout=15_000)
