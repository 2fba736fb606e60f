"""Accessibility and page-header checks that are not a journey's by-product.

Every journey's pages are audited by axe-core and for CSP refusals (conftest.py, axe.py); these
tests prove that the audit can fail, and check what axe cannot: the skip link's behaviour, the
headers of every kind of response, and that another site cannot frame the app.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import Audit
from tests.e2e.conftest import L
from tests.e2e.test_journeys import log_in


def _headers(url: str) -> dict[str, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:  # a 404 must carry them too
        return {k.lower(): v for k, v in error.headers.items()}


def test_the_skip_link_is_the_first_stop_and_lands_in_main(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    page.goto(f"{app_url}/commitments")
    expect(page.locator("main#main")).to_be_visible()
    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=L("Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    # Following it puts focus on <main>: the next stop is the content's first control, not the menu's.
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')"), "focus did not stay in <main>"
    # The landmarks: one banner, the navigation, one main.
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("navigation", name=L("Main navigation"))).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)


def test_the_bell_is_named_with_the_number_it_shows(page: Page, app_url: str) -> None:
    log_in(page, app_url, "staff")
    bell = page.locator("#bell")
    count = page.locator("#unread-count")
    expect(bell).to_be_visible()
    if count.count():
        expect(bell).to_have_accessible_name(re.compile(re.escape(count.inner_text())))


def test_the_audit_reports_an_unnamed_control_and_an_injected_inline_script(page: Page, app_url: str,
                                                                             page_audit: Audit) -> None:
    page.goto(f"{app_url}/login")
    expect(page.get_by_role("button", name=L("Log in"), exact=True)).to_be_visible()
    page.evaluate("""() => {
        const input = document.createElement('input');
        input.id = 'unnamed-probe';
        document.querySelector('main').append(input);
        const script = document.createElement('script');
        script.textContent = 'window.__injected = true;';
        document.body.append(script);
    }""")
    page_audit.audit_now(page)
    rules = {rule for _path, rule, _target in page_audit.problems}
    assert "label" in rules  # axe: a form control without a name is critical
    assert rules & {"csp", "csp-console"}  # the inline script was refused and reported
    assert page.evaluate("() => window.__injected === undefined")
    # What this test provoked is not the page's fault: take it away, and forget it.
    page.evaluate("() => document.getElementById('unnamed-probe').remove()")
    page.wait_for_timeout(500)
    page_audit.problems.clear()


def test_every_kind_of_response_carries_the_security_headers(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/login")
    script = page.locator("link[href^='/assets/']").first.get_attribute("href")
    for path in ["/login/", "/commitments/sign/1", script, "/ping", "/files/999999", "/_upload/nothing.png",
                 "/styles.css", "/no-such-page"]:
        headers = _headers(app_url + path)
        csp = headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], path
        assert headers.get("x-frame-options") == "DENY", path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "same-origin", path


def test_another_site_cannot_frame_the_app(browser: Browser, app_url: str) -> None:
    # A page of another origin (no audit here: it is not the app's page).
    context = browser.new_context()
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None)
        page.set_content(f'<iframe id="f" src="{app_url}/login" title="probe"></iframe>')
        page.wait_for_timeout(2000)
        frame = page.frame_locator("#f")
        expect(frame.get_by_role("button", name=L("Log in"), exact=True)).to_have_count(0)
        assert refused, "the browser did not refuse the frame (frame-ancestors)"
    finally:
        context.close()
