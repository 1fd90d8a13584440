"""Reporting's use cases over a fake unit of work: the views, generations and webhook tables
live in dicts, so the service layer's rules are checked without a database."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from minyi.contracts.envelope import RawEvent
from minyi.contracts.supervision import Resolved
from minyi.platform.egress import Egress
from minyi.platform.errors import Conflict, NotFound
from minyi.reporting.adapters.live import Bell, Broadcaster
from minyi.reporting.dependencies import ReportingDeps
from minyi.reporting.domain import liaison, projection
from minyi.reporting.domain.events import step_of
from minyi.reporting.service_layer import rebuild, webhooks
from minyi.reporting.service_layer.handlers import when_any_event_update_views
from tests.support.reporting_history import activity, history, liaison_history, lifecycle

NOW = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)


Changes = dict[tuple[str, str, str], dict[str, int]]


def _add(into: Counter[tuple[int, str, str, str, str]], generation: int, changes: Changes) -> None:
    for (dimension, key, period), diff in changes.items():
        for measure, value in diff.items():
            into[(generation, dimension, key, period, measure)] += value


def summed(views: Iterable[dict[str, Any]], contributions: Any) -> Counter[tuple[str, ...]]:
    """The counters that ``views`` add up to (what every fold of them must leave)."""
    totals: Counter[tuple[str, ...]] = Counter()
    for view in views:
        for row, measures in contributions(view).items():
            for measure, value in measures.items():
                totals[(*row, measure)] += value
    return +totals


@dataclass
class FakeViews:
    """The read models of every generation, as the fold leaves them."""

    live: int = 1
    building: int | None = None
    timeline: set[tuple[int, str]] = field(default_factory=set)
    rows: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    counts: Counter[tuple[int, str, str, str, str]] = field(default_factory=Counter)
    names: dict[tuple[int, str, str], str] = field(default_factory=dict)
    clusters: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    activities: Counter[tuple[int, str, str, str]] = field(default_factory=Counter)
    liaison_rows: dict[tuple[str, int, str], dict[str, Any]] = field(default_factory=dict)
    liaison_counts: Counter[tuple[int, str, str, str, str]] = field(default_factory=Counter)

    # ViewStore
    async def generations(self) -> list[int]:
        return [self.live, *([self.building] if self.building else [])]

    async def add_to_timeline(self, generation: int, entry: dict[str, Any]) -> bool:
        key = (generation, entry["event_id"])
        if key in self.timeline:
            return False
        self.timeline.add(key)
        return True

    async def view(self, generation: int, sid: str, *, new: bool = False) -> dict[str, Any]:
        return self.rows.get((generation, sid), {"status": "unknown"})

    def replace(self, generation: int, sid: str, view: dict[str, Any]) -> None:
        # As the store does (when the batch is written): the counters follow the change.
        old = self.rows.get((generation, sid), {"status": "unknown"})
        new = {k: v for k, v in view.items() if v is not None}
        change = projection.delta(projection.contributions(old), projection.contributions(new))
        _add(self.counts, generation, change)
        self.rows[(generation, sid)] = new

    def name(self, generation: int, kind: str, ident: str, name: str) -> None:
        self.names[(generation, kind, ident)] = name

    async def liaison_row(self, record: str, generation: int, ident: str) -> dict[str, Any]:
        return self.liaison_rows.get((record, generation, ident), {})

    def replace_liaison_row(
        self, record: str, generation: int, ident: str, row: dict[str, Any]
    ) -> None:
        self.liaison_rows[(record, generation, ident)] = {
            k: v for k, v in row.items() if v is not None
        }

    def add_liaison_counts(
        self, generation: int, changes: dict[tuple[str, str, str], dict[str, int]]
    ) -> None:
        _add(self.liaison_counts, generation, changes)

    async def cluster(self, generation: int, cid: str) -> dict[str, Any]:
        return self.clusters.get((generation, cid), {})

    async def save_cluster(self, generation: int, cid: str, cluster: dict[str, Any]) -> None:
        self.clusters[(generation, cid)] = cluster

    async def count_activity(
        self, generation: int, rep: str, kind: str, periods: Iterable[str]
    ) -> None:
        for period in periods:
            self.activities[(generation, rep, kind, period)] += 1

    # Generations
    async def begin_rebuild(self) -> tuple[int, int]:
        if self.building:
            raise Conflict("rebuild_running", "a rebuild is already running")
        self.building = self.live + 1
        return self.live, self.building

    async def abandon_rebuild(self) -> None:
        self.building = None

    async def swap(self, new: int) -> None:
        self.live, self.building = new, None

    async def drop(self, generation: int) -> None:
        self.timeline = {k for k in self.timeline if k[0] != generation}
        self.rows = {k: v for k, v in self.rows.items() if k[0] != generation}
        self.counts = Counter({k: v for k, v in self.counts.items() if k[0] != generation})
        self.liaison_rows = {k: v for k, v in self.liaison_rows.items() if k[1] != generation}
        self.liaison_counts = Counter(
            {k: v for k, v in self.liaison_counts.items() if k[0] != generation}
        )

    def counters(self, generation: int) -> Counter[tuple[str, str, str, str]]:
        return +Counter({k[1:]: v for k, v in self.counts.items() if k[0] == generation})

    def liaison_counters(self, generation: int) -> Counter[tuple[str, str, str, str]]:
        return +Counter({k[1:]: v for k, v in self.liaison_counts.items() if k[0] == generation})


@dataclass
class FakeWebhooks:
    subscriptions: dict[str, bool] = field(default_factory=dict)
    deliveries: dict[int, dict[str, Any]] = field(default_factory=dict)

    async def add_subscription(self, subscription: dict[str, Any]) -> None:
        self.subscriptions[subscription["id"]] = subscription["active"]

    async def end_subscription(self, subscription_id: str) -> bool:
        if subscription_id not in self.subscriptions:
            return False
        self.subscriptions[subscription_id] = False
        return True

    async def active_subscriptions(self) -> list[str]:
        return [s for s, active in self.subscriptions.items() if active]

    async def enqueue(self, subscription_id: str, event_id: str, body: str, now: datetime) -> None:
        if any(
            (d["subscription_id"], d["event_id"]) == (subscription_id, event_id)
            for d in self.deliveries.values()
        ):
            return
        self.deliveries[len(self.deliveries) + 1] = {
            "id": len(self.deliveries) + 1,
            "subscription_id": subscription_id,
            "event_id": event_id,
            "payload": body,
            "url": f"https://example.test/{subscription_id}",
            "secret": "s3cret-for-the-test-only",
            "attempts": 0,
            "next_attempt_at": now,
            "claimed_until": None,
            "delivered_at": None,
            "failed": False,
        }

    async def due(self, now: datetime, limit: int) -> list[SimpleNamespace]:
        return [
            SimpleNamespace(**d)
            for d in self.deliveries.values()
            if d["delivered_at"] is None and not d["failed"] and d["next_attempt_at"] <= now
        ][:limit]

    async def lease(self, delivery_id: int, now: datetime, lease: timedelta) -> bool:
        d = self.deliveries[delivery_id]
        if d["claimed_until"] is not None and d["claimed_until"] >= now:
            return False
        d["claimed_until"] = now + lease
        return True

    async def record(self, delivery_id: int, values: dict[str, Any]) -> None:
        self.deliveries[delivery_id].update(values)


class FakeUnitOfWork:
    """ReportingUnitOfWork's surface: ``views``, ``generations``, ``webhooks``,
    ``after_commit`` and the runtime's clock."""

    def __init__(self, views: FakeViews, hooks: FakeWebhooks) -> None:
        self.views = self.generations = views
        self.webhooks = hooks
        self.runtime = SimpleNamespace(clock=SimpleNamespace(now=lambda: NOW))
        self.committed: list[Any] = []
        self._after_commit: list[Any] = []

    def after_commit(self, callback: Any) -> None:
        self._after_commit.append(callback)

    def commit(self) -> None:
        for callback in self._after_commit:
            callback()
        self._after_commit.clear()


