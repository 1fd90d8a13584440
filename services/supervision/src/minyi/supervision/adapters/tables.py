"""Supervision's own store: one row per case; the whole case as JSON beside the columns
that queries and the deadline sweep need."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
)

from minyi.platform.db import UtcDateTime
from minyi.platform.tables import platform_tables

metadata = MetaData()
platform_tables(metadata)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(80), primary_key=True),
    Column("suggestion_id", String(64), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("unit_id", String(64), nullable=False, index=True),
    Column("district", String(20), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("category", String(40), nullable=True),
    Column("status", String(20), nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("reply_by", UtcDateTime(), nullable=False),
    Column("next_due_at", UtcDateTime(), nullable=True),
    Column("version", Integer, nullable=False),
    Column("state", JSON, nullable=False),
    # For the workbench and supervisors' lists (the truth stays in ``state``).
    Column("escalation_level", Integer, nullable=False, server_default=text("0")),
    Column("key_case", Boolean, nullable=False, server_default=false()),
    Column("needs_review", Boolean, nullable=False, server_default=false()),
    Column("round", Integer, nullable=False, server_default=text("1")),
    # A visit's commitment or question text; null for suggestions (their text is not here).
    Column("title", Text, nullable=True),
    Index("ix_cases_next_due_at", "next_due_at"),
    Index("ix_cases_unit_status", "unit_id", "status"),
)
