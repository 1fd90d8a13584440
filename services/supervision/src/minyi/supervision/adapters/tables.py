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
    # What the unit reads in its list: a visit's commitment or question, a formal
    # suggestion's title, a citizen appeal's when routing sent it.
    Column("title", Text, nullable=True),
    # A formal suggestion's yearly number; a delivery item's suggestion; the two queues of
    # the office and the supervision groups (the truth stays in ``state``).
    Column("number", String(20), nullable=True),
    Column("delivery_of", String(64), nullable=True),
    Column("awaiting_review", Boolean, nullable=False, server_default=false()),
    Column("extension_pending", Boolean, nullable=False, server_default=false()),
    Index("ix_cases_next_due_at", "next_due_at"),
    Index("ix_cases_unit_status", "unit_id", "status"),
)

# A formal suggestion's co-handling units (协办), so a unit's list finds the cases it
# co-handles; their views live in the case's ``state``.
case_co_units = Table(
    "case_co_units",
    metadata,
    Column("case_id", String(80), primary_key=True),
    Column("unit_id", String(64), primary_key=True),
    Column("suggestion_id", String(64), nullable=False),
    Column("views_by", UtcDateTime(), nullable=False),
    Index("ix_case_co_units_unit_id", "unit_id"),
)

# Key topics (重点督办专题) and the formal suggestions linked to them.
topics = Table(
    "topics",
    metadata,
    Column("topic_id", String(40), primary_key=True),
    Column("title", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("lead_id", String(64), nullable=False),
    Column("lead_name", String(200), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
)

topic_links = Table(
    "topic_links",
    metadata,
    Column("topic_id", String(40), primary_key=True),
    Column("suggestion_id", String(64), primary_key=True),
    Column("linked_at", UtcDateTime(), nullable=False),
)

# What the office may make a topic of: recurring-appeal clusters (routing's
# ``SuggestionClustered``, ``source`` "cluster", ``ref`` the cluster) and appeals deputies
# endorsed (intake's ``SuggestionEndorsed``, "endorsed", ``ref`` the suggestion).
topic_candidates = Table(
    "topic_candidates",
    metadata,
    Column("source", String(20), primary_key=True),
    Column("ref", String(80), primary_key=True),
    Column("title", Text, nullable=True),
    Column("district", String(20), nullable=True),
    Column("size", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # Citizens' support (附议) of the published appeal of a cluster: counts in the ranking.
    Column("supports", Integer, nullable=False, server_default=text("0")),
    Index("ix_topic_candidates_size", "size"),
)

# Improvement projects (改善项目): the whole project as JSON beside the columns that lists
# and the sweep need (the truth stays in ``state``).
projects = Table(
    "projects",
    metadata,
    Column("project_id", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("focus_area", String(40), nullable=False),
    Column("lead_unit_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    # When the colour (or the acceptance) may next change by itself: the sweep's index.
    Column("next_check_at", UtcDateTime(), nullable=True, index=True),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("state", JSON, nullable=False),
)

# Evidence files of progress reports; the bytes live on disk under the data dir, named by
# ``file_id`` only (never by the client's name).
project_evidence = Table(
    "project_evidence",
    metadata,
    Column("file_id", String(40), primary_key=True),
    Column("project_id", String(40), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("media_type", String(120), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("stored_at", UtcDateTime(), nullable=False),
)

# Recurring-appeal clusters the office published under its own title (only these titles
# and the counts are ever public).
published_appeals = Table(
    "published_appeals",
    metadata,
    Column("cluster_id", String(80), primary_key=True),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("division_codes", JSON, nullable=False),
    Column("focus_area", String(40), nullable=True),
    Column("public", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
)

# Citizens' support (附议) as intake published it, once per support id.
supports = Table(
    "supports",
    metadata,
    Column("support_id", String(80), primary_key=True),
    Column("target_kind", String(20), nullable=False),
    Column("target_id", String(80), nullable=False),
    Column("supported_at", UtcDateTime(), nullable=False),
    Index("ix_supports_target", "target_kind", "target_id"),
)
