"""Green office in the browser: log with a photo, the union officer approves, the bar moves."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import L
from tests.e2e.test_journeys import log_in


def _log_in(page: Page, app_url: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, app_url, username)
    expect(page.locator("#my-unit")).not_to_be_empty()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 150, 60)).save(out, format="PNG")
    return out.getvalue()


def _progress(page: Page, unit: str) -> tuple[int, int]:
    row = page.locator(".progress-row", has_text=unit)
    expect(row).to_be_visible(timeout=15_000)
    points = int(row.locator("[id^=points-]").inner_text())
    value = int(row.get_by_role("progressbar").get_attribute("aria-valuenow") or "0")
    return points, value


def test_member_logs_with_photo_officer_approves_and_progress_moves(page: Page, app_url: str) -> None:
    _log_in(page, app_url, "staff")
    member = page.locator("#user-menu").inner_text().split("\n")[-1].strip()  # after the initials
    page.goto(f"{app_url}/green")
    points_before, bar_before = _progress(page, "Sở Nội vụ")

    # A file that is not an image is refused with a clear message, before anything is sent.
    upload = page.locator("#green_photo input[type=file]")
    upload.set_input_files(files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"not an image"}])
    expect(page.get_by_role("alert")).to_contain_text(
        L("This file is not a photo we can read. Send a JPEG, PNG or WebP image."))

    action = page.locator("select[name=action_id]")
    action.select_option(action.locator("option", has_text=L("Waste sorting at source")).get_attribute("value"))
    page.locator("input[name=impact]").fill("3.5")
    page.locator("input[name=note]").fill("Phân loại rác tại phòng làm việc")
    upload.set_input_files(files=[{"name": "phan-loai-rac.png", "mimeType": "image/png", "buffer": _png()}])
    expect(page.locator("#photo-info")).to_contain_text("phan-loai-rac.png")
    page.get_by_role("button", name=L("Send for verification")).click()
    mine = page.locator(".my-activity").first
    expect(mine).to_contain_text(L("Waste sorting at source"))
    # (ignore_case: the badge showed the status code before it showed its label)
    expect(mine).to_contain_text(L("Awaiting approval"), ignore_case=True)
    # Pending activities do not count yet.
    assert _progress(page, "Sở Nội vụ")[0] == points_before

    _log_in(page, app_url, "union.snv")
    page.goto(f"{app_url}/green/verify")
    row = page.locator(".queue-row", has_text=member).filter(has_text=L("Waste sorting at source"))
    expect(row).to_have_count(1, timeout=15_000)
    photo = row.get_by_role("img")
    expect(photo).to_be_visible()
    src = photo.get_attribute("src") or ""
    served = page.request.get(app_url + src)  # the evidence photo, through the authorised route
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    row.locator(".approve-button").click()
    expect(row).to_have_count(0, timeout=15_000)

    page.goto(f"{app_url}/green")
    expect(page.locator(".progress-row", has_text="Sở Nội vụ").locator("[id^=points-]")).to_have_text(
        str(points_before + 2), timeout=15_000)
    _points, bar_after = _progress(page, "Sở Nội vụ")
    assert bar_after > bar_before or bar_before == 100

    # Someone of another unit cannot fetch the photo, even knowing its address.
    _log_in(page, app_url, "staff2")
    assert page.request.get(app_url + src).status == 404


def test_union_officer_hands_a_duty_over_and_the_roster_shows_it(page: Page, app_url: str) -> None:
    _log_in(page, app_url, "union.snv")
    page.goto(f"{app_url}/green/rosters")
    duty = page.locator("select[name=slot]")
    expect(duty.locator("option").nth(1)).to_be_attached(timeout=15_000)
    first = duty.locator("option").nth(1)
    label = first.inner_text()                      # "dd/mm/yyyy · title · person"
    day, _title, leaving = (part.strip() for part in label.split("·"))
    duty.select_option(index=1)
    who = page.locator("select[name=person_in]")
    # choosing the same person is refused with a message, nothing changes
    who.select_option(label=leaving)
    hand_over = page.get_by_role("button", name=L("Hand over"), exact=True)
    hand_over.click()
    expect(page.get_by_text(L("Choose someone else to take the duty.")).first).to_be_visible()
    # someone already on duty that day is refused too; then a free member takes it
    on_that_day = [t.split("·")[-1].strip() for t in duty.locator("option").all_inner_texts()[1:]
                   if t.startswith(day)]
    busy = next(n for n in on_that_day if n != leaving)
    duty.select_option(index=1)
    who.select_option(label=busy)
    hand_over.click()
    expect(page.get_by_text(L("The replacement is already on duty that day.")).first).to_be_visible()
    taker = next(t for t in who.locator("option").all_inner_texts()[1:] if t not in on_that_day)
    duty.select_option(index=1)
    who.select_option(label=taker)
    hand_over.click()
    expect(page.get_by_text(L("Duty handed over; both people are told.")).first).to_be_visible()
    expect(duty.locator("option", has_text=f"{day} · ").filter(has_text=taker)).to_have_count(1)
    expect(duty.locator("option", has_text=f"{day} · ").filter(has_text=leaving)).to_have_count(0)
    page.screenshot(path="/tmp/shots/roster.png", full_page=True)
