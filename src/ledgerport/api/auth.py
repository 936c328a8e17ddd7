"""Who is calling: ``Authorization: Bearer <api key>`` names an organization, ``X-Account-Token`` one of its
linked accounts. Error bodies are Merge's, word for word where Merge's are known.

A token that belongs to another organization's linked account answers 404, like a record of another
organization: the caller learns nothing about it.

Four budgets answer 429 with ``Retry-After``: each linked account's (every call naming one), each organization's
(every other call its API key opens), each client address's budget of failed lookups, and each client address's
budget for the doors that need no credentials (:func:`public_budget`, a guard on those routes). Failed lookups are
checked before a lookup the credential cache cannot answer and spent when the lookup fails, so an address that
keeps guessing is refused without touching the database, while a tenant calling from elsewhere is not affected:
the budget is the address's, never the key's. Cached credentials were found valid moments ago and skip the check.

Once a request's credentials are resolved, its organization and linked account ids are noted for its access-log
line (:func:`~ledgerport.kit.access.note_caller`); the key and token themselves are never kept.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ledgerport.api.context import context_of
from ledgerport.api.errors import NotFound, Throttled, Unauthorized
from ledgerport.kit.access import note_caller
from ledgerport.kit.ratelimit import Quota
from ledgerport.kit.secrets import digest
from ledgerport.store.accounts import Credentials, LinkedAccount, resolve_credentials
from ledgerport.store.audit import Actor

__all__ = ["actor_of", "api_key_of", "authenticate_account", "authenticate_organization", "public_budget"]

NO_CREDENTIALS = "Authentication credentials were not provided."
INVALID_KEY = "Invalid token."
NO_ACCOUNT_TOKEN = "Account Token must be passed in as an X-Account-Token header."  # noqa: S105 - a message, not a secret
INVALID_ACCOUNT_TOKEN = "Invalid account token."  # noqa: S105


def api_key_of(request: Request) -> str:
    """The bearer key the request carries; 401 when there is none."""
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized(NO_CREDENTIALS)
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("Invalid token header. Use 'Authorization: Bearer <api key>'.")
    return key.strip()


def _address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address as the server saw it (uvicorn puts a trusted proxy's ``X-Forwarded-For`` there)."""
    client = connection.client
    return "unknown" if client is None else client.host


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """Who a call made with an API key is, for the audit trail: Merge's ``API`` role and the client's address."""
    return Actor(role="API", ip_address=_address(connection))


async def _spend(quota: Quota | None, key: str) -> None:
    if quota is not None:
        decision = await quota.hit(key)
        if not decision.allowed:
            raise Throttled(decision.retry_after)


async def public_budget(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """A guard for the routes anyone may call: each client address spends its own budget on them."""
    await _spend(context_of(connection).public_quota, _address(connection))


async def _credentials(request: Request, api_key: str, account_token: str | None) -> Credentials:
    context = context_of(request)
    cache_key = (digest(api_key), None if account_token is None else digest(account_token))
    cached = context.credentials.get(cache_key)
    if cached is not None:
        return cached
    failures = context.failure_quota
    if failures is not None:
        decision = await failures.check(_address(request))
        if not decision.allowed:
            raise Throttled(decision.retry_after)
    async with context.database.read() as session:
        found = await resolve_credentials(session, api_key=api_key, account_token=account_token)
    failed = found.organization_id is None or (account_token is not None and found.account is None)
    if failures is not None and failed:
        await failures.hit(_address(request))
    context.credentials.put(cache_key, found)
    return found


async def authenticate_organization(request: Request) -> uuid.UUID:
    """The organization behind the API key, throttled per organization; the account token, if sent, is ignored
    (as Merge does)."""
    found = await _credentials(request, api_key_of(request), None)
    if found.organization_id is None:
        raise Unauthorized(INVALID_KEY)
    note_caller(request.scope, organization_id=found.organization_id)
    await _spend(context_of(request).organization_quota, str(found.organization_id))
    return found.organization_id


async def authenticate_account(request: Request) -> LinkedAccount:
    """The linked account behind the account token, checked against the API key's organization and throttled."""
    api_key = api_key_of(request)
    token = request.headers.get("x-account-token")
    if not token:
        # The key is checked first so that a wrong key never learns more than a right one.
        await authenticate_organization(request)
        raise Unauthorized(NO_ACCOUNT_TOKEN)
    found = await _credentials(request, api_key, token.strip())
    if found.organization_id is None:
        raise Unauthorized(INVALID_KEY)
    if found.account is None:
        raise Unauthorized(INVALID_ACCOUNT_TOKEN)
    if found.account.organization_id != found.organization_id:
        raise NotFound()
    note_caller(request.scope, organization_id=found.organization_id, linked_account_id=found.account.id)
    await _spend(context_of(request).quota, str(found.account.id))
    return found.account
