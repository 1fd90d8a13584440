"""NATS configs: they parse with the bundled nats-server, and each service user may publish
and consume only what the event contract gives it (checked against a real server)."""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from minyi.platform.nats_server import free_port

REPO = Path(__file__).resolve().parents[2]
CONFIGS = sorted((REPO / "deploy").rglob("*.conf"))
PASSWORDS = {
    "INTAKE_NATS_PASSWORD": "test-intake",
    "ROUTING_NATS_PASSWORD": "test-routing",
    "SUPERVISION_NATS_PASSWORD": "test-supervision",
    "REPORTING_NATS_PASSWORD": "test-reporting",
    "LIAISON_NATS_PASSWORD": "test-liaison",
    "OPS_NATS_PASSWORD": "test-ops",
}
SERVER_ENV = {**os.environ, **PASSWORDS, "POD_NAME": "nats-0"}

# The event contract: what each service publishes (each service definition's own list, so
# a new event that the users file forgets fails here), and its durable consumers with filters.
SERVICES = ("intake", "routing", "supervision", "reporting", "liaison")
PUBLISHES = {
    service: sorted(
        {
            m.subject_name
            for m in importlib.import_module(f"minyi.{service}.bootstrap").SERVICE.publishes
        }
    )
    for service in SERVICES
}
DURABLES = {
    "intake": {
        "intake__lifecycle": "minyi.suggestion.>",
        "intake__registry": "minyi.deputy.>",
        "intake__matters": "minyi.matter.referred",
        "intake__support_targets": "minyi.appeal.published",
    },
    "routing": {
        "routing__suggestion_filed": "minyi.suggestion.filed",
        "routing__suggestion_returned": "minyi.suggestion.returned",
    },
    "supervision": {
        "supervision__suggestion_assigned": "minyi.suggestion.assigned",
        "supervision__feedback_received": "minyi.suggestion.feedback_received",
        "supervision__commitment_made": "minyi.commitment.made",
        "supervision__written_answer_required": "minyi.visit.written_answer_required",
        "supervision__signer_rated": "minyi.suggestion.signer_rated",
        "supervision__topic_candidates": "minyi.suggestion.clustered",
        "supervision__project_rated": "minyi.project.rated",
        "supervision__support_added": "minyi.support.added",
    },
    "reporting": {"reporting__all": "minyi.>"},
    "liaison": {
        "liaison__follow_ups_overdue": "minyi.suggestion.overdue",
        "liaison__performance": "minyi.>",
    },
}
TIMEOUT = 5.0


