"""Revoked bearer tokens: a JetStream key-value bucket every service watches.

``minyi token revoke`` writes one key per revoked token id (``jti.<jti>``) or subject
(``sub.<base64url(subject)>``: a subject may hold characters a key may not); the value says
when it was revoked. The bucket keeps each entry for ``BUCKET_TTL`` — longer than any token
lives (``MAX_TOKEN_SECONDS`` plus the leeway), so an entry expires only once every token it
names has. A subject's revocation refuses the tokens issued before it (``iat`` up to that
second); tokens issued later are accepted again.

Every service declares the bucket when it connects (``consuming.connect``) and follows it
with an ordered push consumer (idle heartbeats: a consumer lost with a NATS restart is
recreated from the last sequence seen), so a revocation reaches each process as a message,
well within the two seconds issue 20 asks for. The set lives in memory (``Revocations``);
``verify`` reads it without I/O.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

log = logging.getLogger(__name__)

BUCKET = "MINYI_REVOKED"
BUCKET_STREAM = f"KV_{BUCKET}"
BUCKET_SUBJECTS = f"$KV.{BUCKET}.>"
# The longest a token may live: ``minyi token issue`` refuses more (cli/token.py); an
# identity provider's access tokens live minutes to hours.
MAX_TOKEN_SECONDS = 30 * 86400
BUCKET_TTL = timedelta(seconds=MAX_TOKEN_SECONDS + 86400)
# Missing two of these makes nats-py recreate the ordered consumer (a NATS restart).
HEARTBEAT_SECONDS = 2.0

Kind = Literal["jti", "subject"]


@dataclass(frozen=True)
class Revocation:
    """One revoked token id or subject, as stored in the bucket."""

    kind: Kind
    value: str
    revoked_at: float
    by: str = ""
    reason: str = ""

    @property
    def key(self) -> str:
        return key_for(self.kind, self.value)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "kind": self.kind,
                "value": self.value,
                "revoked_at": self.revoked_at,
                "by": self.by,
                "reason": self.reason,
            },
            ensure_ascii=False,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Revocation:
        raw: dict[str, Any] = json.loads(data)
        kind = raw["kind"]
        if kind not in ("jti", "subject"):
            raise ValueError(f"unknown revocation kind {kind!r}")
        return cls(
            kind=kind,
            value=str(raw["value"]),
            revoked_at=float(raw["revoked_at"]),
            by=str(raw.get("by", "")),
            reason=str(raw.get("reason", "")),
        )


def key_for(kind: Kind, value: str) -> str:
    if kind == "jti":
        # Token ids are uuid hex (ours) or the provider's; keep them key-safe either way.
        if value and all(c.isalnum() or c in "-_" for c in value) and value.isascii():
            return f"jti.{value}"
        return "jti.b64." + _b64(value)
    return "sub." + _b64(value)


def _b64(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


@dataclass
class Revocations:
    """The revoked token ids and subjects this process knows of (from the bucket)."""

    tokens: dict[str, Revocation] = field(default_factory=dict)
    subjects: dict[str, Revocation] = field(default_factory=dict)
    # True once the bucket is followed (a service that could not says so in its log).
    watching: bool = False

    def apply(self, revocation: Revocation) -> None:
        target = self.tokens if revocation.kind == "jti" else self.subjects
        target[revocation.value] = revocation
        self.prune(revocation.revoked_at)

    def prune(self, now: float) -> None:
        """Drop what the bucket has expired (the server sends no marker for it): every
        token such an entry named has expired too."""
        horizon = now - BUCKET_TTL.total_seconds()
        for target in (self.tokens, self.subjects):
            for value in [v for v, r in target.items() if r.revoked_at < horizon]:
                del target[value]

    def forget(self, key: str) -> None:
        """An entry deleted or expired in the bucket."""
        for target in (self.tokens, self.subjects):
            for value, revocation in list(target.items()):
                if revocation.key == key:
                    del target[value]

    def revoked(self, token_id: str | None, subject: str, issued_at: float | None) -> bool:
        if token_id is not None and token_id in self.tokens:
            return True
        by_subject = self.subjects.get(subject)
        if by_subject is None:
            return False
        # A token without ``iat`` cannot show it came after the revocation.
        return issued_at is None or int(issued_at) <= int(by_subject.revoked_at)

    def all(self) -> list[Revocation]:
        return sorted([*self.tokens.values(), *self.subjects.values()], key=lambda r: r.revoked_at)


def entry_removed(headers: dict[str, str] | None) -> bool:
    """A KV delete or purge, or the server's marker for an entry that expired (2.11+)."""
    if not headers:
        return False
    if headers.get("KV-Operation") in ("DEL", "PURGE"):
        return True
    return headers.get("Nats-Marker-Reason") in ("MaxAge", "Purge", "Remove")


