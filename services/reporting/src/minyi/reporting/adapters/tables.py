"""Reporting's read models, each keyed by a ``generation``.

Live views are one generation; ``minyi reporting rebuild`` fills the next one from the
whole stream while the consumer keeps writing both, then flips ``projection_state`` in one
transaction: readers see the old views or the new ones, never a half-built mix.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from minyi.platform.db import UtcDateTime
from minyi.platform.tables import platform_tables
from minyi.reporting.domain import liaison
from minyi.reporting.domain.projection import MEASURES

metadata = MetaData()
platform_tables(metadata)

projection_state = Table(
    "projection_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("live_generation", Integer, nullable=False),
    # Set while a rebuild fills that generation; the live consumer then writes it too.
    Column("building_generation", Integer, nullable=True),
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("suggestion_id", String(64), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("position", JSON),
    Column("title", String(200)),
    Column("district_code", String(20)),
    Column("channel", String(30)),
    Column("kind", String(40)),
    Column("station_id", String(64)),
    Column("representative_id", String(64)),
    Column("urgent", Boolean),
    Column("unit_id", String(64)),
    Column("unit_name", String(100)),
    Column("category", String(40)),
    Column("focus_area", String(40)),
    Column("attempt", Integer),
    Column("explanation", JSON),
    Column("outcome", String(2)),
    Column("reply", Text),
    Column("round", Integer),
    Column("on_time", Boolean),
    Column("first_reply_on_time", Boolean),
    Column("accepted_on_time", Boolean),
    Column("close_result", String(20)),
    # The ratings citizens gave (``projection.ratings_of``): how many, how many satisfied,
    # and the first round's (satisfied / unsatisfied), for the lists behind the rates.
    Column("ratings", Integer),
    Column("ratings_satisfied", Integer),
    Column("first_rating", String(20)),
    Column("feedback", JSON),
    Column("escalation_level", Integer),
    Column("supervision_group", String(64)),
    Column("supervision_group_name", String(100)),
    Column("cluster_id", String(64)),
    Column("triage", Boolean),
    Column("overdue_round", Integer),
    Column("overdue_open", Boolean),
    Column("reopen_count", Integer),
    Column("reminder_count", Integer),
    Column("endorsement_count", Integer),
    Column("marks", JSON),
    Column("ranks", JSON),
    Column("filed_at", UtcDateTime()),
    Column("assigned_at", UtcDateTime()),
    Column("accepted_at", UtcDateTime()),
    Column("replied_at", UtcDateTime()),
    Column("first_replied_at", UtcDateTime()),
    Column("reply_by", UtcDateTime()),
    Column("closed_at", UtcDateTime()),
    # A deputy's formal suggestion (代表建议, ``domain/formal.py``): its yearly number, the
    # year the report files it under, and what its events add (signers, co-units, ratings
    # by signer and round, the B delivery, topics…). Null for every other item.
    Column("formal_number", String(20)),
    Column("formal_year", Integer),
    Column("formal", JSON),
    # Issue 19: the township the filing named (the map's drill-down), and whether the citizen
    # agreed, when filing, that the text may be shown in public.
    Column("township", String(60)),
    Column("publish_consent", Boolean),
    Index("ix_suggestions_overdue", "generation", "overdue_open", "reply_by"),
    # A cluster's newest members (the recurring view's sample titles) straight off the index.
    Index("ix_suggestions_cluster_filed", "generation", "cluster_id", "filed_at", "suggestion_id"),
    Index("ix_suggestions_replied", "generation", "replied_at"),
    # A year's formal suggestions (the report and its handling table) as one index range.
    Index("ix_suggestions_formal_year", "generation", "formal_year", "formal_number"),
)

events = Table(
    "events",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("suggestion_id", String(64), nullable=False),
    Column("type", String(100), nullable=False),
    Column("step", String(30), nullable=False),
    Column("time", UtcDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("summary", JSON, nullable=False),
    Index("ix_events_suggestion", "generation", "suggestion_id"),
)

counts = Table(
    "counts",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("dimension", String(20), primary_key=True),
    # The period before the key: a query reads one dimension's months (or weeks, or days)
    # as one index range, without stepping over the rows of the other granularities.
    Column("period", String(12), primary_key=True),
    Column("key", String(300), primary_key=True),
    *(Column(m, Integer, nullable=False, server_default="0") for m in MEASURES),
    # SQLite: rows stored in the primary key's order (no rowid), so a range of periods and
    # keys is read in sequence instead of one table lookup per row (3-10× faster reads).
    sqlite_with_rowid=False,
)

activities = Table(
    "activities",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("representative_id", String(64), primary_key=True),
    Column("activity_kind", String(40), primary_key=True),
    Column("period", String(12), primary_key=True),
    Column("n", Integer, nullable=False, server_default="0"),
)

clusters = Table(
    "clusters",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("cluster_id", String(64), primary_key=True),
    Column("size", Integer, nullable=False, server_default="0"),
    Column("representative_title", String(200)),
    Column("district_code", String(20)),
    Column("rank", JSON),
)

names = Table(
    "names",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
)

# ---- liaison: reception days, their counters, and the registry replica ------------------

liaison_receptions = Table(
    "liaison_receptions",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("reception_id", String(64), primary_key=True),
    Column("station_id", String(64)),
    Column("status", String(20)),
    Column("district_codes", JSON),
    Column("deputy_ids", JSON),
    Column("capacity", Integer),
    Column("booked", Integer),
    # {booking_id: {"made": "confirmed"|"waitlisted", "promoted": true, "cancelled": true}}
    Column("bookings", JSON),
    # {matter_id: [outcome, district_code, deputy_id]}
    Column("matters", JSON),
    Column("starts_at", UtcDateTime()),
    Column("ends_at", UtcDateTime()),
    Column("scheduled_at", UtcDateTime()),
    Column("held_at", UtcDateTime()),
    Column("cancelled_at", UtcDateTime()),
)

liaison_counts = Table(
    "liaison_counts",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("dimension", String(20), primary_key=True),
    Column("period", String(12), primary_key=True),
    Column("key", String(200), primary_key=True),
    *(Column(m, Integer, nullable=False, server_default="0") for m in liaison.MEASURES),
    sqlite_with_rowid=False,  # as ``counts``: ranges read in key order
)


def _replica(name: str, key: str, *own: Column[object]) -> Table:
    """A registry replica: a record's own fields from its newest version, and its status
    from the newest version that spoke of it (``domain/liaison.py``)."""
    return Table(
        name,
        metadata,
        Column("generation", Integer, primary_key=True),
        Column(key, String(64), primary_key=True),
        *own,
        Column("status", String(20)),
        Column("record_version", Integer, nullable=False, server_default="0"),
        Column("status_version", Integer, nullable=False, server_default="0"),
    )


liaison_stations = _replica(
    "liaison_stations",
    "station_id",
    Column("name", String(200)),
    Column("kind", String(30)),
    Column("division_codes", JSON),
    # Where it is, when the registry knows (the map's points).
    Column("latitude", Float),
    Column("longitude", Float),
)
liaison_deputies = _replica(
    "liaison_deputies",
    "deputy_id",
    Column("name", String(100)),
    Column("level", String(20)),
    Column("division_code", String(20)),
    Column("station_ids", JSON),
)

# ---- deputies' duties (issue 17): officials' visits, policy scores, published quarters -----

liaison_visits = Table(
    "liaison_visits",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("visit_id", String(64), primary_key=True),
    Column("station_id", String(64)),
    Column("unit_id", String(64)),
    Column("unit_name", String(100)),
    Column("status", String(20)),
    Column("district_codes", JSON),
    Column("deputy_ids", JSON),  # deputies present (the held event's)
    Column("citizens", Integer),
    Column("answered", Integer),
    Column("pending", Integer),
    Column("commitments", Integer),
    Column("starts_at", UtcDateTime()),
    Column("held_at", UtcDateTime()),
    Column("cancelled_at", UtcDateTime()),
    # The visits held in a quarter or a year: one index range.
    Index("ix_liaison_visits_held", "generation", "held_at"),
)


def _score(name: str, period: Column[object], *own: Column[object]) -> Table:
    """A deputy's score (``domain/deputies.py``): per year, or per published quarter."""
    return Table(
        name,
        metadata,
        Column("generation", Integer, primary_key=True),
        Column("deputy_id", String(64), primary_key=True),
        period,
        Column("score", Float),
        Column("band", String(40)),
        Column("band_label", String(40)),
        Column("lines", JSON),
        Column("policy_version", String(40)),
        *own,
        Column("rank", JSON),
    )


