"""The session cookie over HTTP (issue 18 §4): HttpOnly, SameSite=Strict, Secure over https.

A cookie set from JavaScript can be read by any script on the page; only an HTTP response can
set an HttpOnly one, and the login form talks over the socket. So:

* the login handler checks the password and opens the session as before, but gives the
  browser a one-time hand-off code (``org.sessions.finish_login``: hashed in the database,
  valid a minute, usable once) and a script that POSTs it here, to ``/_session/start``;
* ``/_session/start`` redeems the code (the session gets a FRESH token: the code is worth
  nothing once used), sets the cookie and sends the browser on to the page it asked for;
* ``/_session/end`` (POST) ends the session on the server and clears the cookie;
* ``/_session/status`` (GET) says whether this browser's cookie is a live session (nothing
  else), so that a tab still showing the login page after another tab logged in moves on.

Every POST must come from this site: an ``Origin`` of this host (or of a configured origin),
never absent, and ``Sec-Fetch-Site`` (when sent) ``same-origin``; no CORS for these routes.

The socket reads the cookie server-side from its handshake (``install_socket_reader``): the
cookie header is taken out of the connection's router data, which Reflex keeps in every tab's
pickled state (``.states/`` or Redis), and only the token's SHA-256 (what the database keeps)
is left there, under ``SESSION_REF``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from datetime import datetime
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from engagement.core import clock, i18n, routes
from engagement.core.db import read_only, run_in_transaction
from engagement.core.security import hash_token
from engagement.org import sessions as org_sessions
from engagement.settings import get_settings
from engagement.ui.client import trust

log = logging.getLogger(__name__)

SESSION_COOKIE = "engagement_session"
#: The router-data key under which a socket's session is known: the token's SHA-256, or "".
SESSION_REF = "engagement_session_ref"

START, END, STATUS = "/_session/start", "/_session/end", "/_session/status"
FOREIGN_ORIGIN = i18n.N_("This request did not come from this site's pages. Open the login page and try again.")


# --- the socket ------------------------------------------------------------------------------


def session_ref(cookie_header: str) -> str:
    """The SHA-256 of the session token in a ``Cookie`` header, or "" (none, or malformed)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except Exception:  # a hostile header is no session, never a crash
        return ""
    morsel = jar.get(SESSION_COOKIE)
    token = morsel.value if morsel is not None else ""
    return hash_token(token) if token and len(token) <= 100 else ""


def strip_session(router_data: dict[str, Any]) -> dict[str, Any]:
    """Take the cookie out of a connection's router data, leaving only ``SESSION_REF``.

    Every header the state keeps is pickled with it; the raw token must not be. No other
    cookie is needed on the server (the language cookie is a Reflex client var).
    """
    headers = dict(router_data.get("headers") or {})
    if "cookie" not in headers and SESSION_REF in router_data:
        return router_data  # stripped already (this reader wrapped twice, around another wrapper)
    cookie = headers.pop("cookie", "")
    router_data["headers"] = headers
    # Always set, "" included: Reflex merges router data, and a stale hash must not survive a
    # reconnect without the cookie.
    router_data[SESSION_REF] = session_ref(cookie)
    return router_data


def install_socket_reader() -> None:
    """Make every socket connection's router data carry ``SESSION_REF`` instead of the cookie.

    Reflex 0.10.1 builds a connection's headers once, at connect (``EventNamespace.
    _build_static_router_data``), and copies them into every event and from there into the
    tab's state; wrapping that one method covers the events and the state. Idempotent.
    """
    from reflex.app import EventNamespace

    original = EventNamespace._build_static_router_data
    if getattr(original, "_engagement_session", False):
        return

    def build(self: Any, sid: str, environ: dict) -> dict[str, Any]:
        return strip_session(original(self, sid, environ))

    build._engagement_session = True  # type: ignore[attr-defined]
    EventNamespace._build_static_router_data = build


# --- HTTP --------------------------------------------------------------------------------------


def _peer_is_trusted_proxy(request: Request) -> bool:
    proxies = trust()
    if proxies.hops:
        return True  # hop mode: the app is reachable only through the proxies
    if not proxies.networks or request.client is None:
        return False
    try:
        peer = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    return any(peer.version == n.version and peer in n for n in proxies.networks)


def is_https(request: Request) -> bool:
    """Whether the browser reached the app over https: the request itself, or the forwarded
    scheme a TRUSTED proxy reports (``X-Forwarded-Proto``, or ``Forwarded: proto=``)."""
    if request.url.scheme in ("https", "wss"):
        return True
    if not _peer_is_trusted_proxy(request):
        return False
    forwarded_proto = request.headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
    if forwarded_proto:
        return forwarded_proto == "https"
    for element in reversed(request.headers.get("forwarded", "").split(",")):
        for pair in element.split(";"):
            key, _sep, value = pair.partition("=")
            if key.strip().lower() == "proto":
                return value.strip().strip('"').lower() == "https"
    return False


