"""The client's address, for the rate limits and the audit log: the socket peer, or — when
the peer is one of the deployment's reverse proxies (``MINYI_TRUSTED_PROXIES``, CIDRs) —
the address the proxies forwarded.

A client can write any ``X-Forwarded-For`` or ``Forwarded`` header it likes, so the header
is read only when the direct peer is trusted, and then from the right: each trusted proxy
appends the address it saw, so the right-most address that is not itself a trusted proxy
is the first one no trusted party vouches for beyond — the client. Whatever stands to its
left was written by the client and is ignored. Which header the proxies write is a setting
(``MINYI_PROXY_HEADER``: ``x-forwarded-for``, as ingress-nginx and Caddy do, or the
standard ``forwarded``): honouring the other one too would let a client write it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from minyi.platform.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ProxyHeader = Literal["x-forwarded-for", "forwarded"]
UNKNOWN = "unknown"


def parse_address(value: str) -> IPAddress | None:
    """An address as proxies write it: ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1``,
    ``[2001:db8::1]:80``, quoted or not; None for ``unknown``, an obfuscated name, junk."""
    value = value.strip().strip('"').strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        value = value[1:end]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forwarded_for(values: Iterable[str]) -> list[str]:
    """The ``for=`` values of ``Forwarded`` headers (RFC 7239), in order, one per hop."""
    out: list[str] = []
    for header in values:
        for element in header.split(","):
            found = UNKNOWN
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for":
                    found = value.strip()
            out.append(found)
    return out


def x_forwarded_for(values: Iterable[str]) -> list[str]:
    return [item.strip() for header in values for item in header.split(",") if item.strip()]


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[IPNetwork, ...] = ()
    header: ProxyHeader = "x-forwarded-for"

    @classmethod
    def from_setting(cls, value: str, header: ProxyHeader = "x-forwarded-for") -> TrustedProxies:
        networks = tuple(
            ipaddress.ip_network(item.strip().strip("[]"), strict=False)
            for item in value.split(",")
            if item.strip()
        )
        return cls(networks, header)

    def trusts(self, address: IPAddress | None) -> bool:
        return address is not None and any(
            address.version == n.version and address in n for n in self.networks
        )

    def client(self, peer: str | None, headers: Mapping[str, Sequence[str]]) -> str:
        """The client's address, given the socket peer and the request's headers (lower-case
        names, every value of each)."""
        if peer is None:
            return UNKNOWN
        peer_address = parse_address(peer)
        if not self.trusts(peer_address):
            return peer
        values = headers.get(self.header, ())
        hops = forwarded_for(values) if self.header == "forwarded" else x_forwarded_for(values)
        client = peer_address
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:
                # A trusted proxy wrote "unknown" or a name: stop at the last one known.
                break
            client = address
            if not self.trusts(address):
                break
        return str(client)


@lru_cache(maxsize=16)
def trusted_proxies(value: str, header: ProxyHeader = "x-forwarded-for") -> TrustedProxies:
    """Parsed once per setting (each request asks)."""
    return TrustedProxies.from_setting(value, header)


def scope_headers(scope: Mapping[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").lower()
        if key in ("x-forwarded-for", "forwarded"):
            out.setdefault(key, []).append(value.decode("latin-1"))
    return out


def client_address(scope: Mapping[str, Any], settings: Settings) -> str:
    """The client's address for an ASGI ``scope`` (a ``Request`` has ``.scope``), under the
    service's ``settings`` (``trusted_proxies``, ``proxy_header``)."""
    client = scope.get("client")
    peer = str(client[0]) if client else None
    proxies = trusted_proxies(settings.trusted_proxies, settings.proxy_header)
    if not proxies.networks:
        return peer or UNKNOWN
    return proxies.client(peer, scope_headers(scope))
