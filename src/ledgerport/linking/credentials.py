"""Linking with signing credentials instead of OAuth 2.0 consent, for providers that offer both.

Some providers let an administrator issue a long-lived credential set (consumer key and secret, token id and
secret) that signs every request. The person copies them from the provider; a sandbox hands a set out at its
connector's ``credential_link.sandbox_path`` so tests, the demo and the CLI can link without a person. The secrets
are sealed at rest exactly like OAuth tokens (a :class:`~ledgerport.connectors._base.auth.TokenSet` whose
``secrets`` are set), and a request the provider refuses makes the account need relinking, as a refused refresh
does.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from ledgerport.connectors._base import Connector, Rejected, Request, Transport
from ledgerport.connectors._base.auth import signing_credentials
from ledgerport.connectors._base.connector import CredentialLink
from ledgerport.connectors._base.http import rebase
from ledgerport.kit.sealing import Sealer
from ledgerport.linking.flow import EndUser, save_link
from ledgerport.store import Database
from ledgerport.store.accounts import NewLinkedAccount

__all__ = ["link_with_credentials", "read_credentials", "sandbox_credentials"]


def _scheme(connector: Connector) -> CredentialLink:
    if connector.credential_link is None:
        raise Rejected(f"{connector.name} accounts are linked through OAuth 2.0 only")
    return connector.credential_link


def read_credentials(connector: Connector, given: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """``(secrets, facts)`` from what the person gave, by the names the connector's ``credential_link`` asks for."""
    scheme = _scheme(connector)
    missing = [name for name in (*scheme.secrets, *(f.name for f in scheme.facts)) if not str(given.get(name) or "")]
    if missing:
        raise Rejected(f"{connector.name} credentials need {', '.join(missing)}")
    secrets = {name: str(given[name]).strip() for name in scheme.secrets}
    facts: dict[str, str] = {}
    for field in scheme.facts:
        try:
            facts.update(field.facts(str(given[field.name]).strip()))
        except ValueError as exc:
            raise Rejected(f"{field.label}: {exc}") from exc
    return secrets, facts


async def sandbox_credentials(connector: Connector, transport: Transport, sandbox_url: str) -> dict[str, str]:
    """The credential set a sandbox hands out (the secrets and the facts, by name)."""
    scheme = _scheme(connector)
    response = await transport.send(Request(method="GET", url=rebase(scheme.sandbox_path, sandbox_url)))
    body = response.json() if response.status < 400 else None
    if not isinstance(body, dict):
        raise Rejected(f"the sandbox at {sandbox_url} handed out no credentials ({response.status})")
    return {
        scheme.sandbox_names.get(str(key), str(key)): str(value) for key, value in body.items() if value is not None
    }


async def link_with_credentials(
    database: Database,
    *,
    sealer: Sealer,
    connector: Connector,
    organization_id: uuid.UUID,
    given: Mapping[str, str],
    end_user: EndUser,
    base_url: str | None,
) -> NewLinkedAccount:
    """Create a linked account that signs its requests with the credentials ``given``."""
    secrets, facts = read_credentials(connector, given)
    return await save_link(
        database,
        sealer=sealer,
        connector=connector,
        organization_id=organization_id,
        tokens=signing_credentials(secrets, facts),
        end_user=end_user,
        base_url=base_url,
    )
