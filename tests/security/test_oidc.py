"""Tokens from an OpenID Connect provider (issue 20, point 3): a JWKS served by the test over
real HTTP, tokens it signs with RSA and EC keys, a real service (routing) checking them
beside its HS256 keyring; key rotation; every way such a token is refused."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.auth_oidc import ClaimMapping, load_oidc, parse_role_map
from minyi.platform.auth_tokens import AuthSettings, InvalidToken
from tests.security.conftest import build_app, create_audit_table

ISSUER = "https://id.example.gov.cn/realms/minyi"
AUDIENCE = "minyi-api"


class Jwks:
    """A JWKS endpoint on a free loopback port; the keys it serves can be changed."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                jwks.fetches += 1
                body = json.dumps({"keys": jwks.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/certs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Signer:
    """A provider's signing key: RSA (RS256) or EC P-256 (ES256)."""

    def __init__(self, kid: str, algorithm: str) -> None:
        self.kid, self.algorithm = kid, algorithm
        if algorithm == "RS256":
            self.private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            public = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = public | {"kid": kid, "use": "sig", "alg": algorithm}

    def token(self, claims: dict[str, Any] | None = None, **override: Any) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "f3b1c2d4-officer",
            "iat": now,
            "exp": now + 300,
            "jti": f"jti-{now}-{self.kid}",
            "minyi_role": "admin",
        }
        body.update(claims or {})
        for name, value in override.items():
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        return jwt.encode(body, self.private, algorithm=self.algorithm, headers={"kid": self.kid})

    def public_pem(self) -> bytes:
        key: bytes = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return key


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    server = Jwks()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def rsa_key(jwks: Jwks) -> Signer:
    signer = Signer("rsa-2026-1", "RS256")
    jwks.keys.append(signer.jwk)
    return signer


@pytest.fixture
def ec_key(jwks: Jwks) -> Signer:
    signer = Signer("ec-2026-1", "ES256")
    jwks.keys.append(signer.jwk)
    return signer


@pytest.fixture
def routing(
    jwks: Jwks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rsa_key: Signer, ec_key: Signer
) -> Iterator[TestClient]:
    """Routing as deployed with a provider: groups mapped to roles, scopes from claims."""
    monkeypatch.setenv("MINYI_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("MINYI_OIDC_JWKS_URL", jwks.url)
    monkeypatch.setenv("MINYI_OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("MINYI_OIDC_ROLE_CLAIM", "minyi_role")
    # No cooldown: a rotated key is fetched at once (the default waits up to 30 s).
    monkeypatch.setenv("MINYI_OIDC_KEY_REFETCH_SECONDS", "0")
    monkeypatch.delenv("MINYI_JWT_KEYS", raising=False)
    app = build_app("routing", tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.portal is not None
        client.portal.call(create_audit_table, app.state.runtime)
        yield client


def audit(client: TestClient, token: str) -> tuple[int, str, str]:
    r = client.get("/v1/audit", headers={"Authorization": f"Bearer {token}"})
    problems = r.json().get("detail") if r.status_code != 200 else None
    if not problems:
        return r.status_code, "", ""
    return r.status_code, str(problems[0]["type"]), str(problems[0]["msg"])


def test_rs256_and_es256_tokens_from_the_provider_are_accepted(
    routing: TestClient, rsa_key: Signer, ec_key: Signer
) -> None:
    assert audit(routing, rsa_key.token())[0] == 200
    assert audit(routing, ec_key.token())[0] == 200


def test_the_local_keyring_still_signs_for_tools_beside_the_provider(routing: TestClient) -> None:
    keyring = routing.app.state.runtime.keyring  # type: ignore[attr-defined]
    admin = bearer(keyring, Principal(Role.ADMIN, "admin:tools"))
    assert routing.get("/v1/audit", headers=admin).status_code == 200


def test_the_role_claim_decides_what_the_caller_may_do(
    routing: TestClient, rsa_key: Signer
) -> None:
    analyst = rsa_key.token({"minyi_role": "analyst"})
    status, code, _ = audit(routing, analyst)
    assert (status, code) == (403, "role_not_allowed")


def test_keys_are_cached_and_a_new_kid_fetches_the_set_again(
    routing: TestClient, jwks: Jwks, rsa_key: Signer
) -> None:
    assert audit(routing, rsa_key.token())[0] == 200
    fetched = jwks.fetches
    for _ in range(5):
        assert audit(routing, rsa_key.token())[0] == 200
    assert jwks.fetches == fetched, "a cached key was fetched again"

    rotated = Signer("rsa-2026-2", "RS256")
    jwks.keys[:] = [rotated.jwk]
    assert audit(routing, rotated.token())[0] == 200
    assert jwks.fetches == fetched + 1
    # The retired key is gone from the set: its tokens no longer verify.
    status, code, message = audit(routing, rsa_key.token())
    assert (status, code) == (401, "invalid_token")
    assert "unknown signing key" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"iss": "https://evil.example.com"}, "wrong issuer"),
        ({"aud": "someone-else"}, "wrong audience"),
        ({"iat": 1_700_000_000, "exp": 1_700_000_300}, "token expired"),
        ({"minyi_role": "mayor"}, "claim minyi_role names no Minyi role (it holds mayor)"),
        ({"minyi_role": None}, "claim minyi_role names no Minyi role"),
        ({"minyi_role": "unit_staff"}, "a unit_staff token must name its unit"),
        ({"exp": None}, "MissingRequiredClaimError"),
    ],
    ids=["issuer", "audience", "expired", "unknown-role", "no-role", "no-scope", "no-exp"],
)
def test_a_provider_token_is_refused_with_401_saying_why(
    routing: TestClient, rsa_key: Signer, change: dict[str, Any], expected: str
) -> None:
    status, code, message = audit(routing, rsa_key.token(**change))
    assert (status, code) == (401, "invalid_token")
    assert expected in message
    assert "令牌无效或已过期" in message


