"""The embedded demo behind ``make run``: every sandbox in this process, a demo tenant linked to each, synced.

The sandboxes are mounted under ``/sandbox/<provider>`` of the API's own server, so the demo needs no other
process, and the link page and the worker reach them like any provider origin. Sandboxes keep their state in
memory, so every start links the demo's accounts afresh (the previous start's provider tokens died with that
process) and syncs them; secrets are stored only as digests, so every start also prints new credentials. Only the
demo's own accounts (known by the end-user origin ids it gives them) are replaced: accounts a person linked into
the demo organization stay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from ledgerport.config import Settings, public_url
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base import AsgiTransport, Transport
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.store import Database, accounts
from ledgerport.sync import sync_account
from ledgerport.worker import build_sync_deps, registrations, sealer

__all__ = ["DEMO_ORGANIZATION", "DemoSandboxes", "build_sandboxes", "prepare_demo"]

DEMO_ORGANIZATION = "ledgerport demo"
_END_USERS = {
    "quickbooks": EndUser(
        organization_name="Acme Corp (QuickBooks sandbox)",
        email_address="owner@acme.example",
        origin_id="demo-quickbooks",
    ),
    "xero": EndUser(
        organization_name="Acme Pty (Xero sandbox)", email_address="owner@acme.example", origin_id="demo-xero"
    ),
    "netsuite": EndUser(
        organization_name="Acme Inc (NetSuite sandbox)", email_address="owner@acme.example", origin_id="demo-netsuite"
    ),
    "business_central": EndUser(
        organization_name="CRONUS USA (Business Central sandbox)",
        email_address="owner@acme.example",
        origin_id="demo-business-central",
    ),
}

_DEMO_ORIGIN_IDS = [user.origin_id for user in _END_USERS.values() if user.origin_id is not None]
"""How the demo's own linked accounts are known; a restart replaces those and no others."""

Progress = Callable[[str, str, int], None]


class DemoSandboxes(msgspec.Struct, frozen=True):
    """The mounted sandbox apps, their origins, and transports that call them without leaving the process."""

    mounts: Mapping[str, Any]
    origins: Mapping[str, str]
    transports: Mapping[str, Transport]


def build_sandboxes(settings: Settings, *, seed: int = 0, size: str | int = "small") -> DemoSandboxes:
    """One sandbox per connector, seeded, with its real limits on."""
    from ledgerport.sandboxes import business_central, netsuite, quickbooks, xero

    apps = {
        "quickbooks": quickbooks.create_app(seed=seed, size=size),
        "xero": xero.create_app(seed=seed, size=size),
        "netsuite": netsuite.create_app(seed=seed, size=size),
        "business_central": business_central.create_app(seed=seed, size=size),
    }
    base = public_url(settings)
    origins = {key: f"{base}/sandbox/{key}" for key in apps}
    return DemoSandboxes(
        mounts={f"/sandbox/{key}": app for key, app in apps.items()},
        origins=origins,
        transports={origins[key]: AsgiTransport(app, prefix=f"/sandbox/{key}") for key, app in apps.items()},
    )


async def prepare_demo(
    settings: Settings, database: Database, sandboxes: DemoSandboxes, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Create or refresh the demo tenant: a new API key, one freshly linked and synced account per sandbox (which
    replaces the one a previous start linked)."""
    async with database.write() as session:
        organization_id = await accounts.find_organization_by_name(session, name=DEMO_ORGANIZATION)
        if organization_id is None:
            organization_id = await accounts.create_organization(session, name=DEMO_ORGANIZATION)
        old = await accounts.list_linked_accounts(
            session,
            organization_id=organization_id,
            filters=accounts.AccountFilters(end_user_origin_ids=_DEMO_ORIGIN_IDS),
            after=None,
            reverse=False,
            limit=100,
        )
        for account in old:
            await accounts.delete_linked_account(session, account_id=account.id)
        key = await accounts.create_api_key(session, organization_id=organization_id, name="demo")
    deps = build_sync_deps(settings, database, transports=sandboxes.transports)
    registered = registrations(settings)
    tokens: dict[str, str] = {}
    for connector_key, origin in sandboxes.origins.items():
        connector = CONNECTORS[connector_key]
        made = await link_sandbox(
            database,
            sealer=sealer(settings),
            connector=connector,
            client=registered.client(connector_key, origin),
            transport=sandboxes.transports[origin],
            organization_id=organization_id,
            sandbox_url=origin,
            end_user=_END_USERS[connector_key],
        )
        tokens[connector_key] = made.account_token
        report = (lambda key: lambda model, done: progress(key, model, done))(connector_key) if progress else None
        await sync_account(deps, made.account.id, progress=report)
    return {"api_key": key.secret, "account_tokens": tokens}
