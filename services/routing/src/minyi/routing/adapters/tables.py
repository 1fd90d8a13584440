"""Routing's own store."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Integer, MetaData, String, Table, Text

from minyi.platform.db import UtcDateTime
from minyi.platform.service import platform_tables

metadata = MetaData()
platform_tables(metadata)

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("district_code", String(20), nullable=False),
    Column("urgent", Boolean, nullable=False, default=False),
    Column("filed_at", UtcDateTime(), nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("attempt", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # assigned | triage
    Column("unit_id", String(64), nullable=True),
    Column("category", String(40), nullable=False),
    Column("focus_area", String(40), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("returned_by", JSON, nullable=False),  # unit ids that said "not ours"
    Column("decided_at", UtcDateTime(), nullable=False),
)
