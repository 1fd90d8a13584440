"""Tokens from the deployment's OpenID Connect provider (issue 20): RS256 or ES256, checked
against the provider's JWKS, roles and scopes read from claims the configuration names.

The provider's keys are fetched by PyJWT's ``PyJWKClient`` and cached
(``MINYI_OIDC_JWKS_CACHE_SECONDS``); a token signed with a key id the cache does not hold
makes it fetch the set again (key rotation), at most once per
``MINYI_OIDC_KEY_REFETCH_SECONDS``, so tokens with made-up key ids cannot flood the
provider. Fetching runs in a worker thread (urllib blocks); a request whose key is cached
does no I/O. Only the asymmetric algorithms configured are accepted, and only with a key
from the JWKS: a token cannot choose ``none``, nor HS256 with the provider's public key as
the secret (HS256 tokens are checked by the local keyring alone, against its secrets).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient

from minyi.platform.auth_tokens import SCOPE_OF, AuthSettings, InvalidToken, Principal, Role

# What a provider may sign with. HS* are symmetric (the secret would have to be shared with
# every service) and "none" is no signature: neither is ever accepted from a provider.
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"})


@dataclass(frozen=True)
class ClaimMapping:
    """Which claims say who the caller is. ``role`` may hold one value or a list (e.g. the
    provider's ``groups``); ``roles`` maps those values to Minyi roles (empty: the values
    are Minyi role names themselves). Claim names may be dotted paths into nested claims
    (``realm_access.roles``)."""

    role: str = "minyi_role"
    roles: tuple[tuple[str, Role], ...] = ()
    subject: str = "sub"
    unit: str = "minyi_unit"
    group: str = "minyi_group"
    station: str = "minyi_station"
    representative: str = "minyi_representative"
    districts: str = "minyi_districts"

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        role = self.role_of(claims)
        subject = _claim(claims, self.subject)
        if not isinstance(subject, str) or not subject:
            raise InvalidToken(f"claim {self.subject} (the subject) is missing")
        districts = _claim(claims, self.districts)
        principal = Principal(
            role=role,
            subject=subject,
            unit=_scalar(_claim(claims, self.unit)),
            group=_scalar(_claim(claims, self.group)),
            districts=frozenset(map(str, districts)) if isinstance(districts, list) else None,
            station=_scalar(_claim(claims, self.station)),
            representative=_scalar(_claim(claims, self.representative)),
            token_id=_scalar(claims.get("jti")),
            issued_at=float(claims["iat"]) if isinstance(claims.get("iat"), int | float) else None,
        )
        scope = SCOPE_OF.get(role)
        if scope is not None and getattr(principal, scope) is None:
            raise InvalidToken(
                f"a {role.value} token must name its {scope} (claim {getattr(self, scope)})"
            )
        return principal

    def role_of(self, claims: Mapping[str, Any]) -> Role:
        raw = _claim(claims, self.role)
        values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        table = dict(self.roles) if self.roles else {r.value: r for r in Role}
        found = {table[v] for v in values if isinstance(v, str) and v in table}
        if not found:
            shown = ", ".join(map(str, values)) or "nothing"
            raise InvalidToken(f"claim {self.role} names no Minyi role (it holds {shown})")
        if len(found) > 1:
            names = ", ".join(sorted(r.value for r in found))
            raise InvalidToken(f"claim {self.role} names several Minyi roles ({names})")
        return found.pop()


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, list | dict):
        return None
    return str(value)


def parse_role_map(value: str) -> tuple[tuple[str, Role], ...]:
    """``group=role,group=role`` → pairs (``MINYI_OIDC_ROLE_MAP``)."""
    pairs: list[tuple[str, Role]] = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, role = item.rpartition("=")
        if not sep or not name.strip():
            raise ValueError("MINYI_OIDC_ROLE_MAP: each entry is <claim value>=<role>")
        try:
            pairs.append((name.strip(), Role(role.strip())))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise ValueError(
                f"MINYI_OIDC_ROLE_MAP: {role.strip()!r} is not a Minyi role ({allowed})"
            ) from None
    return tuple(pairs)


def parse_algorithms(value: str) -> tuple[str, ...]:
    algorithms = tuple(a.strip() for a in value.split(",") if a.strip())
    refused = [a for a in algorithms if a not in ASYMMETRIC]
    if refused or not algorithms:
        raise ValueError(
            "MINYI_OIDC_ALGORITHMS: only asymmetric algorithms are accepted from a provider "
            f"({', '.join(sorted(ASYMMETRIC))}); refused: {', '.join(refused) or 'none given'}"
        )
    return algorithms


class OidcVerifier:
    """Verifies the provider's tokens: signature (JWKS), issuer, audience, expiry, claims."""

    def __init__(
        self,
        *,
        issuer: str,
        jwks_url: str,
        audience: str,
        algorithms: Sequence[str] = ("RS256", "ES256"),
        mapping: ClaimMapping | None = None,
        leeway_seconds: int = 30,
        cache_seconds: float = 300,
        refetch_seconds: float = 30,
        timeout_seconds: float = 5,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.algorithms = tuple(algorithms)
        self.mapping = mapping or ClaimMapping()
        self.leeway_seconds = leeway_seconds
        self.client = PyJWKClient(
            jwks_url,
            cache_jwk_set=True,
            lifespan=cache_seconds,
            cooldown_duration=refetch_seconds,
            timeout=timeout_seconds,
        )

    def accepts(self, header: Mapping[str, Any]) -> bool:
        """Whether a token with this header is the provider's to check."""
        return header.get("alg") in self.algorithms

    async def verify(self, token: str, header: Mapping[str, Any]) -> Principal:
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise InvalidToken(f"algorithm {algorithm} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the token names no signing key (kid)")
        key = await self.signing_key(kid)
        if key.algorithm_name != algorithm:
            raise InvalidToken(f"key {kid} is for {key.algorithm_name}, not {algorithm}")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken("wrong issuer") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("wrong audience") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"invalid token: {type(exc).__name__}") from exc
        return self.mapping.principal(claims)

    async def signing_key(self, kid: str) -> PyJWK:
        cache = self.client.jwk_set_cache
        cached = cache.get() if cache is not None else None
        if cached is not None:
            for key in cached.keys:
                if key.key_id == kid and key.public_key_use in ("sig", None):
                    return key
        try:
            # Fetches the set when the cache is empty, expired or lacks ``kid`` (rotation).
            return await asyncio.to_thread(self.client.get_signing_key, kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise InvalidToken("the identity provider's keys could not be fetched") from exc
        except jwt.PyJWKClientError as exc:
            raise InvalidToken("unknown signing key") from exc


def load_oidc(auth: AuthSettings) -> OidcVerifier | None:
    """The provider's verifier when ``MINYI_OIDC_ISSUER`` is set (None otherwise)."""
    if not auth.oidc_issuer:
        return None
    missing = [
        name
        for name, value in (
            ("MINYI_OIDC_JWKS_URL", auth.oidc_jwks_url),
            ("MINYI_OIDC_AUDIENCE", auth.oidc_audience),
        )
        if not value
    ]
    if missing:
        raise ValueError(f"MINYI_OIDC_ISSUER is set: {', '.join(missing)} must be set too")
    assert auth.oidc_jwks_url is not None and auth.oidc_audience is not None
    return OidcVerifier(
        issuer=auth.oidc_issuer,
        jwks_url=auth.oidc_jwks_url,
        audience=auth.oidc_audience,
        algorithms=parse_algorithms(auth.oidc_algorithms),
        mapping=ClaimMapping(
            role=auth.oidc_role_claim,
            roles=parse_role_map(auth.oidc_role_map),
            subject=auth.oidc_subject_claim,
            unit=auth.oidc_unit_claim,
            group=auth.oidc_group_claim,
            station=auth.oidc_station_claim,
            representative=auth.oidc_representative_claim,
            districts=auth.oidc_districts_claim,
        ),
        leeway_seconds=auth.jwt_leeway_seconds,
        cache_seconds=auth.oidc_jwks_cache_seconds,
        refetch_seconds=auth.oidc_key_refetch_seconds,
    )
