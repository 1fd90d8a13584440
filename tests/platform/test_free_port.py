"""Ports for the services a test starts come from outside the kernel's ephemeral range: a
port from there can be taken by any outgoing connection before the service binds it."""

from __future__ import annotations

import socket

import pytest

from minyi.platform import nats_server
from minyi.platform.nats_server import free_port
from tests.support.infra import port_share


def test_ports_are_below_the_ephemeral_range_and_never_repeat() -> None:
    low = nats_server._ephemeral_low()
    ports = [free_port() for _ in range(500)]
    assert all(1024 <= p < low for p in ports)
    assert len(set(ports)) == len(ports)


def test_with_no_room_below_the_range_the_kernel_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nats_server, "_RANGE", range(0))
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # free indeed


def test_a_port_something_listens_on_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    held = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", held))
        s.listen()
        at = nats_server._RANGE.index(held)
        monkeypatch.setattr(nats_server, "_next", at)  # the next pick would be `held`
        assert free_port() == nats_server._RANGE[(at + 1) % len(nats_server._RANGE)]


def test_parallel_test_workers_hand_out_ports_from_disjoint_shares() -> None:
    ports = range(20_000, 30_000)
    shares = [port_share(f"gw{i}", 4, ports) for i in range(4)]
    assert all(s is not None and len(s) == 2_500 for s in shares)
    assert sorted(p for s in shares for p in s or ()) == list(ports)
    assert port_share("", 1, ports) is None  # not under xdist: the whole range
    assert port_share("gw0", 1, ports) is None