def test_deploy_holds_the_single_node_and_cluster_configs() -> None:
    names = {p.name for p in CONFIGS}
    assert {"nats-single.conf", "nats-cluster.conf", "minyi-users.conf"} <= names


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_nats_config_under_deploy_parses_with_the_bundled_server(
    bundled_nats_server: Path, config: Path
) -> None:
    result = subprocess.run(
        [str(bundled_nats_server), "-t", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        env=SERVER_ENV,
        cwd=config.parent,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_nats_config_refuses_to_start_without_the_service_passwords(
    bundled_nats_server: Path,
) -> None:
    config = REPO / "deploy" / "nats" / "nats-single.conf"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NATS_PASSWORD")}
    result = subprocess.run(
        [str(bundled_nats_server), "-t", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert result.returncode != 0
    assert "NATS_PASSWORD" in result.stderr + result.stdout


@pytest.fixture(scope="module")
def nats_url(bundled_nats_server: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled nats-server with deploy/nats/nats-single.conf on free loopback ports."""
    port, monitor = free_port(), free_port()
    store = tmp_path_factory.mktemp("jetstream")
    log = (store / "nats.log").open("w")
    process = subprocess.Popen(
        [
            str(bundled_nats_server),
            "-c",
            str(REPO / "deploy" / "nats" / "nats-single.conf"),
            "-a",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            str(monitor),
            "-sd",
            str(store),
        ],
        env=SERVER_ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, (store / "nats.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"nats://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


class Client:
    """A nats-py connection as one service's user that records permission errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    async def connect(self, url: str, user: str):  # type: ignore[no-untyped-def]
        import nats

        async def on_error(error: Exception) -> None:
            self.errors.append(str(error))

        self.nc = await nats.connect(
            url,
            user=user,
            password=PASSWORDS[f"{user.upper()}_NATS_PASSWORD"],
            error_cb=on_error,
            connect_timeout=TIMEOUT,
            max_reconnect_attempts=0,
            allow_reconnect=False,
        )
        self.js = self.nc.jetstream(timeout=TIMEOUT)
        return self

    async def violation(self, subject: str) -> bool:
        """Wait (bounded) for the server to report a permissions violation naming subject."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if any(
                "permissions violation" in e.lower() and subject.lower() in e.lower()
                for e in self.errors
            ):
                return True
            await asyncio.sleep(0.05)
        return False


async def declare_streams(url: str) -> None:
    from nats.js.api import StreamConfig

    client = await Client().connect(url, "intake")
    try:
        await client.js.add_stream(StreamConfig(name="MINYI", subjects=["minyi.>"]))
        await client.js.add_stream(
            StreamConfig(
                name="MINYI_DLQ", subjects=["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.MINYI.>"]
            )
        )
    finally:
        await client.nc.close()


@pytest.mark.timeout(60)
async def test_reporting_may_not_publish_a_filed_suggestion_but_intake_may(nats_url: str) -> None:
    await declare_streams(nats_url)
    reporting = await Client().connect(nats_url, "reporting")
    intake = await Client().connect(nats_url, "intake")
    try:
        await reporting.nc.publish("minyi.suggestion.filed", b"{}")
        await reporting.nc.flush(timeout=TIMEOUT)
        assert await reporting.violation("minyi.suggestion.filed")
        with pytest.raises(Exception):  # noqa: B017 - no PubAck ever comes: timeout or no responders
            await reporting.js.publish("minyi.suggestion.filed", b"{}", stream="MINYI", timeout=1.0)

        ack = await intake.js.publish(
            "minyi.suggestion.filed", b"{}", stream="MINYI", headers={"Nats-Msg-Id": "evt-1"}
        )
        assert ack.stream == "MINYI"
        assert intake.errors == []
    finally:
        await reporting.nc.close()
        await intake.nc.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("service", sorted(PUBLISHES))
async def test_each_service_publishes_only_its_own_events(nats_url: str, service: str) -> None:
    await declare_streams(nats_url)
    client = await Client().connect(nats_url, service)
    try:
        for i, subject in enumerate(PUBLISHES[service]):
            ack = await client.js.publish(
                subject, b"{}", stream="MINYI", headers={"Nats-Msg-Id": f"{service}-{i}"}
            )
            assert ack.stream == "MINYI", subject
        # A subject two services publish (a project's rating: the deputies' through
        # supervision, the public's through intake) is neither one's foreign subject.
        own = set(PUBLISHES[service])
        foreign = [
            s
            for other, subjects in PUBLISHES.items()
            if other != service
            for s in subjects
            if s not in own
        ]
        for subject in [*foreign, "minyi.anything.else"]:
            await client.nc.publish(subject, b"{}")
        await client.nc.flush(timeout=TIMEOUT)
        for subject in [*foreign, "minyi.anything.else"]:
            assert await client.violation(subject), f"{service} could publish {subject}"
    finally:
        await client.nc.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("service", sorted(DURABLES))
async def test_each_service_pulls_and_acks_through_its_own_durables_only(
    nats_url: str, service: str
) -> None:
    from nats.js.api import AckPolicy, ConsumerConfig

    await declare_streams(nats_url)
    ops = await Client().connect(nats_url, "ops")
    client = await Client().connect(nats_url, service)
    try:
        for durable, subject in DURABLES[service].items():
            concrete = subject.replace(">", "probe")
            await ops.js.publish(concrete, b"{}", stream="MINYI")
            sub = await client.js.pull_subscribe(
                subject,
                durable=durable,
                stream="MINYI",
                config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=5, ack_wait=30),
            )
            messages = await sub.fetch(1, timeout=TIMEOUT)
            assert messages, durable
            await messages[0].ack_sync(timeout=TIMEOUT)
            info = await client.js.consumer_info("MINYI", durable)
            assert info.num_ack_pending == 0
            await sub.unsubscribe()
        # Another service's durable is off limits: no work-queue theft.
        other = next(d for s, ds in DURABLES.items() if s != service for d in ds)
        with pytest.raises(Exception):  # noqa: B017 - denied requests get no reply
            await client.js.consumer_info("MINYI", other, timeout=1.0)
        await client.nc.flush(timeout=TIMEOUT)
        assert await client.violation(f"$JS.API.CONSUMER.INFO.MINYI.{other}"), client.errors
    finally:
        await client.nc.close()
        await ops.nc.close()


@pytest.mark.timeout(60)
async def test_reporting_may_replay_the_whole_stream_with_an_ordered_consumer(
    nats_url: str,
) -> None:
    await declare_streams(nats_url)
    ops = await Client().connect(nats_url, "ops")
    reporting = await Client().connect(nats_url, "reporting")
    try:
        await ops.js.publish("minyi.suggestion.filed", b'{"replay": true}', stream="MINYI")
        total = (await reporting.js.stream_info("MINYI")).state.messages
        sub = await reporting.js.subscribe("minyi.>", stream="MINYI", ordered_consumer=True)
        seen = 0
        while seen < total:
            await sub.next_msg(timeout=TIMEOUT)
            seen += 1
        await sub.unsubscribe()
        assert reporting.errors == []
    finally:
        await reporting.nc.close()
        await ops.nc.close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("service", sorted(DURABLES))
async def test_each_service_may_read_a_dead_letter_back_from_the_stream(
    nats_url: str, service: str
) -> None:
    await declare_streams(nats_url)
    ops = await Client().connect(nats_url, "ops")
    client = await Client().connect(nats_url, service)
    try:
        ack = await ops.js.publish("minyi.suggestion.filed", b'{"dead": true}', stream="MINYI")
        message = await client.js.get_msg("MINYI", ack.seq)
        assert message.data == b'{"dead": true}'
        await client.js.stream_info("MINYI_DLQ")
        assert client.errors == []
    finally:
        await client.nc.close()
        await ops.nc.close()


@pytest.mark.timeout(60)
async def test_a_message_that_exhausts_max_deliver_lands_in_the_dead_letter_stream(
    nats_url: str,
) -> None:
    from nats.js.api import AckPolicy, ConsumerConfig

    await declare_streams(nats_url)
    ops = await Client().connect(nats_url, "ops")
    routing = await Client().connect(nats_url, "routing")
    try:
        before = (await ops.js.stream_info("MINYI_DLQ")).state.messages
        await ops.js.publish("minyi.suggestion.returned", b'{"poison": true}', stream="MINYI")
        sub = await routing.js.pull_subscribe(
            "minyi.suggestion.returned",
            durable="routing__suggestion_returned",
            stream="MINYI",
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=5, ack_wait=30),
        )
        # Drain what earlier tests left, then fail the poison message until max_deliver.
        deadline = time.monotonic() + 40
        while (await ops.js.stream_info("MINYI_DLQ")).state.messages == before:
            assert time.monotonic() < deadline, "no MAX_DELIVERIES advisory captured"
            try:
                for msg in await sub.fetch(10, timeout=1.0):
                    if msg.data == b'{"poison": true}':
                        await msg.nak()
                    else:
                        await msg.ack()
            except TimeoutError:
                pass
        advisory = await ops.js.get_last_msg(
            "MINYI_DLQ",
            "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.MINYI.routing__suggestion_returned",
        )
        assert b'"stream_seq"' in advisory.data
        assert routing.errors == []
    finally:
        await routing.nc.close()
        await ops.nc.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_follows_the_revocation_bucket_and_only_ops_writes_it(
    nats_url: str, service: str
) -> None:
    """What every service does at connect (consuming/connect.py): declare MINYI_REVOKED and
    follow it; a revocation ops writes reaches it; the service itself cannot write one."""
    from minyi.platform.revocation import (
        BUCKET,
        Revocation,
        Revocations,
        follow,
        open_bucket,
        revoke,
    )

    client = await Client().connect(nats_url, service)
    ops = await Client().connect(nats_url, "ops")
    try:
        await open_bucket(client.js)
        revocations = Revocations()
        await follow(client.js, revocations)
        assert revocations.watching
        await revoke(ops.js, Revocation("jti", f"probe-{service}", time.time()))
        deadline = time.monotonic() + TIMEOUT
        while not revocations.revoked(f"probe-{service}", "nobody", None):
            assert time.monotonic() < deadline, "the revocation never reached the service"
            await asyncio.sleep(0.02)
        assert client.errors == []

        await client.nc.publish(f"$KV.{BUCKET}.jti.forged", b"{}")
        await client.nc.flush(timeout=TIMEOUT)
        assert await client.violation(f"$KV.{BUCKET}.jti.forged"), client.errors
    finally:
        await client.nc.close()
        await ops.nc.close()
