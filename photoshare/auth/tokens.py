"""Signed JWTs (HS256, pinned) for access, refresh and email confirmation.

Signing and verification use joserfc, the JOSE implementation the Authlib project
moved its ``authlib.jose`` module to. The algorithm is fixed on decode, so a token
claiming ``alg: none`` or any other algorithm is refused, and key-locating headers
(``kid``, ``jku``) are never consulted.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from photoshare.errors import NotAuthenticated

ALGORITHM = "HS256"


class TokenType(StrEnum):
    access = "access"
    refresh = "refresh"
    email_confirmation = "email-confirmation"


@dataclass(frozen=True)
class TokenClaims:
    sub: str
    jti: str
    type: TokenType
    iat: datetime
    exp: datetime
    sid: str | None = None
    email: str | None = None

    @property
    def seconds_left(self) -> int:
        return max(0, int((self.exp - datetime.now(UTC)).total_seconds()))


class TokenCodec:
    def __init__(self, secret_key: str) -> None:
        self._key = OctKey.import_key(secret_key.encode())
        self._claims_registry = jwt.JWTClaimsRegistry(
            leeway=5,
            sub={"essential": True},
            jti={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )

    def issue(
        self,
        token_type: TokenType,
        subject: str,
        ttl: timedelta,
        *,
        session_id: str | None = None,
        email: str | None = None,
    ) -> tuple[str, TokenClaims]:
        """Sign a new token and return it with its claims."""
        now = datetime.now(UTC).replace(microsecond=0)
        claims = TokenClaims(
            sub=subject,
            jti=secrets.token_urlsafe(16),
            type=token_type,
            iat=now,
            exp=now + ttl,
            sid=session_id,
            email=email,
        )
        payload: dict[str, Any] = {
            "sub": claims.sub,
            "jti": claims.jti,
            "type": claims.type.value,
            "iat": int(now.timestamp()),
            "exp": int(claims.exp.timestamp()),
        }
        if session_id is not None:
            payload["sid"] = session_id
        if email is not None:
            payload["email"] = email
        token = jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, payload, self._key)
        return token, claims

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        """Verify signature, lifetime and type; any failure is a 401."""
        try:
            decoded = jwt.decode(token, self._key, algorithms=[ALGORITHM])
            self._claims_registry.validate(decoded.claims)
            payload = decoded.claims
            token_type = TokenType(str(payload.get("type")))
            claims = TokenClaims(
                sub=str(payload["sub"]),
                jti=str(payload["jti"]),
                type=token_type,
                iat=datetime.fromtimestamp(int(payload["iat"]), UTC),
                exp=datetime.fromtimestamp(int(payload["exp"]), UTC),
                sid=str(payload["sid"]) if "sid" in payload else None,
                email=str(payload["email"]) if "email" in payload else None,
            )
        except (JoseError, ValueError, TypeError, KeyError, UnicodeError, OverflowError) as exc:
            raise NotAuthenticated("The token is invalid or has expired") from exc
        if claims.type is not expected:
            raise NotAuthenticated(f"A {claims.type.value} token cannot be used here")
        return claims
