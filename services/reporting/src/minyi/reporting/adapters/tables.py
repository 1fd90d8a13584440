"""Reporting's read models."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table

from minyi.platform.db import UtcDateTime
from minyi.platform.service import platform_tables

metadata = MetaData()
platform_tables(metadata)

suggestion_view = Table(
    "suggestion_view",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("status_rank", Integer, nullable=False),
    Column("title", String(200)),
    Column("district_code", String(20)),
    Column("channel", String(30)),
    Column("kind", String(40)),
    Column("station_id", String(64)),
    Column("urgent", Boolean),
    Column("unit_id", String(64)),
    Column("unit_name", String(100)),
    Column("category", String(40)),
    Column("focus_area", String(40)),
    Column("attempt", Integer),
    Column("outcome", String(2)),
    Column("on_time", Boolean),
    Column("filed_at", UtcDateTime()),
    Column("assigned_at", UtcDateTime()),
    Column("resolved_at", UtcDateTime()),
    Index("ix_suggestion_view_status", "status"),
    Index("ix_suggestion_view_district", "district_code"),
)

timeline = Table(
    "timeline",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("suggestion_id", String(64), nullable=False, index=True),
    Column("type", String(100), nullable=False),
    Column("time", UtcDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("summary", JSON, nullable=False),
)
