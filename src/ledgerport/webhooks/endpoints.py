"""Managing endpoints, as the API and the CLI both do: what may be subscribed to, and what may be called.

A signing key is made here, returned once, and stored only sealed: the server needs it back to sign, so it is
encrypted rather than hashed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from ledgerport.kit.sealing import Sealer
from ledgerport.models.events import ALL_EVENTS
from ledgerport.store import Database
from ledgerport.store import webhooks as rows
from ledgerport.store.audit import SYSTEM, Actor
from ledgerport.webhooks.addresses import AddressRefused, check_resolves, check_url
from ledgerport.webhooks.signing import new_signing_key

__all__ = [
    "EndpointRefused",
    "NewEndpoint",
    "add_endpoint",
    "change_endpoint",
    "parse_events",
    "rotate_key",
]


class EndpointRefused(ValueError):
    """What was asked of an endpoint cannot be done; the message says why, naming the field."""


def parse_events(events: Sequence[str] | str) -> list[str]:
    """The events to store: ``"all"`` (or ``"*"``) for every event, else known event names without repeats."""
    names = [part.strip() for part in events.split(",")] if isinstance(events, str) else [*events]
    names = [name for name in names if name]
    if not names:
        raise EndpointRefused("events: name at least one event, or 'all'")
    if any(name in ("all", rows.ALL) for name in names):
        return [rows.ALL]
    unknown = [name for name in names if name not in ALL_EVENTS]
    if unknown:
        raise EndpointRefused(
            f"events: unknown event {unknown[0]!r}; events look like 'Invoice.added', 'LinkedAccount.linked', "
            "'AsyncPost.completed' (GET /api/webhooks/events lists them all)"
        )
    return list(dict.fromkeys(names))


async def _checked_url(url: str, allow_private: bool) -> str:
    try:
        checked = check_url(url, allow_private=allow_private)
        await check_resolves(checked, allow_private=allow_private)
    except AddressRefused as exc:
        raise EndpointRefused(f"url: {exc}") from exc
    return checked


class NewEndpoint:
    """An endpoint just made, and its signing key in clear: shown to the caller once, never again."""

    def __init__(self, endpoint: rows.Endpoint, signing_key: str) -> None:
        self.endpoint = endpoint
        self.signing_key = signing_key


async def add_endpoint(
    database: Database,
    sealer: Sealer,
    *,
    organization_id: uuid.UUID,
    url: str,
    events: Sequence[str] | str,
    allow_private: bool,
    actor: Actor = SYSTEM,
) -> NewEndpoint:
    """Check and save a new endpoint; raises :class:`EndpointRefused`."""
    names = parse_events(events)
    checked = await _checked_url(url, allow_private)
    key = new_signing_key()
    async with database.write() as session:
        endpoint = await rows.create_endpoint(
            session,
            organization_id=organization_id,
            url=checked,
            events=names,
            signing_key=sealer.seal(key.encode()),
            actor=actor,
        )
    return NewEndpoint(endpoint, key)


async def change_endpoint(
    database: Database,
    *,
    organization_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    url: str | None = None,
    events: Sequence[str] | str | None = None,
    active: bool | None = None,
    allow_private: bool,
    actor: Actor = SYSTEM,
) -> rows.Endpoint | None:
    """Change an endpoint (``None``: the organization has no such endpoint); raises :class:`EndpointRefused`."""
    names = None if events is None else parse_events(events)
    checked = None if url is None else await _checked_url(url, allow_private)
    async with database.write() as session:
        return await rows.update_endpoint(
            session,
            organization_id=organization_id,
            endpoint_id=endpoint_id,
            url=checked,
            events=names,
            active=active,
            actor=actor,
        )


async def rotate_key(
    database: Database,
    sealer: Sealer,
    *,
    organization_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    actor: Actor = SYSTEM,
) -> NewEndpoint | None:
    """A new signing key for the endpoint (deliveries not yet sent are signed with it)."""
    key = new_signing_key()
    async with database.write() as session:
        endpoint = await rows.update_endpoint(
            session,
            organization_id=organization_id,
            endpoint_id=endpoint_id,
            signing_key=sealer.seal(key.encode()),
            actor=actor,
        )
    return None if endpoint is None else NewEndpoint(endpoint, key)
