"""What routing reads of supervision's events, tolerantly (only the fields routing needs),
and the triage desk's command.

The subjects and types come from the contracts (``minyi.contracts.supervision``); reading
the payload through this narrower view means a change to a field routing does not use
never breaks routing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AssignmentReturned(_Tolerant):
    suggestion_id: str
    unit_id: str
    reason: str = ""
    suggested_unit: str | None = None
    attempt: int


class CaseClosed(_Tolerant):
    suggestion_id: str
    unit_id: str


class AssignManually(_Tolerant):
    """Command: a person in the triage queue chose the unit and category."""

    suggestion_id: str
    unit_id: str
    category: str
    by: str = ""


class ConfirmFormal(_Tolerant):
    """Command: the congress office confirmed (or changed) a formal suggestion's units."""

    suggestion_id: str
    unit_id: str
    co_unit_ids: list[str] = []
    note: str = ""
    by: str = ""
