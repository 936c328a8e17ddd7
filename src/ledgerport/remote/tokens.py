"""A linked account's provider tokens, kept sealed in the store and refreshed by one worker at a time.

Refresh tokens rotate on every use, and QuickBooks rejects a spent one at once, so a refresh must be serialized
across every worker calling the account: :meth:`StoredTokens.refresh` takes the credentials' write lock, and if
another worker has refreshed meanwhile (the stored access token is no longer the stale one) it uses theirs
instead of spending the refresh token again. The new pair is written in the same transaction that held the lock.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping

import msgspec

from ledgerport.connectors._base import AuthRevoked, Transport
from ledgerport.connectors._base.auth import (
    OAuth2,
    OAuthClient,
    TokenSet,
    decode_tokens,
    encode_tokens,
    read_tokens,
    refresh_request,
)
from ledgerport.kit.sealing import Sealer
from ledgerport.store import Database
from ledgerport.store.credentials import find_credentials, lock_credentials, replace_credentials

__all__ = ["StoredTokens"]


class StoredTokens:
    """A :class:`~ledgerport.connectors._base.client.TokenSource` over the credentials table."""

    def __init__(
        self,
        database: Database,
        *,
        sealer: Sealer,
        account_id: uuid.UUID,
        oauth: OAuth2,
        client: OAuthClient,
        transport: Transport,
        token_url: str,
        loaded: TokenSet | None = None,
    ) -> None:
        """``loaded``: the tokens as the caller has just read them, so the first call needs no second read."""
        self._database = database
        self._sealer = sealer
        self._account_id = account_id
        self._oauth = oauth
        self._client = client
        self._transport = transport
        self._token_url = token_url
        self._tokens: TokenSet | None = loaded
        self._refreshing: dict[str, asyncio.Task[TokenSet]] = {}  # under way, by the access token they replace
        self.refreshes = 0

    @property
    def facts(self) -> Mapping[str, str]:
        """The account facts stored with the tokens (realm, tenant)."""
        return {} if self._tokens is None else self._tokens.extra

    async def load(self) -> TokenSet:
        """Read the stored tokens."""
        async with self._database.read() as session:
            stored = await find_credentials(session, sealer=self._sealer, linked_account_id=self._account_id)
        if stored is None:
            raise AuthRevoked("this linked account has no provider credentials; link it again")
        self._tokens = decode_tokens(stored.secret)
        return self._tokens

    async def current(self) -> TokenSet:
        """The newest tokens, refreshed first when they expire within the provider's margin."""
        tokens = self._tokens or await self.load()
        if tokens.needs_refresh(time.time(), self._oauth.refresh_margin):
            return await self.refresh(tokens)
        return tokens

    async def refresh(self, stale: TokenSet) -> TokenSet:
        """Tokens newer than ``stale``: another worker's if it refreshed first, else a fresh pair.

        Shielded, and shared by the calls that ask at once: a caller may be cancelled (a page read ahead that is
        no longer wanted) after the provider has rotated the refresh token, and the newest one must still be
        stored, or the account would need linking again.
        """
        if stale.signed:  # signing credentials do not expire: refused, they were revoked
            raise AuthRevoked("the provider refused this account's signing credentials; link it again")
        running = self._refreshing.get(stale.access_token)
        if running is None:
            running = self._refreshing[stale.access_token] = asyncio.ensure_future(self._refresh(stale))
            running.add_done_callback(lambda _: self._refreshing.pop(stale.access_token, None))
        return await asyncio.shield(running)

    async def _refresh(self, stale: TokenSet) -> TokenSet:
        async with self._database.write() as session:
            locked = await lock_credentials(session, sealer=self._sealer, linked_account_id=self._account_id)
            if locked is None:
                raise AuthRevoked("this linked account has no provider credentials; link it again")
            stored = decode_tokens(locked.secret)
            if stored.access_token != stale.access_token:
                self._tokens = stored
                return stored
            oauth = msgspec.structs.replace(self._oauth, token_url=self._token_url)
            response = await self._transport.send(refresh_request(oauth, self._client, stored))
            fresh = read_tokens(response, extra=stored.extra)
            await replace_credentials(
                session,
                sealer=self._sealer,
                linked_account_id=self._account_id,
                expected_version=locked.version,
                secret=encode_tokens(fresh),
            )
        self.refreshes += 1
        self._tokens = fresh
        return fresh
