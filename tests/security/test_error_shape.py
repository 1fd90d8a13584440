"""One error body for every 4xx of every service (docs/API.md): the OpenAPI documents say
so for every operation, and the answers keep to it."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from minyi.platform.auth import Role, access_of, routes_of

from .conftest import Service

# GeoReport v2 prescribes its own error list for Open311 clients (docs/API.md).
SPEC_SHAPED = ("/open311/",)


def _error_schema(document: dict[str, Any]) -> dict[str, Any]:
    return {"$ref": "#/components/schemas/ErrorBody", "components": document["components"]}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not path.startswith(SPEC_SHAPED)
    ]


def test_every_error_answer_in_the_document_is_the_one_shape(service: Service) -> None:
    document = service.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    wrong = [
        f"{method.upper()} {path} {status}"
        for path, method, operation in _operations(document)
        for status, response in operation["responses"].items()
        if status[0] in "45"
        and response.get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/ErrorBody"}
    ]
    assert wrong == []


def test_every_operation_that_needs_a_token_documents_401_and_403(service: Service) -> None:
    document = service.client.get("/openapi.json").json()
    restricted = {
        (route.path, method.lower())
        for route in routes_of(service.app)
        if (access := access_of(route)) is not None and not access.public
        for method in getattr(route, "methods", ()) or ()
    }
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations(document)
        if (path, method) in restricted and not {"401", "403"} <= set(operation["responses"])
    ]
    assert restricted and missing == []


def _restricted_get(service: Service) -> str:
    for route in routes_of(service.app):
        access = access_of(route)
        if (
            access is not None
            and not access.public
            and "GET" in (getattr(route, "methods", ()) or ())
            and "{" not in route.path
        ):
            return str(route.path)
    raise AssertionError("no restricted GET route without path parameters")


@pytest.mark.parametrize(
    "case",
    ["unknown path", "no token", "bad token", "wrong role", "invalid query"],
)
def test_refusals_answer_in_the_one_shape(service: Service, case: str) -> None:
    schema = _error_schema(service.client.get("/openapi.json").json())
    if case == "unknown path":
        response = service.client.get("/v1/no-such-thing")
        expected = (404, "not_found")
    elif case == "no token":
        response = service.client.get(_restricted_get(service))
        expected = (401, "token_required")
    elif case == "bad token":
        response = service.client.get(
            _restricted_get(service), headers={"Authorization": "Bearer not-a-jwt"}
        )
        expected = (401, "invalid_token")
    elif case == "wrong role":
        response = service.client.get("/v1/audit", headers=service.as_(Role.CITIZEN))
        expected = (403, "role_not_allowed")
    else:
        response = service.client.get(
            "/v1/audit?limit=not-a-number", headers=service.as_(Role.ADMIN)
        )
        expected = (422, "int_parsing")
    body = response.json()
    jsonschema.validate(body, schema)
    assert (response.status_code, body["detail"][0]["type"]) == expected
    assert body["detail"][0]["msg"]
