"""The platform's own tables (outbox, inbox, audit log, dead letters), added to each
service's metadata by ``platform_tables``."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, LargeBinary, MetaData, String, Table

from minyi.platform.db import UtcDateTime

AUDIT_TABLE = "audit_log"


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        # Trace propagation headers captured when the row was written (docs/NATS.md, trap 7).
        Column("headers", JSON, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        # Lease for relays on databases without SKIP LOCKED (SQLite): a relay owns a row
        # until ``claimed_until``.
        Column("claimed_until", UtcDateTime(), nullable=True),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("event_id", String(64), primary_key=True),
        Column("consumer", String(100), primary_key=True),
        Column("handled_at", UtcDateTime(), nullable=False),
    )


def dead_letters_table(metadata: MetaData) -> Table:
    """Events a consumer gave up on after its last delivery, with the error, for operators
    (``minyi dlq list`` / ``minyi dlq replay``). The event itself stays in the stream."""
    return Table(
        "dead_letters",
        metadata,
        Column("event_id", String(64), primary_key=True),
        Column("consumer", String(100), primary_key=True),
        Column("subject", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("stream_seq", Integer, nullable=True),
        Column("deliveries", Integer, nullable=False),
        Column("error", String(2000), nullable=False),
        Column("failed_at", UtcDateTime(), nullable=False),
        Column("replayed_at", UtcDateTime(), nullable=True),
    )


def audit_table(metadata: MetaData) -> Table:
    return Table(
        AUDIT_TABLE,
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime(), nullable=False, index=True),
        Column("subject", String(200), nullable=False, index=True),
        Column("role", String(30), nullable=False),
        Column("method", String(10), nullable=False),
        Column("path", String(500), nullable=False),
        Column("status", Integer, nullable=False),
        Column("client_ip", String(64), nullable=True),
    )


def platform_tables(metadata: MetaData) -> None:
    """Add the outbox, inbox, audit log and dead-letter tables to a service's metadata."""
    outbox_table(metadata)
    inbox_table(metadata)
    audit_table(metadata)
    dead_letters_table(metadata)
