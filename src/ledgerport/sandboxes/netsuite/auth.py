"""NetSuite's two ways in: OAuth 2.0 authorization code with JWT tokens, and TBA (OAuth 1.0a, HMAC-SHA256).

OAuth 2.0 (NS-DOC section_158081944642, section_160855594402, section_158255317571): the consent page
``/app/login/oauth2/authorize.nl`` redirects with ``code``, ``state``, ``role``, ``entity`` and ``company``; the
token endpoint takes Basic client auth. Access and refresh tokens are PS256 JWTs (``sub`` "role;entity", ``aud``
["appId;account", clientId], ``scope``, ``iss`` https://system.netsuite.com, ``exp``, ``iat``). Access tokens
live 60 minutes. A confidential client's refresh token lives 7 days from the consent and is not rotated: the
refresh grant answers with a new access token and the same refresh token (NetSuite documents no rotation for
confidential clients; echoing the token back is what NETSUITE.md fixes), then ``invalid_grant``.

TBA (FACTS §4.2): the base string is RFC 5849's, every query parameter included, ``realm`` excluded; the realm must
be the account id exactly (``1234567_SB1``), the method HMAC-SHA256; a nonce is single use and the timestamp must
be within 5 minutes of the sandbox clock (a guess at NetSuite's window). Any failure is 401 INVALID_LOGIN.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = [
    "ACCESS_TTL",
    "Authority",
    "Principal",
    "REFRESH_TTL",
    "TbaCredentials",
    "tba_base_string",
]

ACCESS_TTL = 3600
REFRESH_TTL = 7 * 24 * 3600
CODE_TTL = 600
ROLE, ENTITY = "3", "-5"  # the Administrator role and the account's first user, as NetSuite numbers them
APP_ID = "4B1E5C3A-7D2F-4E8B-9A6C-1D0F2E3B4A5C"


@dataclass(frozen=True)
class TbaCredentials:
    """One integration record's consumer key/secret and one user's token id/secret."""

    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str


@dataclass(frozen=True)
class Principal:
    """Who a request is from: ``client`` is the OAuth 2.0 client id or the TBA consumer key."""

    method: str
    client: str


@dataclass
class _Grant:
    client_id: str
    scope: str
    issued_at: float
    revoked: bool = False


@dataclass
class Authority:
    """Clients, codes, tokens and the TBA credential set of one account."""

    account_id: str
    clients: dict[str, str]
    clock: Callable[[], float]
    tba: TbaCredentials
    verify_tba: bool = True
    _key: Any = field(default=None, repr=False)
    _codes: dict[str, tuple[_Grant, str, float]] = field(default_factory=dict)
    _access: dict[str, tuple[_Grant, float]] = field(default_factory=dict)
    _refresh: dict[str, tuple[_Grant, float]] = field(default_factory=dict)
    _nonces: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    # -- OAuth 2.0 -------------------------------------------------------------------------------------------------
    def authorize(self, client_id: str, redirect_uri: str, scope: str) -> str:
        """Record consent; a one-time code."""
        code = secrets.token_urlsafe(24)
        self._codes[code] = (_Grant(client_id, scope, self.clock()), redirect_uri, self.clock() + CODE_TTL)
        return code

    def check_client(self, client_id: str, secret: str) -> bool:
        """Whether the Basic credentials name a registered client."""
        expected = self.clients.get(client_id)
        return expected is not None and secrets.compare_digest(expected, secret)

    def _jwt(self, grant: _Grant, ttl: int, kind: str) -> tuple[str, float]:
        now = self.clock()
        expires = (grant.issued_at if kind == "refresh" else now) + ttl
        claims = {
            "sub": f"{ROLE};{ENTITY}",
            "aud": [f"{APP_ID};{self.account_id}", grant.client_id],
            "scope": grant.scope.replace(" ", ","),
            "iss": "https://system.netsuite.com",
            "exp": int(expires),
            "iat": int(now),
            "jti": str(uuid.uuid4()),
        }
        token = jwt.encode(claims, self._key, algorithm="PS256", headers={"kid": "s.SYSTEM.2024_1", "typ": "JWT"})
        return token, expires

    def exchange(self, client_id: str, code: str, redirect_uri: str) -> dict[str, Any]:
        """``grant_type=authorization_code``; raises ``ValueError`` with the OAuth error code."""
        found = self._codes.pop(code, None)
        if found is None or found[2] < self.clock() or found[0].client_id != client_id:
            raise ValueError("invalid_grant")
        grant, expected_uri, _ = found
        if expected_uri and redirect_uri != expected_uri:
            raise ValueError("invalid_grant")
        refresh, refresh_expires = self._jwt(grant, REFRESH_TTL, "refresh")
        self._refresh[refresh] = (grant, refresh_expires)
        return self._answer(grant, refresh)

    def refresh(self, client_id: str, refresh_token: str) -> dict[str, Any]:
        """``grant_type=refresh_token``: a new access token while the refresh token's 7 days last."""
        found = self._refresh.get(refresh_token)
        if found is None or found[0].revoked or found[0].client_id != client_id or found[1] <= self.clock():
            raise ValueError("invalid_grant")
        return self._answer(found[0], refresh_token)

    def _answer(self, grant: _Grant, refresh: str) -> dict[str, Any]:
        access, expires = self._jwt(grant, ACCESS_TTL, "access")
        self._access[access] = (grant, expires)
        return {"access_token": access, "refresh_token": refresh, "expires_in": str(ACCESS_TTL), "token_type": "bearer"}

    def bearer(self, token: str) -> Principal | None:
        """The principal behind a live access token."""
        found = self._access.get(token)
        if found is None or found[0].revoked or found[1] <= self.clock():
            return None
        try:
            # The sandbox clock decides expiry; PyJWT's own checks would use the wall clock.
            options = {"verify_exp": False, "verify_aud": False, "verify_iat": False, "verify_nbf": False}
            jwt.decode(token, self._key.public_key(), algorithms=["PS256"], options=options)
        except jwt.InvalidTokenError:
            return None
        return Principal("oauth2", found[0].client_id)

    def expire_access_tokens(self) -> None:
        """Every access token expires now."""
        self._access = {token: (grant, 0.0) for token, (grant, _) in self._access.items()}

    def expire_refresh_tokens(self) -> None:
        """Every refresh token expires now (as 7 days after consent)."""
        self._refresh = {token: (grant, 0.0) for token, (grant, _) in self._refresh.items()}

    def revoke_all(self) -> None:
        """Every grant is revoked."""
        for grant, _ in [*self._access.values(), *self._refresh.values()]:
            grant.revoked = True

    # -- TBA -------------------------------------------------------------------------------------------------------
    def check_tba(self, header: str, method: str, url: str, query: list[tuple[str, str]]) -> Principal | None:
        """Verify an ``Authorization: OAuth ...`` header against the request; ``None`` when it fails."""
        params = _parse_oauth_header(header)
        if params is None:
            return None
        creds = self.tba
        if params.get("realm") != self.account_id:
            return None
        if params.get("oauth_consumer_key") != creds.consumer_key or params.get("oauth_token") != creds.token_id:
            return None
        if params.get("oauth_signature_method") != "HMAC-SHA256":
            return None
        if not self.verify_tba:
            return Principal("tba", creds.consumer_key)
        try:
            timestamp = int(params.get("oauth_timestamp", ""))
        except ValueError:
            return None
        now = self.clock()
        nonce = params.get("oauth_nonce", "")
        if not nonce or abs(now - timestamp) > 300 or nonce in self._nonces:
            return None
        signed = [(k, v) for k, v in params.items() if k.startswith("oauth_") and k != "oauth_signature"]
        base = tba_base_string(method, url, [*query, *signed])
        key = f"{_enc(creds.consumer_secret)}&{_enc(creds.token_secret)}".encode()
        expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, params.get("oauth_signature", "")):
            return None
        self._nonces = {n: t for n, t in self._nonces.items() if t > now - 600}
        self._nonces[nonce] = now
        return Principal("tba", creds.consumer_key)


def _enc(value: str) -> str:
    return quote(value, safe="~")


def tba_base_string(method: str, url: str, params: list[tuple[str, str]]) -> str:
    """RFC 5849 §3.4.1: ``METHOD&enc(base uri)&enc(sorted, encoded params)``."""
    pairs = sorted((_enc(k), _enc(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    return "&".join([method.upper(), _enc(url), _enc(normalized)])


def _parse_oauth_header(header: str) -> dict[str, str] | None:
    if not header[:6].lower() == "oauth ":
        return None
    out: dict[str, str] = {}
    for part in header[6:].split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        out[key.strip()] = unquote(value.strip().strip('"'))
    return out
