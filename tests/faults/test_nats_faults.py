"""NATS away, cut off or slow: intake keeps accepting, nothing is lost or duplicated."""

from __future__ import annotations

import time

import pytest

from tests.faults.helpers import RETRY_ENV, SYSTEM_ENV, Load, settle
from tests.support.infra import NatsServer
from tests.support.proxy import TcpProxy
from tests.support.system import System

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]


def test_intake_keeps_accepting_while_nats_is_down_and_the_backlog_drains_after_restart(
    system_factory: type[System], nats_server: NatsServer
) -> None:
    if nats_server.proc is None:
        pytest.fail("this test needs the bundled nats-server (it kills and restarts it)")
    system = system_factory(extra_env={**SYSTEM_ENV, **RETRY_ENV})
    system.start()
    intake = system["intake"]
    with Load(system, rate=15) as load:
        load.wait_for(10)
        nats_server.kill()
        during = len(load.accepted)
        time.sleep(3)
        # Intake also crashes while NATS is away: what it accepted exists only in its
        # outbox now (the NATS client's reconnect buffer died with the process).
        intake.kill()
        intake.start()
        load.wait_for(len(load.accepted) + 15)
        accepted_while_down = len(load.accepted) - during
        assert accepted_while_down >= 30, f"only {accepted_while_down} accepted while NATS was down"
        assert load.refused == 0, "intake refused work while only NATS was down"
        nats_server.restart()
        intake.wait_ready()
        load.wait_for(len(load.accepted) + 15)
    print(f"\naccepted while NATS was down: {accepted_while_down}")
    settle(system, load, timeout=90, label="nats-server killed and restarted, intake too")


def test_a_partition_then_a_slow_link_between_routing_and_nats_lose_and_duplicate_nothing(
    system_factory: type[System], nats_server: NatsServer
) -> None:
    with TcpProxy("127.0.0.1", nats_server.port) as proxy:
        system = system_factory(extra_env={**SYSTEM_ENV, **RETRY_ENV})
        system["routing"].env["MINYI_NATS_URL"] = f"nats://{proxy.address}"
        system.start()
        with Load(system, rate=15) as load:
            load.wait_for(10)
            cut = proxy.partition()
            assert cut >= 1, "routing had no connection through the proxy"
            time.sleep(4)
            assert proxy.connections_refused >= 1, "routing never tried to reconnect"
            proxy.heal()
            load.wait_for(len(load.accepted) + 10)
            proxy.slow(0.05)  # every chunk, both ways, 50 ms late
            time.sleep(5)
            proxy.heal()
            load.wait_for(len(load.accepted) + 10)
        settle(system, load, timeout=90, label="routing partitioned, then on a slow link")
        system.stop()
