"""End-to-end harness: the real app, built in production mode, on a fresh demo database.

One app per test session (a build takes ~30 s cold). Chromium is Debian's, never a
Playwright download. Run this folder in its own pytest invocation (see Makefile).

The journeys run in the organisation's language, ``E2E_LANGUAGE`` (Vietnamese unless told:
``E2E_LANGUAGE=en make e2e``): the app is built and served with it, the browser asks for it.
Selectors never spell a label in one language: they use roles, names, ids, or ``L("English
message id")``, the text as the app under test shows it (``L_re`` when part of it is unknown).

Every page a journey visits is audited (``tests/e2e/axe.py``): axe-core's serious and critical
accessibility violations and any Content-Security-Policy refusal fail the test. axe-core is
installed with the venv's npm on first use (into ``E2E_CACHE``, default ``~/.cache/engagement-e2e``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from engagement.core import i18n
from engagement.settings import LANGUAGES
from tests.e2e.axe import Audit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

#: The language the journeys run in: the app's ENGAGEMENT_LANGUAGE and the browser's.
E2E_LANGUAGE = os.environ.get("E2E_LANGUAGE", "").strip().lower() or "vi"
if E2E_LANGUAGE not in LANGUAGES:
    raise pytest.UsageError(f"E2E_LANGUAGE must be one of {', '.join(LANGUAGES)}, got {E2E_LANGUAGE!r}")
#: What the browser sends as Accept-Language (public pages follow it).
BROWSER_LOCALES = {"vi": "vi-VN", "en": "en-GB"}
#: E2E_STRICT_MSGIDS=1: a message id the code does not mark fails at once (else it is listed at the end).
STRICT_MSGIDS = os.environ.get("E2E_STRICT_MSGIDS", "").strip() in {"1", "true", "yes"}

_unknown_msgids: set[str] = set()


@functools.cache
def _marked_msgids() -> frozenset[str]:
    """Every message id the code marks (what ``make i18n`` extracts)."""
    from engagement.core.catalogue import extract

    with contextlib.redirect_stderr(io.StringIO()):  # the extractor's warnings are make i18n's business
        catalog = extract()
    return frozenset(m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id)


def _check(msgid: str) -> None:
    if msgid in _marked_msgids():
        return
    if STRICT_MSGIDS:
        pytest.fail(f"L(): no message of the code has the id {msgid!r}", pytrace=False)
    _unknown_msgids.add(msgid)


def text_in(lang: str, msgid: str, /, **params: Any) -> str:
    """``msgid`` (the English source text) as the app shows it in ``lang``, placeholders filled."""
    _check(msgid)
    return i18n.Msg(msgid, params).render(lang)


def L(msgid: str, /, **params: Any) -> str:
    """The text the app under test shows for ``msgid`` in the journeys' language."""
    return text_in(E2E_LANGUAGE, msgid, **params)


def L_n(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """``L`` with plural forms (``{n}`` is filled with ``n``)."""
    _check(singular)
    return i18n.Msg(singular, params, plural, n).render(E2E_LANGUAGE)


def L_re(msgid: str, /, lang: str | None = None, **params: Any) -> re.Pattern[str]:
    """A pattern for ``msgid`` as shown: the given placeholders filled, every other one any text."""
    _check(msgid)
    code = lang or E2E_LANGUAGE
    text = i18n.translate(msgid, code)
    parts: list[str] = []
    cursor = 0
    for match in re.finditer(r"\{(\w+)\}", text):
        parts.append(re.escape(text[cursor:match.start()]))
        name = match.group(1)
        parts.append(re.escape(i18n.fill("{" + name + "}", params, code)) if name in params else ".+?")
        cursor = match.end()
    parts.append(re.escape(text[cursor:]))
    return re.compile("".join(parts))


def pytest_terminal_summary(terminalreporter) -> None:
    """List the ids L() was given that no message of the code has (they stay English in vi)."""
    if _unknown_msgids:
        terminalreporter.section("L(): message ids the code does not mark")
        for msgid in sorted(_unknown_msgids):
            terminalreporter.line(f"  {msgid!r}")

# A 2-core CI machine building and serving the app is slow at times: wait up to 15 s for
# what a person would see, instead of Playwright's 5 s default.
expect.set_options(timeout=15_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium with the flags this closed network needs."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """The browser asks for the journeys' language."""
    return {**browser_context_args, "locale": BROWSER_LOCALES[E2E_LANGUAGE]}


@pytest.fixture
def page_audit(request: pytest.FixtureRequest) -> Iterator[Audit]:
    """axe-core and the CSP audit of every page the test's browsers visit (tests/e2e/axe.py).

    The test fails (at teardown) on any serious or critical accessibility violation and on any
    Content-Security-Policy refusal, listing each with the page and the element.
    """
    audit = Audit()
    yield audit
    if not audit.problems:
        return
    message = f"{len(audit.problems)} accessibility or CSP problem(s) on the pages visited:\n" + audit.report()
    if request.node.stash.get(_FAILED, False):
        # The test failed already: show the audit beside that failure rather than on top of it.
        sys.stderr.write(message + "\n")
        return
    pytest.fail(message, pytrace=False)


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember a test that failed: its audit is not piled on top of the real failure."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.fixture
def context(context: BrowserContext, page_audit: Audit) -> Iterator[BrowserContext]:
    """pytest-playwright's context, every page of it audited."""
    page_audit.attach(context)
    yield context
    page_audit.finish([context])


@pytest.fixture
def new_page(browser: Browser, browser_context_args: dict, page_audit: Audit) -> Iterator[Callable[[], Page]]:
    """``new_page()``: a page in a browser of its own (no cookies), asking for the journeys' language."""
    contexts = []

    def make() -> Page:
        contexts.append(browser.new_context(**browser_context_args))
        page_audit.attach(contexts[-1])
        return contexts[-1].new_page()

    yield make
    page_audit.finish(contexts)
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the production app on a free port with a migrated, seeded SQLite database."""
    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "ENGAGEMENT_DATABASE_URL": f"sqlite:///{db}",
        "ENGAGEMENT_PORT": str(port),
        # No embedded scheduler: an hourly reminder landing mid-journey would make the
        # journeys' "newest notification" checks depend on the clock. Jobs are run explicitly.
        "ENGAGEMENT_SCHEDULER": "off",
        # Explicit: tests/conftest.py sets ENGAGEMENT_LANGUAGE=en for the unit tests.
        "ENGAGEMENT_LANGUAGE": E2E_LANGUAGE,
    }
    env.pop("REFLEX_REDIS_URL", None)
    subprocess.run([str(bin_dir / "engagement"), "migrate"], cwd=ROOT, env=env, check=True)
    subprocess.run([str(bin_dir / "engagement"), "seed-demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    log = (tmp_path_factory.getbasetemp() / "app.log").open("w")
    proc = subprocess.Popen([str(bin_dir / "reflex"), "run", "--env", "prod", "--loglevel", "info"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    # A cold build on a busy 2-core machine (other builds, test runs) can take several minutes.
    start_seconds = int(os.environ.get("E2E_START_SECONDS", "900"))
    deadline = time.monotonic() + start_seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(url + "/ping", timeout=2) as r1, \
                    urllib.request.urlopen(url + "/login", timeout=2) as r2:
                if r1.status == 200 and r2.status == 200:
                    break
        except OSError:
            time.sleep(1)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        raise RuntimeError(f"the app did not start in {start_seconds} s; see {log.name}")
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()