@dataclass
class Store:
    views: FakeViews = field(default_factory=FakeViews)
    hooks: FakeWebhooks = field(default_factory=FakeWebhooks)
    transactions: int = 0

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[FakeUnitOfWork]:
        uow = FakeUnitOfWork(self.views, self.hooks)
        yield uow
        self.transactions += 1
        uow.commit()


def deps() -> ReportingDeps:
    return ReportingDeps(
        views=None,  # the handler reads no views through it
        resolutions=Broadcaster(),
        deliveries_due=Bell(),
        webhook_sender=None,
    )


async def handle(store: Store, d: ReportingDeps, *events: RawEvent) -> None:
    for e in events:
        async with store.unit() as uow:
            await when_any_event_update_views(e, uow, d)


def expected_counters(events: list[RawEvent]) -> Counter[tuple[str, ...]]:
    views: dict[str, dict[str, Any]] = {}
    for e in events:
        if step_of(e.type) != "activity":
            views[e.subject] = projection.apply(views.get(e.subject, {}), e)
    return summed(views.values(), projection.contributions)


async def test_the_handler_folds_a_history_into_the_views_and_their_counters() -> None:
    store, d = Store(), deps()
    events = history()
    await handle(store, d, *events)
    assert store.views.rows[(1, "s-3")]["status"] == "closed"
    assert store.views.names[(1, "group", "grp-dongbao")] == "东宝区督导组"
    assert store.views.clusters[(1, "c-1")]["size"] == 3
    assert store.views.activities[(1, "rep-1", "visit", "a:all")] == 1
    assert store.views.counters(1) == expected_counters(events)


