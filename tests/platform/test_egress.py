"""Outbound webhook targets (minyi.platform.egress): public addresses only, unless the
deployment allows a host or a network; the name is resolved at each check."""

from __future__ import annotations

import pytest

from minyi.platform.egress import Egress, EgressRefused


def resolving_to(*addresses: str) -> Egress:
    async def resolver(host: str, port: int) -> list[str]:
        return list(addresses)

    return Egress(resolver=resolver)


async def refused_rule(egress: Egress, url: str) -> str:
    with pytest.raises(EgressRefused) as refused:
        await egress.check(url)
    assert refused.value.field == "url" and refused.value.status == 422
    return refused.value.code + ":" + refused.value.message


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link_local"),  # the cloud metadata service
        ("169.254.1.1", "link_local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "reserved"),  # shared (carrier-grade NAT) space: not global
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link_local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link_local"),
    ],
)
async def test_a_name_resolving_to_a_forbidden_address_is_refused(address: str, rule: str) -> None:
    message = await refused_rule(resolving_to(address), "https://hooks.example.com/x")
    assert message.startswith("egress_forbidden:") and f"a {rule} address" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8004/v1/stats",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]:9000/hook",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/",
        "http://0.0.0.0:8001/",
    ],
)
async def test_an_address_literal_in_a_forbidden_range_is_refused(url: str) -> None:
    # No resolver call for a literal: a resolver that answers "public" must not matter.
    message = await refused_rule(resolving_to("93.184.216.34"), url)
    assert message.startswith("egress_forbidden:")


async def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    egress = resolving_to("93.184.216.34", "2606:2800:220:1::1", "192.168.0.10")
    assert "192.168.0.10" in await refused_rule(egress, "https://mixed.example.com/")


async def test_a_public_target_passes() -> None:
    await resolving_to("93.184.216.34", "2606:2800:220:1::1").check("https://example.com/h")
    await resolving_to("8.8.8.8").check("http://[2001:4860:4860::8888]:8443/h")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/", "example.com"]
)
async def test_only_http_and_https_are_accepted(url: str) -> None:
    message = await refused_rule(resolving_to("93.184.216.34"), url)
    assert message.startswith(("egress_scheme:", "egress_no_host:"))


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    async def nowhere(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    message = await refused_rule(Egress(resolver=nowhere), "https://nowhere.invalid/")
    assert message.startswith("egress_unresolvable:")


async def test_the_system_resolver_is_used_and_localhost_is_refused() -> None:
    assert "loopback" in await refused_rule(Egress(), "http://localhost:8004/")
    # The decimal spelling of 127.0.0.1 resolves to it too.
    assert "loopback" in await refused_rule(Egress(), "http://2130706433/")


async def test_an_allowed_network_or_host_lets_a_private_target_through() -> None:
    egress = Egress.from_setting(
        " sms-gateway.minyi.svc.cluster.local , 10.20.0.0/16, fd00:1::/64, 127.0.0.1",
        resolver=resolving_to("10.20.3.4").resolver,
    )
    await egress.check("http://sms-gateway.minyi.svc.cluster.local:8080/send")
    await egress.check("http://SMS-Gateway.minyi.svc.cluster.local./send")
    await egress.check("http://gateway.internal/send")  # resolves into 10.20/16
    await egress.check("http://[fd00:1::5]/send")
    await egress.check("http://127.0.0.1:9000/hook")
    # The allowance is exactly what is listed.
    assert "10.21.0.1" in await refused_rule(egress, "http://10.21.0.1/")
    assert "127.0.0.2" in await refused_rule(egress, "http://127.0.0.2/")
    assert "fd00:2::1" in await refused_rule(egress, "http://[fd00:2::1]/")


async def test_the_name_is_resolved_at_every_check() -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    async def changing(host: str, port: int) -> list[str]:
        return next(answers)

    egress = Egress(resolver=changing)
    await egress.check("https://rebinding.example.com/")
    assert "loopback" in await refused_rule(egress, "https://rebinding.example.com/")


async def test_an_allowed_ipv4_network_covers_its_ipv4_mapped_ipv6_spelling() -> None:
    egress = Egress.from_setting("10.20.0.0/16")
    await egress.check("http://[::ffff:10.20.0.1]/send")
    assert "loopback" in await refused_rule(egress, "http://[::ffff:127.0.0.1]/")
