"""Intake's own store. Contact data is only ever stored encrypted."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
)

from minyi.platform.db import UtcDateTime
from minyi.platform.service import platform_tables

metadata = MetaData()
platform_tables(metadata)

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tracking_code", String(40), nullable=False, unique=True),
    Column("title", String(100), nullable=False),
    Column("content", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("district_code", String(20), nullable=False),
    Column("township", String(50)),
    Column("address", String(200)),
    Column("lat", Float),
    Column("lon", Float),
    Column("station_id", String(64)),
    Column("representative_id", String(64)),
    Column("urgent", Boolean, nullable=False),
    # Keyed blind index of the phone: links one citizen's appeals without the number.
    Column("citizen_ref", String(64), index=True),
    Column("name_enc", Text),  # Fernet tokens
    Column("phone_enc", Text),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # The citizen-facing status, kept from lifecycle events.
    Column("status", String(20), nullable=False),
    Column("unit_name", String(100)),
    Column("outcome", String(2)),
    Column("reply", Text),
    Column("replied_at", UtcDateTime()),
    Column("history", JSON, nullable=False),
    Index("ix_suggestions_dedupe", "citizen_ref", "fingerprint", "created_at"),
)
