"""The whole event history, read back from the JetStream stream (for a rebuild)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import nats
from nats.js.api import DeliverPolicy
from pydantic import ValidationError

from minyi.contracts.envelope import RawEvent
from minyi.contracts.subjects import ALL_EVENTS, STREAM_NAME
from minyi.platform.settings import Settings


class StreamHistory:
    """Every message on the stream up to the last one there when reading began, in order,
    through an ephemeral ordered consumer (its own connection)."""

    def __init__(self, settings: Settings, *, idle_timeout: float = 5.0) -> None:
        self._settings = settings
        self._idle_timeout = idle_timeout
        # Messages that were no CloudEvent (the live consumer rejects them too).
        self.skipped = 0

    async def batches(self, size: int) -> AsyncGenerator[list[RawEvent], None]:
        """The events in batches of up to ``size`` (the last one may be shorter)."""
        s = self._settings
        nc = await nats.connect(
            s.nats_url.split(","),
            user=s.nats_user,
            password=s.nats_password,
            name="minyi-reporting-rebuild",
        )
        try:
            js = nc.jetstream()
            last = (await js.stream_info(STREAM_NAME)).state.last_seq
            if not last:
                return
            sub = await js.subscribe(
                ALL_EVENTS,
                stream=STREAM_NAME,
                ordered_consumer=True,
                deliver_policy=DeliverPolicy.ALL,
            )
            batch: list[RawEvent] = []
            seq = 0
            while seq < last:
                msg = await sub.next_msg(timeout=self._idle_timeout)
                seq = msg.metadata.sequence.stream
                try:
                    batch.append(RawEvent.model_validate_json(msg.data))
                except ValidationError:
                    self.skipped += 1
                if len(batch) >= size or seq >= last:
                    yield batch
                    batch = []
            await sub.unsubscribe()
        finally:
            await nc.close()
