"""The chat platform's request signature: HMAC-SHA256 over ``timestamp + "." + body``."""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum


class SignatureProblem(StrEnum):
    MISSING = "缺少签名或时间戳（X-Minyi-Timestamp、X-Minyi-Signature）"
    STALE = "时间戳超出允许范围（超过 5 分钟），请求可能被重放"
    INVALID = "签名不正确"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def check(
    secret: bytes,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float,
    max_skew: float,
) -> SignatureProblem | None:
    """None when the request is authentic and fresh; else what is wrong with it."""
    if not timestamp or not signature:
        return SignatureProblem.MISSING
    try:
        sent = int(timestamp)
    except ValueError:
        return SignatureProblem.INVALID
    # Compare the signature first, so an attacker learns nothing about our clock.
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip().lower()):
        return SignatureProblem.INVALID
    if abs(now - sent) > max_skew:
        return SignatureProblem.STALE
    return None
