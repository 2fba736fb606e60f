"""The counter device's enrolment route (issue 16): ``/thanks-device/<code>``.

A unit head registers a tablet and opens the one-time link it gets on that tablet. ``GET`` shows a
page with one button (a link preview or a prefetch never spends the code); ``POST`` spends it and
sets the long-lived device cookie: HttpOnly (no script on any page can read or copy it),
SameSite=Strict, Secure when the app is served over https. The public thanks page reads it from
the socket's handshake (``install_device_reader``) and keeps only the token's hash, as the
database does.

Mounted as a Starlette app in ``rx.App(api_transformer=[...])``, like the files route.
"""

from __future__ import annotations

import asyncio
import html
from http.cookies import SimpleCookie
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from engagement.core import clock, i18n
from engagement.core.db import run_in_transaction
from engagement.core.errors import NotFound
from engagement.recognition import service
from engagement.settings import get_settings

DEVICE_PREFIX = "/thanks-device"
DEVICE_COOKIE = "engagement_device"
#: The router-data key under which a socket's device is known: its token's SHA-256, or "".
DEVICE_REF = "engagement_device_ref"
#: About 400 days, the longest lifetime browsers keep a cookie for.
DEVICE_COOKIE_SECONDS = 400 * 24 * 3600


def device_url(base_url: str, code: str) -> str:
    """The enrolment link shown once to the unit head."""
    return f"{base_url.rstrip('/')}{DEVICE_PREFIX}/{code}"


def install_device_reader() -> None:
    """Make every socket connection's router data carry ``DEVICE_REF``: the hash of the device
    cookie of its handshake (the raw token is never in a tab's pickled state, and the session
    reader takes the cookie header out of the router data). Read from the connection's ASGI
    scope, so the order with the session reader does not matter. Idempotent.
    """
    from reflex.app import EventNamespace

    original = EventNamespace._build_static_router_data
    if getattr(original, "_engagement_device", False):
        return

    def build(self: Any, sid: str, environ: dict) -> dict[str, Any]:
        data = original(self, sid, environ)
        data[DEVICE_REF] = service.device_ref(read_device_cookie(_handshake_cookie(environ)))
        return data

    build._engagement_device = True  # type: ignore[attr-defined]
    EventNamespace._build_static_router_data = build


def _handshake_cookie(environ: dict) -> str:
    for name, value in (environ.get("asgi.scope") or {}).get("headers", []) or []:
        if bytes(name).lower() == b"cookie":
            return bytes(value).decode("latin-1")
    return str(environ.get("HTTP_COOKIE", ""))


def read_device_cookie(cookie_header: str) -> str:
    """The device token in a ``Cookie`` header, or ""."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except Exception:  # a malformed header from any client: no device
        return ""
    morsel = jar.get(DEVICE_COOKIE)
    return morsel.value[:128] if morsel is not None else ""


def _page(lang: str, title: i18n.Msg, body: str, status: int = 200) -> HTMLResponse:
    heading = html.escape(i18n.render(title, lang))
    return HTMLResponse(
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{heading}</title></head>"
        '<body style="font-family:system-ui,sans-serif;max-width:36em;margin:2em auto;padding:0 1em;'
        'line-height:1.5"><main>'
        f"<h1 style=\"font-size:1.4em\">{heading}</h1>{body}</main></body></html>",
        status_code=status, headers={"cache-control": "no-store"})


def _lang(request: Request) -> str:
    return i18n.negotiate(request.headers.get("accept-language"))


async def show(request: Request) -> Response:
    """The confirmation page: one button that registers this tablet."""
    lang = _lang(request)
    text = html.escape(i18n.render(i18n.N_(
        "Open this page on the counter's tablet only. Once registered, the citizens' ratings given on this "
        "tablet are limited per dossier instead of per network."), lang))
    button = html.escape(i18n.render(i18n.N_("Register this tablet"), lang))
    return _page(lang, i18n.N_("Register a counter device"),
                 f'<p>{text}</p><form method="post"><button type="submit" style="font-size:1.1em;'
                 f'min-height:44px;padding:0.4em 1.2em">{button}</button></form>')


async def enrol(request: Request) -> Response:
    """Spend the code, set the device cookie and say what happens next."""
    lang = _lang(request)
    code = str(request.path_params.get("code", ""))[:64]

    def work() -> tuple[str, str]:
        with i18n.using(lang):
            return run_in_transaction(lambda session: service.enrol_device(session, code=code, now=clock.now()))

    try:
        token, name = await asyncio.to_thread(work)
    except NotFound as refused:
        return _page(lang, i18n.N_("Register a counter device"), f"<p>{html.escape(refused.render(lang))}</p>",
                     status=404)
    done = html.escape(i18n.render(i18n.N_(
        "This tablet is registered as “{name}”. Now open the thanks link of the counter on it (scan its QR code) "
        "and leave it open for citizens.", name=name), lang))
    response = _page(lang, i18n.N_("Counter device registered"), f"<p>{done}</p>")
    response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_SECONDS, path="/", httponly=True,
                        samesite="strict", secure=str(get_settings().public_url).startswith("https://"))
    return response


def build_api() -> Starlette:
    """The Starlette app to list in ``rx.App(api_transformer=...)``."""
    return Starlette(routes=[Route(DEVICE_PREFIX + "/{code}", show, methods=["GET"]),
                             Route(DEVICE_PREFIX + "/{code}", enrol, methods=["POST"])])
