"""Which key checks a bearer token, and whether it was revoked: the one ``verify`` every
HTTP request goes through (``minyi.platform.auth``).

HS256 tokens are checked by the local keyring (development, service tooling, ``minyi
token issue``); RS256/ES256 tokens by the deployment's OpenID Connect provider when one is
configured (``auth_oidc``). Either way a token whose id or subject is in the revocation
bucket (``revocation``) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jwt

from minyi.platform.auth_oidc import OidcVerifier
from minyi.platform.auth_tokens import ALGORITHM, InvalidToken, Keyring, Principal, RevokedToken
from minyi.platform.revocation import Revocations


@dataclass
class TokenVerifier:
    keyring: Keyring
    oidc: OidcVerifier | None = None
    revocations: Revocations = field(default_factory=Revocations)

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        algorithm = header.get("alg")
        if algorithm == ALGORITHM:
            principal = self.keyring.verify(token)
        elif self.oidc is not None and self.oidc.accepts(header):
            principal = await self.oidc.verify(token, header)
        else:
            raise InvalidToken(f"algorithm {algorithm} is not accepted")
        if self.revocations.revoked(principal.token_id, principal.subject, principal.issued_at):
            raise RevokedToken("token revoked")
        return principal
