"""Leaderboard journeys: an officer's adjustment moves a person up; a lobby screen shows a
board without any login."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from engagement.core import formats, i18n
from tests.e2e.conftest import E2E_LANGUAGE, L
from tests.e2e.test_journeys import log_in


def _shown(points: int) -> str:
    """Whole points as the board writes them in the journeys' language."""
    with i18n.using(E2E_LANGUAGE):
        return formats.number(points, 0)


def _whole(text: str) -> int:
    """Whole points as the board shows them in any language ("1.234" in Vietnamese, "1,234" in English)."""
    return int(text.strip().replace(".", "").replace(",", "").replace("\u00a0", ""))


def _individual_points(page: Page, app_url: str, name: str) -> int:
    """The person's points this month, from the individual board of their department."""
    page.goto(f"{app_url}/leaderboards")
    expect(page.locator("#leaderboard")).to_be_visible(timeout=15_000)
    page.get_by_label(L("Leaderboard")).select_option("people")
    within = page.get_by_label(L("Within"))
    within.select_option(within.locator("option", has_text="Sở Nội vụ").first.get_attribute("value"))
    row = page.locator("#leaderboard tbody tr", has_text=name)
    expect(row).to_have_count(1, timeout=15_000)
    return _whole(row.locator("td").nth(3).inner_text())


def test_officer_adjustment_moves_a_person_to_the_top(page: Page, app_url: str) -> None:
    log_in(page, app_url, "officer")
    before = _individual_points(page, app_url, "Lý Hồng Hoa")

    page.goto(f"{app_url}/leaderboards/settings")
    page.get_by_placeholder(L("Name or staff code")).fill("CB00005")
    page.get_by_role("button", name=L("Find"), exact=True).click()
    person = page.locator("select[name=person_id]")
    expect(person.locator("option", has_text="Lý Hồng Hoa")).to_have_count(1)
    person.select_option(person.locator("option", has_text="Lý Hồng Hoa").get_attribute("value"))
    page.get_by_label(L("Points (negative to deduct)")).fill("900")
    # A reason that is too short is refused with a message, and nothing is recorded.
    reason = page.locator("input[name=reason]")
    reason.fill("ok")
    record = page.get_by_role("button", name=L("Record adjustment"))
    record.click()
    expect(page.get_by_role("alert")).to_contain_text(
        L("Say why, in at least 10 characters (it is shown with the entry)."))
    reason.fill("Led the flood-response citizen desk for a week")
    record.click()
    expect(page.get_by_text(L("Adjustment of {points} points recorded.", points="+900"))).to_be_visible()

    assert _individual_points(page, app_url, "Lý Hồng Hoa") == before + 900
    page.goto(f"{app_url}/leaderboards")
    board = page.locator("#leaderboard")
    expect(board).to_be_visible(timeout=15_000)
    page.get_by_label(L("Leaderboard")).select_option("people")
    first = board.locator("tbody tr").first
    expect(first).to_contain_text("Lý Hồng Hoa")
    first.get_by_role("button", name=L("Why this score")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(L("Adjustment by an officer"))
    expect(dialog).to_contain_text("Led the flood-response citizen desk for a week")


def test_lobby_screen_shows_a_board_without_login(page: Page, app_url: str, new_page: Callable[[], Page]) -> None:
    log_in(page, app_url, "officer")
    page.goto(f"{app_url}/leaderboards/settings")
    page.locator("input[name=title]").fill("Sảnh tầng 1")
    page.get_by_role("button", name=L("Create link")).click()
    link = page.locator("#new-screen-link")
    expect(link).to_contain_text("/screen?k=")
    url = link.inner_text()
    lobby = new_page()
    lobby.goto(url)
    expect(lobby.get_by_role("heading", name="Sảnh tầng 1")).to_be_visible(timeout=15_000)
    expect(lobby.locator("tr").first).to_be_visible()
    lobby.goto(url.replace("k=", "k=x"))
    expect(lobby.get_by_text(L("This screen link is not valid. Ask the emulation officer for a new one.")
                             )).to_be_visible(timeout=15_000)


def _unit_points(page: Page, app_url: str, unit: str) -> int:
    page.goto(f"{app_url}/leaderboards")
    row = page.locator("#leaderboard tbody tr", has_text=unit)
    expect(row).to_have_count(1, timeout=15_000)
    return _whole(row.locator("td").nth(3).inner_text())


def test_leaderboard_moves_after_an_approved_green_activity(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    before = _unit_points(page, app_url, "Sở Nội vụ")
    page.goto(f"{app_url}/green")
    action = page.locator("select[name=action_id]")
    switching_off = L("Switching off power after hours")
    action.select_option(action.locator("option", has_text=switching_off).get_attribute("value"))
    page.locator("input[name=note]").fill("Tắt điện, điều hoà sau giờ làm")
    page.get_by_role("button", name=L("Send for verification")).click()
    expect(page.locator(".my-activity").first).to_contain_text(L("Awaiting approval"), ignore_case=True)
    # Not approved yet: the leaderboard has not moved.
    assert _unit_points(page, app_url, "Sở Nội vụ") == before

    staff_tab = page.evaluate("window.sessionStorage.getItem('token')")
    page.context.clear_cookies()
    log_in(page, app_url, "union.snv")
    # A login starts a new Reflex tab state: nothing the staff member saw stays in this tab.
    page.wait_for_function("old => { const t = window.sessionStorage.getItem('token'); return t && t !== old; }",
                           arg=staff_tab, timeout=15_000)
    page.goto(f"{app_url}/green/verify")
    row = page.locator(".queue-row", has_text="Lý Hồng Hoa").filter(has_text=switching_off)
    expect(row).to_have_count(1, timeout=15_000)
    row.locator(".approve-button").click()
    expect(row).to_have_count(0, timeout=15_000)

    # Wait for the new figure: the board appears when this page's load has read it.
    page.goto(f"{app_url}/leaderboards")
    cell = page.locator("#leaderboard tbody tr", has_text="Sở Nội vụ").locator("td").nth(3)
    expect(cell).to_have_text(_shown(before + 1), timeout=15_000)