def test_no_signature_and_hs256_with_the_public_key_are_refused(
    routing: TestClient, rsa_key: Signer
) -> None:
    claims = jwt.decode(rsa_key.token(), options={"verify_signature": False})
    unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": rsa_key.kid})
    assert audit(routing, unsigned)[:2] == (401, "invalid_token")
    # HS256 keyed with the provider's public key (the classic confusion): the HMAC side
    # knows only the keyring's secrets, so the provider's kid is unknown to it.
    import hashlib
    import hmac
    from base64 import urlsafe_b64encode

    def b64(data: bytes) -> str:
        return urlsafe_b64encode(data).decode().rstrip("=")

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": rsa_key.kid}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(rsa_key.public_pem(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    status, code, message = audit(routing, f"{head}.{body}.{b64(mac)}")
    assert (status, code) == (401, "invalid_token")
    assert "unknown signing key" in message
    # RS256 claimed, but the key named is the EC one: refused before any signature check.
    other = rsa_key.token()
    head2, body2, sig2 = other.split(".")
    forged_head = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "ec-2026-1"}).encode())
    assert audit(routing, f"{forged_head}.{body2}.{sig2}")[:2] == (401, "invalid_token")
    assert head2


def test_an_unknown_kid_is_refused_once_the_set_was_fetched_again(
    routing: TestClient, jwks: Jwks
) -> None:
    stranger = Signer("not-published", "ES256")
    before = jwks.fetches
    status, code, message = audit(routing, stranger.token())
    assert (status, code) == (401, "invalid_token")
    assert "unknown signing key" in message
    assert jwks.fetches >= before + 1


def test_groups_map_to_roles_and_scopes_come_from_the_configured_claims() -> None:
    mapping = ClaimMapping(
        role="realm_access.groups",
        roles=parse_role_map("minyi-office=admin, minyi-units=unit_staff"),
        unit="org.unit_code",
    )
    staff = mapping.principal(
        {
            "sub": "u-1",
            "jti": "j-1",
            "iat": 1_800_000_000,
            "realm_access": {"groups": ["staff", "minyi-units"]},
            "org": {"unit_code": "db-zjj"},
        }
    )
    assert staff == Principal(Role.UNIT_STAFF, "u-1", unit="db-zjj")
    assert (staff.token_id, staff.issued_at) == ("j-1", 1_800_000_000.0)
    with pytest.raises(InvalidToken, match="several Minyi roles"):
        mapping.principal(
            {"sub": "u-2", "realm_access": {"groups": ["minyi-office", "minyi-units"]}}
        )
    with pytest.raises(InvalidToken, match="names no Minyi role"):
        mapping.principal({"sub": "u-3", "realm_access": {"groups": ["staff"]}})


def test_provider_settings_are_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MINYI_OIDC_ISSUER", "MINYI_OIDC_JWKS_URL", "MINYI_OIDC_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)
    assert load_oidc(AuthSettings()) is None
    monkeypatch.setenv("MINYI_OIDC_ISSUER", ISSUER)
    with pytest.raises(ValueError, match="MINYI_OIDC_JWKS_URL, MINYI_OIDC_AUDIENCE"):
        load_oidc(AuthSettings())
    monkeypatch.setenv("MINYI_OIDC_JWKS_URL", "https://id.example.gov.cn/certs")
    monkeypatch.setenv("MINYI_OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("MINYI_OIDC_ALGORITHMS", "RS256,HS256")
    with pytest.raises(ValueError, match="refused: HS256"):
        load_oidc(AuthSettings())
    monkeypatch.setenv("MINYI_OIDC_ALGORITHMS", "ES256")
    monkeypatch.setenv("MINYI_OIDC_ROLE_MAP", "minyi-office=mayor")
    with pytest.raises(ValueError, match="'mayor' is not a Minyi role"):
        load_oidc(AuthSettings())
    monkeypatch.setenv("MINYI_OIDC_ROLE_MAP", "minyi-office=admin")
    verifier = load_oidc(AuthSettings())
    assert verifier is not None
    assert verifier.algorithms == ("ES256",)
    assert verifier.mapping.roles == (("minyi-office", Role.ADMIN),)
