"""Public API hardening on every service: bodies bounded (413), no cross-origin access by
default, HTML pages with a CSP that forbids inline script and other origins, rate limits
(429 with Retry-After) for public endpoints."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from minyi.platform.app import errors
from minyi.platform.auth import Principal, Role, bearer, public, routes_of
from minyi.platform.auth_limits import rate_limit
from minyi.platform.settings import Settings

from .conftest import Service

MIB = 1024 * 1024


def test_a_body_over_the_limit_is_refused_with_413_before_any_work(service: Service) -> None:
    # A POST every service has: the audit log's neighbour routes differ, /v1/audit is GET
    # only, so the body goes to a route of the service's own.
    posts = [
        r.path
        for r in routes_of(service.app)
        if "POST" in (getattr(r, "methods", None) or ()) and getattr(r, "dependant", None)
    ]
    if not posts:
        pytest.skip(f"{service.name} takes no request bodies")
    path = re.sub(r"\{[^}]+\}", "x", posts[0])
    r = service.client.post(
        path,
        content=b"{" + b" " * (2 * MIB) + b"}",
        headers={"Content-Type": "application/json", **service.as_(Role.ADMIN)},
    )
    assert r.status_code == 413, (path, r.status_code, r.text[:200])


def test_no_service_grants_cross_origin_access(service: Service) -> None:
    for method, path in (("OPTIONS", "/v1/audit"), ("GET", "/healthz")):
        r = service.client.request(
            method,
            path,
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert "access-control-allow-origin" not in {k.lower() for k in r.headers}, path


NOT_PAGES = ("/v1", "/static", "/open311", "/docs", "/openapi", "/redoc", "/metrics", "/asyncapi")


def html_pages(service: Service) -> list[str]:
    """Every page the service serves: GET routes without parameters outside the API, the
    files and the probes (whose answers are not HTML)."""
    return [
        path
        for r in routes_of(service.app)
        if "GET" in (getattr(r, "methods", None) or ())
        and "{" not in (path := str(getattr(r, "path", "")))
        and not path.startswith(NOT_PAGES)
        and path not in ("/healthz", "/livez", "/readyz")
    ]


def test_html_pages_forbid_inline_script_and_other_origins(service: Service) -> None:
    pages = html_pages(service)
    assert pages, f"{service.name} serves no page"  # each has at least one now
    for page in pages:
        r = service.client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), page
        csp = r.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["script-src"] == "'self'", page
        assert "frame-ancestors 'none'" in csp
        assert not re.search(r"https?://", csp), csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), f"inline script: {page}"
        assert not re.search(r"(src|href)=\"https?://", r.text), f"another origin: {page}"


def limited_app(per_minute: float, burst: int) -> TestClient:
    app = FastAPI()
    errors.install(app)
    app.state.runtime = SimpleNamespace(rate_limits={}, settings=Settings())

    @app.get(
        "/open", dependencies=[Depends(public("test")), Depends(rate_limit("t", per_minute, burst))]
    )
    async def open_() -> dict[str, str]:
        return {"ok": "yes"}

    return TestClient(app)


def test_a_public_endpoint_answers_429_with_retry_after_past_its_burst() -> None:
    client = limited_app(per_minute=1, burst=2)
    statuses = [client.get("/open").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    r = client.get("/open")
    assert r.json()["detail"][0]["type"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 60


def test_a_caller_with_a_token_is_limited_by_its_subject_across_addresses(
    service: Service,
) -> None:
    if service.name != "supervision":
        pytest.skip("one service is enough")
    app = FastAPI()
    app.state.runtime = service.runtime

    @app.get("/open", dependencies=[Depends(public("test")), Depends(rate_limit("s", 1, 1))])
    async def open_() -> dict[str, str]:
        return {"ok": "yes"}

    headers = bearer(service.runtime.keyring, Principal(Role.ANALYST, "one-caller"))
    first = TestClient(app, client=("10.0.0.1", 1)).get("/open", headers=headers)
    second = TestClient(app, client=("10.0.0.2", 1)).get("/open", headers=headers)
    assert (first.status_code, second.status_code) == (200, 429)
