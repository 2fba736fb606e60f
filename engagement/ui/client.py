"""The client's network address as the app should believe it (see ``core/net.py``).

Use ``client_ip(state)`` in event handlers and ``request_client_ip(request)`` in HTTP routes;
never ``router.session.client_ip`` or ``request.client.host`` directly: behind a reverse
proxy those are the proxy's address.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from engagement.core.net import ProxyTrust, client_address
from engagement.settings import get_settings


@functools.cache
def _trust(networks: tuple[str, ...], hops: int, header: str) -> ProxyTrust:
    return ProxyTrust(networks=tuple(ipaddress.ip_network(n) for n in networks), hops=hops, header=header)


def trust() -> ProxyTrust:
    """The proxies the settings trust."""
    s = get_settings()
    return _trust(tuple(s.trusted_proxies), s.trusted_proxy_hops, s.forwarded_header)


def client_ip(state: Any) -> str:
    """The client of the event a State is handling (its socket's peer, or the proxies' forwarded address)."""
    router = state.router
    raw = {str(k).lower(): str(v) for k, v in dict(getattr(router.headers, "raw_headers", {}) or {}).items()}
    # Reflex records the socket's peer as "asgi-scope-client"; its session.client_ip is the same
    # unless Reflex's own trusted_proxy_hops is set (it is not: this setting replaces it).
    peer = raw.get("asgi-scope-client") or router.session.client_ip or ""
    return client_address(peer, raw, trust())[:64]


def request_client_ip(request: Any) -> str:
    """The client of an HTTP request (Starlette), under the same trust."""
    peer = request.client.host if request.client else ""
    headers = {k.lower(): v for k, v in request.headers.items()}
    return client_address(peer, headers, trust())[:64]
