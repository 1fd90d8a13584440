"""The recurring-appeal index in routing's store: band keys, signatures and clusters
(``uow.appeal_index``).

Kept in the database rather than in memory so that memory does not grow with the window,
a restart needs no rebuild, replicas share one index, and a rolled-back transaction leaves
no member behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.platform.driver_sql import insert_many
from minyi.platform.sql_lists import in_list
from minyi.routing.adapters.tables import (
    appeal_clusters,
    appeal_keys,
    formal_assignments,
    suggestions,
)
from minyi.routing.domain.clustering import (
    AppealMatcher,
    BatchMatches,
    Candidate,
    ClusterAssignment,
    Match,
    SignedAppeal,
    StoredCandidate,
    better,
    founded_cluster_id,
)
from minyi.routing.domain.minhash import from_bytes, to_bytes

# A filing as the index signs it: (suggestion id, district code, title, text, filed at).
Filing = tuple[str, str, str, str, datetime]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_HASH_BITS = 20


def member_key(suggestion_id: str, at: datetime) -> int:
    """A suggestion's key in ``appeal_keys``: its filing time in milliseconds, then 20 bits
    of its id's hash. Time first, so that the member index grows at its end and the sweep
    cuts a range. Two suggestions filed in the same millisecond share a key once in a
    million: each is then also a candidate of the other, which only adds a comparison."""
    digest = hashlib.blake2b(suggestion_id.encode("utf-8"), digest_size=4).digest()
    return member_floor(at) | (int.from_bytes(digest, "little") >> (32 - _HASH_BITS))


def member_floor(at: datetime) -> int:
    """The smallest member key of a suggestion filed at ``at`` or later."""
    return ((at - _EPOCH) // _MS) << _HASH_BITS


# Built once, run with parameters: a statement built per placement cost more CPU (its
# construction and cache key) than its execution.
_INSERT_CLUSTER = insert(appeal_clusters)
# The window is checked on the suggestions, not on the band keys: with a range on the
# bands' filing time PostgreSQL chose that index and read every band of the window for
# each new suggestion (25 ms at 190,000 bands, and growing).
_CANDIDATES = select(
    suggestions.c.id, suggestions.c.cluster_id, suggestions.c.signature, suggestions.c.filed_at
).where(
    suggestions.c.appeal_member.in_(
        select(appeal_keys.c.member).where(in_list(appeal_keys.c.band_key, "keys"))
    ),
    suggestions.c.filed_at >= bindparam("since"),
    suggestions.c.signature.is_not(None),
)
# A batch's candidates in two statements: the stored suggestions sharing any of the batch's
# band keys, then those of the window with their signatures (``AppealIndex.ask_ahead``),
# each asked in chunks of this many keys or ids: what is read for a chunk is compared and
# let go before the next (every row of a batch at once held ≈ 30 MB at 100,000 suggestions
# in the window, and what a process took at its peak it kept).
_CHUNK = 4096
_SHARING_KEYS = select(appeal_keys.c.band_key, appeal_keys.c.member).where(
    in_list(appeal_keys.c.band_key, "keys")
)
_SIGNED_AMONG = select(
    suggestions.c.id,
    suggestions.c.cluster_id,
    suggestions.c.signature,
    suggestions.c.filed_at,
    suggestions.c.appeal_member,
).where(
    in_list(suggestions.c.appeal_member, "members"),
    suggestions.c.filed_at >= bindparam("since"),
    suggestions.c.signature.is_not(None),
)
_CLUSTERS_AMONG = select(
    appeal_clusters.c.cluster_id, appeal_clusters.c.size, appeal_clusters.c.representative_title
).where(in_list(appeal_clusters.c.cluster_id, "cids"))
_MARK_INDEXED = (
    update(suggestions)
    .where(suggestions.c.id == bindparam("sid"))
    .values(signature=bindparam("signature"), appeal_member=bindparam("member"))
)
_GROW = (
    update(appeal_clusters)
    .where(appeal_clusters.c.cluster_id == bindparam("cid"))
    .values(size=appeal_clusters.c.size + bindparam("joined"))
)
_JOIN = (
    update(appeal_clusters)
    .where(appeal_clusters.c.cluster_id == bindparam("cid"))
    .values(size=appeal_clusters.c.size + 1)
    .returning(appeal_clusters.c.size, appeal_clusters.c.representative_title)
)


class PendingBands:
    """The band rows and the new clusters of one transaction's placements, written together
    just before it commits (one executemany per table per group commit instead of
    statements per suggestion); a placement later in the same transaction finds the
    earlier ones here, and joins a cluster founded in it here."""

    def __init__(self) -> None:
        self._rows: list[tuple[int, int]] = []
        self._by_key: dict[int, list[Candidate]] = {}
        self._clusters: dict[str, dict[str, Any]] = {}
        # What ``AppealIndex.ask_ahead`` learnt for a batch: its filings' signatures and
        # the best stored match of each (None: none in the store).
        self.signed: dict[str, SignedAppeal] = {}
        self.stored_best: dict[str, Match | None] = {}
        # Their stored clusters (size, title) as read, and the members this transaction
        # adds to each: the sizes grow in one statement at the end, so that the rows are
        # locked (PostgreSQL) from then to the commit only, not for the whole batch.
        self.stored_clusters: dict[str, tuple[int, str]] = {}
        self._joined: dict[str, int] = {}

    def found(self, cluster_id: str, title: str) -> ClusterAssignment:
        self._clusters[cluster_id] = {
            "cluster_id": cluster_id,
            "representative_title": title,
            "size": 1,
        }
        return ClusterAssignment(cluster_id, 1, title, True)

    def join(self, cluster_id: str) -> ClusterAssignment | None:
        """A cluster founded in this transaction, or one read ahead, its size counted; None
        for another. A size read ahead misses what another replica adds meanwhile (its own
        report says more; reporting keeps the largest, and the stored size is exact)."""
        row = self._clusters.get(cluster_id)
        if row is not None:
            row["size"] += 1
            return ClusterAssignment(cluster_id, row["size"], row["representative_title"], False)
        stored = self.stored_clusters.get(cluster_id)
        if stored is None:
            return None
        joined = self._joined[cluster_id] = self._joined.get(cluster_id, 0) + 1
        return ClusterAssignment(cluster_id, stored[0] + joined, stored[1], False)

    def add(self, candidate: Candidate, member: int, band_keys: list[int]) -> None:
        self._rows += [(k, member) for k in band_keys]
        for key in band_keys:
            self._by_key.setdefault(key, []).append(candidate)

    def sharing(self, band_keys: list[int]) -> list[Candidate]:
        found = {c.suggestion_id: c for k in band_keys for c in self._by_key.get(k, ())}
        return list(found.values())

    async def flush(self, session: AsyncSession) -> None:
        if self._clusters:
            await session.execute(_INSERT_CLUSTER, list(self._clusters.values()))
            self._clusters = {}
        if self._rows:
            await _write_keys(session, self._rows)
            self._rows, self._by_key = [], {}
        if self._joined:  # in one order, so that two replicas never wait on each other
            grown = [{"cid": c, "joined": n} for c, n in sorted(self._joined.items())]
            await session.execute(_GROW, grown)
        # From here on, ask the store.
        self.signed, self.stored_best, self.stored_clusters, self._joined = {}, {}, {}, {}


SWEEP_EVERY = timedelta(hours=1)
# Placements before the planner's statistics are first refreshed (then at each doubling).
FIRST_STATISTICS = 1000


@dataclass
class IndexUpkeep:
    """This process's schedule for tidying the stored index (it outlives each transaction)."""

    next_sweep: datetime | None = None  # of band keys that left the window
    placed: int = 0  # suggestions placed by this process
    next_statistics: int = FIRST_STATISTICS


