"""The client's address behind reverse proxies (minyi.platform.client_address): forwarded
headers count only from trusted proxies, read from the right."""

from __future__ import annotations

from typing import Any

import pytest

from minyi.platform.client_address import (
    TrustedProxies,
    client_address,
    forwarded_for,
    parse_address,
)
from minyi.platform.settings import Settings

INGRESS = "10.244.0.0/16"  # the ingress controller's pods


def scope(peer: str | None, *headers: tuple[str, str]) -> dict[str, Any]:
    return {
        "type": "http",
        "client": (peer, 40000) if peer is not None else None,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
    }


def settings(trusted: str = INGRESS, header: str = "x-forwarded-for") -> Settings:
    return Settings(service="intake", trusted_proxies=trusted, proxy_header=header)


def test_without_trusted_proxies_the_socket_peer_is_the_client() -> None:
    spoofed = scope("203.0.113.9", ("X-Forwarded-For", "1.1.1.1"), ("Forwarded", "for=1.1.1.1"))
    assert client_address(spoofed, settings(trusted="")) == "203.0.113.9"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored() -> None:
    for header in ("x-forwarded-for", "forwarded"):
        s = settings(header=header)
        direct = scope("203.0.113.9", ("X-Forwarded-For", "1.1.1.1"), ("Forwarded", "for=1.1.1.1"))
        assert client_address(direct, s) == "203.0.113.9"


def test_through_one_trusted_proxy_the_forwarded_address_is_the_client() -> None:
    r = scope("10.244.1.7", ("X-Forwarded-For", "198.51.100.23"))
    assert client_address(r, settings()) == "198.51.100.23"


def test_a_client_cannot_push_its_own_entry_past_the_proxy() -> None:
    # The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the peer it saw.
    r = scope("10.244.1.7", ("X-Forwarded-For", "1.1.1.1, 198.51.100.23"))
    assert client_address(r, settings()) == "198.51.100.23"
    # The same over two header lines.
    r = scope("10.244.1.7", ("X-Forwarded-For", "1.1.1.1"), ("X-Forwarded-For", "198.51.100.23"))
    assert client_address(r, settings()) == "198.51.100.23"


def test_through_two_trusted_proxies_the_right_most_untrusted_address_is_the_client() -> None:
    # client -> load balancer (192.0.2.10, trusted) -> ingress (10.244.1.7) -> service
    s = settings(trusted=f"{INGRESS}, 192.0.2.10")
    r = scope("10.244.1.7", ("X-Forwarded-For", "6.6.6.6, 198.51.100.23, 192.0.2.10"))
    assert client_address(r, s) == "198.51.100.23"
    # With only the ingress trusted, the load balancer is the client as far as we know.
    assert client_address(r, settings()) == "192.0.2.10"


def test_when_every_hop_is_trusted_the_left_most_is_the_client() -> None:
    r = scope("10.244.1.7", ("X-Forwarded-For", "10.244.3.3, 10.244.2.2"))
    assert client_address(r, settings()) == "10.244.3.3"


def test_a_trusted_peer_without_a_header_is_the_client() -> None:
    assert client_address(scope("10.244.1.7"), settings()) == "10.244.1.7"
    r = scope("10.244.1.7", ("X-Forwarded-For", "unknown"))
    assert client_address(r, settings()) == "10.244.1.7"


def test_the_forwarded_header_with_ports_and_ipv6_in_brackets() -> None:
    s = settings(trusted=f"{INGRESS}, 2001:db8:ffff::/48", header="forwarded")
    r = scope(
        "10.244.1.7",
        ("Forwarded", 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https;by=10.244.1.7'),
    )
    assert client_address(r, s) == "2001:db8:cafe::17"
    r = scope("10.244.1.7", ("Forwarded", "for=198.51.100.23:5555;proto=https"))
    assert client_address(r, s) == "198.51.100.23"
    # Two proxies, one of them IPv6 and trusted.
    r = scope(
        "10.244.1.7",
        ("Forwarded", 'for=198.51.100.23, for="[2001:db8:ffff::2]"'),
    )
    assert client_address(r, s) == "198.51.100.23"
    # In this mode X-Forwarded-For is a client's header: ignored.
    r = scope("10.244.1.7", ("X-Forwarded-For", "1.1.1.1"))
    assert client_address(r, s) == "10.244.1.7"


def test_in_x_forwarded_for_mode_a_forwarded_header_is_ignored() -> None:
    r = scope("10.244.1.7", ("Forwarded", "for=1.1.1.1"), ("X-Forwarded-For", "198.51.100.23"))
    assert client_address(r, settings()) == "198.51.100.23"


def test_an_ipv6_proxy_peer_can_be_trusted() -> None:
    s = settings(trusted="fd00:10::/64")
    r = scope("fd00:10::5", ("X-Forwarded-For", "[2001:db8::9]:443"))
    assert client_address(r, s) == "2001:db8::9"
    assert client_address(scope("fd00:11::5", ("X-Forwarded-For", "1.2.3.4")), s) == "fd00:11::5"


@pytest.mark.parametrize(
    ("written", "address"),
    [
        ("1.2.3.4", "1.2.3.4"),
        ("1.2.3.4:80", "1.2.3.4"),
        ('"[2001:db8::1]:80"', "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("unknown", None),
        ("_hidden", None),
        ("[2001:db8::1", None),
        ("", None),
    ],
)
def test_addresses_as_proxies_write_them(written: str, address: str | None) -> None:
    parsed = parse_address(written)
    assert (str(parsed) if parsed else None) == address


def test_forwarded_elements_without_for_count_as_unknown_hops() -> None:
    assert forwarded_for(["for=1.2.3.4;proto=http, proto=https", "For=5.6.7.8"]) == [
        "1.2.3.4",
        "unknown",
        "5.6.7.8",
    ]


def test_a_peer_that_is_no_address_is_kept_as_it_is() -> None:
    proxies = TrustedProxies.from_setting(INGRESS)
    assert proxies.client("testclient", {"x-forwarded-for": ["1.1.1.1"]}) == "testclient"
    assert proxies.client(None, {}) == "unknown"


def test_a_wrong_trusted_proxy_setting_fails_at_start_not_per_request() -> None:
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(service="intake", trusted_proxies="10.0.0.0/8, ingress-nginx")
