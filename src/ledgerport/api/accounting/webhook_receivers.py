"""Merge's ``webhook-receivers`` of a linked account: which of the provider's own events it listens to.

A receiver's ``key`` (what the provider signs its events with) is stored sealed with the app's sealer and given
back in the clear, as Merge gives it back. Creating a receiver for an event the account already has replaces it.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import MediaType, Request, Response, get, post
from msgspec import UNSET, UnsetType

from ledgerport.api.auth import authenticate_account
from ledgerport.api.bodies import read_json
from ledgerport.api.context import context_of
from ledgerport.api.shapes import WebhookReceiver
from ledgerport.kit.sealing import Sealer, SealingError
from ledgerport.store import webhooks as rows

__all__ = ["WEBHOOK_RECEIVER_HANDLERS", "WebhookReceiverRequest"]


class WebhookReceiverRequest(msgspec.Struct, kw_only=True):
    """Merge's ``WebhookReceiverRequest``."""

    event: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    is_active: bool
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] | None | UnsetType = UNSET


_EXAMPLE = '{"event": "invoice.created", "is_active": true, "key": "..."}'


def _view(receiver: rows.Receiver, sealer: Sealer) -> WebhookReceiver:
    key: str | UnsetType = UNSET
    if receiver.key is not None:
        try:
            key = sealer.open(receiver.key).decode()
        except SealingError:
            key = UNSET  # sealed with a key the operator has since retired: the receiver stands, its key is gone
    return WebhookReceiver(event=receiver.event, is_active=receiver.is_active, key=key)


@get("/webhook-receivers", name="webhook-receivers", include_in_schema=False)
async def list_receivers(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The linked account's receivers, by event name."""
    account = await authenticate_account(request)
    context = context_of(request)
    async with context.database.read() as session:
        found = await rows.list_receivers(session, linked_account_id=account.id)
    body = msgspec.json.encode([_view(receiver, context.sealer) for receiver in found])
    return Response(content=body, media_type=MediaType.JSON)


@post("/webhook-receivers", name="webhook-receivers-create", status_code=201, include_in_schema=False)
async def create_receiver(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Create the account's receiver for ``event`` (or replace the one it has)."""
    account = await authenticate_account(request)
    body = await read_json(request, WebhookReceiverRequest, example=_EXAMPLE)
    context = context_of(request)
    key = None if body.key is None or isinstance(body.key, UnsetType) else body.key
    async with context.database.write() as session:
        saved = await rows.save_receiver(
            session,
            linked_account_id=account.id,
            event=body.event,
            is_active=body.is_active,
            key=None if key is None else context.sealer.seal(key.encode()),
        )
    return Response(
        content=msgspec.json.encode(_view(saved, context.sealer)), status_code=201, media_type=MediaType.JSON
    )


WEBHOOK_RECEIVER_HANDLERS = [list_receivers, create_receiver]