deputy_scores = _score(
    "deputy_scores",
    Column("year", Integer, primary_key=True),
    Column("version", Integer),
    Column("scored_at", UtcDateTime()),
)
deputy_snapshots = _score(
    "deputy_snapshots",
    Column("quarter", String(7), primary_key=True),
    Column("published_at", UtcDateTime()),
)

# ---- projects in public (issue 19): the ledger, published appeals, support counts ---------

projects = Table(
    "projects",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("project_id", String(64), primary_key=True),
    Column("name", String(200)),
    Column("focus_area", String(40)),
    Column("status", String(20)),
    Column("percent", Integer),
    Column("division_codes", JSON),
    # The whole folded record (``domain/projects.py``): milestones, progress, inspections,
    # ratings, acceptance and the timeline.
    Column("record", JSON),
    Index("ix_projects_focus", "generation", "focus_area"),
)

public_appeals = Table(
    "public_appeals",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("cluster_id", String(64), primary_key=True),
    Column("title", String(200)),
    Column("summary", Text),
    Column("division_codes", JSON),
    Column("focus_area", String(40)),
    Column("public", Boolean),
    Column("version", Integer),
    Column("published_at", UtcDateTime()),
    Column("rank", JSON),
    Index("ix_public_appeals_public", "generation", "public"),
)

supports = Table(
    "supports",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("target_kind", String(20), primary_key=True),
    Column("target_id", String(64), primary_key=True),
    Column("n", Integer, nullable=False, server_default="0"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("url", String(1000), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", String(64), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("claimed_until", UtcDateTime(), nullable=True),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("failed", Boolean, nullable=False, server_default="0"),
    Column("last_error", String(500)),
    UniqueConstraint("subscription_id", "event_id", name="uq_deliveries_subscription_event"),
    Index("ix_deliveries_due", "delivered_at", "failed", "next_attempt_at"),
)

GENERATIONAL = (
    suggestions,
    events,
    counts,
    activities,
    clusters,
    names,
    liaison_receptions,
    liaison_counts,
    liaison_stations,
    liaison_deputies,
    liaison_visits,
    deputy_scores,
    deputy_snapshots,
    projects,
    public_appeals,
    supports,
)
