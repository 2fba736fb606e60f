"""Security headers on every HTTP response: pages, assets, API routes, the files route.

An ASGI middleware (``rx.App(api_transformer=[..., security_headers])``) that adds:

- ``Content-Security-Policy``: scripts only from this origin, plus the inline scripts of the
  very page being served, allowed by their SHA-256 (Reflex's prerendered pages carry a few
  inline scripts: the colour-mode boot, React Router's context and stream; they differ per
  page, so each HTML response gets the hashes of its own). No ``'unsafe-inline'`` for
  scripts, so markup injected into a page cannot run. ``'unsafe-eval'`` stays: Reflex runs
  ``rx.call_script`` (the tab reset at login and logout, the reload after a language change,
  print) by ``eval`` of the string its own server sent over the socket (reflex's
  ``utils/state.js``, ``_call_script``); without it those silently do nothing. Styles need
  ``'unsafe-inline'``: Emotion and Radix write ``<style>`` elements and ``style=`` attributes
  at run time. ``frame-ancestors 'none'``: no other site can frame the app (clickjacking).
- ``X-Frame-Options: DENY`` (older browsers), ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin`` (a QR or verify link never leaks a page's path to others),
  ``Cross-Origin-Opener-Policy: same-origin``, ``Permissions-Policy`` (no camera, microphone,
  geolocation for any frame: photos are chosen from files).

A response that already sets one of these (e.g. the files route's sandboxing CSP) keeps its own.
HTML bodies are read whole (they are a few KB; gzip ones are unzipped to hash them); every other
body streams through untouched. Websockets pass straight through.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

ASGIApp = Any
Message = dict[str, Any]

#: Every directive but script-src, which is built per response.
_BASE_POLICY = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)

STATIC_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)

_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.I | re.S)
_CACHE_SIZE = 256
_policies: OrderedDict[bytes, str] = OrderedDict()


def inline_script_hashes(html: bytes) -> list[str]:
    """The CSP sources (``'sha256-…'``) of every inline script of ``html``, in order, once each."""
    seen: dict[str, None] = {}
    for match in _INLINE_SCRIPT.finditer(html):
        digest = base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode()
        seen[f"'sha256-{digest}'"] = None
    return list(seen)


def policy(script_hashes: list[str] | tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy of a response whose inline scripts have these hashes."""
    script_src = " ".join(("script-src 'self' 'unsafe-eval'", *script_hashes))
    return "; ".join((_BASE_POLICY[0], script_src, *_BASE_POLICY[1:]))


def _html_policy(body: bytes, encoding: str) -> str:
    key = hashlib.blake2b(body, digest_size=16).digest() + encoding.encode()
    found = _policies.get(key)
    if found is not None:
        _policies.move_to_end(key)
        return found
    text = body
    if encoding == "gzip":
        text = gzip.decompress(body)
    elif encoding not in ("", "identity"):
        # Only gzip is pre-compressed by this app's build (rxconfig: frontend_compression_formats);
        # another encoding cannot be hashed here, so its page gets no inline script: it breaks visibly.
        text = b""
    found = policy(inline_script_hashes(text))
    _policies[key] = found
    if len(_policies) > _CACHE_SIZE:
        _policies.popitem(last=False)
    return found


def _with_headers(headers: list[tuple[bytes, bytes]], policy_: str, *, csp: bool = True) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    out = list(headers)
    if csp and b"content-security-policy" not in present:
        out.append((b"content-security-policy", policy_.encode()))
    for name, value in STATIC_HEADERS:
        if name.encode() not in present:
            out.append((name.encode(), value.encode()))
    return out


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip().lower()
    return ""


def security_headers(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app so that every HTTP response carries the security headers."""

    async def middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start: Message | None = None
        parts: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            kind = message["type"]
            if kind == "http.response.start":
                headers = list(message.get("headers", []))
                if message.get("status") == 304:
                    # Not modified: the browser keeps its cached response and merges these headers
                    # into it; a policy here (without the page's hashes) would block its scripts.
                    await send({**message, "headers": _with_headers(headers, "", csp=False)})
                    return
                if _header(headers, b"content-type").startswith("text/html"):
                    start = {**message, "headers": headers}  # held until the body is known
                    return
                await send({**message, "headers": _with_headers(headers, policy())})
                return
            if start is None:
                await send(message)
                return
            if kind == "http.response.pathsend":  # a file sent by path (granian's zero-copy)
                parts.append(Path(message["path"]).read_bytes())
            elif kind == "http.response.body":
                parts.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
            else:
                await send(message)
                return
            body = b"".join(parts)
            headers = start["headers"]
            csp = _html_policy(body, _header(headers, b"content-encoding")) if body else policy()
            await send({**start, "headers": _with_headers(headers, csp)})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await app(scope, receive, send_with_headers)

    return middleware
