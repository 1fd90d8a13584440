"""Issue 20, point 4, over a real nats-server with services running as processes: `minyi
token revoke` writes the revocation bucket and every service refuses the token within two
seconds (measured from the moment the revocation is stored); a subject's revocation does
the same for every token of that subject; `minyi token list-revoked` shows both."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from minyi.platform.auth import Principal, Role, local_bearer
from minyi.platform.revocation import Revocation, revoke
from tests.support.infra import NatsServer
from tests.support.system import System

pytestmark = pytest.mark.e2e

SERVICES = ("routing", "reporting")
# Issue 20: "refuses a revoked token within 2 seconds (measured in a test over the real bus)".
BOUND_SECONDS = 2.0
# After a NATS restart the follower is recreated once two heartbeats (2 s each) are missed,
# which lands around 4-5 s after the restart on this machine; the bound leaves room for a
# loaded CI host (without heartbeats it never recovered within 12 s: docs/NATS.md, trap 16).
AFTER_RESTART_SECONDS = 10.0


@pytest.fixture
def system(nats_server: NatsServer, tmp_path: Path) -> Iterator[System]:
    system = System(nats_server.url, tmp_path / "system", names=SERVICES)
    try:
        system.start()
        yield system
    finally:
        system.stop()


def cli(system: System, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    env.update(system["routing"].env)
    return subprocess.run(
        [sys.executable, "-m", "minyi.cli.main", "token", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def status(system: System, service: str, headers: dict[str, str]) -> tuple[int, str]:
    r = httpx.get(system.url(service, "/v1/audit"), headers=headers, timeout=5)
    code = r.json()["detail"][0]["type"] if r.status_code >= 400 else ""
    return r.status_code, code


def seconds_until_refused(system: System, headers: dict[str, str], since: float) -> float:
    """Poll every service until each answers 401 token_revoked; the slowest one's delay."""
    waiting = set(SERVICES)
    slowest = 0.0
    deadline = since + 30  # a bound for the loop, not the requirement (asserted by the caller)
    while waiting and time.monotonic() < deadline:
        for service in sorted(waiting):
            if status(system, service, headers) == (401, "token_revoked"):
                slowest = max(slowest, time.monotonic() - since)
                waiting.discard(service)
        time.sleep(0.02)
    assert not waiting, f"{waiting} still accept the revoked token after 30 s\n{system.logs()}"
    return slowest


def test_a_revoked_token_and_a_revoked_subject_are_refused_by_every_service_within_2s(
    system: System,
) -> None:
    office = local_bearer(system.data_dir, Principal(Role.ADMIN, "admin:办公室"), 3600)
    colleague = local_bearer(system.data_dir, Principal(Role.ADMIN, "admin:同事"), 3600)
    for service in SERVICES:
        assert status(system, service, office) == (200, "")
        assert status(system, service, colleague) == (200, "")

    token = office["Authorization"].removeprefix("Bearer ")
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    revoked = cli(system, "revoke", jti, "--reason", "设备遗失")
    stored = time.monotonic()
    assert revoked.returncode == 0, revoked.stderr
    assert f"revoked token {jti}" in revoked.stdout
    by_token = seconds_until_refused(system, office, stored)
    print(f"\n[revocation] token {jti} refused by every service {by_token:.3f}s after revoke")
    assert by_token <= BOUND_SECONDS
    # Only that token: the colleague's goes on working.
    for service in SERVICES:
        assert status(system, service, colleague) == (200, "")

    async def revoke_subject() -> None:
        import nats

        connection = await nats.connect(system["routing"].env["MINYI_NATS_URL"])
        try:
            await revoke(
                connection.jetstream(), Revocation("subject", "admin:同事", time.time(), "tests")
            )
        finally:
            await connection.close()

    asyncio.run(revoke_subject())
    stored = time.monotonic()
    by_subject = seconds_until_refused(system, colleague, stored)
    print(f"[revocation] subject admin:同事 refused by every service {by_subject:.3f}s after")
    assert by_subject <= BOUND_SECONDS

    listed = cli(system, "list-revoked")
    assert listed.returncode == 0, listed.stderr
    assert jti in listed.stdout and "设备遗失" in listed.stdout
    assert "admin:同事" in listed.stdout


def test_a_service_started_after_the_revocation_refuses_the_token_from_the_start(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    system = System(nats_server.url, tmp_path / "system", names=("routing",))
    try:
        headers = local_bearer(system.data_dir, Principal(Role.ADMIN, "admin:old"), 3600)
        token = headers["Authorization"].removeprefix("Bearer ")
        jti = jwt.decode(token, options={"verify_signature": False})["jti"]
        # The whole token, as copied from a sign-in link, names its own id.
        revoked = cli(system, "revoke", token)
        assert revoked.returncode == 0, revoked.stderr
        assert f"revoked token {jti}" in revoked.stdout
        system.start()
        assert status(system, "routing", headers) == (401, "token_revoked")
    finally:
        system.stop()


def test_revoke_needs_a_token_id_or_a_subject(nats_server: NatsServer, tmp_path: Path) -> None:
    system = System(nats_server.url, tmp_path / "system", names=("routing",))
    neither = cli(system, "revoke")
    assert neither.returncode != 0
    assert "give a token id (jti) or --subject" in neither.stderr
    assert cli(system, "list-revoked").stdout.strip() == "no revoked tokens"


def test_a_service_still_follows_revocations_after_nats_restarts(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    """The ordered consumer lives in the server's memory: after a NATS restart the missed
    heartbeats make the service create it again from the last entry it saw."""
    if nats_server.proc is None:
        pytest.skip("needs the bundled nats-server (it is killed and restarted)")
    system = System(nats_server.url, tmp_path / "system", names=("routing",))
    try:
        system.start()
        headers = local_bearer(system.data_dir, Principal(Role.ADMIN, "admin:later"), 3600)
        assert status(system, "routing", headers) == (200, "")
        nats_server.kill()
        nats_server.restart()
        system["routing"].wait_ready()
        revoked = cli(system, "revoke", "--subject", "admin:later")
        assert revoked.returncode == 0, revoked.stderr
        stored = time.monotonic()
        deadline = stored + 30
        while status(system, "routing", headers) != (401, "token_revoked"):
            assert time.monotonic() < deadline, system.logs()
            time.sleep(0.05)
        elapsed = time.monotonic() - stored
        print(f"\n[revocation] after a NATS restart: refused {elapsed:.3f}s later")
        # Heartbeats bring the follower back within seconds (without them it took 12 s).
        assert elapsed <= AFTER_RESTART_SECONDS
    finally:
        system.stop()