def bucket_config(replicas: int = 1) -> Any:
    from nats.js.api import KeyValueConfig, StorageType

    return KeyValueConfig(
        bucket=BUCKET,
        description="Revoked Minyi bearer tokens (minyi token revoke)",
        history=1,
        ttl=BUCKET_TTL.total_seconds(),
        storage=StorageType.FILE,
        replicas=replicas,
    )


async def open_bucket(js: Any, replicas: int = 1) -> Any:
    """The bucket, declared if it does not exist yet (identically by every service and by
    ``minyi token``; an existing bucket is used as it is)."""
    from nats.js.errors import BucketNotFoundError

    try:
        return await js.key_value(BUCKET)
    except BucketNotFoundError:
        return await js.create_key_value(bucket_config(replicas))


async def follow(js: Any, revocations: Revocations, *, sync_seconds: float = 10.0) -> Any:
    """Subscribe to the bucket: each entry (the current ones first) updates ``revocations``.
    Returns once the entries stored before it are applied (so a service that says it is
    ready already refuses what was revoked before it started); the subscription lives as
    long as the connection."""
    from nats.js.api import DeliverPolicy

    prefix = f"$KV.{BUCKET}."
    state = (await js.stream_info(BUCKET_STREAM)).state
    # The newest message is always delivered (it is the last of its key), whatever expired.
    target = state.last_seq if state.messages else 0
    synced = asyncio.Event()
    if target == 0:
        synced.set()

    async def on_entry(msg: Any) -> None:
        key = msg.subject[len(prefix) :]
        try:
            if entry_removed(msg.headers):
                revocations.forget(key)
            else:
                revocations.apply(Revocation.from_json(msg.data))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring a malformed revocation %s: %r", key, exc)
        finally:
            if msg.metadata.sequence.stream >= target:
                synced.set()

    subscription = await js.subscribe(
        BUCKET_SUBJECTS,
        stream=BUCKET_STREAM,
        cb=on_entry,
        ordered_consumer=True,
        idle_heartbeat=HEARTBEAT_SECONDS,
        deliver_policy=DeliverPolicy.LAST_PER_SUBJECT,
    )
    try:
        await asyncio.wait_for(synced.wait(), sync_seconds)
    except TimeoutError:
        log.warning("revoked tokens: the stored entries were not all read within %ss", sync_seconds)
    revocations.watching = True
    return subscription


async def revoke(js: Any, revocation: Revocation, replicas: int = 1) -> None:
    bucket = await open_bucket(js, replicas)
    await bucket.put(revocation.key, revocation.to_json())


async def current(js: Any, replicas: int = 1) -> list[Revocation]:
    """What the bucket holds now (``minyi token list-revoked``)."""
    from nats.js.errors import KeyDeletedError, KeyNotFoundError, NoKeysError

    bucket = await open_bucket(js, replicas)
    try:
        keys: Iterable[str] = await bucket.keys()
    except NoKeysError:
        return []
    found = Revocations()
    for key in keys:
        try:
            entry = await bucket.get(key)
        except (KeyNotFoundError, KeyDeletedError):  # deleted or expired meanwhile
            continue
        if entry.value:
            found.apply(Revocation.from_json(entry.value))
    return found.all()


def now() -> float:
    """Revocation times use the wall clock, as token times do (never the simulation clock)."""
    return time.time()