async def test_a_redelivered_event_changes_nothing() -> None:
    store, d = Store(), deps()
    events = history()
    await handle(store, d, *events)
    once = (dict(store.views.rows), store.views.counters(1), Counter(store.views.activities))
    await handle(store, d, *reversed(events), activity("rep-1", "visit", 10))
    assert (dict(store.views.rows), store.views.counters(1), store.views.activities) == once


def expected_liaison_counters(events: list[RawEvent]) -> Counter[tuple[str, ...]]:
    receptions: dict[str, dict[str, Any]] = {}
    for e in events:
        if (r := liaison.parse(e, liaison.RECEPTION_EVENTS)) is not None:
            receptions[r.reception_id] = liaison.apply_reception(
                receptions.get(r.reception_id, {}), r
            )
    return summed(receptions.values(), liaison.contributions)


async def test_the_handler_folds_liaison_events_into_receptions_registry_and_counters() -> None:
    store, d = Store(), deps()
    events = liaison_history()
    await handle(store, d, *events)
    rows = store.views.liaison_rows
    assert rows[("reception", 1, "r-1")]["status"] == "held"
    assert rows[("reception", 1, "r-2")]["status"] == "cancelled"
    assert rows[("station", 1, "ST-420802-01")]["name"] == "东宝区龙泉街道代表联络站"
    assert rows[("deputy", 1, "REP-420804-001")]["level"] == "county"
    assert store.views.liaison_counters(1) == expected_liaison_counters(events)
    assert store.views.counters(1) == Counter()  # no suggestion figure moves
    assert store.views.rows == {}  # nor does a suggestion view appear (s-ref-1 is intake's)


async def test_a_redelivered_liaison_event_changes_nothing() -> None:
    store, d = Store(), deps()
    events = liaison_history()
    await handle(store, d, *events)
    once = (dict(store.views.liaison_rows), store.views.liaison_counters(1))
    await handle(store, d, *reversed(events))
    assert (store.views.liaison_rows, store.views.liaison_counters(1)) == once


async def test_a_new_resolution_is_queued_per_subscriber_and_announced_after_the_commit() -> None:
    store, d = Store(), deps()
    store.hooks.subscriptions = {"sub-1": True, "sub-2": True, "sub-old": False}
    listener = d.resolutions.subscribe()
    rung: list[str] = []
    d.deliveries_due.connect(lambda: rung.append("ring"))
    resolved = next(e for e in lifecycle("s-9") if e.type == Resolved.event_type)

    async with store.unit() as uow:
        await when_any_event_update_views(resolved, uow, d)
        assert listener.empty() and rung == []  # nothing before the commit
    assert listener.get_nowait()["suggestion_id"] == "s-9" and rung == ["ring"]
    queued = {(x["subscription_id"], x["event_id"]) for x in store.hooks.deliveries.values()}
    assert queued == {("sub-1", resolved.id), ("sub-2", resolved.id)}

    await handle(store, d, resolved)  # redelivered: already in the live views
    assert listener.empty() and rung == ["ring"] and len(store.hooks.deliveries) == 2


async def test_a_resolution_without_subscribers_rings_no_poller() -> None:
    store, d = Store(), deps()
    rung: list[str] = []
    d.deliveries_due.connect(lambda: rung.append("ring"))
    await handle(store, d, *lifecycle("s-9"))
    assert rung == [] and store.hooks.deliveries == {}


