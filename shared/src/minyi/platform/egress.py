"""Where the services may send outbound webhooks (reporting's subscriptions, the SMS
gateway): the one check made before every such call, against server-side request forgery.

A target passes when its scheme is http(s) and every address its host resolves to is a
public one: no loopback, link-local (the cloud metadata address 169.254.169.254 among
them), private (RFC 1918, fc00::/7, shared 100.64/10), unspecified, multicast or reserved
address — unless the deployment allows it (``MINYI_EGRESS_ALLOW``: host names and
addresses or CIDRs, e.g. an SMS gateway inside the cluster). IPv4-mapped IPv6 addresses
(``::ffff:127.0.0.1``) are judged as the IPv4 address they carry. The check resolves the
name each time it is made (registration and every delivery: DNS can change), and callers
never follow redirects (a 3xx is a failed delivery), so a target cannot send the call on
to a place the check did not see.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from minyi.platform.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses a connection could reach.
Resolver = Callable[[str, int], Awaitable[list[str]]]

SCHEMES = frozenset({"http", "https"})


class EgressRefused(Invalid):
    """The target is not one the services may call (422; ``field`` names the input)."""


async def resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (as a connection would use)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def forbidden_because(address: IPAddress) -> str | None:
    """Why a connection to ``address`` is refused (a rule's name), or None if public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    )
    for rule, hit in checks:
        if hit:
            return rule
    # What is left and still not global: shared (100.64/10), documentation, benchmarking…
    return None if address.is_global else "reserved"


RULE_LABELS = {
    "unspecified": "未指定地址（unspecified address）",
    "loopback": "本机回环地址（loopback）",
    "link_local": "链路本地地址，含云元数据地址（link-local, incl. metadata）",
    "multicast": "组播地址（multicast）",
    "private": "内网地址（private network）",
    "reserved": "保留地址（reserved range）",
}


@dataclass(frozen=True)
class Egress:
    """The allow-list: host names (exact, case-insensitive) and networks that may be called
    although private; everything public may be called."""

    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = resolve

    @classmethod
    def from_setting(cls, value: str | Iterable[str], resolver: Resolver = resolve) -> Egress:
        """From ``MINYI_EGRESS_ALLOW``: comma-separated host names, addresses and CIDRs."""
        items = value.split(",") if isinstance(value, str) else value
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in items:
            item = raw.strip().strip("[]")
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks), resolver)

    def _allowed(self, address: IPAddress) -> bool:
        return any(address.version == n.version and address in n for n in self.allowed_networks)

    async def check(self, url: str, *, field: str = "url") -> None:
        """Raises ``EgressRefused`` unless ``url`` may be called (see the module docstring)."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").rstrip(".")
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise EgressRefused(
                "egress_bad_url", "网址格式不正确（url: not a valid URL）", field=field
            ) from None
        if parts.scheme.lower() not in SCHEMES:
            raise EgressRefused(
                "egress_scheme",
                f"网址只能以 http 或 https 开头（url: scheme must be http or https, "
                f"got {parts.scheme or 'none'}）",
                field=field,
            )
        if not host:
            raise EgressRefused("egress_no_host", "网址缺少主机名（url: no host）", field=field)
        if host.lower() in self.allowed_hosts:
            return
        for address in await self._addresses(host, port, field):
            rule = forbidden_because(address)
            if rule is not None and not self._allowed(address):
                raise EgressRefused(
                    "egress_forbidden",
                    f"不能向{RULE_LABELS[rule]}发送：{host} 解析为 {address}；如确需调用，"
                    f"请在 MINYI_EGRESS_ALLOW 中列出（url: {host} resolves to {address}, "
                    f"a {rule} address; allow it in MINYI_EGRESS_ALLOW）",
                    field=field,
                )

    async def _addresses(self, host: str, port: int, field: str) -> list[IPAddress]:
        """The literal address, or every address the name resolves to (at least one)."""
        try:
            found = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                found = [
                    ipaddress.ip_address(a.split("%")[0]) for a in await self.resolver(host, port)
                ]
            except (OSError, ValueError):
                found = []
        if not found:
            raise EgressRefused(
                "egress_unresolvable",
                f"无法解析主机名 {host}（url: host {host} does not resolve）",
                field=field,
            )
        # An IPv4-mapped IPv6 address reaches the IPv4 address it carries.
        return [
            a.ipv4_mapped if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped else a
            for a in found
        ]
