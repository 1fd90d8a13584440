"""Recurring-appeal detection: near-duplicate suggestions of one district share a cluster.

Each suggestion becomes a MinHash signature over character shingles of its title. LSH
band keys (scoped by district) find candidates without scanning: a candidate shares at
least one band with the new suggestion. The most similar candidate filed within
``window_days`` before it whose estimated Jaccard similarity reaches the threshold lends
its cluster; otherwise the suggestion founds one. An old appeal thus stops attracting new
members once its last member leaves the window.

``AppealMatcher`` holds the rules and no state: routing's handler keeps band keys,
signatures and clusters in its database (so memory does not grow with the window and
replicas share one index). ``RecurringAppealIndex`` is the same algorithm over
dictionaries, for the clustering benchmark and as the reference the store is tested
against.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from minyi.routing.domain.minhash import (
    MinHasher,
    Signature,
    band_keys,
    bands_for,
    jaccard,
    signatures_of,
    similarities,
)

_NOISE = re.compile(r"[\s\W_]+")  # punctuation and spaces carry no similarity signal


@dataclass(frozen=True)
class ClusterAssignment:
    cluster_id: str
    size: int
    representative_title: str
    is_new_cluster: bool


@dataclass(frozen=True)
class Candidate:
    """A suggestion sharing a band with the new one."""

    suggestion_id: str
    cluster_id: str
    signature: Signature
    at: datetime


@dataclass(frozen=True)
class Match:
    """A candidate at or above the threshold, and how similar it is."""

    similarity: float
    suggestion_id: str
    cluster_id: str


def better(a: Match | None, b: Match | None) -> Match | None:
    """The more similar of two matches; of equally similar ones the smaller suggestion id,
    so the answer depends neither on the order candidates come in nor on where they were
    found (the store, the batch in hand)."""
    if a is None or b is None:
        return a or b
    if a.similarity != b.similarity:
        return a if a.similarity > b.similarity else b
    return a if a.suggestion_id <= b.suggestion_id else b


@dataclass(frozen=True)
class SignedAppeal:
    signature: Signature
    band_keys: list[int]


def shingles(text: str, k: int) -> set[str]:
    clean = _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())
    if len(clean) <= k:
        return {clean} if clean else set()
    return {clean[i : i + k] for i in range(len(clean) - k + 1)}


def founded_cluster_id(suggestion_id: str) -> str:
    return f"rc-{suggestion_id}"


class AppealMatcher:
    def __init__(
        self,
        threshold: float = 0.2,
        num_perm: int = 128,
        window_days: int = 90,
        shingle_size: int = 2,
        text_chars: int = 0,
        seed: int = 1,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if window_days <= 0 or num_perm < 16 or shingle_size < 1:
            raise ValueError("window_days > 0, num_perm >= 16 and shingle_size >= 1 required")
        self.threshold = threshold
        self.window = timedelta(days=window_days)
        self.shingle_size = shingle_size
        # Titles carry the appeal; bodies tell it in different words and dilute the Jaccard
        # similarity (measured on hot issues), so by default only the title is signed.
        self.text_chars = text_chars
        self._hasher = MinHasher(num_perm, seed)
        self._bands, self._rows = bands_for(threshold, num_perm)

    def sign(self, district_code: str, title: str, text: str) -> SignedAppeal:
        if not title.strip():
            signed = text[: max(self.text_chars, 60)]
        elif self.text_chars:
            signed = f"{title}\n{text[: self.text_chars]}"
        else:
            signed = title
        items = [s.encode("utf-8") for s in shingles(signed, self.shingle_size)]
        signature = self._hasher.signature(items)
        return SignedAppeal(signature, band_keys(signature, district_code, self._bands, self._rows))

    def window_start(self, at: datetime) -> datetime:
        return at - self.window

    def best(
        self, signature: Signature, candidates: Iterable[Candidate], at: datetime
    ) -> Match | None:
        """The most similar candidate in the window at or above the threshold (``better``
        breaks ties)."""
        since = self.window_start(at)
        best: Match | None = None
        for c in candidates:
            if c.at < since:  # a late arrival may be older than the window
                continue
            sim = jaccard(signature, c.signature)
            if sim >= self.threshold:
                best = better(best, Match(sim, c.suggestion_id, c.cluster_id))
        return best


# A stored candidate as read: (suggestion id, cluster id, signature bytes, filed at).
StoredCandidate = tuple[str, str, bytes, datetime]


class BatchMatches:
    """The best stored match of each filing of a batch, over candidates offered in chunks.

    What ``best`` does for one filing, for many at once: each chunk's (filing, candidate)
    pairs are compared in one array operation, and only each filing's best is kept, so
    neither the candidates' signatures nor objects for them outlive their chunk (a batch of
    500 filings shares band keys with ≈ 25,000 stored suggestions once 100,000 are in the
    window)."""

    def __init__(
        self, matcher: AppealMatcher, signatures: Sequence[Signature], ats: Sequence[datetime]
    ) -> None:
        self._threshold = matcher.threshold
        self._signatures = np.stack(signatures) if signatures else None
        self._since = [matcher.window_start(at) for at in ats]
        self.best: list[Match | None] = [None] * len(ats)

    def offer(
        self, candidates: Sequence[StoredCandidate], filings: Sequence[Iterable[int]]
    ) -> None:
        """``candidates[j]`` shares a band key with the filings ``filings[j]`` (indices)."""
        pairs_f: list[int] = []
        pairs_c: list[int] = []
        for j, (candidate, of) in enumerate(zip(candidates, filings, strict=True)):
            at = candidate[3]
            for i in set(of):
                if at >= self._since[i]:  # a late arrival may be older than the window
                    pairs_f.append(i)
                    pairs_c.append(j)
        if not pairs_f or self._signatures is None:
            return
        stored = signatures_of([c[2] for c in candidates], self._signatures.shape[1])
        sims = similarities(self._signatures[pairs_f], stored[pairs_c])
        for k in np.flatnonzero(sims >= self._threshold).tolist():
            i, c = pairs_f[k], candidates[pairs_c[k]]
            self.best[i] = better(self.best[i], Match(float(sims[k]), c[0], c[1]))


@dataclass
class _Cluster:
    cluster_id: str
    representative_title: str
    size: int = 0


class RecurringAppealIndex:
    """The matcher over in-memory band tables, forgetting members that left the window."""

    def __init__(self, **settings: float | int) -> None:
        self.matcher = AppealMatcher(**settings)  # type: ignore[arg-type]
        self._buckets: defaultdict[int, set[str]] = defaultdict(set)
        self._members: dict[str, tuple[Candidate, list[int]]] = {}
        self._arrivals: deque[str] = deque()
        self._clusters: dict[str, _Cluster] = {}

    def add(
        self, suggestion_id: str, district_code: str, text: str, title: str, at: datetime
    ) -> ClusterAssignment:
        if (known := self._members.get(suggestion_id)) is not None:
            c = self._clusters[known[0].cluster_id]  # a redelivery: the same answer
            return ClusterAssignment(c.cluster_id, c.size, c.representative_title, False)
        self._expire(self.matcher.window_start(at))
        signed = self.matcher.sign(district_code, title, text)
        ids = set().union(*(self._buckets.get(k, ()) for k in signed.band_keys))
        best = self.matcher.best(signed.signature, (self._members[i][0] for i in ids), at)
        if best is None:
            cluster = _Cluster(founded_cluster_id(suggestion_id), title)
            self._clusters[cluster.cluster_id] = cluster
        else:
            cluster = self._clusters[best.cluster_id]
        cluster.size += 1
        member = Candidate(suggestion_id, cluster.cluster_id, signed.signature, at)
        self._members[suggestion_id] = (member, signed.band_keys)
        self._arrivals.append(suggestion_id)
        for key in signed.band_keys:
            self._buckets[key].add(suggestion_id)
        return ClusterAssignment(
            cluster.cluster_id, cluster.size, cluster.representative_title, best is None
        )

    def cluster_of(self, suggestion_id: str) -> str | None:
        """The cluster of a live member (None once it has left the window)."""
        member = self._members.get(suggestion_id)
        return member[0].cluster_id if member else None

    def __len__(self) -> int:
        return len(self._members)

    def _expire(self, horizon: datetime) -> None:
        # Arrival order is time order for a live stream; a late, older item leaves a little
        # later than it could (``best`` skips it meanwhile).
        while self._arrivals and self._members[self._arrivals[0]][0].at < horizon:
            member, keys = self._members.pop(self._arrivals.popleft())
            for key in keys:
                self._buckets[key].discard(member.suggestion_id)
                if not self._buckets[key]:
                    del self._buckets[key]
