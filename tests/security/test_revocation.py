"""Revoked tokens (issue 20, point 4), in one process: what the in-memory set refuses, and
the 401 a service answers for a revoked token. Over the real bus: tests/e2e/test_token_revocation.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from minyi.platform.auth import Keyring, Principal, RevokedToken, Role, parse_keys
from minyi.platform.auth_verify import TokenVerifier
from minyi.platform.revocation import (
    BUCKET_TTL,
    Revocation,
    Revocations,
    entry_removed,
    key_for,
)
from tests.security.conftest import build_app, create_audit_table

KEYRING = Keyring(parse_keys("k1:" + "s" * 40))
ANALYST = Principal(Role.ANALYST, "analyst:王")


def test_a_revoked_token_id_is_refused_and_other_tokens_of_the_subject_are_not() -> None:
    revocations = Revocations()
    verifier = TokenVerifier(KEYRING, revocations=revocations)
    first, second = KEYRING.issue(ANALYST, 600), KEYRING.issue(ANALYST, 600)
    token_id = asyncio.run(verifier.verify(first)).token_id
    assert token_id is not None
    revocations.apply(Revocation("jti", token_id, time.time()))
    with pytest.raises(RevokedToken):
        asyncio.run(verifier.verify(first))
    assert asyncio.run(verifier.verify(second)) == ANALYST


def test_a_subject_revocation_refuses_tokens_issued_until_then_only() -> None:
    revocations = Revocations()
    verifier = TokenVerifier(KEYRING, revocations=revocations)
    now = time.time()
    before = KEYRING.issue(ANALYST, 600, now=now - 60)
    same_second = KEYRING.issue(ANALYST, 600, now=now)
    later = KEYRING.issue(ANALYST, 600, now=now + 5)
    other = KEYRING.issue(Principal(Role.ANALYST, "analyst:李"), 600, now=now - 60)
    revocations.apply(Revocation("subject", ANALYST.subject, now))
    for token in (before, same_second):
        with pytest.raises(RevokedToken):
            asyncio.run(verifier.verify(token))
    assert asyncio.run(verifier.verify(later)) == ANALYST
    assert asyncio.run(verifier.verify(other)).subject == "analyst:李"


def test_an_entry_deleted_or_expired_in_the_bucket_is_forgotten() -> None:
    revocations = Revocations()
    entry = Revocation("subject", "unit_staff:db-zjj", time.time(), reason="离职")
    revocations.apply(entry)
    assert revocations.revoked(None, "unit_staff:db-zjj", time.time() - 1)
    assert entry_removed({"Nats-Marker-Reason": "MaxAge"})
    assert entry_removed({"KV-Operation": "PURGE"})
    assert not entry_removed({"Nats-Msg-Id": "x"})
    revocations.forget(entry.key)
    assert not revocations.revoked(None, "unit_staff:db-zjj", time.time() - 1)
    # Entries past the bucket's horizon leave memory too (the server expires them silently).
    revocations.apply(Revocation("jti", "old", time.time() - BUCKET_TTL.total_seconds() - 60))
    assert "old" in revocations.tokens
    revocations.apply(Revocation("jti", "new", time.time()))
    assert set(revocations.tokens) == {"new"}
    assert Revocation.from_json(entry.to_json()) == entry


def test_bucket_keys_are_valid_for_any_subject_or_token_id() -> None:
    import re

    valid = re.compile(r"^[-/_=.a-zA-Z0-9]+$")
    for key in (
        key_for("jti", "0f3c9a"),
        key_for("jti", "id with spaces/and:colons"),
        key_for("subject", "admin:minyi-up"),
        key_for("subject", "张三@unit"),
    ):
        assert valid.match(key), key
    assert key_for("subject", "a:b") != key_for("subject", "a:c")


@pytest.fixture
def routing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("MINYI_JWT_KEYS", raising=False)
    monkeypatch.delenv("MINYI_OIDC_ISSUER", raising=False)
    app = build_app("routing", tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.portal is not None
        client.portal.call(create_audit_table, app.state.runtime)
        yield client


def test_a_service_answers_401_token_revoked_for_a_revoked_token(routing: TestClient) -> None:
    runtime = routing.app.state.runtime  # type: ignore[attr-defined]
    admin = Principal(Role.ADMIN, "admin:revoked")
    token = runtime.keyring.issue(admin, 600)
    headers = {"Authorization": f"Bearer {token}"}
    assert routing.get("/v1/audit", headers=headers).status_code == 200
    token_id = token_id_of(token)
    runtime.tokens.revocations.apply(Revocation("jti", token_id, time.time()))
    r = routing.get("/v1/audit", headers=headers)
    assert r.status_code == 401
    assert r.json()["detail"][0]["type"] == "token_revoked"
    assert "令牌已吊销" in r.json()["detail"][0]["msg"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def token_id_of(token: str) -> str:
    import jwt

    return str(jwt.decode(token, options={"verify_signature": False})["jti"])
