"""Reporting's unit of work: one transaction, with the repositories the use cases see."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from sqlalchemy import event as sa_event

from minyi.platform.runtime import UnitOfWork
from minyi.reporting.adapters.store import Generations, ViewStore, ViewWrites
from minyi.reporting.adapters.webhooks import WebhookStore


class ReportingUnitOfWork(UnitOfWork):
    @cached_property
    def views(self) -> ViewStore:
        """The read models as the fold writes them (rows and counters batched per group)."""
        return ViewStore(self.session, self.batch(ViewWrites))

    @cached_property
    def generations(self) -> Generations:
        return Generations(self.session)

    @cached_property
    def webhooks(self) -> WebhookStore:
        return WebhookStore(self.session)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this transaction has committed (not if it rolls back: a
        redelivered event runs it then). Callbacks run in the order given."""
        if not self._after_commit:
            # One listener per transaction: registering one per callback (an event each)
            # cost more than the callbacks.
            callbacks = self._after_commit

            def run(_session: Any) -> None:
                due = list(callbacks)
                callbacks.clear()  # a later commit of this session runs only later ones
                for call in due:
                    call()

            sa_event.listen(self.session.sync_session, "after_commit", run, once=True)
        self._after_commit.append(callback)

    @cached_property
    def _after_commit(self) -> list[Callable[[], None]]:
        return []