async def test_during_a_rebuild_events_reach_both_generations_but_are_announced_once() -> None:
    store, d = Store(), deps()
    store.views.building = 2
    listener = d.resolutions.subscribe()
    await handle(store, d, *lifecycle("s-9"))
    assert store.views.rows[(1, "s-9")] == store.views.rows[(2, "s-9")]
    assert store.views.counters(1) == store.views.counters(2)
    assert listener.qsize() == 1


@dataclass
class FakeHistory:
    events: list[RawEvent]
    fail_after: int | None = None
    skipped: int = 0

    async def batches(self, size: int) -> AsyncGenerator[list[RawEvent], None]:
        for i in range(0, len(self.events), size):
            if self.fail_after is not None and i >= self.fail_after:
                raise ConnectionError("the stream went away")
            yield self.events[i : i + size]


async def test_a_rebuild_replays_the_history_into_a_new_generation_and_swaps() -> None:
    store, d = Store(), deps()
    events = history()
    await handle(store, d, *events[:5])  # the live views saw only some
    report = await rebuild.rebuild(store.unit, FakeHistory(events))
    assert (report.generation, report.previous_generation, report.events) == (2, 1, len(events))
    assert store.views.live == 2 and store.views.building is None
    assert store.views.counters(2) == expected_counters(events)
    assert store.views.counters(1) == Counter()  # the old generation is gone


async def test_a_rebuild_replays_liaison_events_too() -> None:
    store, d = Store(), deps()
    events = history() + liaison_history()
    await handle(store, d, *events[::2])  # the live views saw only some
    await rebuild.rebuild(store.unit, FakeHistory(events))
    assert store.views.liaison_counters(2) == expected_liaison_counters(events)
    assert store.views.liaison_counters(1) == Counter()
    assert {k[1] for k in store.views.liaison_rows} == {2}
    assert store.views.liaison_rows[("station", 2, "ST-420802-09")]["status"] == "ended"


async def test_a_failed_replay_abandons_the_half_built_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rebuild, "BATCH", 10)
    store = Store()
    with pytest.raises(ConnectionError):
        await rebuild.rebuild(store.unit, FakeHistory(history(), fail_after=10))
    assert store.views.live == 1 and store.views.building is None


async def test_a_second_rebuild_while_one_runs_is_refused() -> None:
    store = Store()
    store.views.building = 2
    with pytest.raises(Conflict):
        await rebuild.rebuild(store.unit, FakeHistory(history()))
    assert store.views.building == 2  # the running one is left alone


@dataclass
class FakeSender:
    answers: list[str | None]
    posted: list[tuple[str, str]] = field(default_factory=list)

    async def post(self, url: str, secret: str, event_id: str, body: bytes) -> str | None:
        self.posted.append((url, event_id))
        return self.answers.pop(0)


async def test_a_failing_subscriber_is_retried_with_growing_delays_then_given_up() -> None:
    store = Store()
    store.hooks.subscriptions = {"sub-1": True}
    async with store.unit() as uow:
        await webhooks.enqueue(uow, {"event_id": "e-1"}, NOW)
    clock = SimpleNamespace(now=lambda: NOW)
    sender = FakeSender(["HTTP 503"] * (len(webhooks.BACKOFF_SECONDS) + 1))
    delays = []
    for attempt in range(1, len(webhooks.BACKOFF_SECONDS) + 2):
        assert await webhooks.deliver_due(store.unit, sender, clock) == 0
        row = store.hooks.deliveries[1]
        assert row["attempts"] == attempt and row["claimed_until"] is None
        if row["failed"]:
            break
        delays.append(int((row["next_attempt_at"] - NOW).total_seconds()))
        row["next_attempt_at"] = NOW  # as if the wait were over
    assert delays == list(webhooks.BACKOFF_SECONDS)
    assert row["failed"] and row["last_error"] == "HTTP 503"
    assert await webhooks.deliver_due(store.unit, sender, clock) == 0
    assert len(sender.posted) == len(webhooks.BACKOFF_SECONDS) + 1


async def test_ending_an_unknown_subscription_is_not_found() -> None:
    store = Store()
    async with store.unit() as uow:
        sub = await webhooks.subscribe(
            uow, "https://x.test/h", "0123456789abcdef", NOW, Egress(frozenset({"x.test"}))
        )
        assert "secret" not in sub and sub["events"] == ["resolution"]
        await webhooks.unsubscribe(uow, sub["id"])
        with pytest.raises(NotFound):
            await webhooks.unsubscribe(uow, "sub-nope")
    assert store.hooks.subscriptions == {sub["id"]: False}
