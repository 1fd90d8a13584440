"""Read views: the citizen's tracking page (no personal data) and the staff view (masked)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from minyi.intake.adapters.tables import suggestions
from minyi.intake.domain import tracking_code
from minyi.intake.domain.contact import mask_name, mask_phone
from minyi.intake.domain.pii_vault import PiiDecryptionError, PiiVault
from minyi.intake.domain.status import STATUS_LABELS

# What a citizen holding the code may see: never the contact data, never internal ids.
_TRACK_COLUMNS = (
    suggestions.c.tracking_code,
    suggestions.c.title,
    suggestions.c.status,
    suggestions.c.unit_name,
    suggestions.c.outcome,
    suggestions.c.reply,
    suggestions.c.replied_at,
    suggestions.c.reply_round,
    suggestions.c.created_at,
    suggestions.c.history,
)


def _history(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**h, "label": STATUS_LABELS.get(h["status"], h["status"])} for h in rows]


async def track_view(session: AsyncSession, code: str) -> dict[str, Any] | None:
    row = (
        (
            await session.execute(
                select(*_TRACK_COLUMNS).where(
                    suggestions.c.tracking_code == tracking_code.normalize(code)
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {
        "tracking_code": tracking_code.format_code(row["tracking_code"]),
        "title": row["title"],
        "status": row["status"],
        "status_label": STATUS_LABELS.get(row["status"], row["status"]),
        "unit_name": row["unit_name"],
        "outcome": row["outcome"],
        "reply": row["reply"],
        "replied_at": row["replied_at"],
        "reply_round": row["reply_round"],
        "can_rate": row["status"] == "replied",
        "filed_at": row["created_at"],
        "history": _history(row["history"]),
    }


def _reveal_masked(vault: PiiVault, token: str | None, mask: Any) -> str | None:
    if not token:
        return None
    try:
        return str(mask(vault.decrypt(token)))
    except PiiDecryptionError:
        return "（无法解密）"


async def staff_view(session: AsyncSession, sid: str, vault: PiiVault) -> dict[str, Any] | None:
    """A suggestion as staff see it: every field, the contact masked (138****1234)."""
    row = (
        (await session.execute(select(suggestions).where(suggestions.c.id == sid)))
        .mappings()
        .first()
    )
    if row is None:
        return None
    hidden = {"name_enc", "phone_enc", "fingerprint", "citizen_ref", "tracking_code"}
    view = {k: v for k, v in row.items() if k not in hidden}
    view["history"] = _history(row["history"])
    view["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
    view["citizen"] = {
        "name": _reveal_masked(vault, row["name_enc"], mask_name),
        "phone": _reveal_masked(vault, row["phone_enc"], mask_phone),
    }
    return view


async def open311_requests(
    session: AsyncSession,
    *,
    ids: list[str] | None = None,
    service_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    closed: bool | None = None,
    limit: int = 1000,
) -> list[Mapping[str, Any]]:
    s = suggestions.c
    query = select(
        s.id,
        s.title,
        s.content,
        s.status,
        s.unit_name,
        s.reply,
        s.category_hint,
        s.created_at,
        s.replied_at,
        s.history,
        s.address,
        s.lat,
        s.lon,
    )
    if ids is not None:
        query = query.where(s.id.in_(ids))
    if service_code is not None:
        query = query.where(s.category_hint == service_code)
    if start is not None:
        query = query.where(s.created_at >= start)
    if end is not None:
        query = query.where(s.created_at <= end)
    if closed is True:
        query = query.where(s.status == "closed")
    elif closed is False:
        query = query.where(s.status != "closed")
    query = query.order_by(s.created_at.desc()).limit(limit)
    return [dict(r) for r in (await session.execute(query)).mappings().all()]
