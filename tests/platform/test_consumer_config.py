"""A pull durable created by an older release is brought to today's settings at start-up
(the server keeps a durable's first config), over a real nats-server."""

from __future__ import annotations

import nats
from nats.js.api import ConsumerConfig, StreamConfig

from minyi.contracts.envelope import RawEvent
from minyi.contracts.subjects import STREAM_NAME, STREAM_SUBJECTS
from minyi.platform.consuming.pulling import ensure_pull_durable
from minyi.platform.messaging import MAX_ACK_PENDING
from minyi.platform.runtime import Consumer, UnitOfWork
from minyi.platform.settings import Settings
from tests.support.infra import NatsServer

WANTED = ("minyi.suggestion.assigned", "minyi.suggestion.resolved")


async def _ignore(_event: RawEvent, _uow: UnitOfWork) -> None:
    return None


async def test_an_old_durable_gets_todays_limits_and_filter(nats_server: NatsServer) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM_NAME, subjects=list(STREAM_SUBJECTS)))
    await js.add_consumer(
        STREAM_NAME,
        ConsumerConfig(
            durable_name="intake__lifecycle",
            filter_subject="minyi.suggestion.>",
            ack_policy="explicit",  # type: ignore[arg-type]
            ack_wait=30,
            max_deliver=8,
            max_ack_pending=2000,
        ),
    )
    settings = Settings(service="intake", nats_url=nats_server.url, ack_wait_seconds=7)
    consumer = Consumer("minyi.suggestion.>", "intake__lifecycle", _ignore, None, WANTED)
    try:
        changed = await ensure_pull_durable(js, settings, consumer)
        again = await ensure_pull_durable(js, settings, consumer)
        info = await js.consumer_info(STREAM_NAME, "intake__lifecycle")
    finally:
        await nc.close()
    assert [c.split(" ")[0] for c in changed] == ["ack_wait", "max_ack_pending", "filter_subjects"]
    assert again == []
    assert info.config.max_ack_pending == MAX_ACK_PENDING
    assert info.config.ack_wait == 7
    assert info.config.filter_subjects == list(WANTED)
    assert info.config.max_deliver == 8  # what it was, otherwise
