"""A deputy's dispute of an entry of their file (提出异议) and the office's decision: one
open dispute per entry; a decided dispute is final and stays on the record."""

from __future__ import annotations

from minyi.liaison.domain.performance import Entry
from minyi.platform.errors import Conflict, Invalid, NotFound

REASON_MAX = 500


def _reason(text: str, field: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise Invalid("reason_required", "请写明理由", field=field)
    if len(cleaned) > REASON_MAX:
        raise Invalid("reason_too_long", f"理由不超过{REASON_MAX}个字", field=field)
    return cleaned


def check_dispute(entry: Entry | None, deputy_id: str, has_open: bool, reason: str) -> str:
    """The dispute's reason, once the entry may be disputed by ``deputy_id``."""
    if entry is None or entry.deputy_id != deputy_id:
        raise NotFound("entry_not_found", "履职档案中没有该条目", field="entry_id")
    if entry.struck:
        raise Conflict("entry_struck", "该条目已撤销，不再计分", field="entry_id")
    if has_open:
        raise Conflict("dispute_open", "该条目已有待处理的异议，请等待办公室答复", field="entry_id")
    return _reason(reason, "reason")


def check_decision(status: str, reason: str) -> str:
    """The decision's reason, once the dispute is still open."""
    if status != "open":
        raise Conflict("dispute_decided", "该异议已处理，处理结果不再更改", field="dispute_id")
    return _reason(reason, "reason")
