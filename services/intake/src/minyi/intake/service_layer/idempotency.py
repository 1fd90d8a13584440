"""Idempotency-Key: a retried request gets the first answer; a reused key with another
body is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from minyi.intake.adapters.tables import idempotency_keys
from minyi.intake.service_layer.errors import Conflict
from minyi.platform.service import UnitOfWork


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


def request_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def replay(uow: UnitOfWork, key: str, digest: str) -> StoredResponse | None:
    row = (
        await uow.session.execute(select(idempotency_keys).where(idempotency_keys.c.key == key))
    ).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict(
            "Idempotency-Key 已用于另一个不同的请求（the key was used with a different body）",
            "Idempotency-Key",
        )
    return StoredResponse(row.status_code, row.response)


async def remember(
    uow: UnitOfWork, key: str, digest: str, status_code: int, body: dict[str, Any]
) -> None:
    """Stored in the transaction that did the work: both happen or neither."""
    await uow.session.execute(
        idempotency_keys.insert().values(
            key=key,
            request_hash=digest,
            status_code=status_code,
            response=body,
            created_at=uow.runtime.clock.now(),
        )
    )
