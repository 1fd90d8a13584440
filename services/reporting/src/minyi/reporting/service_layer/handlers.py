"""Reporting's one reaction: fold every event into the views, then tell live subscribers."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select

from minyi.contracts.envelope import RawEvent
from minyi.platform.service import UnitOfWork
from minyi.reporting.adapters import store, webhooks
from minyi.reporting.adapters.tables import subscriptions
from minyi.reporting.domain.events import step_of
from minyi.reporting.service_layer.live import Broadcaster, resolution_message


async def when_any_event_update_views(event: RawEvent, uow: UnitOfWork) -> None:
    """Add the event to the timeline and fold it into the views of every kept generation."""
    session = uow.session
    writes = uow.batch(store.ViewWrites)
    generations = await writes.generations(session)
    new_in_live = False
    for generation in generations:
        first = await store.project(session, writes, generation, event)
        new_in_live = new_in_live or (first and generation == generations[0])
    if not new_in_live or step_of(event.type) != "resolved":
        return
    message = resolution_message(event)
    await _enqueue_webhooks(uow, message)
    broadcaster: Broadcaster | None = uow.runtime.extras.get("resolutions")
    if broadcaster is not None:
        # Live subscribers hear of the resolution only once it is committed (a rolled-back
        # transaction will be redelivered and announced then).
        sa_event.listen(
            session.sync_session, "after_commit", lambda _s: broadcaster.publish(message), once=True
        )


async def _enqueue_webhooks(uow: UnitOfWork, message: dict[str, Any]) -> None:
    subs = (
        await uow.session.execute(select(subscriptions.c.id).where(subscriptions.c.active))
    ).all()
    if not subs:
        return
    body = json.dumps(message, ensure_ascii=False, default=str)
    now = uow.runtime.clock.now()
    for (sub_id,) in subs:
        await webhooks.enqueue(uow.session, sub_id, message["event_id"], body, now)
    waker = uow.runtime.extras.get("deliveries_wake")
    if waker is not None:
        sa_event.listen(uow.session.sync_session, "after_commit", lambda _s: waker.set(), once=True)
