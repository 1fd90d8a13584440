"""Reporting's one reaction: fold every event into the views, then tell live subscribers."""

from __future__ import annotations

from collections.abc import Callable

from minyi.contracts.envelope import RawEvent
from minyi.contracts.supervision import Resolved
from minyi.reporting.adapters.store import ViewStore
from minyi.reporting.adapters.unit_of_work import ReportingUnitOfWork
from minyi.reporting.dependencies import ReportingDeps
from minyi.reporting.domain import deputies, liaison, projection, projects
from minyi.reporting.domain.events import resolution_message, step_of, suggestion_of
from minyi.reporting.domain.periods import periods_of
from minyi.reporting.service_layer import webhooks


async def when_any_event_update_views(
    event: RawEvent, uow: ReportingUnitOfWork, deps: ReportingDeps
) -> None:
    """Add the event to the timeline and fold it into the views of every kept generation;
    a resolution new to the live views goes to webhooks and live listeners."""
    views = uow.views
    generations = await views.generations()
    new_in_live = False
    for generation in generations:
        first = await project(views, generation, event)
        new_in_live = new_in_live or (first and generation == generations[0])
    if new_in_live and projects.is_public_change(event):
        # The public ledger's pages hear only that something changed (no data).
        uow.after_commit(lambda: deps.public_changes.publish({"event_id": event.id}))
    if not new_in_live or event.type != Resolved.event_type:
        return
    # A promise kept at a unit (a commitment, a visit question's written answer, a project's
    # milestone) is not a people's suggestion answered: subscribers and the dashboard's 最新办结
    # never hear of it.
    sid = suggestion_of(event)
    if projects.milestone_item(sid) is not None:
        return
    if (await views.view(generations[0], sid)).get("kind") in projection.FOLLOW_UPS:
        return
    message = resolution_message(event)
    if await webhooks.enqueue(uow, message, uow.runtime.clock.now()):
        uow.after_commit(deps.deliveries_due.ring)
    # Live subscribers hear of the resolution only once it is committed (a rolled-back
    # transaction will be redelivered and announced then).
    uow.after_commit(lambda: deps.resolutions.publish(message))


async def project(views: ViewStore, generation: int, event: RawEvent) -> bool:
    """Fold ``event`` into ``generation``; False if that generation already had it. View
    rows and counters are written when the transaction's batch is flushed (before the
    commit)."""
    if not await views.add_to_timeline(generation, projection.timeline_entry(event)):
        return False
    step = step_of(event.type)
    if step == "activity":
        found = projection.activity_of(event)
        if found is not None:
            rep, kind, when = found
            await views.count_activity(generation, rep, kind, periods_of(when))
        return True
    if step == "clustered" and event.data.get("cluster_id"):
        cid = str(event.data["cluster_id"])
        cluster = await views.cluster(generation, cid)
        await views.save_cluster(generation, cid, projection.apply_cluster(cluster, event))
    if step is None:
        if not await project_public(views, generation, event):
            await project_liaison(views, generation, event)
        return True
    if step == "topic_opened":
        # A key topic (重点督办专题): the formal report names it by its title.
        d = event.data
        if d.get("topic_id") and d.get("title"):
            views.name(generation, "topic", str(d["topic_id"]), str(d["title"])[:200])
        return True
    sid = suggestion_of(event)
    if (item := projects.milestone_item(sid)) is not None:
        # A project's milestone: followed like a commitment, shown on the project's timeline.
        await _fold(views, generation, sid, event, projection.apply_milestone)
        pid, mid = item
        record = await views.project(generation, pid)
        await views.save_project(
            generation, pid, projects.apply_milestone_item(record, mid, step, event)
        )
        return True
    await _fold(views, generation, sid, event, projection.apply)
    if step == "delivery_promised" and event.data.get("delivery_id"):
        # The promise is also the delivery item's own view (followed like a commitment).
        delivery_id = str(event.data["delivery_id"])
        await _fold(views, generation, delivery_id, event, projection.apply_delivery)
    for kind, ident, name in projection.names_in(event):
        views.name(generation, kind, ident, name)
    return True


async def _fold(
    views: ViewStore,
    generation: int,
    sid: str,
    event: RawEvent,
    fold: Callable[[projection.View, RawEvent], projection.View],
) -> None:
    # A filing's view is most likely not there yet (its other events come after it). What
    # the view's change adds to the counters is reckoned when the batch is written.
    old = await views.view(generation, sid, new=step_of(event.type) == "filed")
    views.replace(generation, sid, fold(old, event))


async def project_public(views: ViewStore, generation: int, event: RawEvent) -> bool:
    """Fold a project event, a published appeal or a support (issue 19); False for any
    other event."""
    d = event.data
    if event.type in projects.PROJECT_EVENTS:
        pid = str(d.get("project_id") or event.subject)
        record = await views.project(generation, pid)
        await views.save_project(generation, pid, projects.apply_project(record, event))
    elif event.type == projects.APPEAL_PUBLISHED:
        cid = str(d.get("cluster_id") or event.subject)
        appeal = await views.public_appeal(generation, cid)
        new = projects.apply_appeal(appeal, event)
        if new is not appeal:
            await views.save_public_appeal(generation, cid, new)
    elif event.type == projects.SUPPORT_ADDED:
        if d.get("target_kind") in ("appeal", "project") and d.get("target_id"):
            await views.add_support(generation, str(d["target_kind"]), str(d["target_id"]))
    else:
        return False
    return True


async def project_liaison(views: ViewStore, generation: int, event: RawEvent) -> None:
    """Fold a liaison event (any other is left alone) into a reception's view and its
    counters, the registry replica, a visit's view, or a deputy's score."""
    if (reception := liaison.parse(event, liaison.RECEPTION_EVENTS)) is not None:
        rid = reception.reception_id
        old = await views.liaison_row("reception", generation, rid)
        new = liaison.apply_reception(old, reception)
        views.add_liaison_counts(
            generation, projection.delta(liaison.contributions(old), liaison.contributions(new))
        )
        views.replace_liaison_row("reception", generation, rid, new)
    elif (station := liaison.parse(event, liaison.STATION_EVENTS)) is not None:
        row = await views.liaison_row("station", generation, station.station_id)
        views.replace_liaison_row(
            "station", generation, station.station_id, liaison.apply_station(row, station)
        )
    elif (deputy := liaison.parse(event, liaison.DEPUTY_EVENTS)) is not None:
        row = await views.liaison_row("deputy", generation, deputy.deputy_id)
        views.replace_liaison_row(
            "deputy", generation, deputy.deputy_id, liaison.apply_deputy(row, deputy)
        )
    elif (visit := liaison.parse(event, deputies.VISIT_EVENTS)) is not None:
        row = await views.liaison_row("visit", generation, visit.visit_id)
        views.replace_liaison_row(
            "visit", generation, visit.visit_id, deputies.apply_visit(row, visit)
        )
    elif (scored := liaison.parse(event, deputies.SCORE_EVENTS)) is not None:
        row = await views.score("year", generation, scored.deputy_id, scored.year)
        new = deputies.apply_score(row, scored)
        if new is not row:
            await views.save_score("year", generation, scored.deputy_id, scored.year, new)
    elif (snapshot := liaison.parse(event, deputies.SNAPSHOT_EVENTS)) is not None and (
        deputies.is_quarter(snapshot.quarter)
    ):
        quarter = snapshot.quarter
        row = await views.score("quarter", generation, snapshot.deputy_id, quarter)
        new = deputies.apply_snapshot(row, snapshot)
        if new is not row:
            await views.save_score("quarter", generation, snapshot.deputy_id, quarter, new)
