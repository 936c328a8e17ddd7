"""``open_provider``: from a linked account id to a :class:`ProviderClient` with its tokens, budget and context."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping

import msgspec

from ledgerport.connectors._base import AuthRevoked, Connector, Transport
from ledgerport.connectors._base.auth import OAuthClient, decode_tokens
from ledgerport.connectors._base.client import ProviderClient, RetryPolicy
from ledgerport.connectors._base.http import MissingFact, place
from ledgerport.connectors._base.registrations import NotRegistered, Registrations
from ledgerport.connectors._base.remote_fields import FieldClass
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.kit.budget import Budget
from ledgerport.kit.sealing import Sealer, SealingError
from ledgerport.remote.tokens import StoredTokens
from ledgerport.store import Database
from ledgerport.store.accounts import LinkedAccount, find_linked_account_by_id
from ledgerport.store.credentials import find_credentials

__all__ = ["Opened", "ProviderDeps", "open_provider"]


class ProviderDeps(msgspec.Struct, frozen=True, kw_only=True):
    """What calling providers needs from its surroundings."""

    database: Database
    sealer: Sealer
    connectors: Mapping[str, Connector]
    registrations: Registrations
    """The app's OAuth registrations, and which origin each may be presented to."""
    transport: Callable[[str | None], Transport]
    """The transport for a provider origin (``None``: the real provider)."""
    budget: Budget
    retry: RetryPolicy = RetryPolicy()
    sync_options: Mapping[str, str] = {}
    """Deployment settings a connector's requests may read, seen as account facts beneath the account's own
    (``report_periods``: how many months of reports a sync reads); never part of the budget key or the URLs."""
    field_classes: dict[tuple[uuid.UUID, str], tuple[float, tuple[FieldClass, ...]]] = msgspec.field(
        default_factory=dict
    )
    """Custom field definitions asked of each account's provider, by (account, model), with when they go stale
    (:mod:`ledgerport.remote.fields`)."""


class Opened(msgspec.Struct, frozen=True, kw_only=True):
    """A linked account ready to be called."""

    account: LinkedAccount
    connector: Connector
    client: ProviderClient
    facts: Mapping[str, str]
    """What the link learned about the account (QBO realm, Xero tenant)."""
    base_url: str | None
    """The provider origin the account was linked at (``None``: the real provider)."""


def _registration(registrations: Registrations, key: str, origin: str | None) -> OAuthClient:
    """The registration this account refreshes its tokens with; none usable is a grant nobody can renew."""
    try:
        return registrations.client(key, origin)
    except NotRegistered as exc:
        raise AuthRevoked(str(exc)) from exc


def _context(connector: Connector, facts: Mapping[str, str], origin: str | None) -> StreamContext:
    try:
        return connector.context(facts, origin)
    except MissingFact as exc:
        raise AuthRevoked(f"the linked account lacks a fact its provider's URLs need: {exc}") from exc


def _token_url(connector: Connector, origin: str | None, facts: Mapping[str, str]) -> str:
    """Where this account's tokens are refreshed (a per-account host is filled in from its facts)."""
    try:
        return place(connector.auth.token_url, origin, facts)
    except MissingFact as exc:
        raise AuthRevoked(f"the linked account lacks a fact its provider's URLs need: {exc}") from exc


def _budget_key(connector: Connector, facts: Mapping[str, str], account_id: uuid.UUID) -> str:
    """One budget per provider company (or per whoever the provider counts against), whichever linked account or
    process calls it."""
    named = connector.budget_facts
    values = sorted(facts.values()) if named is None else [facts.get(name, "") for name in named]
    return f"{connector.key}:{':'.join(value for value in values if value) or account_id}"


async def open_provider(deps: ProviderDeps, account_id: uuid.UUID) -> Opened:
    """The client for one linked account; :class:`AuthRevoked` when the account or its credentials are gone."""
    async with deps.database.read() as session:
        account = await find_linked_account_by_id(session, account_id=account_id)
        try:
            stored = await find_credentials(session, sealer=deps.sealer, linked_account_id=account_id)
        except SealingError as exc:
            # Another deployment's keys, or LEDGERPORT_SECRET_KEYS changed without keeping the old key.
            raise AuthRevoked("the stored credentials cannot be opened with this server's sealing keys") from exc
    if account is None or stored is None:
        raise AuthRevoked("the linked account or its credentials are gone")
    connector = deps.connectors[stored.connector]
    loaded = decode_tokens(stored.secret)
    facts = loaded.extra
    transport = deps.transport(stored.base_url)
    tokens = StoredTokens(
        deps.database,
        sealer=deps.sealer,
        account_id=account_id,
        oauth=connector.auth,
        client=_registration(deps.registrations, connector.key, stored.base_url),
        transport=transport,
        token_url=_token_url(connector, stored.base_url, facts),
        loaded=loaded,
    )
    client = ProviderClient(
        connector,
        transport=transport,
        tokens=tokens,
        budget=deps.budget,
        budget_key=_budget_key(connector, facts, account_id),
        context=_context(connector, {**deps.sync_options, **facts}, stored.base_url),
        retry=deps.retry,
    )
    return Opened(account=account, connector=connector, client=client, facts=facts, base_url=stored.base_url)
