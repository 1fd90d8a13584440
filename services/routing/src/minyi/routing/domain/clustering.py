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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from minyi.routing.domain.minhash import MinHasher, Signature, band_keys, bands_for, jaccard

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
    ) -> Candidate | None:
        """The most similar candidate in the window at or above the threshold; ties go to
        the smallest suggestion id, so the answer does not depend on the store's order."""
        since = self.window_start(at)
        best: Candidate | None = None
        best_sim = self.threshold
        for c in sorted(candidates, key=lambda c: c.suggestion_id):
            if c.at < since:  # a late arrival may be older than the window
                continue
            sim = jaccard(signature, c.signature)
            if sim > best_sim or (best is None and sim >= best_sim):
                best, best_sim = c, sim
        return best


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
