"""Why a use case refused a request; entrypoints map these to 404 / 409 / 422."""

from __future__ import annotations


class UseCaseError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(UseCaseError):
    pass


class Conflict(UseCaseError):
    pass


class Invalid(UseCaseError):
    pass
