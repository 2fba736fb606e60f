"""Load benchmark from outside (issue 19): socket clients replaying the real UI's events.

Every simulated person has their own login session and their own browser tab (a Reflex tab
token), and speaks Reflex 0.10.1's real protocol (Engine.IO 4 / Socket.IO 5 over a websocket,
the page's hydrate event in the CONNECT packet, as ``state.js`` sends it). The events are
the ones a browser sends (captured from Chromium against the app):

* ``open page``: a click on a nav link: ``update_vars_internal`` + ``on_load_internal`` for
  /leaderboards or /recognition, done when the page says ``is_hydrated``;
* ``change period``: the leaderboard's period menu (``LeaderboardState.set_period``);
* ``page feed``: "Older"/"Newer" under the recognition feed (``next_page``/``prev_page``);
* ``give``: the give dialog: ``open_give``, ``set_search_text``, ``choose``, ``submit_give``
  (each step timed on its own: ``search colleague``, ``choose``, ``give recognition``);
* ``trivial``: ``open_give`` alone (the "Recognise someone" button: no database), the
  baseline every other action is compared with IN THE SAME RUN.

A login goes through the login page's socket event; when the app answers with a hand-off
script that POSTs to an HTTP route (the HttpOnly-cookie login), the client POSTs it as the
browser would and carries the cookie in the websocket handshake from then on. Both kinds
are recognised from the answer itself.

Phases of one run: log N sessions in (``--login-concurrency`` at a time, not a rush), a
steady phase of ``--duration`` seconds at ``--rate`` actions/s per session, then optionally a
login rush of M new accounts at once while the load goes on (``--login-rush``), and
optionally K tabs that come and go (``--churn``) followed by a second steady phase, to
compare CPU per action before and after. Server CPU and RSS are read from ``/proc`` for the
processes listening on the port (and their children); memory per session is the RSS growth
while the N sessions logged in, divided by N.

Accounts: ``--seed-accounts N`` creates N logins (``bench00001``...) in the target database
with the app's own services (run it with the app's PYTHONPATH and database URL); the load
itself needs nothing of the app.

    PYTHONPATH=/tmp/app .venv/bin/python scripts/bench_load.py --seed-accounts 1500 \
        --db sqlite:////tmp/app.db
    .venv/bin/python scripts/bench_load.py --url http://127.0.0.1:3331 --sessions 200 --rate 1 \
        --duration 60 --login-rush 200 --json /tmp/run.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import statistics
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

ROOT = "reflex___state____state"
NAMESPACE = "/_event"
DEFAULT_PASSWORD = "bench-password-2026"
HYDRATED = "is_hydrated_rx_state_"
#: Handlers the load sends, by their short name; the full dotted names are read from the
#: app's JavaScript (they follow the state classes' modules), these are the fallbacks.
HANDLERS = {
    "login.submit": f"{ROOT}.engagement___ui___i18n____lang_state.engagement___ui___auth____auth_state."
                    "engagement___ui___auth____login_state.submit",
    "leaderboard.set_period": f"{ROOT}.engagement___ui___i18n____lang_state.engagement___ui___auth____auth_state."
                              "engagement___scoring___state____leaderboard_state.set_period",
    "recognition.next_page": f"{ROOT}.engagement___ui___i18n____lang_state.engagement___ui___auth____auth_state."
                             "engagement___recognition___state____recognition_state.next_page",
}
SEARCH_WORDS = ["Hoàng", "Nguyễn", "Trần", "Lê", "Phạm", "Văn", "Thị", "Hữu"]
GIVE_MESSAGE = "Anh chị đã hỗ trợ người dân hoàn thiện hồ sơ nhanh chóng, tận tình và chu đáo."
#: Weights of the actions a session picks (give is four events in a row).
MIX = {"trivial": 30, "open page": 25, "change period": 20, "page feed": 15, "give": 5}


class ActionError(Exception):
    """An action that did not complete: timeout, disconnect, server error or refusal."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


# --- the app's front-end facts, read over HTTP ---------------------------------------------


@dataclass
class Frontend:
    """What the browser knows from the compiled JavaScript."""

    origin: str
    ws_url: str
    handlers: dict[str, str]
    state_schema: str | None = None
    hashes: list[str] | None = None
    reflex_version: str = "0.10.1"
    _http: httpx.AsyncClient | None = None

    def http(self, timeout: float) -> httpx.AsyncClient:
        """One HTTP client for every simulated person (a client per request would spend the
        benchmark's CPU on building TLS contexts); cookies go in each request's own header."""
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.origin, timeout=timeout,
                                           limits=httpx.Limits(max_connections=200))
        return self._http


