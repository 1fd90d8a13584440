"""Incoming events routing reacts to, read tolerantly: only the fields routing needs.

Supervision owns these contracts; declaring our view of them here (instead of importing its
models) means an additive change on its side never breaks routing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

ASSIGNMENT_RETURNED_TYPE = "cn.minyi.suggestion.returned.v1"
ASSIGNMENT_RETURNED_SUBJECT = "minyi.suggestion.returned"
CASE_CLOSED_TYPE = "cn.minyi.suggestion.closed.v1"
CASE_CLOSED_SUBJECT = "minyi.suggestion.closed"


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
