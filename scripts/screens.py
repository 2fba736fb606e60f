"""Screenshots of every page in every language at desktop and phone width, with a check for
overflow: ``python scripts/screens.py URL DB OUT [ONLY]`` against a running production app
(ONLY: comma-separated parts of the routes to take, e.g. ``supervision,review``).

URL is the app (``http://127.0.0.1:3311``), DB its SQLite demo database (the languages are
set on the demo accounts there), OUT a folder for the PNGs. Prints one line per page whose
content is wider than the window or whose buttons, headings or table headers clip their
text; exits 1 when there is any. Writes nothing but the PNGs (and the accounts' language).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "demo-password-2026"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
#: (who, route) — each role sees its own pages.
PRIVATE = [
    ("staff", "/"), ("staff", "/profile"), ("staff", "/change-password"), ("staff", "/commitments"),
    ("staff", "/commitments/sign/{campaign}"), ("staff", "/recognition"), ("staff", "/recognition/people/{person}"),
    ("staff", "/green"), ("staff", "/leaderboards"), ("staff", "/notifications"), ("staff", "/org/units"),
    ("officer", "/commitments/campaigns"), ("officer", "/recognition/citizens"), ("officer", "/recognition/qr/{unit}"),
    ("officer", "/recognition/values"), ("officer", "/recognition/fairness"), ("officer", "/leaderboards/settings"),
    ("union.snv", "/green/verify"), ("union.snv", "/green/rosters"), ("head.snv", "/green/assessment"),
    ("admin", "/org/people"), ("admin", "/org/import"), ("admin", "/admin/audit"), ("admin", "/admin/notifications"),
    ("staff", "/commendations"), ("head.snv", "/commendations/ratings"), ("head.snv", "/commendations/registrations"),
    ("head.snv", "/commendations/initiatives"), ("officer", "/commendations/records"),
    ("officer", "/commendations/catalogue"), ("officer", "/commendations/awards"),
    ("officer", "/commendations/eligibility"), ("head.snv", "/commendations/nominations"),
    ("officer", "/commendations/council"), ("officer", "/commendations/decisions"),
    ("officer", "/commendations/reports"),
    ("staff", "/supervision"), ("head.snv", "/supervision"), ("officer", "/supervision/manage"),
    ("officer", "/supervision/trends"), ("staff", "/good-models"), ("head.snv", "/good-models/unit"),
    ("officer", "/good-models/review"), ("officer", "/review"),
]
PUBLIC = ["/login", "/verify/{ref}", "/thanks/{thanks}", "/screen"]

OVERFLOW_JS = """() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 2)
    out.push(`page ${document.documentElement.scrollWidth}px wide in ${window.innerWidth}px`);
  for (const el of document.querySelectorAll('button, a.rt-Button, h1, h2, h3, th, .rt-Badge, label')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.scrollWidth > el.clientWidth + 2 && getComputedStyle(el).overflow !== 'visible')
      out.push(`clipped ${el.tagName.toLowerCase()}: "${el.innerText.slice(0, 40)}"`);
    if (r.right > window.innerWidth + 2 && !el.closest('.rt-TableRoot, [data-scroll], .rt-ScrollAreaViewport'))
      out.push(`off-screen ${el.tagName.toLowerCase()}: "${el.innerText.slice(0, 40)}"`);
  }
  return out;
}"""


def _ids(db: str) -> dict[str, str]:
    con = sqlite3.connect(db)
    one = lambda sql: str((con.execute(sql).fetchone() or [""])[0])  # noqa: E731
    ids = {
        "campaign": one("select id from commitment_campaign order by id limit 1"),
        "person": one("select person_id from account where username = 'staff'"),
        "unit": one("select unit_id from person p join account a on a.person_id = p.id where a.username = 'staff'"),
        "ref": one("select code from commitment_signature limit 1"),
        "thanks": one("select token from thanks_link limit 1"),
    }
    con.close()
    return ids


def _set_language(db: str, lang: str) -> None:
    con = sqlite3.connect(db)
    con.execute("update account set language = ?", (lang,))
    con.commit()
    con.close()


def main(url: str, db: str, out: str, only: str = "") -> int:
    Path(out).mkdir(parents=True, exist_ok=True)
    try:
        ids = _ids(db)
    except sqlite3.Error as exc:
        print("could not read ids:", exc)
        ids = {}
    problems = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        for lang in ("vi", "en"):
            _set_language(db, lang)
            for size, (w, h) in WIDTHS.items():
                ctx = browser.new_context(viewport={"width": w, "height": h},
                                          locale="vi-VN" if lang == "vi" else "en-GB")
                ctx.add_cookies([{"name": "engagement_lang", "value": lang, "url": url}])
                page = ctx.new_page()
                who_now = None
                visits = [(None, r) for r in PUBLIC] + PRIVATE
                if only:  # e.g. "supervision,review": the routes containing one of these
                    visits = [(w, r) for w, r in visits if any(o in r for o in only.split(","))]
                for who, route in visits:
                    try:
                        path = route.format(**ids)
                    except KeyError:
                        continue
                    if who != who_now and who is not None:
                        ctx.clear_cookies()
                        ctx.add_cookies([{"name": "engagement_lang", "value": lang, "url": url}])
                        page.goto(url + "/login")
                        page.locator("input[name=username]").fill(who)
                        page.locator("input[name=password]").fill(PASSWORD)
                        page.locator("form button[type=submit]").click()
                        page.wait_for_url(lambda u: "/login" not in u, timeout=30_000)
                        who_now = who
                    page.goto(url + path)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(700)
                    name = f"{lang}-{size}-{(who or 'public')}{path.split('?')[0].replace('/', '_') or '_home'}.png"
                    page.screenshot(path=str(Path(out) / name), full_page=True)
                    found = page.evaluate(OVERFLOW_JS)
                    if found:
                        problems += 1
                        print(f"{lang} {size} {who or 'public'} {path}: {'; '.join(found[:6])}")
                ctx.close()
        browser.close()
    print(f"{problems} page views with overflow or clipping")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
