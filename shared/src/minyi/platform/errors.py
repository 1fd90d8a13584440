"""Why a use case refused: the errors every service's domain and service layer raise.

No framework here: the app assembly maps them to HTTP once (``platform.app.errors``), with
one body shape for every service. ``code`` is a stable machine-readable name
(``case_not_found``); ``message`` is for the person (Chinese first, English in brackets);
``field`` names the input that broke the rule, when one did.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class Invalid(DomainError):
    """The input breaks a rule (a past date, an unknown station)."""

    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    """The caller is known but may not do this (outside their scope)."""

    status = 403


class Conflict(DomainError):
    """The request is valid but the current state refuses it (an illegal transition)."""

    status = 409


class StoreUnavailable(Exception):
    """The service's store cannot be reached: the request is refused with 503, not
    accepted without being stored."""