def sweep_horizon(matcher: AppealMatcher, now: datetime) -> datetime:
    # A day's margin: an event delivered late still finds what its own window holds.
    return matcher.window_start(now) - timedelta(days=1)


_KEY_COLUMNS = ("band_key", "member")


async def _write_keys(session: AsyncSession, rows: list[tuple[int, int]]) -> None:
    """Insert (band key, member key) rows in key order: consecutive rows land on the same
    pages of the index (half the insert's CPU at 20,000 suggestions, against rows in
    filing order). Conflicts are skipped: two suggestions sharing a member key
    (``member_key``) may also share a band key."""
    await insert_many(session, appeal_keys, _KEY_COLUMNS, sorted(rows), skip_conflicts=True)


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


class AppealIndex:
    """The index over one transaction. ``pending`` gives the transaction's band rows not yet
    written (the unit of work's ``PendingBands`` batch)."""

    def __init__(self, session: AsyncSession, pending: Callable[[], PendingBands]) -> None:
        self.session = session
        self._pending = pending

    async def place(
        self,
        matcher: AppealMatcher,
        suggestion_id: str,
        district_code: str,
        title: str,
        text: str,
        at: datetime,
    ) -> tuple[ClusterAssignment, bytes, int]:
        """The cluster of a new suggestion (its size counted, its band keys added to the
        pending rows), and the signature and member key the caller stores with the
        suggestion's row."""
        pending = self._pending()
        signed = pending.signed.pop(suggestion_id, None)
        if signed is not None:  # asked ahead with its batch
            stored = pending.stored_best.pop(suggestion_id, None)
        else:
            signed = matcher.sign(district_code, title, text)
            candidates = await self._candidates(signed, matcher.window_start(at))
            stored = matcher.best(signed.signature, candidates, at)
        # The store's best against the best of this transaction's own placements.
        best = better(stored, matcher.best(signed.signature, pending.sharing(signed.band_keys), at))
        assignment = None
        if best is not None:
            assignment = pending.join(best.cluster_id) or await self._join(best.cluster_id)
        if assignment is None:
            assignment = pending.found(founded_cluster_id(suggestion_id), title)
        member = member_key(suggestion_id, at)
        pending.add(
            Candidate(suggestion_id, assignment.cluster_id, signed.signature, at),
            member,
            signed.band_keys,
        )
        return assignment, to_bytes(signed.signature), member

    async def ask_ahead(self, matcher: AppealMatcher, filings: Sequence[Filing]) -> None:
        """Sign a batch's filings and find the best stored match of each, and its cluster,
        in a few statements for ``place`` (one query per filing cost more than the rest of
        its placement). Only stored rows are read: the batch's own placements stay
        pending."""
        unique = list({f[0]: f for f in filings}.values())
        if not unique:
            return
        pending = self._pending()
        signed = [matcher.sign(f[1], f[2], f[3]) for f in unique]
        filings_of_key: dict[int, list[int]] = {}
        for i, s in enumerate(signed):
            for key in s.band_keys:
                filings_of_key.setdefault(key, []).append(i)
        # Stored suggestion (its member key) → the filings it shares a band key with.
        related: dict[int, list[int]] = {}
        keys = sorted(filings_of_key)
        for chunk in _chunks(keys):
            for key, member in await self.session.execute(_SHARING_KEYS, {"keys": chunk}):
                related.setdefault(member, []).extend(filings_of_key[key])
        matches = BatchMatches(matcher, [s.signature for s in signed], [f[4] for f in unique])
        since = min(matcher.window_start(f[4]) for f in unique)
        for chunk in _chunks(sorted(related)):
            rows = (
                await self.session.execute(_SIGNED_AMONG, {"members": chunk, "since": since})
            ).all()
            # (id, cluster, signature, filed at) first: the member key after them is ignored.
            candidates = cast(list[StoredCandidate], rows)
            matches.offer(candidates, [related[r.appeal_member] for r in rows])
        for f, s, best in zip(unique, signed, matches.best, strict=True):
            pending.signed[f[0]] = s
            pending.stored_best[f[0]] = best
        cids = sorted({m.cluster_id for m in matches.best if m} - set(pending.stored_clusters))
        if cids:
            for cid, size, title in await self.session.execute(_CLUSTERS_AMONG, {"cids": cids}):
                pending.stored_clusters[cid] = (size, title)

    async def tidy(self, upkeep: IndexUpkeep, matcher: AppealMatcher, now: datetime) -> None:
        """After a placement: refresh the statistics and sweep the band keys when due."""
        upkeep.placed += 1
        if upkeep.placed >= upkeep.next_statistics:
            await self._refresh_statistics()
            upkeep.next_statistics = min(upkeep.next_statistics * 2, upkeep.placed + 100_000)
        if upkeep.next_sweep is None or now >= upkeep.next_sweep:
            await self._sweep(sweep_horizon(matcher, now))
            upkeep.next_sweep = now + SWEEP_EVERY

    async def prepare(
        self, upkeep: IndexUpkeep, matcher: AppealMatcher, now: datetime
    ) -> tuple[int, int]:
        """At start: index the window's suggestions stored before the index was, or before
        its member keys were (an upgrade), and sweep what left the window. Returns
        (indexed, swept)."""
        indexed = await self._index_older_rows(matcher, matcher.window_start(now))
        swept = await self._sweep(sweep_horizon(matcher, now))
        upkeep.next_sweep = now + SWEEP_EVERY
        return indexed, swept

    async def _candidates(self, signed: SignedAppeal, since: datetime) -> list[Candidate]:
        rows = await self.session.execute(_CANDIDATES, {"keys": signed.band_keys, "since": since})
        return [Candidate(r.id, r.cluster_id, from_bytes(r.signature), r.filed_at) for r in rows]

    async def _join(self, cluster_id: str) -> ClusterAssignment | None:
        row = (await self.session.execute(_JOIN, {"cid": cluster_id})).first()
        if row is None:
            return None
        return ClusterAssignment(cluster_id, row.size, row.representative_title, False)

    async def _refresh_statistics(self) -> None:
        """PostgreSQL only: ANALYZE the band table. A table filled from empty faster than
        autovacuum analyses it has no statistics, and without them the planner scanned
        every band instead of using the key's index (0.08 ms against 25 ms, and growing)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text("ANALYZE appeal_keys"))

    async def _sweep(self, horizon: datetime) -> int:
        """Forget band keys of suggestions filed before ``horizon`` (they can no longer
        match)."""
        result = await self.session.execute(
            delete(appeal_keys).where(appeal_keys.c.member < member_floor(horizon))
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _index_older_rows(self, matcher: AppealMatcher, since: datetime) -> int:
        """Sign and index stored suggestions of the window that have no member key (stored
        before revision 0007, or placed by an earlier release during a rolling update),
        and count the clusters not counted yet; idempotent."""
        session = self.session
        unindexed = (
            select(
                suggestions.c.id, suggestions.c.district_code, suggestions.c.title,
                suggestions.c.content, suggestions.c.filed_at,
            )
            .where(suggestions.c.filed_at >= since, suggestions.c.appeal_member.is_(None))
            # Formal suggestions (代表建议) stay out of the index: no signature, no cluster.
            .where(suggestions.c.id.not_in(select(formal_assignments.c.suggestion_id)))
            .order_by(suggestions.c.filed_at, suggestions.c.id)
            .limit(_CHUNK)
        )  # fmt: skip
        indexed = 0
        # A chunk at a time, each row then leaving the query: memory stays that of a chunk,
        # and the writes are one executemany per table (one statement a row took 1.25 ms
        # a suggestion: 25 s for 20,000 at start).
        while rows := (await session.execute(unindexed)).all():
            marked: list[dict[str, Any]] = []
            keys: list[tuple[int, int]] = []
            for r in rows:
                signed = matcher.sign(r.district_code, r.title, r.content)
                member = member_key(r.id, r.filed_at)
                marked.append(
                    {"sid": r.id, "signature": to_bytes(signed.signature), "member": member}
                )
                keys += [(k, member) for k in signed.band_keys]
            await session.execute(_MARK_INDEXED, marked)
            await _write_keys(session, keys)
            indexed += len(rows)
        known = select(appeal_clusters.c.cluster_id)
        sizes = (
            await session.execute(
                select(suggestions.c.cluster_id, func.count(), func.min(suggestions.c.filed_at))
                .where(suggestions.c.cluster_id.is_not(None))
                .where(suggestions.c.cluster_id.not_in(known))
                .group_by(suggestions.c.cluster_id)
            )
        ).all()
        for cluster_id, size, first_at in sizes:
            title = (
                await session.execute(
                    select(suggestions.c.title)
                    .where(
                        suggestions.c.cluster_id == cluster_id, suggestions.c.filed_at == first_at
                    )
                    .order_by(suggestions.c.id)
                    .limit(1)
                )
            ).scalar_one()
            await session.execute(
                insert(appeal_clusters).values(
                    cluster_id=cluster_id, representative_title=title, size=size
                )
            )
        return indexed
