"""The record service's writes (filled in next)."""

from __future__ import annotations

from ledgerport.sandboxes.netsuite.errors import fail
from ledgerport.sandboxes.netsuite.state import Sandbox
from ledgerport.sandboxes.netsuite.wire import Request, Response

__all__ = ["create_record", "delete_record", "transform_record", "update_record", "upsert_record"]


async def create_record(sandbox: Sandbox, request: Request) -> Response:
    """Not yet."""
    raise fail(405, "METHOD_NOT_ALLOWED", "not yet")


update_record = upsert_record = delete_record = transform_record = create_record
