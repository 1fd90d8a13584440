"""Who may call what over HTTP: the per-endpoint access declarations ``require(...)`` and
``public(...)``, and the route walk the access-table test uses.

Every HTTP route of every service declares its access rule through one of those two
dependencies (or is a platform route listed in ``PLATFORM_PUBLIC``); the access-table test
(tests/security/test_access_table.py) fails for a route that declares none. Tokens, roles
and keys live in ``auth_tokens`` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from minyi.platform.auth_tokens import (
    ALGORITHM,
    KEY_FILE,
    MIN_SECRET_BYTES,
    PLACEHOLDER,
    SCOPE_OF,
    AuthSettings,
    InsecureConfiguration,
    InvalidToken,
    Keyring,
    Principal,
    RevokedToken,
    Role,
    bearer,
    check_production_secrets,
    load_keyring,
    local_bearer,
    local_key,
    new_key,
    parse_keys,
    refuse_insecure_production,
)
from minyi.platform.runtime import runtime_of

__all__ = [
    "ACCESS_ATTR",
    "ALGORITHM",
    "KEY_FILE",
    "MIN_SECRET_BYTES",
    "PLACEHOLDER",
    "PLATFORM_PUBLIC",
    "SCOPE_OF",
    "Access",
    "AuthSettings",
    "InsecureConfiguration",
    "InvalidToken",
    "Keyring",
    "Principal",
    "RevokedToken",
    "Role",
    "access_of",
    "bearer",
    "check_production_secrets",
    "forbidden",
    "load_keyring",
    "local_bearer",
    "local_key",
    "new_key",
    "parse_keys",
    "public",
    "refuse_insecure_production",
    "require",
    "routes_of",
    "unauthorized",
]


@dataclass(frozen=True)
class Access:
    """An endpoint's declared rule: the roles that may call it, or public with a reason."""

    roles: frozenset[Role] = frozenset()
    public_because: str | None = None

    @property
    def public(self) -> bool:
        return self.public_because is not None


ACCESS_ATTR = "__minyi_access__"
# Routes the platform adds to every app (service.py, health.py, FastAPI's docs).
PLATFORM_PUBLIC: dict[str, str] = {
    "/healthz": "liveness probe",
    "/livez": "liveness probe",
    "/readyz": "readiness probe (no data, only ok/unreachable)",
    "/metrics": "Prometheus scrape; the ingress does not route it",
    "/asyncapi.json": "event catalogue (public contract)",
    "/openapi.json": "API description (public contract)",
    "/docs": "API documentation page",
    "/docs/oauth2-redirect": "API documentation page",
    "/redoc": "API documentation page",
}

_bearer = HTTPBearer(auto_error=False, description="JWT from `minyi token issue`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def unauthorized(code: str, message: str, *, error: str = "invalid_token") -> HTTPException:
    challenge = "Bearer" if code == "token_required" else f'Bearer error="{error}"'
    return HTTPException(
        401, detail={"code": code, "message": message}, headers={"WWW-Authenticate": challenge}
    )


def forbidden(code: str, message: str) -> HTTPException:
    return HTTPException(403, detail={"code": code, "message": message})


async def _authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None:
        raise unauthorized(
            "token_required", "需要登录：请提供 Bearer 令牌（bearer token required）"
        )
    try:
        principal = await runtime_of(request).tokens.verify(credentials.credentials)
    except RevokedToken:
        raise unauthorized(
            "token_revoked", "令牌已吊销，请重新登录（token revoked）", error="invalid_token"
        ) from None
    except InvalidToken as exc:
        raise unauthorized("invalid_token", f"令牌无效或已过期（{exc}）") from None
    # Read by the audit middleware once the response is known.
    request.state.principal = principal
    return principal


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller must hold a valid token of one of ``roles`` (admin always
    may). Returns the ``Principal`` for the endpoint's own scope checks."""
    allowed = frozenset(roles) | {Role.ADMIN}

    # async: FastAPI runs a plain ``def`` dependency in a worker thread. The only I/O, a
    # provider's key fetch (auth_oidc), goes to a thread by itself, and only on a cache miss.
    async def dependency(request: Request, credentials: Credentials) -> Principal:
        principal = await _authenticate(request, credentials)
        if principal.role not in allowed:
            raise forbidden(
                "role_not_allowed",
                f"当前角色无权访问（role {principal.role.value} may not call this endpoint）",
            )
        return principal

    setattr(dependency, ACCESS_ATTR, Access(roles=allowed))
    dependency.__name__ = "require_" + "_".join(sorted(r.value for r in allowed))
    return dependency


def public(reason: str) -> Callable[..., Awaitable[Principal | None]]:
    """A dependency for endpoints anyone may call (``reason`` says what protects them). A
    valid bearer token, if sent, still identifies the caller (audit, scope checks); a bad
    one is ignored, as the endpoint needs none."""

    # The header is read by hand: the bearer scheme would mark the operation as needing
    # authentication in the OpenAPI document.
    async def dependency(request: Request) -> Principal | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip())
        try:
            return await _authenticate(request, credentials)
        except HTTPException:
            return None

    setattr(dependency, ACCESS_ATTR, Access(public_because=reason))
    dependency.__name__ = "public"
    return dependency


def routes_of(app: Any) -> Iterator[Any]:
    """Every route the app serves, flattened: FastAPI keeps included routers nested (each
    effective route carries its router's dependencies, prefix and methods)."""
    for route in app.routes:
        yield from _flatten(route)
        low_priority = getattr(route, "effective_low_priority_routes", None)
        if callable(low_priority):
            yield from low_priority()


def _flatten(route: Any) -> Iterator[Any]:
    candidates = getattr(route, "effective_candidates", None)
    if callable(candidates):
        for child in candidates():
            yield from _flatten(child)
    else:
        yield route


def access_of(route: Any) -> Access | None:
    """The rule a route declares (its own or its router's dependencies), None if none."""
    dependant = getattr(route, "dependant", None)
    if dependant is not None:
        rules = [
            rule
            for dep in _walk(dependant.dependencies)
            if (rule := getattr(dep.call, ACCESS_ATTR, None)) is not None
        ]
        if rules:
            # Several rules (a router's and a route's) all run: the strictest wins.
            restricted = [r for r in rules if not r.public]
            if restricted:
                return Access(roles=frozenset.intersection(*(r.roles for r in restricted)))
            first: Access = rules[0]
            return first
    # Only the platform's and FastAPI's own routes may rely on the path list: a service
    # route called /metrics still has to declare its rule.
    path = getattr(route, "path", None)
    module = getattr(getattr(route, "endpoint", None), "__module__", "") or ""
    if path in PLATFORM_PUBLIC and module.startswith(("minyi.platform.", "fastapi.")):
        return Access(public_because=PLATFORM_PUBLIC[path])
    return None


def _walk(dependencies: Iterable[Any]) -> Iterable[Any]:
    for dep in dependencies:
        yield dep
        yield from _walk(dep.dependencies)