async def discover(url: str, timeout: float) -> Frontend:
    """Read the page bundles for the handlers' full names, the state schema and the initial
    state hashes (the browser sends both at its first connect)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{NAMESPACE}/"
    texts: list[str] = []
    seen: set[str] = set()
    async with httpx.AsyncClient(base_url=origin, timeout=timeout, follow_redirects=True) as http:
        for page in ("/login/", "/leaderboards/", "/recognition/"):
            html = (await http.get(page)).text
            for asset in re.findall(r'(/assets/[^"\']+\.js)', html):
                if asset in seen:
                    continue
                seen.add(asset)
                with contextlib.suppress(httpx.HTTPError):
                    texts.append((await http.get(asset)).text)
    blob = "\n".join(texts)
    handlers = dict(HANDLERS)
    for short, fallback in HANDLERS.items():
        tail = fallback.rsplit(".", 2)
        found = re.findall(r"(reflex___state____state(?:\.[A-Za-z0-9_]+)*\." + re.escape(tail[-2]) + r"\."
                           + re.escape(tail[-1]) + r")\b", blob)
        if found:
            handlers[short] = found[0]
    for short, method in (("recognition.prev_page", "prev_page"), ("recognition.open_give", "open_give"),
                          ("recognition.set_search_text", "set_search_text"), ("recognition.choose", "choose"),
                          ("recognition.submit_give", "submit_give")):
        handlers[short] = handlers["recognition.next_page"].rsplit(".", 1)[0] + "." + method
    schema = re.search(r"stateSchema\s*=\s*[`\"']([0-9a-f]+)[`\"']", blob)
    hashes = re.search(r"initialStateHashes\s*=\s*`([0-9a-f.]+)`\.split", blob)
    version = re.search(r'"?version"?\s*:\s*[`"\'](0\.\d+\.\d+[^`"\']*)[`"\']', blob)
    return Frontend(origin=origin, ws_url=ws_url, handlers=handlers,
                    state_schema=schema.group(1) if schema else None,
                    hashes=hashes.group(1).split(".") if hashes else None,
                    reflex_version=version.group(1) if version else "0.10.1")


# --- one browser tab: a websocket speaking Engine.IO / Socket.IO ----------------------------


class Tab:
    """One browser tab: its own Reflex token and socket, one event in flight at a time."""

    def __init__(self, fe: Frontend, *, cookies: dict[str, str], timeout: float) -> None:
        self.fe, self.cookies, self.timeout = fe, cookies, timeout
        self.token = str(uuid.uuid4())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.closed = False
        self._task: asyncio.Task | None = None
        self._waiter: tuple[Any, asyncio.Future] | None = None
        self._opened = asyncio.get_running_loop().create_future()
        self.vars: dict[str, Any] = {}  # "substate.var" -> last value seen
        self.path = "/"

    # wire ---------------------------------------------------------------------------------

    def _send(self, text: str) -> None:
        if self.closed or self.writer is None:
            raise ActionError("disconnected", "socket closed")
        self.writer.write(self.ws.send(TextMessage(data=text)))

    async def connect(self, path: str, storage_vars: dict[str, str]) -> float:
        """Open the socket with the page's hydrate event (as ``state.js`` does); returns the
        seconds until the page is hydrated."""
        self.path = path
        parts = urlsplit(self.fe.ws_url)
        host, port = parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "wss" else 80)
        started = time.perf_counter()
        try:
            self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(host, port), self.timeout)
        except (TimeoutError, OSError) as exc:
            raise ActionError("connect", repr(exc)) from exc
        headers = [("Origin", self.fe.origin), ("User-Agent", "bench_load/1 (like Chromium)")]
        if self.cookies:
            headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        target = parts.path + "?" + urlencode({"token": self.token, "EIO": "4", "transport": "websocket"})
        self.writer.write(self.ws.send(Request(host=parts.netloc, target=target, extra_headers=headers,
                                               subprotocols=[self.fe.reflex_version])))
        payload: dict[str, Any] = {}
        if storage_vars:
            payload["vars"] = storage_vars
        if self.fe.hashes:
            payload["hashes"] = self.fe.hashes
        event = {"name": f"{ROOT}.hydrate_and_load", "payload": payload,
                 "router_data": {"pathname": path, "asPath": path}}
        auth: dict[str, Any] = {"event": event}
        if self.fe.state_schema:
            auth["state_schema"] = self.fe.state_schema
        self._task = asyncio.create_task(self._read_loop(json.dumps(auth, ensure_ascii=False)))
        try:
            await self._wait(page_ready(self.fe, path), "page load", started)
        except ActionError:
            await self.close()
            raise
        return time.perf_counter() - started

    async def _read_loop(self, connect_auth: str) -> None:
        try:
            while not self.closed:
                data = await self.reader.read(65536)
                if not data:
                    break
                self.ws.receive_data(data)
                for ev in self.ws.events():
                    if isinstance(ev, AcceptConnection):
                        pass
                    elif isinstance(ev, RejectConnection):
                        self._fail(ActionError("rejected", f"HTTP {ev.status_code}"))
                        return
                    elif isinstance(ev, TextMessage):
                        self._packet(ev.data, connect_auth)
                    elif isinstance(ev, Ping):
                        self.writer.write(self.ws.send(ev.response()))
                    elif isinstance(ev, CloseConnection):
                        with contextlib.suppress(Exception):
                            self.writer.write(self.ws.send(ev.response()))
                        self.closed = True
        except (OSError, ConnectionError) as exc:
            self._fail(ActionError("disconnected", repr(exc)))
        except Exception as exc:  # a protocol surprise must end this tab, never the run
            self._fail(ActionError("protocol", repr(exc)))
        finally:
            self.closed = True
            self._fail(ActionError("disconnected", "server closed the socket"))

    def _packet(self, text: str, connect_auth: str) -> None:
        kind = text[:1]
        if kind == "0":  # Engine.IO open: connect the namespace, the hydrate riding along
            self._send(f"40{NAMESPACE},{connect_auth}")
        elif kind == "2":
            self._send("3")
        elif kind == "1":
            self.closed = True
        elif kind == "4":
            body = text[1:]
            if body.startswith("2"):
                raw = body[1:]
                if raw.startswith(NAMESPACE + ","):
                    raw = raw[len(NAMESPACE) + 1:]
                while raw[:1].isdigit():  # an ack id (never used by Reflex's events)
                    raw = raw[1:]
                name, *args = json.loads(raw)
                if name == "event" and args:
                    self._update(args[0])
            elif body.startswith("4"):
                self._fail(ActionError("connect refused", body[:200]))
            elif body.startswith("1"):
                self._fail(ActionError("disconnected", "namespace disconnect"))

    def _update(self, update: dict[str, Any]) -> None:
        for substate, values in (update.get("delta") or {}).items():
            if isinstance(values, dict):
                for var, value in values.items():
                    self.vars[f"{substate}.{var}"] = value
        if self._waiter is None:
            return
        predicate, future = self._waiter
        if future.done():
            return
        for event in update.get("events") or []:
            name = event.get("name", "")
            code = json.dumps(event.get("payload", {}), ensure_ascii=False)
            if name in ("_call_function", "_call_script") and "__toast" in code and '\\"error\\"' in code:
                future.set_exception(ActionError("server error toast", code[:300]))
                return
            if name == "_redirect" and "/login" in code:
                future.set_exception(ActionError("redirected to login", code[:200]))
                return
        try:
            done = predicate(update)
        except ActionError as exc:
            future.set_exception(exc)
            return
        if done:
            future.set_result(update)

    def _fail(self, error: ActionError) -> None:
        if self._waiter is not None and not self._waiter[1].done():
            self._waiter[1].set_exception(error)

    async def _wait(self, predicate: Any, what: str, started: float) -> dict[str, Any]:
        future = asyncio.get_running_loop().create_future()
        self._waiter = (predicate, future)
        try:
            left = self.timeout - (time.perf_counter() - started)
            return await asyncio.wait_for(future, max(0.001, left))
        except TimeoutError as exc:
            raise ActionError("timeout", f"{what} after {self.timeout:.0f} s") from exc
        finally:
            self._waiter = None

    async def emit(self, name: str, payload: dict[str, Any] | None, predicate: Any, what: str,
                   *, extra: dict[str, Any] | None = None) -> tuple[float, dict[str, Any]]:
        """Send one event and wait for the update that completes it; returns (seconds, update)."""
        event: dict[str, Any] = {"name": name}
        if payload is not None:
            event["payload"] = payload
        if extra:
            event.update(extra)
        event["router_data"] = {"pathname": self.path, "asPath": self.path}
        started = time.perf_counter()
        future_wait = self._wait(predicate, what, started)
        self._send(f"42{NAMESPACE}," + json.dumps(["event", event], ensure_ascii=False))
        update = await future_wait
        return time.perf_counter() - started, update

    async def navigate(self, path: str, storage_vars: dict[str, str]) -> float:
        """A click on a link: the browser sends the client storage vars and ``on_load_internal``."""
        self.path = path
        started = time.perf_counter()
        waiting = self._wait(page_ready(self.fe, path), f"open {path}", started)
        route = {"pathname": path, "asPath": path}
        if storage_vars:
            self._send(f"42{NAMESPACE}," + json.dumps(["event", {
                "name": f"{ROOT}.reflex___state____update_vars_internal_state.update_vars_internal",
                "payload": {"vars": storage_vars}, "router_data": route}], ensure_ascii=False))
        self._send(f"42{NAMESPACE}," + json.dumps(["event", {
            "name": f"{ROOT}.reflex___state____on_load_internal_state.on_load_internal",
            "router_data": route}], ensure_ascii=False))
        await waiting
        return time.perf_counter() - started

    async def close(self) -> None:
        """Leave the page: namespace disconnect, websocket close."""
        if self.writer is None:
            return
        with contextlib.suppress(Exception):
            if not self.closed:
                self._send(f"41{NAMESPACE},")
                self.writer.write(self.ws.send(CloseConnection(code=1000)))
                await asyncio.wait_for(self.writer.drain(), 2)
        self.closed = True
        with contextlib.suppress(Exception):
            self.writer.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    def var(self, handler: str, name: str, default: Any = None) -> Any:
        """The last value seen of ``name`` in the state that owns ``handler``."""
        return self.vars.get(f"{handler.rsplit('.', 1)[0]}.{name}_rx_state_", default)


def _hydrated(update: dict[str, Any]) -> bool:
    return (update.get("delta") or {}).get(ROOT, {}).get(HYDRATED) is True


def _state_of(handler: str) -> str:
    return handler.rsplit(".", 1)[0]


#: The var whose arrival shows a page's data is there (a background load may send
#: ``is_hydrated`` before its read is done), by path prefix: (handler short name, var).
PAGE_DATA = {"/leaderboards": ("leaderboard.set_period", "result"),
             "/recognition": ("recognition.next_page", "items")}


def _all_of(*needs: tuple[str, str, Any], refusals: tuple[tuple[str, str], ...] = ()):
    """A predicate that completes once every ``(substate, var, wanted)`` has been seen since
    the event was sent (``wanted`` None: any value), in one update or several: a background
    handler sends what it set before its database read first, and its result later. A
    non-empty ``(substate, var)`` of ``refusals`` is a refusal."""
    missing = list(needs)

    def done(update: dict[str, Any]) -> bool:
        delta = update.get("delta") or {}
        for substate, var in refusals:
            value = (delta.get(substate) or {}).get(f"{var}_rx_state_")
            if value:
                raise ActionError("refused", str(value)[:200])
        for need in list(missing):
            substate, var, wanted = need
            values = delta.get(substate)
            key = var if var.endswith("_rx_state_") else f"{var}_rx_state_"
            if isinstance(values, dict) and key in values and (wanted is None or values[key] == wanted):
                missing.remove(need)
        return not missing

    return done


def page_ready(fe: Frontend, path: str):
    """Hydrated, and (for the benchmark's pages) the page's data arrived."""
    needs = [(ROOT, HYDRATED, True)]
    for prefix, (short, var) in PAGE_DATA.items():
        if path.startswith(prefix):
            needs.append((_state_of(fe.handlers[short]), var, None))
    return _all_of(*needs)


# --- statistics ---------------------------------------------------------------------------


@dataclass
class Stats:
    """Latencies (seconds) and errors per action, for one phase."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    examples: dict[str, str] = field(default_factory=dict)
    started: float = 0.0
    ended: float = 0.0

    def ok(self, action: str, seconds: float) -> None:
        self.latencies[action].append(seconds)

    def fail(self, action: str, error: ActionError) -> None:
        self.errors[action][error.kind] += 1
        self.examples.setdefault(f"{action}: {error.kind}", error.detail[:300])

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        elapsed = max(1e-9, self.ended - self.started)
        for action in sorted(set(self.latencies) | set(self.errors)):
            values = sorted(self.latencies.get(action, []))
            errs = dict(self.errors.get(action, {}))
            out[action] = {"count": len(values), "errors": sum(errs.values()), "error_kinds": errs,
                           "p50_ms": _pct(values, 50), "p95_ms": _pct(values, 95), "p99_ms": _pct(values, 99),
                           "max_ms": round(values[-1] * 1000, 1) if values else None,
                           "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None,
                           "per_s": round(len(values) / elapsed, 2)}
        return out


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return round(values[k] * 1000, 1)


# --- the server's processes, from /proc -----------------------------------------------------


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as fh:
            next(fh)
            for line in fh:
                cols = line.split()
                if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(cols[9])
    return inodes


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def server_pids(port: int, extra: list[int]) -> list[int]:
    """The processes holding the port's listening socket, the given pids, and their children."""
    inodes = {f"socket:[{i}]" for i in _listening_inodes(port)}
    roots = set(extra)
    for pid in _all_pids():
        if pid == os.getpid():
            continue
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        roots.add(pid)
                        break
    children: dict[int, list[int]] = defaultdict(list)
    for pid in _all_pids():
        parent = _ppid(pid)
        if parent is not None:
            children[parent].append(pid)
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.add(pid)
        todo.extend(children.get(pid, []))
    return sorted(found)


TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Sample:
    """Server CPU seconds (user+system, all its processes) and RSS bytes at a moment."""

    at: float
    cpu: float
    rss: int
    pids: int


def sample(port: int, extra: list[int]) -> Sample:
    cpu, rss, pids = 0.0, 0, server_pids(port, extra)
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / TICK
            with open(f"/proc/{pid}/statm") as fh:
                rss += int(fh.read().split()[1]) * PAGE
    return Sample(at=time.monotonic(), cpu=cpu, rss=rss, pids=len(pids))


def loadavg() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- one simulated person -----------------------------------------------------------------


class Person:
    """A logged-in person with one tab open, acting at a steady rate."""

    def __init__(self, fe: Frontend, username: str, password: str, *, timeout: float, seed: int) -> None:
        self.fe, self.username, self.password, self.timeout = fe, username, password, timeout
        self.cookies: dict[str, str] = {}
        self.storage: dict[str, str] = {}  # client storage vars the page's JavaScript can read
        self.tab: Tab | None = None
        self.rng = random.Random(seed)
        self.page = "/"
        self.login_kind = ""
        self.interval = 1.0  # seconds between a person's actions (the load sets it)

    async def open_login_page(self) -> Tab:
        tab = Tab(self.fe, cookies=dict(self.cookies), timeout=self.timeout)
        await tab.connect("/login/", dict(self.storage))
        return tab

    async def submit_login(self, tab: Tab) -> float:
        """The login form's submit; returns the seconds until the session is handed over
        (token in the state, or the HttpOnly cookie set by the hand-off route)."""
        handler = self.fe.handlers["login.submit"]
        substate = handler.rsplit(".", 1)[0]
        auth_substate = substate.rsplit(".", 1)[0]
        found: dict[str, Any] = {}

        def done(update: dict[str, Any]) -> bool:
            delta = update.get("delta") or {}
            token = (delta.get(auth_substate) or {}).get("auth_token_rx_state_")
            if token:
                found["token_var"] = f"{auth_substate}.auth_token_rx_state_"
                found["token"] = token
                return True
            error = (delta.get(substate) or {}).get("error_rx_state_")
            if error:
                raise ActionError("login refused", str(error)[:200])
            for event in update.get("events") or []:
                code = str((event.get("payload") or {}).get("javascript_code") or "")
                if "f.action=" in code:
                    found["script"] = code
                    return True
            return False

        started = time.perf_counter()
        await tab.emit(handler, {"form": {"__reflex_form_data__": [["username", self.username],
                                                                   ["password", self.password]]}},
                       done, "login")
        target = "/"
        if "token" in found:  # the token came in the state: the page's script sets the cookie
            self.login_kind = "socket (token in state)"
            self.cookies["engagement_session"] = found["token"]
            self.storage[found["token_var"]] = found["token"]
        else:
            self.login_kind = "socket + HTTP hand-off (HttpOnly cookie)"
            target = await self._hand_off(found["script"])
        elapsed = time.perf_counter() - started
        self.page = target
        return elapsed

    async def _hand_off(self, script: str) -> str:
        """POST the hand-off form the login script builds, as the browser submits it."""
        action, fields = parse_hand_off(script)
        http = self.fe.http(self.timeout)
        try:
            response = await http.post(action, data=fields, headers={
                "Origin": self.fe.origin, "Sec-Fetch-Site": "same-origin"})
        except httpx.HTTPError as exc:
            raise ActionError("hand-off", repr(exc)) from exc
        finally:
            http.cookies.clear()  # each person's cookie is theirs: nothing kept in the shared client
        cookie = response.cookies.get("engagement_session")
        if response.status_code not in (302, 303) or not cookie:
            raise ActionError("hand-off refused", f"HTTP {response.status_code} {response.text[:200]}")
        self.cookies["engagement_session"] = cookie
        location = response.headers.get("location", "/")
        return urlsplit(location).path or "/"

    async def login(self, stats: Stats) -> bool:
        """Open the login page, log in, open the home page in a fresh tab (as the browser does)."""
        try:
            tab = await self.open_login_page()
        except ActionError as exc:
            stats.fail("open login page", exc)
            return False
        try:
            stats.ok("login", await self.submit_login(tab))
        except (ActionError, AttributeError) as exc:
            stats.fail("login", exc if isinstance(exc, ActionError) else ActionError("login", repr(exc)))
            await tab.close()
            return False
        await tab.close()
        return await self.new_tab(stats, "open home (new tab)", self.page, fetch_html=True)

    async def new_tab(self, stats: Stats, label: str, path: str, *, fetch_html: bool = False) -> bool:
        """Open ``path`` in a new tab (a new Reflex token), replacing the current one;
        ``fetch_html``: the browser loads the page's HTML first (after the login's navigation)."""
        if self.tab is not None:
            await self.tab.close()
        self.tab = Tab(self.fe, cookies=dict(self.cookies), timeout=self.timeout)
        try:
            started = time.perf_counter()
            if fetch_html:
                await _get_html(self.fe, path, self.cookies, self.timeout)
            await self.tab.connect(path, dict(self.storage))
            stats.ok(label, time.perf_counter() - started)
            self.page = path
            return True
        except ActionError as exc:
            stats.fail(label, exc)
            await self.tab.close()
            self.tab = None
            return False

    # actions ------------------------------------------------------------------------------

    async def act(self, stats: Stats) -> int:
        """One action of the mix; returns the action slots it took (a give: its four steps)."""
        if (self.tab is None or self.tab.closed) and not await self.new_tab(
                stats, "reconnect (new tab)", "/leaderboards"):
            return 1
        action = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        h = self.fe.handlers
        tab = self.tab
        try:
            if action == "trivial":
                seconds, _ = await tab.emit(h["recognition.open_give"], None, self._opened_give(), "trivial")
                stats.ok("trivial", seconds)
            elif action == "open page":
                path = "/recognition" if self.page.startswith("/leaderboards") else "/leaderboards"
                action = f"open {path}"
                seconds = await tab.navigate(path, dict(self.storage))
                self.page = path
                stats.ok(f"open {path}", seconds)
            elif action == "change period":
                handler = h["leaderboard.set_period"]
                choices = [c.get("value") for c in (tab.var(handler, "period_choices") or []) if isinstance(c, dict)]
                current = tab.var(handler, "period", "")
                options = [c for c in choices[:3] if c and c != current] or _recent_months(current)
                chosen, state = self.rng.choice(options), _state_of(handler)
                seconds, _ = await tab.emit(handler, {"value": chosen}, _all_of(
                    (state, "period", chosen), (state, "result", None), refusals=((state, "error"),)),
                    "change period")
                stats.ok("change period", seconds)
            elif action == "page feed":
                nxt, prv = h["recognition.next_page"], h["recognition.prev_page"]
                page, more = tab.var(nxt, "page", 1) or 1, tab.var(nxt, "has_more", False)
                handler = nxt if (more and page < 5) or page <= 1 else prv
                state = _state_of(handler)
                seconds, _ = await tab.emit(handler, None, _all_of((state, "items", None),
                                                                   refusals=((state, "error"),)), "page feed")
                stats.ok("page feed", seconds)
            else:
                await self._give(stats)
                return 4
        except ActionError as exc:
            stats.fail(action if action != "give" else "give recognition", exc)
            if exc.kind in ("timeout", "disconnected", "protocol"):
                await tab.close()  # late answers must not complete the next action
                self.tab = None
        return 4 if action == "give" else 1

    def _opened_give(self):
        """``open_give`` is done when its ``form_key`` (a counter it always bumps) arrives."""
        return _all_of((_state_of(self.fe.handlers["recognition.open_give"]), "form_key", None))

    async def _pause(self, took: float) -> None:
        """A person fills the give dialog one step per action slot, not all at once."""
        await asyncio.sleep(max(0.0, self.interval - took))

    async def _give(self, stats: Stats) -> None:
        h, tab = self.fe.handlers, self.tab
        seconds, _ = await tab.emit(h["recognition.open_give"], None, self._opened_give(), "trivial")
        stats.ok("trivial", seconds)
        await self._pause(seconds)
        search = h["recognition.set_search_text"]
        state = _state_of(search)
        seconds, _ = await tab.emit(search, {"value": self.rng.choice(SEARCH_WORDS)},
                                    _all_of((state, "search_results", None), refusals=((state, "give_error"),)),
                                    "search colleague", extra={"event_actions": {"debounce": 300}})
        stats.ok("search colleague", seconds)
        await self._pause(seconds)
        results = [o.get("value") for o in (tab.var(search, "search_results") or []) if isinstance(o, dict)]
        if not results:
            raise ActionError("refused", "no colleague found")
        choose = h["recognition.choose"]
        seconds, _ = await tab.emit(choose, {"person_id": self.rng.choice(results[:4])},
                                    _all_of((state, "chosen", None)), "choose")
        stats.ok("choose", seconds)
        await self._pause(seconds)
        submit = h["recognition.submit_give"]
        form = [["message", GIVE_MESSAGE], ["value_1", "on"], ["level", "thanks"], ["work_ref", ""]]

        given = _all_of((state, "allowance_left", None), refusals=((state, "give_error"),))
        seconds, _ = await tab.emit(submit, {"form": {"__reflex_form_data__": form}}, given, "give recognition")
        stats.ok("give recognition", seconds)


async def _get_html(fe: Frontend, path: str, cookies: dict[str, str], timeout: float) -> None:
    http = fe.http(timeout)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    try:
        response = await http.get(path, headers=headers, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise ActionError("page html", repr(exc)) from exc
    finally:
        http.cookies.clear()
    if response.status_code >= 400:
        raise ActionError("page html", f"HTTP {response.status_code}")


def parse_hand_off(script: str) -> tuple[str, dict[str, str]]:
    """The form a login's hand-off script builds and submits: its action and its fields.

    Raises:
        ActionError: the script builds no form.
    """
    quoted = r"(\"(?:[^\"\\]|\\.)*\")"
    action = re.search(r"f\.action=" + quoted, script)
    if action is None:
        raise ActionError("hand-off", "the login's script builds no form")
    pairs = re.findall(r"i\.name=" + quoted + r";i\.value=" + quoted, script)
    fields = {json.loads(k): json.loads(v) for k, v in pairs}
    return json.loads(action.group(1)), fields


def _recent_months(current: str) -> list[str]:
    today = time.gmtime()
    year, month = today.tm_year, today.tm_mon
    keys = []
    for _ in range(3):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [k for k in keys if k != current] or keys


# --- the run --------------------------------------------------------------------------------


async def _bounded(items: list[Any], limit: int, fn: Any) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(item: Any) -> Any:
        async with gate:
            return await fn(item)

    return await asyncio.gather(*(one(i) for i in items))


class Load:
    """The steady load: every person acts at ``rate`` per second until stopped; the results go
    to whichever ``Stats`` is current (phases switch it)."""

    def __init__(self, people: list[Person], rate: float) -> None:
        self.people, self.rate = people, rate
        self.stats: Stats | None = None
        self.paused = True
        self.stopping = False
        self.tasks: list[asyncio.Task] = []
        self.late = 0

    def start(self) -> None:
        for person in self.people:
            person.interval = 1.0 / self.rate
        self.tasks = [asyncio.create_task(self._loop(p)) for p in self.people]

    async def _loop(self, person: Person) -> None:
        interval = 1.0 / self.rate
        await asyncio.sleep(person.rng.random() * interval)
        next_at = time.monotonic()
        while not self.stopping:
            if self.paused or self.stats is None:
                await asyncio.sleep(0.05)
                next_at = time.monotonic()
                continue
            stats = self.stats
            slots = await person.act(stats)
            next_at += interval * slots
            now = time.monotonic()
            if next_at < now:
                self.late += 1
                next_at = now
            await asyncio.sleep(next_at - now)

    async def stop(self) -> None:
        self.stopping = True
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def phase(load: Load, seconds: float, port: int, pids: list[int], name: str) -> dict[str, Any]:
    """Run the load for ``seconds`` and return its statistics with the server's CPU."""
    stats = Stats()
    before, cpu0, load0 = sample(port, pids), client_cpu(), loadavg()
    stats.started = time.monotonic()
    load.stats, load.paused = stats, False
    await asyncio.sleep(seconds)
    load.stats = None  # actions in flight finish uncounted
    stats.ended = time.monotonic()
    after = sample(port, pids)
    return _phase_report(name, stats, before, after, cpu0, load0)


def _phase_report(name: str, stats: Stats, before: Sample, after: Sample, cpu0: float, load0: str) -> dict[str, Any]:
    summary = stats.summary()
    done = sum(v["count"] for v in summary.values())
    errors = sum(v["errors"] for v in summary.values())
    elapsed = max(1e-9, stats.ended - stats.started)
    cpu = after.cpu - before.cpu
    trivial = (summary.get("trivial") or {}).get("p95_ms")
    for row in summary.values():
        row["p95_vs_trivial"] = round(row["p95_ms"] / trivial, 2) if trivial and row["p95_ms"] else None
    return {"phase": name, "seconds": round(elapsed, 1), "actions": done, "errors": errors,
            "actions_per_s": round(done / elapsed, 1), "server_cpu_s": round(cpu, 2),
            "server_cpu_pct": round(100 * cpu / elapsed, 1),
            "server_cpu_ms_per_action": round(1000 * cpu / done, 2) if done else None,
            "server_rss_mb": round(after.rss / 2**20, 1), "server_processes": after.pids,
            "client_cpu_s": round(client_cpu() - cpu0, 2), "loadavg_before": load0, "loadavg_after": loadavg(),
            "actions_by_name": summary, "error_examples": stats.examples}


async def open_login_pages(fe: Frontend, accounts: list[str], password: str, timeout: float,
                           concurrency: int) -> list[tuple[Person, Tab | None]]:
    """The rush's people open the login page beforehand (and wait there, idle)."""
    people = [Person(fe, u, password, timeout=timeout, seed=i) for i, u in enumerate(accounts)]
    tabs = await _bounded(people, concurrency, _open_quietly)
    return list(zip(people, tabs, strict=True))


async def login_rush(pages: list[tuple[Person, Tab | None]]) -> dict[str, Any]:
    """M people on the login page press "log in" at the same moment."""
    people = [p for p, _ in pages]
    accounts = people
    stats = Stats()
    ready = [(p, t) for p, t in pages if t is not None and not t.closed]
    began = time.perf_counter()
    stats.started = time.monotonic()
    ended: list[float] = []

    async def press(pair: tuple[Person, Tab]) -> None:
        person, tab = pair
        try:
            stats.ok("login (rush)", await person.submit_login(tab))
            ended.append(time.perf_counter())
        except (ActionError, AttributeError) as exc:
            stats.fail("login (rush)", exc if isinstance(exc, ActionError) else ActionError("login", repr(exc)))

    await asyncio.gather(*(press(pair) for pair in ready))
    stats.ended = time.monotonic()
    wall = (max(ended) - began) if ended else 0.0
    await asyncio.gather(*(t.close() for _, t in ready))
    summary = stats.summary()
    return {"logins": len(accounts), "login_pages_opened": len(ready), "succeeded": len(ended),
            "wall_s": round(wall, 2), "logins_per_s": round(len(ended) / wall, 1) if wall else None,
            "latency": summary.get("login (rush)"), "kind": people[0].login_kind if people else "",
            "error_examples": stats.examples}


async def _open_quietly(person: Person) -> Tab | None:
    try:
        return await person.open_login_page()
    except ActionError:
        return None


async def churn(people: list[Person], count: int, concurrency: int, stats: Stats) -> float:
    """``count`` tabs come and go: a logged-in person opens /leaderboards in a new tab and
    closes it (the disk state manager keeps every such tab's state)."""
    started = time.perf_counter()

    async def one(i: int) -> None:
        person = people[i % len(people)]
        tab = Tab(person.fe, cookies=dict(person.cookies), timeout=person.timeout)
        try:
            stats.ok("churn tab (open /leaderboards)", await tab.connect("/leaderboards", dict(person.storage)))
        except ActionError as exc:
            stats.fail("churn tab (open /leaderboards)", exc)
        finally:
            await tab.close()

    await _bounded(list(range(count)), concurrency, one)
    return time.perf_counter() - started


def _count_lines(path: str | None, offset: int, needle: str) -> int | None:
    if not path:
        return None
    with contextlib.suppress(OSError), open(path, errors="replace") as fh:
        fh.seek(offset)
        return sum(needle in line for line in fh)
    return None


async def run(args: argparse.Namespace) -> dict[str, Any]:
    fe = await discover(args.url, args.timeout)
    port = urlsplit(args.url).port or 80
    pids = list(args.server_pid or [])
    log_offset = os.path.getsize(args.server_log) if args.server_log and os.path.exists(args.server_log) else 0
    report: dict[str, Any] = {
        "url": args.url, "sessions": args.sessions, "rate_per_session": args.rate, "duration_s": args.duration,
        "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "loadavg_start": loadavg(),
        "handlers": fe.handlers, "state_schema_sent": bool(fe.state_schema), "hashes_sent": bool(fe.hashes),
        "server_pids": server_pids(port, pids), "state_files_start": _files(args.states_dir)}
    if not report["server_pids"]:
        raise SystemExit(f"No process listens on port {port}: start the app first.")
    names = [f"{args.prefix}{i:05d}" for i in range(args.offset + 1, args.offset + args.sessions + 1)]
    people = [Person(fe, u, args.password, timeout=args.timeout, seed=args.seed + i) for i, u in enumerate(names)]

    # Warm up with one person (first imports, caches), then measure the idle server.
    setup = Stats()
    if people and await people[0].login(setup):
        people[0].interval = 0.0
        for _ in range(12):
            await people[0].act(setup)
    await asyncio.sleep(2)
    idle0 = sample(port, pids)
    await asyncio.sleep(args.idle)
    idle1 = sample(port, pids)
    report["idle_server_cpu_ms_per_s"] = round(1000 * (idle1.cpu - idle0.cpu) / (idle1.at - idle0.at), 1)
    report["rss_before_sessions_mb"] = round(idle1.rss / 2**20, 1)

    setup.started = time.monotonic()
    results = await _bounded(people[1:], args.login_concurrency, lambda p: p.login(setup))
    setup.ended = time.monotonic()
    live = [people[0]] + [p for p, ok in zip(people[1:], results, strict=True) if ok]
    report["logged_in"] = len(live)
    report["login_kind"] = people[0].login_kind
    report["setup"] = setup.summary()
    report["setup_error_examples"] = setup.examples
    await asyncio.sleep(3)
    connected = sample(port, pids)
    report["rss_with_sessions_mb"] = round(connected.rss / 2**20, 1)
    report["memory_per_session_kb"] = round((connected.rss - idle1.rss) / 1024 / max(1, len(live) - 1), 1)

    rush_pages: list[tuple[Person, Tab | None]] = []
    if args.login_rush:
        rush_names = [f"{args.prefix}{i:05d}" for i in range(args.offset + args.sessions + 1,
                                                              args.offset + args.sessions + args.login_rush + 1)]
        rush_pages = await open_login_pages(fe, rush_names, args.password, args.rush_timeout,
                                            args.login_concurrency)

    load = Load(live, args.rate)
    load.start()
    phases = [await phase(load, args.duration, port, pids, "steady")]

    if args.login_rush:
        stats = Stats()
        before, cpu0, load0 = sample(port, pids), client_cpu(), loadavg()
        stats.started = time.monotonic()
        load.stats = stats
        rush = await login_rush(rush_pages)
        load.stats = None
        stats.ended = time.monotonic()
        phases.append(_phase_report("during login rush", stats, before, sample(port, pids), cpu0, load0))
        steady, during = phases[0]["actions_by_name"], phases[-1]["actions_by_name"]
        rush["p95_during_vs_steady"] = {
            name: round(during[name]["p95_ms"] / steady[name]["p95_ms"], 2)
            for name in during if name in steady and during[name]["p95_ms"] and steady[name]["p95_ms"]}
        report["login_rush"] = rush

    if args.churn:
        load.paused = True
        await asyncio.sleep(1)
        stats = Stats()
        before = sample(port, pids)
        seconds = await churn(live, args.churn, args.churn_concurrency, stats)
        after = sample(port, pids)
        stats.started, stats.ended = 0.0, seconds
        report["churn"] = {"tabs": args.churn, "seconds": round(seconds, 1),
                           "server_cpu_ms_per_tab": round(1000 * (after.cpu - before.cpu) / args.churn, 2),
                           "rss_after_mb": round(after.rss / 2**20, 1), "tabs_by_name": stats.summary(),
                           "error_examples": stats.examples}
        await asyncio.sleep(3)
        phases.append(await phase(load, args.duration, port, pids, f"steady after {args.churn} tabs came and went"))

    await load.stop()
    report["phases"] = phases
    report["late_starts"] = load.late
    await asyncio.gather(*(p.tab.close() for p in live if p.tab is not None), return_exceptions=True)
    report["lock_held_too_long_lines"] = _count_lines(args.server_log, log_offset, "Lock held too long")
    report["loadavg_end"] = loadavg()
    report["state_files_end"] = _files(args.states_dir)
    return report


def _files(directory: str | None) -> int | None:
    if not directory or not os.path.isdir(directory):
        return None
    return sum(len(files) for _root, _dirs, files in os.walk(directory))


# --- seeding --------------------------------------------------------------------------------

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Quốc", "Ngọc", "Thanh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Mai", "Nam", "Phúc", "Quân",
         "Sơn", "Tâm", "Uyên", "Vinh", "Xuân", "Yến"]


def _bench_name(i: int) -> str:
    # Letters only (the app refuses digits in names); distinct enough for a search to find several.
    return (f"{FAMILY[i % len(FAMILY)]} {MIDDLE[(i // len(FAMILY)) % len(MIDDLE)]} "
            f"{GIVEN[(i // (len(FAMILY) * len(MIDDLE))) % len(GIVEN)]} Thử")


def seed_accounts(args: argparse.Namespace) -> None:
    """Create ``--seed-accounts`` logins with the app's own services, in the target database."""
    os.environ["ENGAGEMENT_DATABASE_URL"] = args.db
    from datetime import timedelta

    from sqlalchemy import delete as sa_delete
    from sqlmodel import select

    from engagement.core import clock
    from engagement.core.db import unit_of_work
    from engagement.core.security import hash_password, hash_token, new_token
    from engagement.org import service as org_service
    from engagement.org import sessions as org_sessions
    from engagement.org.models import Account, AuthSession, Unit

    now = clock.now()
    token = new_token()
    with unit_of_work() as session:
        # A session for the admin written directly: the login functions change with the login
        # flow; a session row and resolve_actor are what every version shares.
        admin = session.exec(select(Account).where(Account.username == args.admin)).first()
        if admin is None:
            raise SystemExit(f"No account {args.admin!r} in {args.db}: run `engagement seed-demo` first.")
        session.add(AuthSession(token_hash=hash_token(token), account_id=admin.id, created_at=now,
                                expires_at=now + timedelta(hours=1), client_ip="127.0.0.1",
                                user_agent="bench_load seed"))
    with unit_of_work() as session:
        try:
            actor = org_sessions.resolve_actor(session, token=token, now=now)
        except TypeError:
            actor = org_sessions.resolve_actor(session, token_hash=hash_token(token), now=now)
        if actor is None:
            raise SystemExit(f"The session written for {args.admin!r} does not resolve.")
        units = [u.id for u in session.exec(select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.id))][1:]
        existing = set(session.exec(select(Account.username).where(Account.username.startswith(args.prefix))))
        shared_hash = hash_password(args.password)  # one hash for all: argon2 is slow on purpose
        made = 0
        for i in range(1, args.seed_accounts + 1):
            username = f"{args.prefix}{i:05d}"
            if username in existing:
                continue
            person_id = org_service.create_person(
                session, actor=actor, employee_code=f"BENCH{i:05d}", full_name=_bench_name(i),
                position="Chuyên viên", unit_id=units[i % len(units)], now=now)
            created = org_service.create_account(session, actor=actor, person_id=person_id,
                                                 username=username, now=now)
            account = session.get(Account, created.account_id)
            account.password_hash, account.must_change_password = shared_hash, False
            session.add(account)
            made += 1
            if made % 500 == 0:
                session.flush()
        session.exec(sa_delete(AuthSession).where(AuthSession.token_hash == hash_token(token)))
    print(f"{made} accounts created ({len(existing)} were there): {args.prefix}00001..."
          f"{args.prefix}{args.seed_accounts:05d}, password {args.password!r}")


