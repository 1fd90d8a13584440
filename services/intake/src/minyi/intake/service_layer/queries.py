"""Read views: the citizen's tracking page (no personal data), the staff view (contact
masked) and Open311's service requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from minyi.contracts import tracking_code
from minyi.contracts.status import label
from minyi.intake.adapters.unit_of_work import IntakeUnitOfWork
from minyi.intake.domain.contact import mask_name, mask_phone
from minyi.intake.domain.errors import InvalidTrackingCode, UnknownSuggestion, UnknownTrackingCode
from minyi.intake.domain.status import REPLIED
from minyi.platform.pii_vault import PiiDecryptionError, PiiVault

# Never in the staff view: contact data (shown masked instead), the citizen's index, the
# resubmission fingerprint and the citizen's secret code.
_HIDDEN = frozenset(
    {"name_enc", "phone_enc", "fingerprint", "citizen_ref", "tracking_code", "tracking_code_sha256"}
)
# Open311's requests without ids or a start date: the last 90 days (the spec's default).
OPEN311_DEFAULT_WINDOW = timedelta(days=90)


def _history(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**h, "label": label(h["status"])} for h in rows]


async def track_view(uow: IntakeUnitOfWork, code: str) -> dict[str, Any]:
    if not tracking_code.is_valid(code):
        raise InvalidTrackingCode()
    row = await uow.suggestions.track_row(tracking_code.normalize(code))
    if row is None:
        raise UnknownTrackingCode()
    return {
        # The code as typed, in display form: a referred matter's is not stored here.
        "tracking_code": tracking_code.format_code(code),
        "title": row["title"],
        "status": row["status"],
        "status_label": label(row["status"]),
        "unit_name": row["unit_name"],
        "outcome": row["outcome"],
        "reply": row["reply"],
        "replied_at": row["replied_at"],
        "reply_round": row["reply_round"],
        "can_rate": row["status"] == REPLIED,
        "filed_at": row["created_at"],
        "history": _history(row["history"]),
    }


def _reveal_masked(vault: PiiVault, token: str | None, mask: Callable[[str], str]) -> str | None:
    if not token:
        return None
    try:
        return mask(vault.decrypt(token))
    except PiiDecryptionError:
        return "（无法解密）"


async def staff_view(uow: IntakeUnitOfWork, suggestion_id: str, vault: PiiVault) -> dict[str, Any]:
    """A suggestion as staff see it: every field, the contact masked (138****1234)."""
    row = await uow.suggestions.row(suggestion_id)
    if row is None:
        raise UnknownSuggestion()
    view = {k: v for k, v in row.items() if k not in _HIDDEN}
    view["history"] = _history(row["history"])
    view["status_label"] = label(row["status"])
    view["citizen"] = {
        "name": _reveal_masked(vault, row["name_enc"], mask_name),
        "phone": _reveal_masked(vault, row["phone_enc"], mask_phone),
    }
    return view


@dataclass(frozen=True)
class Open311Query:
    ids: list[str] | None = None
    service_code: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    closed: bool | None = None  # None: open and closed


async def open311_requests(uow: IntakeUnitOfWork, q: Open311Query) -> list[dict[str, Any]]:
    """Newest first."""
    start = q.start
    if q.ids is None and start is None:
        start = uow.now() - OPEN311_DEFAULT_WINDOW
    return await uow.suggestions.open311_rows(
        ids=q.ids, service_code=q.service_code, start=start, end=q.end, closed=q.closed
    )
