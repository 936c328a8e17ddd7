"""Linking against a sandbox without a person: the sandboxes' documented ``auto_approve`` consent.

The flow is the real one (authorize → redirect with a code → token exchange → facts); only the consent click
is replaced, by the sandbox-only ``auto_approve=true`` parameter. Tests, the demo and benchmarks link this way.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from ledgerport.connectors._base import Connector, Rejected, Request, Transport
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.kit.sealing import Sealer
from ledgerport.linking.flow import EndUser, authorize_url, complete
from ledgerport.store import Database
from ledgerport.store.accounts import NewLinkedAccount

__all__ = ["link_sandbox"]


async def link_sandbox(
    database: Database,
    *,
    sealer: Sealer,
    connector: Connector,
    client: OAuthClient,
    transport: Transport,
    organization_id: uuid.UUID,
    sandbox_url: str,
    end_user: EndUser,
    facts: Mapping[str, str] | None = None,
) -> NewLinkedAccount:
    """Link a company of the sandbox at ``sandbox_url`` to the organization (``facts``: see ``link_fields``)."""
    state = secrets.token_urlsafe(16)
    url = authorize_url(
        connector, client, state=state, base_url=sandbox_url, extra={"auto_approve": "true"}, facts=facts
    )
    response = await transport.send(Request(method="GET", url=url))
    location = response.headers.get("location", "")
    if response.status not in {302, 303} or not location.startswith(client.redirect_uri):
        raise Rejected(
            f"the sandbox at {sandbox_url} did not redirect back ({response.status}): {response.body[:200]!r}"
        )
    params = dict(parse_qsl(urlsplit(location).query))
    if params.get("state") != state:
        raise Rejected("the sandbox returned another state than the one sent")
    return await complete(
        database,
        sealer=sealer,
        connector=connector,
        client=client,
        transport=transport,
        organization_id=organization_id,
        params=params,
        end_user=end_user,
        base_url=sandbox_url,
        facts=facts,
    )
