"""``POST /sync-status/resync``: queue a sync of the linked account now, and answer with its sync states."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response, post

from ledgerport.api.accounting.sync_status import account_sync_statuses
from ledgerport.api.auth import authenticate_account
from ledgerport.api.context import context_of
from ledgerport.sync.tasks import queue_sync

__all__ = ["RESYNC_HANDLERS"]


@post("/sync-status/resync", name="resync", status_code=200, include_in_schema=False)
async def force_resync(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Queue a sync (one per account: a sync already queued or running is not doubled); a bare JSON list back."""
    account = await authenticate_account(request)
    context = context_of(request)
    async with context.database.write() as session:
        await queue_sync(session, linked_account_id=account.id)
        body = await account_sync_statuses(
            session, account_id=account.id, interval_seconds=context.sync_interval_seconds
        )
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)


RESYNC_HANDLERS = [force_resync]
