"""Recognition journeys in the browser: staff recognise a colleague who is notified; a
citizen thanks a civil servant through the public QR page and the unit head approves."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from engagement.org.demo import DEMO_PASSWORD

MESSAGE = "Anh đã xử lý xong 30 hồ sơ tồn đọng trong một tuần, người dân không phải chờ nữa."


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


def test_staff_recognises_a_colleague_who_sees_it_and_the_notification(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    page.goto(f"{app_url}/recognition")
    expect(page.locator(".recognition-item").first).to_be_visible(timeout=15_000)
    page.locator("#open-give").click()
    page.locator("#recipient-search").fill("Đặng Hữu Thắng")
    page.locator(".recipient-option").first.click()
    expect(page.locator(".recipient-chosen")).to_contain_text("Đặng Hữu Thắng")
    # No value chosen: the server refuses with a message and the form stays open.
    page.get_by_label("Message").fill(MESSAGE)
    page.locator("#give-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("at least one value")
    page.locator(".value-choice").first.click()
    page.get_by_label("Level").select_option("great")
    page.locator("#give-submit").click()
    expect(page.locator(".recognition-item").first).to_contain_text(MESSAGE)
    expect(page.locator(".recognition-item").first).to_contain_text("Great work")
    log_out(page)

    log_in(page, app_url, "staff2")
    expect(page.locator("#unread-count")).to_be_visible()
    page.locator("#bell").click()
    expect(page).to_have_url(re.compile(r"/notifications"))
    first = page.locator(".notification-row").first
    expect(first).to_contain_text("Great work from Lý Hồng Hoa")
    first.click()
    expect(page).to_have_url(re.compile(r"/recognition/people/\d+"))
    expect(page.locator(".recognition-item").first).to_contain_text(MESSAGE)


def test_citizen_thanks_through_the_public_page_and_the_unit_head_approves(
        page: Page, browser: Browser, app_url: str) -> None:
    log_in(page, app_url, "head.tanlap")
    page.goto(f"{app_url}/recognition/citizens")
    unit_select = page.get_by_label("Unit").first
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
    citizen = browser.new_context().new_page()
    citizen.goto(link)
    expect(citizen.get_by_text("Rate the service of")).to_be_visible(timeout=15_000)
    for group in ("attitude", "timeliness", "guidance"):
        citizen.locator(f"input[name='{group}'][value='5']").check()
    citizen.get_by_label("Dossier or receipt number").fill("000.00.21.H00-260310-0042")
    citizen.get_by_label("A thank-you note (optional)").fill("Cảm ơn anh Thắng đã giúp tôi hoàn thiện hồ sơ.")
    question = citizen.get_by_text(re.compile(r"How much is \d+ \+ \d+\?")).inner_text()
    a, b = map(int, re.findall(r"\d+", question))
    citizen.get_by_label(question).fill(str(a + b + 1))  # a wrong answer first
    citizen.locator("#thanks-submit").click()
    expect(citizen.get_by_role("alert")).to_contain_text("not right")
    question = citizen.get_by_text(re.compile(r"How much is \d+ \+ \d+\?")).inner_text()
    a, b = map(int, re.findall(r"\d+", question))
    for group in ("attitude", "timeliness", "guidance"):
        citizen.locator(f"input[name='{group}'][value='5']").check()
    citizen.get_by_label("Dossier or receipt number").fill("000.00.21.H00-260310-0042")
    citizen.get_by_label("A thank-you note (optional)").fill("Cảm ơn anh Thắng đã giúp tôi hoàn thiện hồ sơ.")
    citizen.get_by_label(question).fill(str(a + b))
    citizen.locator("#thanks-submit").click()
    expect(citizen.locator("#thanks-done")).to_contain_text("once the unit head has read it")

    page.goto(f"{app_url}/recognition/citizens")
    note = page.locator(".citizen-note").filter(has_text="giúp tôi hoàn thiện hồ sơ")
    expect(note).to_be_visible(timeout=15_000)
    note.locator("xpath=ancestor::div[contains(@class,'rt-Card')][1]").locator(".approve-thanks").click()
    expect(page.get_by_text("Approved: the note is shown")).to_be_visible()
    page.get_by_role("tab", name="Approved").click()
    expect(page.locator(".citizen-note").filter(has_text="giúp tôi hoàn thiện hồ sơ")).to_be_visible()
