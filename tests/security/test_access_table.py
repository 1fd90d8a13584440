"""The access table, checked route by route on every service's real app: each route
declares who may call it; a protected route answers 401 without (or with a bad) token and
403 to every role it does not allow, and lets the admin through.

A new endpoint without a ``require(...)`` or ``public(...)`` turns this red."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from minyi.platform.auth import ALGORITHM, Access, Principal, Role, access_of, routes_of

from .conftest import Service, principal

_PARAM = re.compile(r"\{[^}]+\}")
# Served as a stream that stays open for up to 25 s: only the refusals are checked.
STREAMS = ("/v1/stream/",)


def concrete(path: str) -> str:
    return _PARAM.sub("x", path)


def protected(service: Service) -> Iterator[tuple[str, str, Access]]:
    for route in routes_of(service.app):
        rule = access_of(route)
        if is_api(route) and rule is not None and not rule.public:
            for method in sorted(route.methods):
                yield method, route.path, rule


def call(service: Service, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """Status and the error code, if any (the access layer's codes tell its refusals from
    the domain's, e.g. an admin is no unit and may not sign for a case)."""
    body: dict[str, object] | None = {} if method in ("POST", "PUT", "PATCH") else None
    r = service.client.request(method, concrete(path), json=body, headers=headers)
    try:
        detail = r.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    first = detail[0] if isinstance(detail, list) and detail else None
    code = str(first.get("type", "")) if isinstance(first, dict) else ""
    return r.status_code, code


def is_api(route: Any) -> bool:
    """An endpoint of ours (with a dependant), not a docs page of FastAPI's."""
    return getattr(route, "dependant", None) is not None


def describe(route: Any) -> str:
    methods = sorted(getattr(route, "methods", None) or ["*"])
    return f"{','.join(methods)} {getattr(route, 'path', route)}"


def test_every_route_of_every_service_declares_who_may_call_it(service: Service) -> None:
    routes = list(routes_of(service.app))
    assert len(routes) > 5, routes
    undeclared = [describe(r) for r in routes if access_of(r) is None]
    assert undeclared == [], f"{service.name}: routes without an access rule: {undeclared}"


def test_every_service_has_protected_routes_and_an_admin_only_audit_log(service: Service) -> None:
    rules = {(m, p): r for m, p, r in protected(service)}
    assert rules, f"{service.name} protects nothing"
    assert rules[("GET", "/v1/audit")].roles == {Role.ADMIN}


def test_protected_routes_refuse_a_missing_or_bad_token_with_401_and_a_bearer_challenge(
    service: Service,
) -> None:
    keyring = service.keyring
    kid, _ = keyring.keys[0]
    now = 1_700_000_000
    admin = principal(Role.ADMIN).claims()
    forged = jwt.encode(
        admin | {"iss": "minyi", "aud": "minyi", "iat": now, "exp": 4_000_000_000},
        "not-the-key-not-the-key-not-the-key!",
        algorithm=ALGORITHM,
        headers={"kid": kid},
    )
    bad = {
        "none": None,
        "garbage": "Bearer not-a-jwt",
        "basic": "Basic YWRtaW46YWRtaW4=",
        "expired": f"Bearer {keyring.issue(principal(Role.ADMIN), 60, now=now)}",
        "forged": f"Bearer {forged}",
    }
    failures = []
    for method, path, _rule in protected(service):
        for name, value in bad.items():
            headers = {} if value is None else {"Authorization": value}
            r = service.client.request(
                method, concrete(path), json={} if method != "GET" else None, headers=headers
            )
            challenge = r.headers.get("WWW-Authenticate", "")
            if r.status_code != 401 or not challenge.startswith("Bearer"):
                failures.append(f"{method} {path} with {name} token: {r.status_code} {challenge!r}")
    assert failures == []


def test_protected_routes_refuse_every_role_they_do_not_allow_with_403(service: Service) -> None:
    failures = []
    for method, path, rule in protected(service):
        for role in Role:
            if role in rule.roles:
                continue
            status, code = call(service, method, path, service.as_(role))
            if (status, code) != (403, "role_not_allowed"):
                failures.append(f"{method} {path} as {role.value}: {status} {code}")
    assert failures == []


def test_protected_routes_let_the_admin_through(service: Service) -> None:
    failures = []
    for method, path, _rule in protected(service):
        if path.startswith(STREAMS):
            continue
        status, code = call(service, method, path, service.as_(Role.ADMIN))
        if status == 401 or code == "role_not_allowed" or status >= 500:
            failures.append(f"{method} {path} as admin: {status} {code}")
    assert failures == []


def test_public_routes_never_ask_for_a_bearer_token(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The public pages' stream is read whole here: it ends in a moment, not in 25 s.
    monkeypatch.setattr("minyi.reporting.entrypoints.sse.SSE_MAX_SECONDS", 0.2)
    monkeypatch.setattr("minyi.reporting.entrypoints.sse.SSE_KEEPALIVE_SECONDS", 0.1)
    failures = []
    for route in routes_of(service.app):
        rule = access_of(route)
        if not is_api(route) or rule is None or not rule.public:
            continue
        for method in sorted(route.methods):
            if route.path.startswith(STREAMS) or route.path == "/readyz":
                continue
            r = service.client.request(
                method, concrete(route.path), json={} if method != "GET" else None
            )
            if "Bearer" in r.headers.get("WWW-Authenticate", ""):
                failures.append(f"{method} {route.path}: {r.status_code}")
    assert failures == []


def test_a_token_for_one_role_cannot_be_edited_into_another() -> None:
    from minyi.platform.auth import InvalidToken, Keyring

    keyring = Keyring((("k1", "s" * 40),))
    token = keyring.issue(Principal(Role.ANALYST, "analyst"), 60)
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    edited = jwt.utils.base64url_encode(json.dumps(claims | {"role": "admin"}).encode()).decode()
    try:
        keyring.verify(f"{header}.{edited}.{signature}")
    except InvalidToken:
        return
    raise AssertionError("an edited token was accepted")


def test_the_access_table_in_docs_security_md_is_the_one_the_code_declares(
    tmp_path: Path, _limits_and_secrets: None
) -> None:
    from .access_doc import BEGIN, END, table

    doc = (Path(__file__).resolve().parents[2] / "docs" / "SECURITY.md").read_text("utf-8")
    documented = doc.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert documented == table(tmp_path).strip(), (
        "docs/SECURITY.md is out of date: python -m tests.security.access_doc"
    )
