"""Commendations in the browser: a unit head rates a person and registers them, the officer's
eligibility list shows them eligible for LĐTT and, once an initiative of theirs is recorded, for CSTĐCS.

The demo (``engagement seed-demo``) opens this year's registration window and leaves the named
demo logins unrated and unregistered for this year: the journey works on the staff login's person.
"""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import Page, expect

from engagement.settings import get_settings
from tests.e2e.conftest import L, L_n
from tests.e2e.test_journeys import NAMES, log_in

PERSON = NAMES["staff"]  # Lý Hồng Hoa, Văn phòng Sở Nội vụ: head.snv rates her
UNIT = "Sở Nội vụ"
LDTT = "LĐTT – Lao động tiên tiến"
CSTDCS = "CSTĐCS – Chiến sĩ thi đua cơ sở"


def _as(page: Page, app_url: str, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, app_url, username)


def _choose(page: Page, name: str, label: str) -> None:
    """Pick the option of ``select[name=name]`` whose text contains ``label``."""
    select = page.locator(f"select[name={name}]").first
    option = select.locator("option", has_text=label).first
    expect(option).to_be_attached()
    select.select_option(option.get_attribute("value"))


def _search(page: Page, text: str) -> None:
    """Search the rating sheet and wait for its one match (so that no late reload re-draws the forms)."""
    page.locator("#rating-search").fill(text)
    expect(page.locator("#sheet-total")).to_have_text(L_n("{n} person", "{n} people", 1))


def _status(page: Page, app_url: str, person_id: str, title: str) -> str:
    """The person's status on the officer's eligibility list of ``title`` for the unit, this year."""
    page.goto(f"{app_url}/commendations/eligibility")
    expect(page.locator("#eligibility-table")).to_be_visible()
    _choose(page, "unit", UNIT)
    _choose(page, "title", title)
    expect(page.locator("#eligibility-title")).to_contain_text(title.split(" – ")[0])
    row = page.locator(f"#elig-{person_id}")
    expect(row).to_be_visible()
    return row.get_attribute("data-status") or ""


def test_head_rates_and_registers_and_the_officer_sees_them_eligible(page: Page, app_url: str) -> None:
    # The head finds the person on the rating sheet (not rated yet this year) and rates them HTTNV.
    _as(page, app_url, "head.snv")
    page.goto(f"{app_url}/commendations/ratings")
    expect(page.locator("#unit-select")).to_be_visible()
    _search(page, PERSON)
    row = page.locator(".rating-row", has_text=PERSON)
    expect(row).to_have_count(1)
    person_id = (row.get_attribute("id") or "").removeprefix("rate-")
    assert person_id.isdigit()
    expect(row).to_contain_text(L("Not rated yet"))

    # Before anything: the officer's list does not have them eligible for LĐTT.
    _as(page, app_url, "officer")
    assert _status(page, app_url, person_id, LDTT) != "eligible"

    _as(page, app_url, "head.snv")
    page.goto(f"{app_url}/commendations/ratings")
    _search(page, PERSON)
    row = page.locator(f"#rate-{person_id}")
    expect(row).to_be_visible()
    row.locator("select[name=level]").select_option("HTTNV")
    row.locator("input[name=months_worked]").fill("12")
    row.locator("input[name=absent_days]").fill("2")
    row.locator(".save-rating").click()
    expect(page.locator("#rating-saved")).to_have_text(L("Rating saved for {name}.", name=PERSON))
    expect(page.locator(f"#rate-{person_id}")).to_contain_text("HTTNV")

    # A rating the rules refuse gets a message on the row, and nothing changes.
    row = page.locator(f"#rate-{person_id}")
    row.locator("select[name=level]").select_option("NONE")
    row.locator("input[name=reason]").fill("")
    row.locator(".save-rating").click()
    expect(row.get_by_role("alert")).to_have_text(
        L("Say why the person is not rated (for example: fewer than 6 months worked)."))
    expect(row).to_contain_text("HTTNV")

    # The head registers them for LĐTT (confirmed at once).
    page.goto(f"{app_url}/commendations/registrations")
    expect(page.locator("#window-text")).to_be_visible()
    page.locator("#registration-search").fill(PERSON)
    page.locator(".person-option", has_text=PERSON).first.click()
    expect(page.locator(".person-picked", has_text=PERSON)).to_be_visible()
    _choose(page, "title_id", LDTT)
    page.locator("#register-person").click()
    registered = page.locator(".registration-row", has_text=PERSON).filter(has_text="LĐTT")
    expect(registered).to_have_count(1)
    expect(registered).to_contain_text(L("Confirmed"))

    # The officer's eligibility list now has them eligible for LĐTT, and missing a criterion for CSTĐCS.
    _as(page, app_url, "officer")
    assert _status(page, app_url, person_id, LDTT) == "eligible"
    assert _status(page, app_url, person_id, CSTDCS) == "missing"

    # The head records an initiative of theirs, recognised at unit level this year.
    _as(page, app_url, "head.snv")
    page.goto(f"{app_url}/commendations/initiatives")
    page.locator("#author-search").fill(PERSON)
    page.locator(".person-option", has_text=PERSON).first.click()
    expect(page.locator(".person-picked", has_text=PERSON)).to_be_visible()
    form = page.locator("#initiative-form")
    title = "Sổ tay số hóa quy trình tiếp nhận hồ sơ thi đua"
    form.locator("input[name=title]").fill(title)
    form.locator("select[name=scope]").select_option("unit")
    form.locator("input[name=decision_ref]").fill("QĐ 45/QĐ-SNV")
    form.locator("input[name=decided_on]").fill(datetime.now(get_settings().tz).date().isoformat())
    _choose(page, "unit_id", UNIT)
    page.locator("#record-initiative").click()
    recorded = page.locator(".initiative-row", has_text=title)
    expect(recorded).to_have_count(1)
    expect(recorded).to_contain_text(PERSON)
    expect(recorded).to_contain_text(L("Not used for an award yet"))

    # With the initiative, the officer's list has them eligible for CSTĐCS.
    _as(page, app_url, "officer")
    assert _status(page, app_url, person_id, CSTDCS) == "eligible"

    # The person sees their rating and registration on their own page.
    _as(page, app_url, "staff")
    page.goto(f"{app_url}/commendations")
    expect(page.locator(".my-registration", has_text="LĐTT")).to_contain_text(L("Confirmed"))
    expect(page.locator("#my-initiatives")).to_contain_text(title)
