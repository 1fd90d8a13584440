"""One mapping from errors to HTTP, and one body shape for every 4xx and 5xx of every
service (docs/API.md):

    {"detail": [{"type": "case_not_found", "loc": ["reason"], "msg": "没有找到…"}]}

``type`` is a stable machine-readable code, ``loc`` where the problem is (the field, or
empty when no input is at fault), ``msg`` for the person. It is the shape FastAPI gives a
422, so a request validation error, a use case's refusal, a missing token and a rate limit
all read alike; the OpenAPI document says so for every 4xx (``ErrorBody``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from minyi.platform.auth import access_of, routes_of
from minyi.platform.consuming.policy import DATABASE_DOWN
from minyi.platform.errors import DomainError

log = logging.getLogger(__name__)

# The code of an HTTPException raised without one of its own (FastAPI's 404, 405, 413…).
CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}
STORE_DOWN_MESSAGE = (
    "服务暂时不可用：数据库无法访问，请稍后重试（database unavailable; retry later）"
)


class Problem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str


class ErrorBody(BaseModel):
    """Every error answer of every Minyi service."""

    detail: list[Problem]


def problem(code: str, message: str, loc: Sequence[str | int] = ()) -> dict[str, Any]:
    return {"type": code, "loc": list(loc), "msg": message}


def error_response(
    status: int, problems: Iterable[dict[str, Any]], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": list(problems)}, status_code=status, headers=headers)


def validation_problems(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """FastAPI's or pydantic's validation errors without the offending input: it may hold a
    phone number, and a value such as Infinity cannot even be written as JSON."""
    return [problem(str(e["type"]), str(e["msg"]), list(e["loc"])) for e in errors]


def from_http_exception(exc: HTTPException) -> list[dict[str, Any]]:
    detail = exc.detail
    if isinstance(detail, dict) and "code" in detail:
        loc = [detail["field"]] if detail.get("field") else []
        return [problem(str(detail["code"]), str(detail.get("message", "")), loc)]
    if isinstance(detail, list):
        return validation_problems(detail)
    return [problem(CODE_OF_STATUS.get(exc.status_code, "error"), str(detail))]


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    loc = [exc.field] if exc.field else []
    return error_response(exc.status, [problem(exc.code, exc.message, loc)])


async def _http_exception(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, from_http_exception(exc), exc.headers)


async def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, validation_problems(exc.errors()))


async def _store_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(
        503, [problem("store_unavailable", STORE_DOWN_MESSAGE)], {"Retry-After": "5"}
    )


async def _dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    """A connection that died mid-statement (asyncpg: a bare DBAPIError) is the store being
    down, not a bug: 503 too. Anything else stays a 500."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return await _store_unavailable(request, exc)
    log.error("database error: %s", exc)
    return error_response(500, [problem("internal_error", "Internal Server Error")])


def install(app: FastAPI) -> None:
    """Every error of ``app`` answered in the one shape."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _request_validation)
    for exc_type in DATABASE_DOWN:
        app.add_exception_handler(exc_type, _store_unavailable)
    app.add_exception_handler(DBAPIError, _dbapi_error)


ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
# FastAPI's own 422 schemas, replaced by ErrorBody (the same shape, one name).
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, naming ``ErrorBody`` for every 4xx and 5xx (and 401/403
    for every operation that needs a token)."""
    schema = get_openapi(
        title=app.title, version=app.version, routes=app.routes, description=app.description
    )
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = Problem.model_json_schema()
    schemas["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["ErrorBody"].pop("$defs", None)
    restricted = _restricted_operations(app)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if (path, method.upper()) in restricted:
                responses.setdefault("401", {"description": "令牌缺失、无效或已过期"})
                responses.setdefault("403", {"description": "角色或范围不允许"})
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
    return schema


def _restricted_operations(app: FastAPI) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes_of(app):
        access = access_of(route)
        if access is not None and not access.public:
            for method in getattr(route, "methods", ()) or ():
                found.add((route.path, method))
    return found
