"""Behind the front door, the rate limits and the audit log see the client's address that
the trusted proxies forwarded — and a client that writes the header itself, from outside
the trusted proxies, is still known by its socket address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from minyi.platform.auth import Role, bearer, public
from minyi.platform.auth_limits import rate_limit

from .conftest import build_app, create_audit_table, principal

PROXY = ("10.1.2.3", 50000)  # inside MINYI_TRUSTED_PROXIES below
OUTSIDER = ("203.0.113.5", 50000)


PEER_HEADER = b"x-test-peer"


def with_peers(app: ASGIApp) -> ASGIApp:
    """The app, with each request's socket peer taken from a test header (one TestClient,
    one event loop, many peers)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == PEER_HEADER:
                    scope = dict(scope, client=(value.decode(), 50000))
        await app(scope, receive, send)

    return wrapped


def peer(address: tuple[str, int]) -> dict[str, str]:
    return {PEER_HEADER.decode(): address[0]}


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    monkeypatch.setenv("MINYI_TRUSTED_PROXIES", "10.0.0.0/8")
    return build_app("supervision", tmp_path)


def test_the_audit_log_records_the_forwarded_client_only_from_a_trusted_proxy(app: FastAPI) -> None:
    forwarded = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7"}
    admin = bearer(app.state.runtime.keyring, principal(Role.ADMIN))
    with TestClient(with_peers(app)) as client:
        assert client.portal is not None
        client.portal.call(create_audit_table, app.state.runtime)
        for address in (PROXY, OUTSIDER):
            r = client.post("/v1/cases/s-404/accept", headers=forwarded | peer(address))
            assert r.status_code == 401
        r = client.get("/v1/audit", headers=admin)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    assert [item["client_ip"] for item in reversed(items)] == ["198.51.100.7", "203.0.113.5"]


def test_rate_limits_count_the_forwarded_client_not_the_proxy(app: FastAPI) -> None:
    limited = FastAPI()
    limited.state.runtime = app.state.runtime

    @limited.get("/open", dependencies=[Depends(public("test")), Depends(rate_limit("p", 1, 1))])
    async def open_() -> dict[str, str]:
        return {"ok": "yes"}

    via_proxy = TestClient(limited, client=PROXY)
    # Two citizens behind the one proxy each have their own bucket…
    assert via_proxy.get("/open", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert via_proxy.get("/open", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200
    # …and one of them coming back (through another proxy replica) is held to its own.
    other_proxy = TestClient(limited, client=("10.9.9.9", 1))
    again = other_proxy.get("/open", headers={"X-Forwarded-For": "198.51.100.1"})
    assert again.status_code == 429
    # A client outside cannot pick a fresh bucket by writing the header itself.
    outsider = TestClient(limited, client=OUTSIDER)
    assert outsider.get("/open", headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert outsider.get("/open", headers={"X-Forwarded-For": "2.2.2.2"}).status_code == 429
