"""Reporting's one reaction: fold every event into the views."""

from __future__ import annotations

from sqlalchemy import select, update

from minyi.contracts.envelope import RawEvent
from minyi.platform.db import insert_or_ignore
from minyi.platform.service import UnitOfWork
from minyi.reporting.adapters.tables import suggestion_view, timeline
from minyi.reporting.domain.projection import apply, timeline_entry


async def when_any_event_update_views(event: RawEvent, uow: UnitOfWork) -> None:
    """Add the event to the suggestion's timeline and fold it into its view."""
    session = uow.session
    await insert_or_ignore(session, timeline, timeline_entry(event))
    # A placeholder row first, then a row lock: two replicas folding events of one
    # suggestion take turns instead of overwriting each other.
    await insert_or_ignore(
        session,
        suggestion_view,
        {"suggestion_id": event.subject, "status": "unknown", "status_rank": 0},
    )
    row = (
        (
            await session.execute(
                select(suggestion_view)
                .where(suggestion_view.c.suggestion_id == event.subject)
                .with_for_update()
            )
        )
        .mappings()
        .one()
    )
    view = apply(dict(row), event)
    await session.execute(
        update(suggestion_view)
        .where(suggestion_view.c.suggestion_id == event.subject)
        .values(**{k: v for k, v in view.items() if k != "suggestion_id"})
    )
