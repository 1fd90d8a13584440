"""Liaison's own store: the registry (deputies, stations and the places they serve),
reception days, bookings (contact encrypted), notices to citizens, and matters raised."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from minyi.platform.db import UtcDateTime
from minyi.platform.tables import platform_tables

metadata = MetaData()
platform_tables(metadata)

deputies = Table(
    "deputies",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("level", String(20), nullable=False),
    Column("division_code", String(20), nullable=False),
    # "" when the electoral unit is the whole division (or township): indexable, no NULLs.
    Column("township", String(50), nullable=False),
    Column("community", String(50), nullable=False),
    Column("station_ids", JSON, nullable=False),
    Column("term_start", Date, nullable=True),
    Column("term_end", Date, nullable=True),
    Column("status", String(10), nullable=False),
    Column("sector", String(50), nullable=True),
    Column("occupation", String(100), nullable=True),
    Column("photo_url", String(500), nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_deputies_unit", "division_code", "township", "community"),
)

# Which deputies belong to which station (a station's public page lists them).
deputy_stations = Table(
    "deputy_stations",
    metadata,
    Column("station_id", String(64), primary_key=True),
    Column("deputy_id", String(64), primary_key=True),
)

stations = Table(
    "stations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("division_codes", JSON, nullable=False),
    Column("townships", JSON, nullable=False),
    Column("communities", JSON, nullable=False),
    Column("address", String(200), nullable=True),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("opening_hours", String(100), nullable=True),
    Column("phone", String(30), nullable=True),
    Column("status", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# The most precise places each station serves ("" = the whole division or township).
station_areas = Table(
    "station_areas",
    metadata,
    Column("station_id", String(64), primary_key=True),
    Column("division_code", String(20), primary_key=True),
    Column("township", String(50), primary_key=True),
    Column("community", String(50), primary_key=True),
    Index("ix_station_areas_place", "division_code", "township", "community"),
)

receptions = Table(
    "receptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("station_id", String(64), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("ends_at", UtcDateTime(), nullable=False),
    Column("place", String(200), nullable=False),
    Column("deputy_ids", JSON, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("topic", String(200), nullable=True),
    Column("status", String(10), nullable=False),
    Column("scheduled_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),  # held or cancelled
    Column("cancel_reason", String(500), nullable=True),
    Index("ix_receptions_station_start", "station_id", "starts_at"),
    Index("ix_receptions_start", "starts_at"),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", String(36), primary_key=True),
    # Normalised (prefix and symbols, no separators).
    Column("code", String(20), nullable=False, unique=True),
    Column("reception_id", String(36), nullable=False),
    Column("status", String(12), nullable=False),  # confirmed, waitlisted, cancelled
    # Waitlist order: the booking's arrival (a counter per reception).
    Column("seq", Integer, nullable=False),
    # Name and phone, Fernet-encrypted by the PII vault; never stored in clear.
    Column("contact", Text, nullable=False),
    Column("citizen_ref", String(64), nullable=False),
    Column("made_at", UtcDateTime(), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    Index("ix_bookings_reception", "reception_id", "status", "seq"),
    Index("ix_bookings_citizen", "reception_id", "citizen_ref"),
)

# Messages owed to citizens (the reminder the day before, a place freed up, a cancelled
# reception, a referred matter's tracking code), sent by the notice poller.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("booking_id", String(36), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("message", String(500), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Index("ix_notices_due", "sent_at", "due_at"),
)

matters = Table(
    "matters",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reception_id", String(36), nullable=False, index=True),
    Column("station_id", String(64), nullable=False),
    Column("booking_id", String(36), nullable=True),
    Column("deputy_id", String(64), nullable=True),
    Column("title", String(100), nullable=False),
    Column("content", Text, nullable=False),
    Column("outcome", String(10), nullable=False),  # answered, referred
    Column("answer", Text, nullable=True),
    # For a referred matter: the suggestion it becomes and the citizen's tracking code.
    Column("suggestion_id", String(36), nullable=True),
    Column("tracking_code", String(40), nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=False),
)


# Officials' visits (局长进站) -------------------------------------------------------------

visits = Table(
    "visits",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("station_id", String(64), nullable=False),
    Column("official_name", String(50), nullable=False),
    Column("official_post", String(100), nullable=False),
    Column("unit_id", String(64), nullable=False),
    Column("unit_name", String(100), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("ends_at", UtcDateTime(), nullable=False),
    Column("place", String(200), nullable=True),
    Column("theme", String(200), nullable=False),
    Column("status", String(10), nullable=False),  # planned, held, cancelled
    Column("planned_at", UtcDateTime(), nullable=False),
    Column("planned_by", String(200), nullable=False),
    Column("deputy_ids", JSON, nullable=False),  # present, once held
    Column("citizens", Integer, nullable=True),  # present, once held
    Column("closed_at", UtcDateTime(), nullable=True),  # held or cancelled
    Column("cancel_reason", String(500), nullable=True),
    Index("ix_visits_station_start", "station_id", "starts_at"),
    Index("ix_visits_start", "starts_at"),
)


def _answer_columns() -> list[Column[Any]]:
    """What a follow-up case's answer leaves (supervision's ``Resolved``), and when it was
    marked overdue: the same for a promise and a question owed a written answer."""
    return [
        Column("reply", Text, nullable=True),
        Column("outcome", String(1), nullable=True),
        Column("replied_at", UtcDateTime(), nullable=True),
        Column("on_time", Boolean, nullable=True),
        Column("reply_round", Integer, nullable=True),
        Column("overdue_at", UtcDateTime(), nullable=True),
    ]


# Questions submitted before a visit: public only once staff publish them. No name or
# contact of the asker is kept; a deputy's id at most.
visit_questions = Table(
    "visit_questions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("asked_by", String(10), nullable=False),  # deputy, citizen
    Column("deputy_id", String(64), nullable=True),
    Column("text", Text, nullable=False),
    Column("status", String(10), nullable=False),  # submitted, published, rejected
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("moderated_at", UtcDateTime(), nullable=True),
    Column("moderated_by", String(200), nullable=True),
    Column("reject_reason", String(500), nullable=True),
    Column("answer", Text, nullable=True),  # on the spot
    Column("written_required_at", UtcDateTime(), nullable=True),
    # The unit's written answer (supervision's Resolved for the question's case).
    *_answer_columns(),
)

# Promises made at a visit (承诺事项); the unit's answer is the promise kept.
commitments = Table(
    "commitments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("unit_id", String(64), nullable=False),
    Column("unit_name", String(100), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("made_at", UtcDateTime(), nullable=False),
    *_answer_columns(),  # the unit's answer: the promise kept
)

# -- Deputies' activities, the performance file and its evaluation ------------------------

# Duties recorded by a deputy or station staff (履职登记); each is also an entry of the
# deputy's file (``file_entries``), through the ``ActivityRecorded`` it emits.
activities = Table(
    "activities",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("deputy_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(100), nullable=False),
    Column("on_day", Date, nullable=False),
    Column("hours", Float, nullable=True),
    Column("participants", Integer, nullable=False),
    Column("station_id", String(64), nullable=True),
    Column("district_code", String(20), nullable=True),
    Column("recorded_by", String(20), nullable=False),  # deputy, station_staff, office
    Column("recorded_by_subject", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Index("ix_activities_deputy_on", "deputy_id", "on_day"),
)

# The performance file (履职档案): one row per (event, deputy); ``id`` is derived from
# both, so a redelivered event inserts nothing. ``ref`` is what later events name the
# entry by (a suggestion's or a commitment's id): its index makes a ``Resolved`` about
# anything else one look-up that finds nothing.
file_entries = Table(
    "file_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("deputy_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("on_day", Date, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("state", String(20), nullable=False),
    Column("hours", Float, nullable=True),
    Column("round", Integer, nullable=False),
    Column("details", JSON, nullable=False),
    Column("struck", Boolean, nullable=False),
    Index("ix_file_entries_deputy_year", "deputy_id", "year"),
    Index("ix_file_entries_ref", "ref"),
)

# A deputy's current score per year; ``version`` grows with every change (DeputyScored).
deputy_scores = Table(
    "deputy_scores",
    metadata,
    Column("deputy_id", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("score", Float, nullable=False),
    Column("band", String(20), nullable=False),
    Column("lines", JSON, nullable=False),
    Column("policy_version", String(50), nullable=False),
    Column("version", Integer, nullable=False),
    Column("scored_at", UtcDateTime(), nullable=False),
)

# Quarterly snapshots: inserted once per (deputy, quarter), never updated.
performance_snapshots = Table(
    "performance_snapshots",
    metadata,
    Column("deputy_id", String(64), primary_key=True),
    Column("quarter", String(7), primary_key=True),  # "2026-Q4"
    Column("score", Float, nullable=False),
    Column("band", String(20), nullable=False),
    Column("band_label", String(20), nullable=False),
    Column("lines", JSON, nullable=False),
    Column("policy_version", String(50), nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
    Index("ix_performance_snapshots_quarter", "quarter"),
)

# A deputy's dispute of one entry and the office's decision; it stays on the record.
disputes = Table(
    "disputes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("entry_id", String(36), nullable=False),
    Column("deputy_id", String(64), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("status", String(10), nullable=False),  # open, accepted, rejected
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decision_reason", String(500), nullable=True),
    Index("ix_disputes_entry", "entry_id"),
    Index("ix_disputes_status", "status", "opened_at"),
    Index("ix_disputes_deputy", "deputy_id"),
)
