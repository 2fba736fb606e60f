"""Leaderboard journeys: an officer's adjustment moves a person up; a lobby screen shows a
board without any login."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_journeys import log_in


def _individual_points(page: Page, app_url: str, name: str) -> int:
    """The person's points this month, from the individual board of their department."""
    page.goto(f"{app_url}/leaderboards")
    expect(page.locator("#leaderboard")).to_be_visible(timeout=15_000)
    page.get_by_label("Leaderboard").select_option("people")
    within = page.get_by_label("Within")
    within.select_option(within.locator("option", has_text="Sở Nội vụ").first.get_attribute("value"))
    row = page.locator("#leaderboard tbody tr", has_text=name)
    expect(row).to_have_count(1, timeout=15_000)
    return int(row.locator("td").nth(3).inner_text())


def test_officer_adjustment_moves_a_person_to_the_top(page: Page, app_url: str) -> None:
    log_in(page, app_url, "officer")
    before = _individual_points(page, app_url, "Lý Hồng Hoa")

    page.goto(f"{app_url}/leaderboards/settings")
    page.get_by_placeholder("Name or staff code").fill("CB00005")
    page.get_by_role("button", name="Find").click()
    person = page.get_by_label("Person")
    expect(person.locator("option", has_text="Lý Hồng Hoa")).to_have_count(1)
    person.select_option(person.locator("option", has_text="Lý Hồng Hoa").get_attribute("value"))
    page.get_by_label("Points (negative to deduct)").fill("900")
    # A reason that is too short is refused with a message, and nothing is recorded.
    page.get_by_label("Reason").fill("ok")
    page.get_by_role("button", name="Record adjustment").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 10 characters")
    page.get_by_label("Reason").fill("Led the flood-response citizen desk for a week")
    page.get_by_role("button", name="Record adjustment").click()
    expect(page.get_by_text("Adjustment of +900 points recorded.")).to_be_visible()

    assert _individual_points(page, app_url, "Lý Hồng Hoa") == before + 900
    page.goto(f"{app_url}/leaderboards")
    board = page.locator("#leaderboard")
    expect(board).to_be_visible(timeout=15_000)
    page.get_by_label("Leaderboard").select_option("people")
    first = board.locator("tbody tr").first
    expect(first).to_contain_text("Lý Hồng Hoa")
    first.get_by_role("button", name="Why this score").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Adjustment by an officer")
    expect(dialog).to_contain_text("Led the flood-response citizen desk for a week")


def test_lobby_screen_shows_a_board_without_login(page: Page, app_url: str, browser: Browser) -> None:
    log_in(page, app_url, "officer")
    page.goto(f"{app_url}/leaderboards/settings")
    page.get_by_label("Title").fill("Sảnh tầng 1")
    page.get_by_role("button", name="Create link").click()
    link = page.locator("#new-screen-link")
    expect(link).to_contain_text("/screen?k=")
    url = link.inner_text()
    lobby = browser.new_context().new_page()
    lobby.goto(url)
    expect(lobby.get_by_role("heading", name="Sảnh tầng 1")).to_be_visible(timeout=15_000)
    expect(lobby.locator("tr").first).to_be_visible()
    lobby.goto(url.replace("k=", "k=x"))
    expect(lobby.get_by_text("This screen link is not valid")).to_be_visible(timeout=15_000)


def _unit_points(page: Page, app_url: str, unit: str) -> int:
    page.goto(f"{app_url}/leaderboards")
    row = page.locator("#leaderboard tbody tr", has_text=unit)
    expect(row).to_have_count(1, timeout=15_000)
    return int(row.locator("td").nth(3).inner_text())


def test_leaderboard_moves_after_an_approved_green_activity(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    before = _unit_points(page, app_url, "Sở Nội vụ")
    page.goto(f"{app_url}/green")
    action = page.locator("select[name=action_id]")
    action.select_option(action.locator("option", has_text="Switching off power after hours").get_attribute("value"))
    page.get_by_label("Note").fill("Tắt điện, điều hoà sau giờ làm")
    page.get_by_role("button", name="Send for verification").click()
    expect(page.locator(".my-activity").first).to_contain_text("pending")
    # Not approved yet: the leaderboard has not moved.
    assert _unit_points(page, app_url, "Sở Nội vụ") == before

    staff_tab = page.evaluate("window.sessionStorage.getItem('token')")
    page.context.clear_cookies()
    log_in(page, app_url, "union.snv")
    # A login starts a new Reflex tab state: nothing the staff member saw stays in this tab.
    page.wait_for_function("old => { const t = window.sessionStorage.getItem('token'); return t && t !== old; }",
                           arg=staff_tab, timeout=15_000)
    page.goto(f"{app_url}/green/verify")
    row = page.locator(".queue-row", has_text="Lý Hồng Hoa").filter(has_text="Switching off power after hours")
    expect(row).to_have_count(1, timeout=15_000)
    row.get_by_role("button", name="Approve").click()
    expect(row).to_have_count(0, timeout=15_000)

    # Wait for the new figure: the board appears when this page's load has read it.
    page.goto(f"{app_url}/leaderboards")
    cell = page.locator("#leaderboard tbody tr", has_text="Sở Nội vụ").locator("td").nth(3)
    expect(cell).to_have_text(str(before + 1), timeout=15_000)
