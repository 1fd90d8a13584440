"""MinHash signatures and LSH banding, small enough to keep in routing's own table.

The scheme is datasketch's ``affine32`` (SHA-1 of each item pre-mixed by the MurmurHash3
finalizer, then ``a*h + b`` modulo 2**32 with odd ``a`` drawn from ``RandomState(seed)``),
and the band split is datasketch's weighted optimum; the tests check both against
datasketch itself. Routing does not import datasketch at run time: it pulls in scipy
(≈ 75 MB of resident memory and a second of start-up) and its LSH index lives in process
memory, while routing keeps the band keys in its database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint32]

_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def _premix(h: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    s1, m1, s2, m2 = _FMIX
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s1)


class MinHasher:
    """Signatures of ``num_perm`` 32-bit minima; one instance per (num_perm, seed)."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        gen = np.random.RandomState(seed)
        a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        self.num_perm = num_perm
        self._a, self._b = a, b

    def signature(self, items: Iterable[bytes]) -> Signature:
        hashes = [int.from_bytes(hashlib.sha1(item).digest()[:4], "little") for item in items]
        if not hashes:
            return np.full(self.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
        h = _premix(np.array(hashes, dtype=np.uint32).reshape(-1, 1))
        with np.errstate(over="ignore"):  # the wrap-around is the modulo 2**32
            permuted = h * self._a + self._b
        minima: Signature = permuted.min(axis=0)
        return minima


def jaccard(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of the two sets behind the signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def similarities(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
    """``jaccard`` of each row of ``a`` with the same row of ``b``, the same floats."""
    same: npt.NDArray[np.float64] = np.count_nonzero(a == b, axis=1) / a.shape[1]
    return same


def signatures_of(raw: Sequence[bytes], num_perm: int) -> npt.NDArray[np.uint32]:
    """Stored signatures (``to_bytes``) as the rows of one array."""
    return np.frombuffer(b"".join(raw), dtype="<u4").reshape(len(raw), num_perm)


def to_bytes(signature: Signature) -> bytes:
    return signature.astype("<u4").tobytes()


def from_bytes(raw: bytes) -> Signature:
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


@cache
def bands_for(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) minimising false positives + false negatives around the
    threshold, each weighted 0.5 (datasketch's default optimum)."""
    below = np.linspace(0.0, threshold, 513)
    above = np.linspace(threshold, 1.0, 513)
    best, best_error = (1, 1), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            hit_below = 1 - (1 - below**r) ** b
            miss_above = (1 - above**r) ** b
            error = 0.5 * float(np.trapezoid(hit_below, below)) + 0.5 * float(
                np.trapezoid(miss_above, above)
            )
            if error < best_error:
                best, best_error = (b, r), error
    return best


def band_keys(signature: Signature, scope: str, bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per band (``scope`` keeps, e.g., districts apart): two
    signatures share a key when the band's rows are all equal."""
    prefix = scope.encode("utf-8") + b"\x00"
    raw = to_bytes(signature)
    width = rows * 4
    return [
        int.from_bytes(
            hashlib.blake2b(
                prefix + bytes([i]) + raw[i * width : (i + 1) * width], digest_size=8
            ).digest(),
            "little",
            signed=True,
        )
        for i in range(bands)
    ]
