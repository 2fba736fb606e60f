"""The real client's network address, behind reverse proxies or not.

Login throttling and the citizens' limits key on the client's address. Behind a reverse
proxy every request comes from the proxy, so the address must be read from the header the
proxy adds (``X-Forwarded-For`` or ``Forwarded``); but anyone can send those headers, so
they are believed only when the request really arrived through a trusted proxy.

``ENGAGEMENT_TRUSTED_PROXIES`` (``settings.trusted_proxies``) says which:

* empty (the default): no proxy; forwarded headers are ignored and the peer is the client;
* addresses or networks (``10.0.0.5, 172.16.0.0/12``): the header is believed only when the
  peer is one of them; it is read from the right, skipping every trusted address, and the
  first untrusted address is the client;
* a number of hops (``1``, ``2``): the app is reachable only through that many proxies (it
  listens on a private address): the client is that many entries from the right.

Pure: no Reflex, no settings read here (the caller passes them; ``settings`` parses them).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engagement.settings import FORWARDED_HEADERS, parse_trusted_proxies

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
__all__ = ["FORWARDED_HEADERS", "ProxyTrust", "client_address", "parse_trusted_proxies"]


@dataclass(frozen=True)
class ProxyTrust:
    """Which proxies to believe: ``networks`` (addresses/CIDRs) or ``hops`` (a count); neither: none."""

    networks: tuple[Network, ...] = ()
    hops: int = 0
    header: str = "x-forwarded-for"

    @property
    def enabled(self) -> bool:
        """Whether any forwarded header is read at all."""
        return bool(self.networks) or self.hops > 0


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """One address from a header entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``, ``"[::1]"``)."""
    text = value.strip().strip('"')
    if text.startswith("["):
        text = text[1:text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _chain(headers: Mapping[str, str], header: str) -> list[str]:
    """The addresses a header lists, leftmost (the original client) first."""
    if header == "forwarded":
        # RFC 7239: `for=192.0.2.60;proto=http, for="[2001:db8::1]"`.
        out = []
        for element in headers.get("forwarded", "").split(","):
            for pair in element.split(";"):
                key, _sep, value = pair.partition("=")
                if key.strip().lower() == "for":
                    out.append(value)
        return out
    return [part for part in headers.get("x-forwarded-for", "").split(",") if part.strip()]


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: Sequence[Network]) -> bool:
    return address is not None and any(address.version == n.version and address in n for n in networks)


def client_address(peer: str, headers: Mapping[str, str], trust: ProxyTrust) -> str:
    """The real client's address for a request from ``peer`` with these ``headers`` (lower-case names).

    Forwarded headers are ignored unless ``trust`` says the peer is a proxy. An entry that is
    not an address ends the walk: the last address believed is used.
    """
    peer = (peer or "").strip()
    if not trust.enabled:
        return peer
    chain = _chain(headers, trust.header)
    if trust.hops:
        if len(chain) < trust.hops:
            return peer  # the request did not come through the whole chain of proxies
        found = _address(chain[-trust.hops])
        return str(found) if found is not None else peer
    current = _address(peer)
    if not _trusted(current, trust.networks):
        return peer
    for entry in reversed(chain):
        address = _address(entry)
        if address is None:
            break
        current = address
        if not _trusted(address, trust.networks):
            break
    return str(current)
