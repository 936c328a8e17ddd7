"""OAuth 2.0 authorization-code flow and refresh, sans I/O.

Functions here build :class:`~ledgerport.connectors._base.http.Request` values and read
:class:`~ledgerport.connectors._base.http.Response` values; the caller sends them. That keeps the flow testable
without a network and lets the sync engine wrap the refresh in whatever lock makes it safe across workers: the
refresh token rotates on every use, so exactly one worker may spend it, and the newest one must be saved before
anyone else reads the credentials.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Literal
from urllib.parse import urlencode

import msgspec

from ledgerport.connectors._base.errors import AuthRevoked, Rejected, Transient
from ledgerport.connectors._base.http import Request, Response

__all__ = [
    "OAuth2",
    "OAuthClient",
    "TokenSet",
    "authorization_url",
    "code_request",
    "decode_tokens",
    "encode_tokens",
    "read_tokens",
    "refresh_request",
    "signing_credentials",
]


class OAuth2(msgspec.Struct, frozen=True, kw_only=True):
    """A provider's OAuth 2.0 endpoints and scopes (real hosts; sandboxes swap the origin)."""

    authorize_url: str
    token_url: str
    scopes: Sequence[str]
    client_auth: Literal["basic", "body"] = "basic"
    refresh_margin: int = 300
    """Refresh this many seconds before expiry, so a long page fetch never starts with a dying token."""
    exchange_url: str | None = None
    """Where the authorization code is exchanged, when not at ``token_url``: a token URL over a fact the tokens
    themselves teach (Entra's tenant, read from the access token) exchanges the code at a tenant-neutral one."""


class OAuthClient(msgspec.Struct, frozen=True):
    """The app's registration at the provider."""

    client_id: str
    client_secret: str
    redirect_uri: str


class TokenSet(msgspec.Struct, frozen=True, kw_only=True):
    """What a linked account holds to call its provider; stored encrypted."""

    access_token: str
    refresh_token: str
    expires_at: float
    refresh_expires_at: float | None = None
    extra: Mapping[str, str] = {}
    """Provider-specific facts learned while linking (QBO realmId, Xero tenantId)."""
    secrets: Mapping[str, str] = {}
    """Signing credentials held instead of a bearer token (OAuth 1.0a consumer and token keys), for an account
    linked without OAuth 2.0; the connector's ``sign`` uses them. Such a set never expires and cannot be refreshed:
    a refusal means the credentials were revoked."""

    @property
    def signed(self) -> bool:
        """Whether requests are signed with :attr:`secrets` rather than carrying a bearer token."""
        return bool(self.secrets)

    def needs_refresh(self, now: float, margin: float) -> bool:
        """Whether the access token expires within ``margin`` seconds (never, for signing credentials)."""
        return not self.secrets and self.expires_at - margin <= now


def authorization_url(
    oauth: OAuth2, client: OAuthClient, *, state: str | None = None, extra: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """Where to send the person who links an account, and the ``state`` to check on return."""
    state = state or secrets.token_urlsafe(16)
    query = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "scope": " ".join(oauth.scopes),
        "state": state,
        **(extra or {}),
    }
    return f"{oauth.authorize_url}?{urlencode(query)}", state


def _token_request(oauth: OAuth2, client: OAuthClient, form: dict[str, str]) -> Request:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if oauth.client_auth == "basic":
        pair = f"{client.client_id}:{client.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    else:
        form = {**form, "client_id": client.client_id, "client_secret": client.client_secret}
    return Request(method="POST", url=oauth.token_url, headers=headers, body=urlencode(form).encode())


def code_request(oauth: OAuth2, client: OAuthClient, code: str) -> Request:
    """Exchange an authorization code for tokens."""
    return _token_request(
        oauth, client, {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri}
    )


def refresh_request(oauth: OAuth2, client: OAuthClient, tokens: TokenSet) -> Request:
    """Spend the refresh token for a new pair."""
    return _token_request(oauth, client, {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})


def read_tokens(response: Response, *, now: float | None = None, extra: Mapping[str, str] | None = None) -> TokenSet:
    """A token endpoint's answer as a :class:`TokenSet`; a refused grant is :class:`AuthRevoked`."""
    if response.status >= 500:
        raise Transient(f"token endpoint answered {response.status}")
    body = response.json()
    if response.status >= 400 or not isinstance(body, dict) or "access_token" not in body:
        error = body.get("error") if isinstance(body, dict) else None
        if error in {"invalid_grant", "unauthorized_client"}:
            raise AuthRevoked(f"the provider refused the grant: {error}")
        raise Rejected(f"token endpoint answered {response.status}: {response.body[:200]!r}")
    moment = time.time() if now is None else now
    refresh_ttl = body.get("x_refresh_token_expires_in") or body.get("refresh_token_expires_in")
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token", "")),
        expires_at=moment + float(body.get("expires_in", 3600)),
        refresh_expires_at=None if refresh_ttl is None else moment + float(refresh_ttl),
        extra=dict(extra or {}),
    )


def signing_credentials(secrets: Mapping[str, str], facts: Mapping[str, str]) -> TokenSet:
    """What an account linked with signing credentials holds: the secrets and its facts, no token to refresh."""
    if not secrets or not all(secrets.values()):
        raise Rejected("signing credentials need every value")
    return TokenSet(access_token="", refresh_token="", expires_at=0.0, extra=dict(facts), secrets=dict(secrets))


def encode_tokens(tokens: TokenSet) -> bytes:
    """A token set as bytes, for sealing at rest."""
    return msgspec.json.encode(tokens)


def decode_tokens(secret: bytes) -> TokenSet:
    """The inverse of :func:`encode_tokens`."""
    return msgspec.json.decode(secret, type=TokenSet)
