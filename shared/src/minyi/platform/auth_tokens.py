"""Bearer tokens: roles, the caller (``Principal``), keys and the production guard.

JWTs (HS256) with issuer, audience and expiry checked. Keys come from ``MINYI_JWT_KEYS``
(``kid:secret,kid:secret``: the first signs, all verify, so a key can be rotated without
downtime); without it, in development only, a key is generated into the data dir. Token
times use the wall clock, never the simulation clock, which may run fast. No FastAPI here:
the HTTP side is ``minyi.platform.auth``.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from minyi.platform.secret_file import read_or_create

if TYPE_CHECKING:
    from minyi.platform.settings import Settings

ALGORITHM = "HS256"
KEY_FILE = "jwt-keys.txt"
# HS256 keys shorter than the hash output weaken the MAC (RFC 7518 §3.2).
MIN_SECRET_BYTES = 32
PLACEHOLDER = "REPLACE_ME"
_KID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


class Role(StrEnum):
    CITIZEN = "citizen"
    ADAPTER = "adapter"
    STATION_STAFF = "station_staff"
    REPRESENTATIVE = "representative"
    UNIT_STAFF = "unit_staff"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    ADMIN = "admin"


# What each role's token must name, so that a scope check never meets a missing scope.
SCOPE_OF: dict[Role, str | None] = {
    Role.STATION_STAFF: "station",
    Role.REPRESENTATIVE: "representative",
    Role.UNIT_STAFF: "unit",
    Role.SUPERVISOR: "group",
}


@dataclass(frozen=True)
class Principal:
    """The caller, as its token says. ``districts`` is carried for services that do not
    own the group policy (supervision resolves ``group`` against its own policy)."""

    role: Role
    subject: str
    unit: str | None = None
    group: str | None = None
    districts: frozenset[str] | None = None
    station: str | None = None
    representative: str | None = None
    # The token's id and issue time, for revocation (not part of who the caller is).
    token_id: str | None = field(default=None, compare=False)
    issued_at: float | None = field(default=None, compare=False)

    def sees_district(self, district: str | None) -> bool:
        """Admin sees every district, a supervisor its group's; other roles none by district."""
        if self.role is Role.ADMIN:
            return True
        if self.role is Role.SUPERVISOR:
            return district is not None and district in (self.districts or frozenset())
        return False

    def claims(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sub": self.subject, "role": self.role.value}
        for name in ("unit", "group", "station", "representative"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.districts is not None:
            data["districts"] = sorted(self.districts)
        return data

    @classmethod
    def from_claims(cls, data: Mapping[str, Any]) -> Principal:
        role = Role(data["role"])
        districts = data.get("districts")
        principal = cls(
            role=role,
            subject=str(data["sub"]),
            unit=_opt_str(data.get("unit")),
            group=_opt_str(data.get("group")),
            districts=frozenset(map(str, districts)) if isinstance(districts, list) else None,
            station=_opt_str(data.get("station")),
            representative=_opt_str(data.get("representative")),
            token_id=_opt_str(data.get("jti")),
            issued_at=float(data["iat"]) if isinstance(data.get("iat"), int | float) else None,
        )
        scope = SCOPE_OF.get(role)
        if scope is not None and getattr(principal, scope) is None:
            raise ValueError(f"a {role.value} token must name its {scope}")
        return principal


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


class InvalidToken(Exception):
    """Why a token was refused (missing, malformed, expired, unknown key…): the 401 says."""


class RevokedToken(InvalidToken):
    """The token, or every token of its subject issued until then, was revoked."""


class InsecureConfiguration(RuntimeError):
    """Production refuses to start with generated or placeholder secrets."""


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINYI_", extra="ignore")

    jwt_keys: str | None = None
    jwt_issuer: str = "minyi"
    jwt_audience: str = "minyi"
    # Clock skew between the issuer and the services.
    jwt_leeway_seconds: int = 30
    # The deployment's OpenID Connect provider (auth_oidc; docs/SECURITY.md): unset, only
    # the keyring's HS256 tokens are accepted.
    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    oidc_audience: str | None = None
    oidc_algorithms: str = "RS256,ES256"
    # The claim holding the role (a string or a list such as ``groups``) and, optionally,
    # how its values map to Minyi roles: ``minyi-office=admin,minyi-analysts=analyst``.
    oidc_role_claim: str = "minyi_role"
    oidc_role_map: str = ""
    oidc_subject_claim: str = "sub"
    oidc_unit_claim: str = "minyi_unit"
    oidc_group_claim: str = "minyi_group"
    oidc_station_claim: str = "minyi_station"
    oidc_representative_claim: str = "minyi_representative"
    oidc_districts_claim: str = "minyi_districts"
    oidc_jwks_cache_seconds: float = Field(default=300, gt=0)
    # An unknown key id makes the JWKS be fetched again, at most this often.
    oidc_key_refetch_seconds: float = Field(default=30, ge=0)


@dataclass(frozen=True)
class Keyring:
    """Signing and verification keys: ``keys[0]`` signs, every key verifies."""

    keys: tuple[tuple[str, str], ...]
    issuer: str = "minyi"
    audience: str = "minyi"
    leeway_seconds: int = 30
    generated: bool = False
    _by_kid: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a keyring needs at least one key")
        object.__setattr__(self, "_by_kid", dict(self.keys))

    def issue(self, principal: Principal, ttl_seconds: int, *, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        kid, secret = self.keys[0]
        claims = principal.claims() | {
            "iss": self.issuer,
            "aud": self.audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": kid})

    def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        secret = self._by_kid.get(str(kid))
        if secret is None:
            raise InvalidToken("unknown signing key")
        try:
            claims = jwt.decode(
                token,
                secret,
                # One algorithm only: a token cannot choose "none" or another family.
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"invalid token: {type(exc).__name__}") from exc
        try:
            return Principal.from_claims(claims)
        except (KeyError, ValueError) as exc:
            raise InvalidToken(f"invalid claims: {exc}") from exc


def parse_keys(value: str) -> tuple[tuple[str, str], ...]:
    """``kid:secret,kid:secret`` → pairs; refuses short secrets and duplicate ids."""
    pairs: list[tuple[str, str]] = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        kid, sep, secret = item.partition(":")
        if not sep or not _KID.match(kid):
            raise ValueError("MINYI_JWT_KEYS: each key is kid:secret (kid: letters, digits, ._-)")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"MINYI_JWT_KEYS: key {kid} is shorter than {MIN_SECRET_BYTES} bytes")
        if kid in {k for k, _ in pairs}:
            raise ValueError(f"MINYI_JWT_KEYS: key id {kid} appears twice")
        pairs.append((kid, secret))
    if not pairs:
        raise ValueError("MINYI_JWT_KEYS holds no key")
    return tuple(pairs)


def new_key() -> str:
    return f"k{time.strftime('%Y%m%d')}-{secrets.token_hex(3)}:{secrets.token_urlsafe(48)}"


def local_key(data_dir: Path) -> str:
    """The development key in ``data_dir`` (0600), created once (safe when every service
    starts at the same moment: ``secret_file``)."""
    made = read_or_create(data_dir / KEY_FILE, lambda: (new_key() + "\n").encode())
    return made.decode("utf-8").strip()


def load_keyring(settings: Settings, auth: AuthSettings | None = None) -> Keyring:
    auth = auth or AuthSettings()
    if auth.jwt_keys:
        keys, generated = parse_keys(auth.jwt_keys), False
    elif settings.env == "production":
        raise InsecureConfiguration("MINYI_JWT_KEYS is required in production")
    else:
        keys, generated = parse_keys(local_key(settings.data_dir)), True
    return Keyring(keys, auth.jwt_issuer, auth.jwt_audience, auth.jwt_leeway_seconds, generated)


def check_production_secrets(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Problems that make a production start unsafe (empty outside production). Raised by
    ``refuse_insecure_production``; returned for tests and ``minyi doctor``-style checks."""
    if settings.env != "production":
        return []
    env = os.environ if environ is None else environ
    problems = [
        f"{name} still holds the placeholder {PLACEHOLDER}"
        for name, value in sorted(env.items())
        if name.startswith("MINYI_") and PLACEHOLDER in value
    ]
    keys = env.get("MINYI_JWT_KEYS", "")
    if not keys.strip():
        problems.append("MINYI_JWT_KEYS is missing: tokens would be signed with a generated key")
    else:
        try:
            parse_keys(keys)
        except ValueError as exc:
            problems.append(str(exc))
    if settings.nats_user and not settings.nats_password:
        problems.append("MINYI_NATS_PASSWORD is missing for MINYI_NATS_USER")
    return problems


def refuse_insecure_production(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> None:
    problems = check_production_secrets(settings, environ)
    if problems:
        raise InsecureConfiguration(
            "refusing to start in production with unsafe secrets: " + "; ".join(problems)
        )


def bearer(keyring: Keyring, principal: Principal, ttl_seconds: int = 3600) -> dict[str, str]:
    """``Authorization`` header for ``principal`` (tests, scripts, ``minyi up``)."""
    return {"Authorization": f"Bearer {keyring.issue(principal, ttl_seconds)}"}


def local_bearer(data_dir: Path, principal: Principal, ttl_seconds: int = 3600) -> dict[str, str]:
    """``Authorization`` header signed with the development key in ``data_dir`` (tests
    against processes started by ``minyi up`` or the test system)."""
    return bearer(Keyring(parse_keys(local_key(data_dir))), principal, ttl_seconds)
