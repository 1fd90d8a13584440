"""Liaison's own store: the registry (deputies, stations and the places they serve),
reception days, bookings (contact encrypted), notices to citizens, and matters raised."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
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
