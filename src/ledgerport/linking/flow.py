"""Linking an end user's accounting system: the OAuth 2.0 authorization-code flow, provider-neutral.

``authorization_url`` is where the person goes; ``complete`` runs after the provider redirects back: it exchanges
the code, learns the account facts (QBO's realm from the callback, Xero's tenant from ``/connections``), creates
the linked account with its sealed credentials and returns its account token (shown once). A provider origin
(``base_url``) other than the real one points every URL of the flow at a sandbox.

A provider that serves each account at its own host has URL templates over account facts
(``Connector.link_fields``): the person gives them before consent (``facts``), and facts the callback carries
(read by ``account_facts`` before the code exchange, for a connector without a ``facts_request``) fill the token
URL too. :func:`save_link` stores a linked account whatever the credentials (the credentials path uses it).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import msgspec

from ledgerport.connectors._base import Connector, Rejected, Transport
from ledgerport.connectors._base.auth import (
    OAuthClient,
    TokenSet,
    authorization_url,
    code_request,
    encode_tokens,
    read_tokens,
)
from ledgerport.connectors._base.http import MissingFact, place
from ledgerport.kit.sealing import Sealer
from ledgerport.models.events import LINKED
from ledgerport.models.integrations import find_integration
from ledgerport.store import Database
from ledgerport.store.accounts import NewLinkedAccount, create_linked_account
from ledgerport.store.credentials import save_credentials
from ledgerport.store.webhooks import NewEvent, account_summary, emit

__all__ = ["EndUser", "authorize_url", "complete", "save_link", "typed_facts"]


class EndUser(msgspec.Struct, frozen=True, kw_only=True):
    """Who the linked account belongs to, in the organization's words."""

    organization_name: str
    email_address: str | None = None
    origin_id: str | None = None


def typed_facts(connector: Connector, typed: Mapping[str, str]) -> dict[str, str]:
    """The facts behind what the person gave for the connector's ``link_fields`` (blank ones are skipped)."""
    facts: dict[str, str] = {}
    for field in connector.link_fields:
        text = (typed.get(field.name) or "").strip()
        if text:
            try:
                facts.update(field.facts(text))
            except ValueError as exc:
                raise Rejected(f"{field.label}: {exc}") from exc
    return facts


def _place(url: str, base_url: str | None, facts: Mapping[str, str], connector: Connector) -> str:
    try:
        return place(url, base_url, facts)
    except MissingFact as exc:
        labels = ", ".join(field.label for field in connector.link_fields) or "an account fact"
        raise Rejected(f"{connector.name} needs {labels} to link") from exc


def authorize_url(
    connector: Connector,
    client: OAuthClient,
    *,
    state: str,
    base_url: str | None,
    extra: Mapping[str, str] | None = None,
    facts: Mapping[str, str] | None = None,
) -> str:
    """Where to send the person who links the account (``facts``: what they gave for ``link_fields``)."""
    url = _place(connector.auth.authorize_url, base_url, facts or {}, connector)
    oauth = msgspec.structs.replace(connector.auth, authorize_url=url)
    url, _ = authorization_url(oauth, client, state=state, extra=extra)
    return url


async def _facts(
    connector: Connector,
    transport: Transport,
    tokens: TokenSet,
    params: Mapping[str, str],
    base_url: str | None,
    given: Mapping[str, str],
) -> dict[str, str]:
    """The facts learnt after the code exchange (``given``: the typed and callback facts known before it)."""
    if connector.learn_link is not None:
        base = _place(connector.base_url, base_url, given, connector)
        return dict(await connector.learn_link(transport.send, base, tokens, given))
    discovered = None
    if connector.facts_request is not None:
        response = await transport.send(connector.facts_request(base_url or connector.base_url, tokens.access_token))
        if response.status >= 400:
            raise Rejected(f"{connector.name} refused to say which company was connected ({response.status})")
        discovered = response.json()
    if connector.account_facts is None:
        return {}
    return dict(connector.account_facts(params, discovered))


async def complete(
    database: Database,
    *,
    sealer: Sealer,
    connector: Connector,
    client: OAuthClient,
    transport: Transport,
    organization_id: uuid.UUID,
    params: Mapping[str, str],
    end_user: EndUser,
    base_url: str | None,
    facts: Mapping[str, str] | None = None,
) -> NewLinkedAccount:
    """Finish a link from the provider's callback parameters (``code``, and whatever else it sends).

    ``facts``: what the person gave before consent (``link_fields``); the callback's own facts take precedence."""
    if "error" in params:
        raise Rejected(f"{connector.name} did not grant access: {params.get('error_description') or params['error']}")
    code = params.get("code")
    if not code:
        raise Rejected("the provider's callback carried no authorization code")
    early = dict(facts or {})
    if connector.facts_request is None and connector.account_facts is not None:
        early.update(connector.account_facts(params, None))  # the callback says which account consented
    token_url = _place(connector.auth.exchange_url or connector.auth.token_url, base_url, early, connector)
    oauth = msgspec.structs.replace(connector.auth, token_url=token_url)
    tokens = read_tokens(await transport.send(code_request(oauth, client, code)))
    learnt = {**early, **await _facts(connector, transport, tokens, params, base_url, early)}
    return await save_link(
        database,
        sealer=sealer,
        connector=connector,
        organization_id=organization_id,
        tokens=msgspec.structs.replace(tokens, extra=learnt),
        end_user=end_user,
        base_url=base_url,
    )


async def save_link(
    database: Database,
    *,
    sealer: Sealer,
    connector: Connector,
    organization_id: uuid.UUID,
    tokens: TokenSet,
    end_user: EndUser,
    base_url: str | None,
) -> NewLinkedAccount:
    """Create the linked account with its sealed credentials, and emit its ``LINKED`` event."""
    integration = find_integration(connector.slug)
    async with database.write() as session:
        made = await create_linked_account(
            session,
            organization_id=organization_id,
            integration=integration.slug,
            integration_name=integration.name,
            end_user_organization_name=end_user.organization_name,
            end_user_email_address=end_user.email_address,
            end_user_origin_id=end_user.origin_id,
        )
        await save_credentials(
            session,
            sealer=sealer,
            linked_account_id=made.account.id,
            connector=connector.key,
            base_url=base_url,
            secret=encode_tokens(tokens),
        )
        await emit(
            session,
            organization_id=organization_id,
            events=[NewEvent(LINKED, msgspec.json.encode(account_summary(made.account)), made.account.id)],
        )
    return made
