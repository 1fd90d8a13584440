"""Idempotency-Key: a retried request gets the first answer; a reused key with another
body is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.service_layer.filing import FileSuggestion, file_suggestion
from minyi.platform.errors import Conflict
from minyi.platform.pii_vault import PiiVault


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


@dataclass(frozen=True)
class FileOnce:
    filing: FileSuggestion
    key: str | None = None  # scoped, e.g. "suggestions:<Idempotency-Key>"
    request_hash: str = ""  # of the request body, when there is a key


def request_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def file_once(cmd: FileOnce, uow: IntakeUnitOfWork, vault: PiiVault) -> StoredResponse:
    """File the suggestion, unless its key was seen: then the first answer again. The key
    is stored in the transaction that filed: both happen or neither."""
    if cmd.key:
        stored = await uow.idempotency.find(cmd.key)
        if stored is not None:
            if stored.request_hash != cmd.request_hash:
                raise Conflict(
                    "idempotency_key_reused",
                    "Idempotency-Key 已用于另一个不同的请求（the key was used with a different body）",
                    field="Idempotency-Key",
                )
            return StoredResponse(stored.status_code, stored.response)
    filed = await file_suggestion(cmd.filing, uow, vault)
    answer = StoredResponse(200 if filed.duplicate else 201, filed.body())
    if cmd.key:
        await uow.idempotency.add(
            cmd.key, cmd.request_hash, answer.status_code, answer.body, uow.now()
        )
    return answer