def same_origin(request: Request) -> bool:
    """Whether a POST comes from this site's own pages (``Origin`` checked; never absent)."""
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("origin", "")
    if not origin or origin == "null":
        return False
    if origin.rstrip("/") in {o.rstrip("/") for o in get_settings().cors_origins if o != "*"}:
        return True
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


def _set_cookie(response: Response, request: Request, token: str, expires_at: datetime, now: datetime) -> None:
    max_age = max(0, int((expires_at - now).total_seconds()))
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, path="/", httponly=True,
                        samesite="strict", secure=is_https(request))


def _clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=is_https(request))


def _refused(request: Request) -> Response:
    lang = i18n.negotiate(request.headers.get("accept-language"))
    return PlainTextResponse(FOREIGN_ORIGIN.render(lang), status_code=403, headers={"Content-Language": lang})


async def _form(request: Request) -> dict[str, str]:
    try:
        form = await request.form()
    except Exception:  # a malformed body is an empty form
        return {}
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def start(request: Request) -> Response:
    """POST /_session/start (``code``, ``next``): the cookie for a login hand-off code."""
    if not same_origin(request):
        return _refused(request)
    form = await _form(request)
    code = form.get("code", "")[:100]
    target = routes.same_site(form.get("next", "")) or routes.HOME
    now = clock.now()
    redeemed = await asyncio.to_thread(
        run_in_transaction, lambda session: org_sessions.redeem_handoff(session, code=code, now=now))
    if redeemed is None:
        # Used, expired (a minute) or unknown: log in again; the login page says nothing more
        # because a person reaches this only by a very slow or replayed hand-off.
        return RedirectResponse(f"{routes.LOGIN}?next={quote(target)}", status_code=303)
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, request, redeemed.token, redeemed.expires_at, now)
    response.headers["cache-control"] = "no-store"
    return response


async def end(request: Request) -> Response:
    """POST /_session/end: end this browser's session on the server and clear the cookie."""
    if not same_origin(request):
        return _refused(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    now = clock.now()
    if token:
        await asyncio.to_thread(
            run_in_transaction, lambda session: org_sessions.logout(session, token=token, now=now))
    response = RedirectResponse(routes.LOGIN, status_code=303)
    _clear_cookie(response, request)
    response.headers["cache-control"] = "no-store"
    return response


def _alive(token: str) -> bool:
    with read_only() as session:
        return org_sessions.resolve_actor(session, token=token, now=clock.now()) is not None


async def status(request: Request) -> Response:
    """GET /_session/status: ``{"in": true}`` when this browser's cookie is a live session."""
    token = request.cookies.get(SESSION_COOKIE, "")
    alive = bool(token) and await asyncio.to_thread(_alive, token)
    return JSONResponse({"in": alive}, headers={"cache-control": "no-store"})


def build_api() -> Starlette:
    """The Starlette app of these routes (``rx.App(api_transformer=[...])`` mounts Reflex in it)."""
    return Starlette(routes=[Route(START, start, methods=["POST"]), Route(END, end, methods=["POST"]),
                             Route(STATUS, status, methods=["GET"])])


# --- the scripts the handlers send (run by Reflex's call_script: eval, allowed by the CSP) -----


def _post_script(action: str, fields: dict[str, str]) -> str:
    """A script that drops the tab's Reflex token and POSTs ``fields`` to ``action`` (a navigation).

    A form, not fetch: the browser follows the 303 itself, with the new cookie, and the next
    page opens a new socket whose handshake carries it. Dropping the tab token starts the next
    person's pages clean: Reflex keeps a tab's page states under that token, and without a new
    one the next person to log in on the tab would see the previous person's last pages.
    """
    inputs = "".join(
        f"i=document.createElement('input');i.type='hidden';i.name={json.dumps(k)};i.value={json.dumps(v)};"
        "f.appendChild(i);" for k, v in fields.items())
    return ("window.sessionStorage.removeItem('token');"
            f"var f=document.createElement('form'),i;f.method='POST';f.action={json.dumps(action)};"
            f"f.style.display='none';{inputs}document.body.appendChild(f);f.submit();")


def start_script(code: str, next_path: str) -> str:
    """The login handler's answer: hand the code to ``/_session/start``, then go to ``next_path``."""
    return _post_script(START, {"code": code, "next": routes.same_site(next_path) or routes.HOME})


def end_script() -> str:
    """The logout handler's answer: clear the cookie through ``/_session/end``."""
    return _post_script(END, {})


def status_script(next_path: str) -> str:
    """On the login page: if another tab logged this browser in, go on to ``next_path``."""
    target = json.dumps(routes.same_site(next_path) or routes.HOME)
    return (f"fetch({json.dumps(STATUS)},{{credentials:'same-origin',cache:'no-store'}})"
            f".then(function(r){{return r.json()}}).then(function(d){{if(d&&d.in){{"
            f"window.sessionStorage.removeItem('token');window.location.replace({target})}}}})"
            ".catch(function(){})")
