"""An OAuth 2.0 authorization-code server core, as the providers run theirs.

It issues authorization codes (single use, short lived), access tokens (``access_ttl``) and refresh tokens that
rotate on every use. The previous refresh token stays valid for ``refresh_grace`` seconds after rotation (Xero:
30 minutes) and returns the *same* new pair when replayed within that window, which is what lets two workers that
refresh at once both end up holding the newest token. Revoking a grant kills all of its tokens. Time comes from
the injectable ``clock`` so tests can expire tokens without sleeping.

The HTTP surfaces (authorize page, token endpoint bodies) differ per provider and live in each sandbox.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Grant", "OAuthError", "OAuthServer", "TokenPair"]


class OAuthError(Exception):
    """An RFC 6749 error: ``code`` is ``invalid_grant``, ``invalid_client``, ``invalid_request``..."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class Grant:
    """One user's consent to one client for one company (QBO realm / Xero tenant set)."""

    client_id: str
    subject: str
    scopes: tuple[str, ...]
    revoked: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenPair:
    """What the token endpoint returns."""

    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    grant: Grant


@dataclass
class _Code:
    grant: Grant
    redirect_uri: str
    expires_at: float


@dataclass
class _Refresh:
    grant: Grant
    expires_at: float
    replaced_by: TokenPair | None = None
    replaced_at: float | None = None


class OAuthServer:
    """In-memory state of an authorization server."""

    def __init__(
        self,
        *,
        clients: dict[str, str],
        access_ttl: int,
        refresh_ttl: int,
        refresh_grace: int,
        code_ttl: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clients = dict(clients)
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.refresh_grace = refresh_grace
        self.code_ttl = code_ttl
        self.clock = clock
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, tuple[Grant, float]] = {}
        self._refresh: dict[str, _Refresh] = {}

    def check_client(self, client_id: str, client_secret: str) -> None:
        """Raise ``invalid_client`` unless the pair is registered."""
        expected = self.clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected, client_secret):
            raise OAuthError("invalid_client", "client authentication failed")

    def authorize(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        subject: str,
        scopes: tuple[str, ...],
        extra: dict[str, str] | None = None,
    ) -> str:
        """Record consent and return a one-time authorization code."""
        if client_id not in self.clients:
            raise OAuthError("invalid_client", f"unknown client_id {client_id!r}")
        code = secrets.token_urlsafe(24)
        grant = Grant(client_id=client_id, subject=subject, scopes=scopes, extra=dict(extra or {}))
        self._codes[code] = _Code(grant, redirect_uri, self.clock() + self.code_ttl)
        return code

    def _issue(self, grant: Grant) -> TokenPair:
        now = self.clock()
        pair = TokenPair(
            access_token=secrets.token_urlsafe(32),
            refresh_token=secrets.token_urlsafe(32),
            expires_in=self.access_ttl,
            refresh_expires_in=self.refresh_ttl,
            grant=grant,
        )
        self._access[pair.access_token] = (grant, now + self.access_ttl)
        self._refresh[pair.refresh_token] = _Refresh(grant, now + self.refresh_ttl)
        return pair

    def exchange_code(self, *, client_id: str, code: str, redirect_uri: str) -> TokenPair:
        """``grant_type=authorization_code``; a code works once."""
        found = self._codes.pop(code, None)
        if found is None or found.expires_at < self.clock() or found.grant.client_id != client_id:
            raise OAuthError("invalid_grant", "authorization code is invalid or expired")
        if found.redirect_uri != redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
        return self._issue(found.grant)

    def refresh(self, *, client_id: str, refresh_token: str) -> TokenPair:
        """``grant_type=refresh_token``: rotate, replaying the same answer inside the grace window."""
        now = self.clock()
        found = self._refresh.get(refresh_token)
        if found is None or found.grant.revoked or found.grant.client_id != client_id or found.expires_at < now:
            raise OAuthError("invalid_grant", "refresh token is invalid, expired or revoked")
        if found.replaced_by is not None:
            assert found.replaced_at is not None
            if now - found.replaced_at <= self.refresh_grace:
                return found.replaced_by
            raise OAuthError("invalid_grant", "refresh token was already used")
        pair = self._issue(found.grant)
        found.replaced_by, found.replaced_at = pair, now
        return pair

    def check_access(self, access_token: str) -> Grant | None:
        """The grant behind a live access token, or ``None`` (expired, unknown or revoked)."""
        found = self._access.get(access_token)
        if found is None or found[1] < self.clock() or found[0].revoked:
            return None
        return found[0]

    def revoke(self, token: str) -> None:
        """Revoke the grant behind an access or refresh token (RFC 7009 answers 200 either way)."""
        grant = (self._access.get(token) or (None, 0))[0] or getattr(self._refresh.get(token), "grant", None)
        if grant is not None:
            grant.revoked = True

    def revoke_all(self) -> None:
        """Fault injection: every grant is revoked, as when a user disconnects the app."""
        for grant, _ in self._access.values():
            grant.revoked = True
        for refresh in self._refresh.values():
            refresh.grant.revoked = True

    def expire_access_tokens(self) -> None:
        """Fault injection: every access token expires now (as one would mid-sync)."""
        self._access = {token: (grant, 0.0) for token, (grant, _) in self._access.items()}
