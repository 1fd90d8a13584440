"""kill -9 of any service in the middle of a load loses nothing and duplicates nothing."""

from __future__ import annotations

import time

import pytest

from tests.faults.helpers import RETRY_ENV, SYSTEM_ENV, Load, settle
from tests.support.system import SERVICES, System

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]


def test_killing_each_service_in_turn_mid_load_assigns_and_counts_every_accepted_suggestion_once(
    system_factory: type[System],
) -> None:
    system = system_factory(extra_env={**SYSTEM_ENV, **RETRY_ENV})
    system.start()
    with Load(system, rate=15) as load:
        load.wait_for(10)
        for name in SERVICES:  # one at a time, each while the load runs
            before = len(load.accepted)
            system[name].kill()
            time.sleep(0.5)
            system[name].start()
            system[name].wait_ready()
            load.wait_for(before + 10)
    settle(system, load, timeout=90, label="kill -9 each service")
