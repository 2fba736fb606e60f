"""Recognition journeys in the browser: staff recognise a colleague who is notified; a
citizen thanks a civil servant through the public QR page and the unit head approves."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from engagement.core.i18n import N_
from tests.e2e.conftest import L
from tests.e2e.test_journeys import log_in, log_out

MESSAGE = "Anh đã xử lý xong 30 hồ sơ tồn đọng trong một tuần, người dân không phải chờ nữa."


def test_staff_recognises_a_colleague_who_sees_it_and_the_notification(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    page.goto(f"{app_url}/recognition")
    expect(page.locator(".recognition-item").first).to_be_visible(timeout=15_000)
    page.locator("#open-give").click()
    page.locator("#recipient-search").fill("Đặng Hữu Thắng")
    page.locator(".recipient-option").first.click()
    expect(page.locator(".recipient-chosen")).to_contain_text("Đặng Hữu Thắng")
    # No value chosen: the server refuses with a message and the form stays open.
    page.locator("textarea[name=message]").fill(MESSAGE)
    page.locator("#give-submit").click()
    expect(page.get_by_role("alert")).to_contain_text(L("Choose at least one value the recognition honours."))
    page.locator(".value-choice").first.click()
    page.locator("select[name=level]").select_option("great")
    page.locator("#give-submit").click()
    expect(page.locator(".recognition-item").first).to_contain_text(MESSAGE)
    expect(page.locator(".recognition-item").first).to_contain_text(L("Great work"))
    log_out(page)

    log_in(page, app_url, "staff2")
    expect(page.locator("#unread-count")).to_be_visible()
    page.locator("#bell").click()
    expect(page).to_have_url(re.compile(r"/notifications"))
    first = page.locator(".notification-row").first
    expect(first).to_contain_text(L("{level} from {name}", level=N_("Great work"), name="Lý Hồng Hoa"))
    first.click()
    expect(page).to_have_url(re.compile(r"/recognition/people/\d+"))
    expect(page.locator(".recognition-item").first).to_contain_text(MESSAGE)


def test_citizen_thanks_through_the_public_page_and_the_unit_head_approves(
        page: Page, new_page: Callable[[], Page], app_url: str) -> None:
    log_in(page, app_url, "head.tanlap")
    page.goto(f"{app_url}/recognition/citizens")
    unit_select = page.locator("select[name=unit_id]").first
    option = unit_select.locator("option", has_text="Trung tâm Phục vụ hành chính công").first
    expect(option).to_be_attached(timeout=15_000)
    unit_select.select_option(option.get_attribute("value"))
    page.locator("#open-qr-sheet").click()
    expect(page).to_have_url(re.compile(r"/recognition/qr/\d+"), timeout=15_000)
    card = page.locator(".qr-card").filter(has_text="Đặng Hữu Thắng")
    expect(card.locator("img")).to_be_visible()
    link = card.locator(".qr-link").get_attribute("href")
    assert link and re.search(r"/thanks/[A-Za-z0-9_-]{30,}$", link)
    # The citizen has no account: a browser without any session.
    citizen = new_page()
    citizen.goto(link)
    expect(citizen.get_by_role("heading", name="Đặng Hữu Thắng")).to_be_visible(timeout=15_000)
    # The page proves itself by a proof of work (issue 18): announced, then verified, with no pointer.
    expect(citizen.locator("#thanks-proof")).to_have_attribute("role", "status")
    expect(citizen.locator("#thanks-proof")).to_contain_text(L("Verified: you can send your rating."),
                                                             timeout=20_000)
    for group in ("attitude", "timeliness", "guidance"):
        citizen.locator(f"input[name='{group}'][value='5']").check()
    dossier = citizen.get_by_label(L("Dossier or receipt number"))
    note_box = citizen.locator("textarea[name=note]")
    dossier.fill("?")  # a mistyped number first: refused, and nothing typed is lost
    note_box.fill("Cảm ơn anh Thắng đã giúp tôi hoàn thiện hồ sơ.")
    citizen.locator("#thanks-submit").click()
    expect(citizen.get_by_role("alert")).to_be_visible()
    expect(note_box).to_have_value("Cảm ơn anh Thắng đã giúp tôi hoàn thiện hồ sơ.")
    expect(citizen.locator("input[name='guidance'][value='5']")).to_be_checked()
    dossier.fill("000.00.21.H00-260310-0042")
    citizen.locator("#thanks-submit").click()
    expect(citizen.locator("#thanks-done")).to_contain_text(
        L("Thank you! Your rating has been recorded; your note will be shown once the unit head has read it."))

    page.goto(f"{app_url}/recognition/citizens")
    note = page.locator(".citizen-note").filter(has_text="giúp tôi hoàn thiện hồ sơ")
    expect(note).to_be_visible(timeout=15_000)
    note.locator("xpath=ancestor::div[contains(@class,'rt-Card')][1]").locator(".approve-thanks").click()
    expect(page.get_by_text(L("Approved: the note is shown and the rating counts."))).to_be_visible()
    page.get_by_role("tab", name=L("Approved"), exact=True).click()
    expect(page.locator(".citizen-note").filter(has_text="giúp tôi hoàn thiện hồ sơ")).to_be_visible()
