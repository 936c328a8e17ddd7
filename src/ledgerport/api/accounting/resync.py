"""``POST /sync-status/resync``: queue a sync of the linked account now, and answer with its sync states."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response, post

from ledgerport.api.accounting.sync_status import sync_status_document
from ledgerport.api.auth import authenticate_account
from ledgerport.api.context import context_of
from ledgerport.store.sync_states import list_sync_states
from ledgerport.sync.tasks import queue_sync

__all__ = ["RESYNC_HANDLERS"]


@post("/sync-status/resync", name="resync", status_code=200, include_in_schema=False)
async def force_resync(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Queue a sync (one per account: a sync already queued or running is not doubled); a bare JSON list back."""
    account = await authenticate_account(request)
    async with context_of(request).database.write() as session:
        await queue_sync(session, linked_account_id=account.id)
        states = await list_sync_states(session, linked_account_id=account.id)
    body = [sync_status_document(state) for state in states]
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)


RESYNC_HANDLERS = [force_resync]
