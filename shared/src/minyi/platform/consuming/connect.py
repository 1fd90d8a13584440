"""Connecting a service to NATS: retried forever in the background, so the HTTP side serves
(and the outbox fills) while NATS is away."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from minyi.platform.consuming.held import HeldMessages
from minyi.platform.consuming.pulling import PullLoop, ensure_pull_durable
from minyi.platform.messaging import declare_dead_letter_stream, declare_stream
from minyi.platform.revocation import follow, open_bucket
from minyi.platform.runtime import Runtime
from minyi.platform.tasks import stop_tasks

log = logging.getLogger(__name__)


async def connect(runtime: Runtime[Any, Any], held: HeldMessages | None = None) -> None:
    """Connect, declare the stream and the dead-letter stream, bring the durables to this
    release's settings and pull from them (``PullLoop``, one per durable); retry until it
    works. Runs as long as the service (stopped through ``tasks.stop_tasks``).

    The broker is connected, not started: its FastStream subscribers (for the AsyncAPI
    document and the in-memory test broker) never consume here.

    The stream is declared by every service, consumers or not: FastStream declares it only
    for a subscriber's sake, and a publish-only service (liaison) on a fresh server would
    otherwise leave its events in the outbox forever."""
    if held is None:  # (not ``held or``: an empty HeldMessages is falsy)
        held = HeldMessages(runtime.settings.ack_wait_seconds)
    delay = 0.5
    while True:
        try:
            await runtime.broker.connect()
            await declare_stream(runtime.broker, runtime.settings)
            await declare_dead_letter_stream(runtime.broker)
            js = runtime.broker.config.connection_state.stream
            for consumer in runtime.consumers:
                await ensure_pull_durable(js, runtime.settings, consumer)
            # Before "ready": a service that says it is ready refuses what was revoked.
            followed = await follow_revocations(runtime)
            runtime.broker_started = True
            log.info("connected to NATS at %s", runtime.settings.nats_url)
            break
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("NATS not reachable yet (%s); retrying in %.1fs", exc, delay)
            with contextlib.suppress(Exception):
                await runtime.broker.stop()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
    loops = [
        asyncio.create_task(PullLoop(runtime, c, held).run(), name=f"pull-{c.durable}")
        for c in runtime.consumers
    ]
    try:
        await _keep_following(runtime, followed)
        await asyncio.gather(*loops)
    finally:
        await stop_tasks(*loops)


async def _keep_following(runtime: Runtime[Any, Any], followed: bool) -> None:
    # Not followed yet (NATS went away meanwhile, or the user lacks the bucket's
    # permissions): keep trying while the service serves; the broker reconnects by itself.
    delay = 1.0
    while not followed:
        await asyncio.sleep(delay)
        delay = min(delay * 2, 30.0)
        followed = await follow_revocations(runtime, quiet=True)


async def follow_revocations(runtime: Runtime[Any, Any], *, quiet: bool = False) -> bool:
    """Declare the revocation bucket and follow it (``minyi.platform.revocation``); the
    subscription lives with the connection. A server that refuses (a users file without the
    bucket's permissions) leaves revocation off in this process: said loudly, not fatal.
    True once followed."""
    revocations = runtime.tokens.revocations
    if revocations.watching:
        return True
    js = runtime.broker.config.connection_state.stream
    try:
        await open_bucket(js, runtime.settings.stream_replicas)
        await follow(js, revocations)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        (log.warning if quiet else log.error)(
            "revoked tokens are NOT followed yet (tokens cannot be revoked here): %r", exc
        )
        return False
    if quiet:
        log.info("revoked tokens are followed now")
    return True
