"""Routing's own store."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from minyi.platform.db import UtcDateTime
from minyi.platform.tables import platform_tables

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
    # Recurring-appeal cluster, and the MinHash signature that placed it there (128 x
    # uint32; null for rows older than the index).
    Column("cluster_id", String(80), nullable=True, index=True),
    Column("signature", LargeBinary, nullable=True),
    # Its key in ``appeal_keys`` (``appeal_index.member_key``; null outside the index).
    Column("appeal_member", BigInteger, nullable=True, index=True),
)

# The recurring-appeal index: one row per LSH band of each suggestion in the window, the
# suggestion named by its member key (filing time in ms, then 20 bits of its id's hash;
# ``appeal_index.member_key``). Band keys are random by nature, so each commit's rows
# land all over the table: 16-byte rows, instead of ≈ 60 with the id and the time, make
# the table a third as large and each commit dirty fewer of its pages. The member index
# grows at its end, and the sweep cuts its start. Without a rowid on SQLite: the primary
# key is the table.
appeal_keys = Table(
    "appeal_keys",
    metadata,
    Column("band_key", BigInteger, primary_key=True),
    Column("member", BigInteger, primary_key=True),
    Index("ix_appeal_keys_member", "member"),
    sqlite_with_rowid=False,
)

# The index's rows before revision 0007, keyed by suggestion id and filing time; no longer
# written or read (a routing of an earlier release still writes it during a rolling
# update), dropped by the next release.
appeal_bands = Table(
    "appeal_bands",
    metadata,
    Column("band_key", BigInteger, primary_key=True),
    Column("suggestion_id", String(64), primary_key=True),
    Column("filed_at", UtcDateTime(), nullable=False, index=True),
)

appeal_clusters = Table(
    "appeal_clusters",
    metadata,
    Column("cluster_id", String(80), primary_key=True),
    Column("representative_title", String(200), nullable=False),
    Column("size", Integer, nullable=False),  # members ever, not only those in the window
)

assignments = Table(
    "assignments",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    # The current assignment attempt (or, in triage, the one the person's choice opens).
    Column("attempt", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # assigned | triage | closed
    Column("unit_id", String(64), nullable=True),
    Column("category", String(40), nullable=False),
    Column("focus_area", String(40), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("returned_by", JSON, nullable=False),  # unit ids that said "not ours"
    Column("decided_at", UtcDateTime(), nullable=False),
    Column("triage_reason", String(20), nullable=True),
    Column("candidates", JSON, nullable=True),  # what the triage queue offers
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("file_name", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    # The model's bytes too: a replica without the file (another host) restores it.
    Column("content", LargeBinary, nullable=False),
    Column("trained_rows", Integer, nullable=False),
    Column("source", String(400), nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

training_examples = Table(
    "training_examples",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("suggestion_id", String(64), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("category", String(40), nullable=False),
    Column("unit_id", String(64), nullable=True),
    Column("source", String(20), nullable=False),  # manual
    Column("created_at", UtcDateTime(), nullable=False),
)

# The 交办 queue of deputies' formal suggestions: what routing proposes, what the congress
# office confirmed, and the formal details the assignment will carry (kept here until it
# is confirmed: routing never reads intake's store).
formal_assignments = Table(
    "formal_assignments",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("number", String(20), nullable=False),
    Column("lead_deputy_id", String(64), nullable=False),
    Column("signer_ids", JSON, nullable=False),  # lead deputy first
    Column("formal", JSON, nullable=False),  # FormalDetails as filed
    Column("status", String(20), nullable=False, index=True),  # waiting | assigned
    # The attempt the office's confirmation opens (or opened).
    Column("attempt", Integer, nullable=False),
    Column("proposal", JSON, nullable=False),  # lead, co-units, summary
    # Each confirmation and the unit's return of it, oldest first.
    Column("history", JSON, nullable=False),
    Column("waiting_since", UtcDateTime(), nullable=False),
)
