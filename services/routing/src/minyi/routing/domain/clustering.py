"""Recurring-appeal detection: near-duplicate suggestions of one district share a cluster.

Each suggestion becomes a MinHash signature over character shingles of its title; a MinHash
LSH index per district finds candidates in sub-linear time, and the most similar live
candidate whose estimated Jaccard similarity reaches the threshold lends its cluster. Only
items within ``window_days`` of the newest item of their district stay in the index, so an
old appeal stops attracting new members and memory stays bounded by one window's volume.

Assignment is deterministic given the order of ``add`` calls, so the service can rebuild
the index at start-up either by re-adding stored rows in time order (``rebuild``) or, to
keep cluster ids of long-running clusters, from a ``snapshot`` of the live members.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from datasketch import MinHash, MinHashLSH

_NOISE = re.compile(r"[\s\W_]+")  # punctuation and spaces carry no similarity signal


@dataclass(frozen=True)
class ClusterAssignment:
    cluster_id: str
    size: int
    representative_title: str
    is_new_cluster: bool


@dataclass(frozen=True)
class StoredAppeal:
    """What the service persists per suggestion to rebuild the index."""

    suggestion_id: str
    district_code: str
    text: str
    title: str
    at: datetime


@dataclass(frozen=True)
class ClusterState:
    cluster_id: str
    representative_title: str
    size: int


@dataclass(frozen=True)
class IndexSnapshot:
    """Live members (with their cluster) and the clusters they belong to."""

    members: list[tuple[StoredAppeal, str]]
    clusters: list[ClusterState]


@dataclass
class _Cluster:
    cluster_id: str
    representative_title: str
    size: int = 0
    live: int = 0  # members still in the window; the cluster is forgotten at zero


@dataclass
class _District:
    lsh: MinHashLSH
    live: deque[str] = field(default_factory=deque)  # ids in arrival order
    newest: datetime | None = None


@dataclass
class _Member:
    row: StoredAppeal
    cluster_id: str
    signature: MinHash


def shingles(text: str, k: int) -> set[str]:
    clean = _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())
    if len(clean) <= k:
        return {clean} if clean else set()
    return {clean[i : i + k] for i in range(len(clean) - k + 1)}


class RecurringAppealIndex:
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
        self.num_perm = num_perm
        self.window = timedelta(days=window_days)
        self.shingle_size = shingle_size
        # Titles carry the appeal; bodies tell it in different words and dilute the Jaccard
        # similarity (measured on hot issues), so by default only the title is signed.
        self.text_chars = text_chars
        self.seed = seed
        self._districts: dict[str, _District] = {}
        self._permutations: tuple[Any, Any] | None = None
        self._members: dict[str, _Member] = {}  # live items only
        self._clusters: dict[str, _Cluster] = {}  # clusters with a live member

    # --- public API -----------------------------------------------------------------
    def add(
        self, suggestion_id: str, district_code: str, text: str, title: str, at: datetime
    ) -> ClusterAssignment:
        if (known := self._members.get(suggestion_id)) is not None:
            # A redelivered event: the same answer, nothing changes.
            c = self._clusters[known.cluster_id]
            return ClusterAssignment(c.cluster_id, c.size, c.representative_title, False)
        district = self._district(district_code)
        self._expire(district, at)
        signature = self._signature(title, text)
        best = self._best_match(district, signature, at - self.window)
        if best is None:
            cluster = _Cluster(cluster_id=f"rc-{suggestion_id}", representative_title=title)
            self._clusters[cluster.cluster_id] = cluster
        else:
            cluster = self._clusters[best.cluster_id]
        cluster.size += 1
        # Only what the signature reads stays in memory (a body can be 5,000 characters).
        row = StoredAppeal(suggestion_id, district_code, text[: self._signed_chars], title, at)
        self._insert(district, _Member(row, cluster.cluster_id, signature))
        return ClusterAssignment(
            cluster.cluster_id, cluster.size, cluster.representative_title, best is None
        )

    def cluster_of(self, suggestion_id: str) -> str | None:
        """The cluster of a live member (None once it has left the window)."""
        member = self._members.get(suggestion_id)
        return member.cluster_id if member else None

    def cluster_sizes(self) -> dict[str, int]:
        return {cid: c.size for cid, c in self._clusters.items()}

    def __len__(self) -> int:
        return len(self._members)

    def snapshot(self) -> IndexSnapshot:
        members = [(m.row, m.cluster_id) for m in self._members.values()]
        clusters = [
            ClusterState(c.cluster_id, c.representative_title, c.size)
            for c in self._clusters.values()
        ]
        return IndexSnapshot(members, clusters)

    @classmethod
    def restore(cls, snapshot: IndexSnapshot, **settings: float | int) -> RecurringAppealIndex:
        """Rebuild from a snapshot, keeping cluster ids and sizes of long-lived clusters."""
        index = cls(**settings)  # type: ignore[arg-type]
        for state in snapshot.clusters:
            index._clusters[state.cluster_id] = _Cluster(
                state.cluster_id, state.representative_title, state.size
            )
        for row, cluster_id in sorted(
            snapshot.members, key=lambda m: (m[0].at, m[0].suggestion_id)
        ):
            if cluster_id not in index._clusters:
                raise ValueError(f"snapshot member {row.suggestion_id} names unknown {cluster_id}")
            district = index._district(row.district_code)
            index._insert(district, _Member(row, cluster_id, index._signature(row.title, row.text)))
        for district in index._districts.values():
            if district.newest is not None:
                index._expire(district, district.newest)
        return index

    @classmethod
    def rebuild(cls, rows: Iterable[StoredAppeal], **settings: float | int) -> RecurringAppealIndex:
        """Re-add stored rows in time order (ties by id): the same clusters as live."""
        index = cls(**settings)  # type: ignore[arg-type]
        for row in sorted(rows, key=lambda r: (r.at, r.suggestion_id)):
            index.add(row.suggestion_id, row.district_code, row.text, row.title, row.at)
        return index

    # --- internals ------------------------------------------------------------------
    def _district(self, code: str) -> _District:
        if code not in self._districts:
            lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
            self._districts[code] = _District(lsh=lsh)
        return self._districts[code]

    @property
    def _signed_chars(self) -> int:
        return max(self.text_chars, 60)

    def _signature(self, title: str, text: str) -> MinHash:
        if not title.strip():
            signed = text[: self._signed_chars]
        elif self.text_chars:
            signed = f"{title}\n{text[: self.text_chars]}"
        else:
            signed = title
        # The permutations of the seed, made once: MinHash draws them anew for every
        # signature otherwise (a sixth of routing's CPU under load).
        if self._permutations is None:
            template = MinHash(num_perm=self.num_perm, seed=self.seed)
            self._permutations = (template.scheme, template.permutations)
        scheme, permutations = self._permutations
        m = MinHash(
            num_perm=self.num_perm, seed=self.seed, permutations=permutations, scheme=scheme
        )
        m.update_batch([s.encode("utf-8") for s in shingles(signed, self.shingle_size)])
        return m

    def _best_match(
        self, district: _District, signature: MinHash, window_start: datetime
    ) -> _Member | None:
        best: _Member | None = None
        best_sim = self.threshold
        for candidate in sorted(district.lsh.query(signature)):  # sorted: deterministic ties
            member = self._members[candidate]
            if member.row.at < window_start:  # arrived late but is older than the window
                continue
            sim = signature.jaccard(member.signature)
            if sim > best_sim or (best is None and sim >= best_sim):
                best, best_sim = member, sim
        return best

    def _insert(self, district: _District, member: _Member) -> None:
        sid = member.row.suggestion_id
        self._members[sid] = member
        self._clusters[member.cluster_id].live += 1
        district.lsh.insert(sid, member.signature)
        district.live.append(sid)
        if district.newest is None or member.row.at > district.newest:
            district.newest = member.row.at

    def _expire(self, district: _District, at: datetime) -> None:
        """Drop items older than the window, and clusters left without a live member."""
        newest = at if district.newest is None else max(at, district.newest)
        horizon = newest - self.window
        # Arrival order is time order for a live stream; a late, older item just leaves a
        # little later than it could (it is still skipped by the window check on match).
        while district.live and self._members[district.live[0]].row.at < horizon:
            member = self._members.pop(district.live.popleft())
            district.lsh.remove(member.row.suggestion_id)
            cluster = self._clusters[member.cluster_id]
            cluster.live -= 1
            if cluster.live == 0:
                del self._clusters[cluster.cluster_id]