# --- output ---------------------------------------------------------------------------------


def markdown(report: dict[str, Any]) -> str:
    """The run as Markdown tables (one per phase)."""
    lines = [f"{report['sessions']} sessions x {report['rate_per_session']} action/s, {report['url']}, "
             f"started {report['started_utc']} UTC, load average {report['loadavg_start']}; "
             f"logged in {report['logged_in']} ({report['login_kind']}); idle server "
             f"{report['idle_server_cpu_ms_per_s']} ms CPU/s; RSS {report['rss_before_sessions_mb']} -> "
             f"{report['rss_with_sessions_mb']} MB = {report['memory_per_session_kb']} kB per session", ""]
    for ph in report["phases"]:
        lines.append(f"**{ph['phase']}** ({ph['seconds']} s): {ph['actions']} actions, {ph['errors']} errors, "
                     f"{ph['actions_per_s']} actions/s, server CPU {ph['server_cpu_pct']} % "
                     f"({ph['server_cpu_ms_per_action']} ms/action), RSS {ph['server_rss_mb']} MB, "
                     f"load {ph['loadavg_before']} -> {ph['loadavg_after']}, client CPU {ph['client_cpu_s']} s")
        lines += ["", "| action | n | errors | p50 ms | p95 ms | p99 ms | max ms | p95 / trivial p95 |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, row in ph["actions_by_name"].items():
            lines.append(f"| {name} | {row['count']} | {row['errors']} | {row['p50_ms']} | {row['p95_ms']} | "
                         f"{row['p99_ms']} | {row['max_ms']} | {row['p95_vs_trivial']} |")
        if ph["error_examples"]:
            lines.append("")
            lines += [f"- {k}: {v}" for k, v in ph["error_examples"].items()]
        lines.append("")
    if "login_rush" in report:
        r = report["login_rush"]
        lat = r.get("latency") or {}
        lines.append(f"**login rush**: {r['succeeded']}/{r['logins']} logins in {r['wall_s']} s = "
                     f"{r['logins_per_s']}/s, p50 {lat.get('p50_ms')} ms, p95 {lat.get('p95_ms')} ms, "
                     f"errors {lat.get('errors')} ({r['kind']}); other users' p95 during the rush / "
                     f"steady: {r.get('p95_during_vs_steady')}")
    if "churn" in report:
        c = report["churn"]
        lines.append(f"**churn**: {c['tabs']} tabs in {c['seconds']} s, {c['server_cpu_ms_per_tab']} ms "
                     f"server CPU per tab, RSS after {c['rss_after_mb']} MB")
    if report.get("state_files_start") is not None:
        lines.append(f"Files in .states: {report['state_files_start']} at the start, "
                     f"{report['state_files_end']} at the end")
    if report.get("lock_held_too_long_lines") is not None:
        lines.append(f"'Lock held too long' lines in the server log: {report['lock_held_too_long_lines']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:3000")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rate", type=float, default=1.0, help="actions per second per session")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of each steady phase")
    parser.add_argument("--login-rush", type=int, default=0, help="M logins at once during the load")
    parser.add_argument("--rush-timeout", type=float, default=180.0, help="seconds a rush login may take")
    parser.add_argument("--churn", type=int, default=0, help="K tabs that come and go, then a second phase")
    parser.add_argument("--churn-concurrency", type=int, default=20)
    parser.add_argument("--login-concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before an action counts as failed")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU measurement")
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--offset", type=int, default=0, help="use accounts after this number")
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--server-pid", type=int, action="append", help="also count this process (and children)")
    parser.add_argument("--server-log", help="count 'Lock held too long' lines written during the run")
    parser.add_argument("--states-dir", help="the app's .states folder: its file count is reported")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--json", help="write the full report here")
    parser.add_argument("--seed-accounts", type=int, default=0, help="create N logins, then exit")
    parser.add_argument("--db", help="database URL for --seed-accounts")
    parser.add_argument("--admin", default="admin")
    parser.add_argument("--admin-password", default="demo-password-2026")
    args = parser.parse_args(argv)
    if args.seed_accounts:
        if not args.db:
            parser.error("--seed-accounts needs --db")
        app_root = os.environ.get("PYTHONPATH", "").split(":")[0] or str(Path(__file__).resolve().parent.parent)
        sys.path.insert(0, app_root)
        seed_accounts(args)
        return 0
    resource.setrlimit(resource.RLIMIT_NOFILE, (65536, 65536)) if resource.getrlimit(
        resource.RLIMIT_NOFILE)[1] >= 65536 else None
    report = asyncio.run(run(args))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
