"""Fixtures every test suite shares: NATS, PostgreSQL and the running system."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from minyi.platform import nats_server as _ports
from tests.support import infra
from tests.support.system import SERVICES, System

# No per-example deadline in property tests: a deadline is a timing assertion, and with the
# tests on several workers an example that takes 10 ms alone once took 360 ms and failed.
hypothesis_settings.register_profile("minyi", deadline=None)
hypothesis_settings.load_profile("minyi")


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker hands out free ports from its own share of the range:
    each process walks the range from a random place, and two workers walking the same
    stretch could both pick a port before either's child has bound it."""
    share = infra.port_share(
        os.environ.get("PYTEST_XDIST_WORKER", ""),
        int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")),
        _ports._RANGE,
    )
    if share:
        _ports._RANGE, _ports._next = share, random.randrange(len(share))


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[infra.NatsServer]:
    with infra.nats(tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    with infra.postgres_admin() as url:
        if url is None:
            pytest.skip(
                "PostgreSQL tests need a Docker engine or a server at "
                "MINYI_TEST_POSTGRES_URL / 127.0.0.1:5432 (none answered)"
            )
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def system_factory(
    tmp_path: Path, nats_server: infra.NatsServer, request: pytest.FixtureRequest
) -> Iterator[type[System]]:
    """Build a System (not started) on the test's NATS; stops everything afterwards."""
    made: list[System] = []
    cleanups: list[object] = []

    class _Factory(System):
        def __init__(self, store: str = "sqlite", **kwargs: object) -> None:
            urls: dict[str, str] = {}
            if store == "postgresql":
                admin = request.getfixturevalue("postgres_admin_url")
                names = kwargs.get("names", SERVICES)
                assert isinstance(names, tuple)
                cm = infra.postgres_databases(admin, list(names))
                urls = cm.__enter__()
                cleanups.append(cm)
            super().__init__(
                nats_url=nats_server.url, data_dir=tmp_path / "system", database_urls=urls, **kwargs
            )  # type: ignore[arg-type]
            made.append(self)

    yield _Factory
    for system in made:
        system.stop()
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            print(system.logs())
    for cm in cleanups:
        cm.__exit__(None, None, None)  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)
