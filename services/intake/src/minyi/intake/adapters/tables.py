"""Intake's own store. Contact data is only ever stored encrypted."""

from __future__ import annotations

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
    UniqueConstraint,
    false,
)

from minyi.platform.db import UtcDateTime
from minyi.platform.tables import platform_tables

metadata = MetaData()
platform_tables(metadata)

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", String(64), primary_key=True),
    # The normalised code (17 symbols), or NULL for a matter liaison referred: liaison chose
    # that code and sent only its SHA-256 (minyi.contracts.liaison), kept in the next column.
    Column("tracking_code", String(40), unique=True),
    Column("tracking_code_sha256", String(64)),
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
    # The reply round last answered (Resolved.round): feedback is taken once per round.
    Column("reply_round", Integer),
    # The round the status belongs to: a reopened case starts a new round.
    Column("status_round", Integer),
    Column("category_hint", String(50)),
    Column("history", JSON, nullable=False),
    # The citizen agreed, when filing, that the text may be shown in public (default no).
    Column("publish_consent", Boolean, nullable=False, server_default=false()),
    Index("ix_suggestions_dedupe", "citizen_ref", "fingerprint", "created_at"),
    Index("ix_suggestions_tracking_code_sha256", "tracking_code_sha256", unique=True),
)

# Idempotency-Key → the response first given, stored in the transaction that filed it.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One rating per reply round: the primary key refuses a second one.
feedback = Table(
    "feedback",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("satisfied", Boolean, nullable=False),
    Column("score", Integer),
    Column("comment", Text),
    Column("channel", String(30), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

endorsements = Table(
    "endorsements",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("representative_id", String(64), primary_key=True),
    Column("mode", String(20), primary_key=True),
    Column("note", Text),
    Column("endorsed_at", UtcDateTime(), nullable=False),
)

# Representatives' duties as intake logged them before they moved to liaison (issue 17).
# Nothing reads or writes it any more; it stays for one release so that pods of the
# previous release keep working during a rolling update (expand/contract, docs/OPERATIONS.md)
# and is dropped by the next release's migration. Its history is in the event stream
# (``RepresentativeActivityLogged``), which reporting keeps reading.
activities = Table(
    "activities",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("representative_id", String(64), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("station_id", String(64)),
    Column("date", Date, nullable=False),
    Column("participants", Integer, nullable=False),
    Column("notes", Text),
    Column("logged_at", UtcDateTime(), nullable=False),
)

# Citizen notifications waiting for delivery (an outbox for the SMS gateway). An answer's
# notice does not copy the phone: the dispatcher decrypts it from ``suggestions`` at the
# moment it sends. A one-time code for support (附议) belongs to no suggestion: its phone is
# kept sealed here (``phone_enc``).
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("suggestion_id", String(64)),
    Column("phone_enc", Text),
    Column("kind", String(30), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Column("failed", Boolean, nullable=False, default=False),
    Column("last_error", String(200)),
    Index("ix_notifications_due", "sent_at", "failed", "next_attempt_at"),
)

# Chat: a conversation waiting for the citizen to name the district, keyed by a blind
# index of the chat user id (the platform's id is personal data too).
conversations = Table(
    "conversations",
    metadata,
    Column("user_ref", String(64), primary_key=True),
    Column("state", String(30), nullable=False),
    Column("pending_text", Text),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Chat messages already answered: a replayed message_id gets the same reply again.
chat_messages = Table(
    "chat_messages",
    metadata,
    Column("message_id", String(200), primary_key=True),
    Column("reply", JSON, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

# Intake's replica of liaison's registry (minyi.contracts.liaison): the deputies and
# stations a filing, an endorsement or a duty may name, and the citizen page's 找代表.
# Kept from Registered / Updated / Ended events: the highest ``version`` wins, whatever the
# order of arrival; an Ended event before any other leaves a row with only its status.
registry_deputies = Table(
    "registry_deputies",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("level", String(20), nullable=False),
    # The electoral unit; "" for the whole division (or township): indexable, no NULLs.
    Column("division_code", String(20), nullable=False),
    Column("township", String(50), nullable=False),
    Column("community", String(50), nullable=False),
    Column("status", String(10), nullable=False),
    Column("sector", String(50)),
    Column("occupation", String(100)),
    Column("version", Integer, nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    Index("ix_registry_deputies_unit", "division_code", "township", "community"),
)

registry_stations = Table(
    "registry_stations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("division_codes", JSON, nullable=False),
    Column("townships", JSON, nullable=False),
    Column("address", String(200)),
    Column("opening_hours", String(100)),
    Column("phone", String(30)),
    Column("status", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)

# The places each station serves ("" = the whole division or township), for lookups.
registry_station_areas = Table(
    "registry_station_areas",
    metadata,
    Column("station_id", String(64), primary_key=True),
    Column("division_code", String(20), primary_key=True),
    Column("township", String(50), primary_key=True),
    Column("community", String(50), primary_key=True),
    Index("ix_registry_station_areas_place", "division_code", "township", "community"),
)

# Deputies' formal suggestions (代表建议): the draft and, once submitted, its number; the
# row's id is the suggestion's id in ``suggestions`` once filed (kind
# ``representative_suggestion``), where the citizen-facing status is kept as for any other.
formal_suggestions = Table(
    "formal_suggestions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("lead_deputy_id", String(64), nullable=False),
    Column("title", String(100), nullable=False),
    Column("content", Text, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("measures", Text, nullable=False),
    Column("session", String(20), nullable=False),
    Column("publishable", Boolean, nullable=False),
    Column("district_code", String(20), nullable=False),
    Column("converted_from", String(64)),
    Column("state", String(10), nullable=False),  # draft / submitted
    Column("number", String(20), unique=True),  # YYYY-NNNN once submitted
    Column("created_at", UtcDateTime(), nullable=False),
    Column("submitted_at", UtcDateTime()),
)

# Its signers: the lead (role ``lead``) and the co-signers (联名, ``co``) with their answer.
formal_signers = Table(
    "formal_signers",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("deputy_id", String(64), primary_key=True),
    Column("role", String(10), nullable=False),
    Column("state", String(10), nullable=False),  # pending / confirmed / declined
    Column("answered_at", UtcDateTime()),
    Index("ix_formal_signers_deputy", "deputy_id"),
)

# The yearly sequence: one row per year, incremented in the transaction that submits, so
# numbers are unique and without gaps (a rolled-back submit gives its number back).
formal_numbers = Table(
    "formal_numbers",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)

# Every answer round of a formal suggestion (supervision's Resolved), for every signer.
formal_answers = Table(
    "formal_answers",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("round", Integer, primary_key=True, autoincrement=False),
    Column("unit_id", String(64), nullable=False),
    Column("outcome", String(2), nullable=False),
    Column("reply", Text, nullable=False),
    Column("measures", Text),
    Column("reason", Text),
    Column("delivery_by", Date),
    Column("replied_at", UtcDateTime(), nullable=False),
)

# The signers' ratings (征询意见表): one per signer per answer round (the primary key).
formal_ratings = Table(
    "formal_ratings",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("round", Integer, primary_key=True, autoincrement=False),
    Column("deputy_id", String(64), primary_key=True),
    Column("contact", String(20), nullable=False),
    Column("attitude", String(20), nullable=False),
    Column("result", String(20), nullable=False),
    Column("comment", Text),
    Column("rated_at", UtcDateTime(), nullable=False),
)


# Citizens' support (附议) and public acceptance ratings (docs/SECURITY.md, "Citizens'
# support"). A person is the keyed blind index of a phone checked by a one-time code: no
# phone, no code and no session token is stored in the clear.

# What may be supported or rated: intake's replica of supervision's public appeals and
# projects (minyi.contracts.projects); the newest ``version`` of a record wins.
support_targets = Table(
    "support_targets",
    metadata,
    Column("kind", String(10), primary_key=True),  # appeal / project
    Column("id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("public", Boolean, nullable=False),
    Column("acceptance_by", String(20)),
    Column("completed", Boolean, nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)

# One-time codes: the keyed digest of the code with the phone's blind index.
support_codes = Table(
    "support_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("citizen_ref", String(64), nullable=False),
    Column("code_digest", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("tries", Integer, nullable=False),
    Column("used", Boolean, nullable=False),
    Index("ix_support_codes_citizen", "citizen_ref", "created_at"),
)

# Supporter sessions: the SHA-256 of the random token handed to the page.
supporter_sessions = Table(
    "supporter_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("citizen_ref", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)

# One support per person and target (the unique constraint refuses a second).
supports = Table(
    "supports",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("citizen_ref", String(64), nullable=False),
    Column("target_kind", String(10), nullable=False),
    Column("target_id", String(64), nullable=False),
    Column("supported_at", UtcDateTime(), nullable=False),
    UniqueConstraint("citizen_ref", "target_kind", "target_id", name="uq_supports_once"),
    Index("ix_supports_target", "target_kind", "target_id"),
)

# One public acceptance rating per person and project (the primary key).
public_ratings = Table(
    "public_ratings",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("citizen_ref", String(64), primary_key=True),
    Column("rating", String(20), nullable=False),
    Column("rated_at", UtcDateTime(), nullable=False),
)
