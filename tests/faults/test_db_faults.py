"""A service's database away: intake refuses (503 + Retry-After) what it cannot store,
its consumers stop acking and resume, and nothing is half-written."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import URL, make_url

from tests.faults.helpers import (
    RETRY_ENV,
    SYSTEM_ENV,
    Load,
    admin_headers,
    minyi_cli,
    settle,
    suggestion,
)
from tests.support.proxy import TcpProxy
from tests.support.system import System, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.timeout(150)]


@pytest.fixture
def intake_behind_proxy(
    system_factory: type[System], postgres_admin_url: str
) -> Iterator[tuple[System, TcpProxy, URL]]:
    """A system on PostgreSQL whose intake reaches its database through a TCP proxy."""
    system = system_factory(store="postgresql", extra_env=SYSTEM_ENV)
    intake = system["intake"]
    url = make_url(intake.env["MINYI_DATABASE_URL"])
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        intake.env["MINYI_DATABASE_URL"] = url.set(
            host="127.0.0.1", port=proxy.port
        ).render_as_string(hide_password=False)
        yield system, proxy, url
        system.stop()


def test_intake_answers_503_while_its_postgresql_is_unreachable_and_loses_nothing(
    intake_behind_proxy: tuple[System, TcpProxy, URL],
) -> None:
    system, proxy, _url = intake_behind_proxy
    system.start()
    with Load(system, rate=15) as load:
        load.wait_for(10)
        proxy.partition()  # PostgreSQL unreachable from intake: resets, then refusals
        refused_before = load.refused
        time.sleep(4)
        refused = load.refused - refused_before
        assert refused >= 10, f"only {refused} requests refused while the store was away"
        assert load.refused_without_retry_after == 0, "a 503 came without Retry-After"
        proxy.heal()
        load.wait_for(len(load.accepted) + 15)
    # A request cut in the middle of a statement is answered 503 too (the next test). The
    # client then sends what was refused again with the same Idempotency-Key: a commit that
    # went through although its answer was cut off comes back as the suggestion stored, so
    # settle() finds every suggestion once — none lost, none twice, none unanswered.
    server_errors, load.unexpected = load.unexpected, []
    assert all(": 500 " in e for e in server_errors), server_errors
    print(f"\nrefused with 503 + Retry-After: {load.refused}; 500s: {len(server_errors)}")
    load.retry_refused()
    settle(system, load, timeout=90, cases=False, label="intake's PostgreSQL cut off")

    # Intake's own consumer (lifecycle → status) could not commit while its store was
    # away; it stopped acking and caught up afterwards.
    def intake_status(sid: str) -> str:
        r = httpx.get(system.url("intake", f"/v1/suggestions/{sid}"), headers=admin_headers())
        r.raise_for_status()
        return str(r.json()["status"])

    eventually(
        lambda: all(intake_status(sid) == "assigned" for sid in load.accepted),
        timeout=60,
        what="intake's lifecycle consumer to catch up",
    )


async def _waiting_on_lock(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    finally:
        await conn.close()


def test_a_request_cut_off_from_postgresql_mid_statement_is_answered_503_not_500(
    intake_behind_proxy: tuple[System, TcpProxy, URL],
) -> None:
    system, proxy, url = intake_behind_proxy
    system.start(["intake"])
    direct = url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def hold_lock(locked: threading.Event, release: threading.Event) -> None:
        conn = await asyncpg.connect(direct)
        try:
            async with conn.transaction():
                await conn.execute("LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE")
                locked.set()
                await asyncio.to_thread(release.wait)
        finally:
            await conn.close()

    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=asyncio.run, args=(hold_lock(locked, release),))
    holder.start()
    try:
        assert locked.wait(10)
        answer: list[httpx.Response] = []
        request = threading.Thread(
            target=lambda: answer.append(
                httpx.post(
                    system.url("intake", "/v1/suggestions"),
                    json=suggestion(800_001),
                    headers={"Idempotency-Key": "cut-mid-statement"},
                    timeout=30,
                )
            )
        )
        request.start()
        # The request is now inside a statement, blocked on the lock, on the server side.
        eventually(lambda: asyncio.run(_waiting_on_lock(direct)) >= 1, what="a blocked query")
        proxy.partition()
        request.join(30)
    finally:
        release.set()
        holder.join(10)
        proxy.heal()
    (r,) = answer
    print(f"\nanswer to a request cut off mid-statement: {r.status_code} {r.text[:120]}")
    assert r.status_code == 503, r.text
    assert r.headers.get("Retry-After")


def test_intake_consumer_resumes_after_a_store_outage_longer_than_its_retry_budget(
    intake_behind_proxy: tuple[System, TcpProxy, URL],
) -> None:
    system, proxy, _url = intake_behind_proxy
    system["intake"].env.update(RETRY_ENV)  # 3 deliveries, 0.2 s apart
    system.start()
    system["routing"].stop()  # the assignments will arrive while intake's store is away
    done = Load(system)  # the tally for the one-line summary (no load thread)
    for n in range(10):
        r = httpx.post(
            system.url("intake", "/v1/suggestions"), json=suggestion(500_000 + n), timeout=10
        )
        assert r.status_code == 201, r.text
        done.accepted.append(str(r.json()["id"]))
    done.sent = 10
    with proxy.partitioned():
        system["routing"].start()
        system["routing"].wait_ready()
        time.sleep(2)  # routing publishes ten AssignedToUnit; intake cannot store them
    settle(system, done, timeout=60, cases=False, label="intake's store away past the budget")

    def behind() -> list[str]:
        late = []
        for sid in done.accepted:
            r = httpx.get(system.url("intake", f"/v1/suggestions/{sid}"), headers=admin_headers())
            if r.json().get("status") != "assigned":
                late.append(sid)
        return late

    try:
        eventually(lambda: not behind(), timeout=15, what="intake's statuses to catch up")
    finally:
        letters = minyi_cli(system, "intake", "dlq", "list", "intake").strip().splitlines()[-1]
        print(f"intake still behind on {len(behind())} of {len(done.accepted)}; {letters}")
