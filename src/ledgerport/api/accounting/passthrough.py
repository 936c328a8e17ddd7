"""Merge's passthrough: the linked account's provider called with the tenant's own request.

```
POST /passthrough                       DataPassthroughRequest → 200 RemoteResponse (status: the provider's)
POST /async-passthrough                 DataPassthroughRequest → 200 {async_passthrough_receipt_id}
GET  /async-passthrough/{receipt_id}    → 200 RemoteResponse once sent; 200 "..." (a JSON string) while pending
```

A request that must not be sent (a path leaving the integration's API base, a header that is not allowed) is a 400
before anything is queued or sent; what the provider answered, an error included, is the RemoteResponse. Which
base a path is below is the connector's (``Connector.passthrough_base``), read in :mod:`ledgerport.passthrough`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get, post

from ledgerport.api.accounting.writes import write_deps
from ledgerport.api.auth import authenticate_account
from ledgerport.api.bodies import read_json
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest, NotFound
from ledgerport.api.params import parse_uuid
from ledgerport.connectors._base.passthrough import PassthroughRefused
from ledgerport.passthrough import AsyncPassthroughReciept, DataPassthroughRequest, check, queue_passthrough, relay
from ledgerport.store.passthrough import find_receipt

__all__ = ["PASSTHROUGH_HANDLERS"]

_EXAMPLE = '{"method": "GET", "path": "/query?query=select * from CompanyInfo"}'


async def _body(request: Request[Any, Any, Any]) -> DataPassthroughRequest:
    given = await read_json(request, DataPassthroughRequest, example=_EXAMPLE)
    try:
        check(given)
    except PassthroughRefused as refused:
        raise BadRequest(str(refused)) from refused
    return given


def _json(body: bytes, status: int = 200) -> Response[bytes]:
    return Response(content=body, status_code=status, media_type=MediaType.JSON)


@post("/passthrough", name="passthrough", status_code=200, include_in_schema=False)
async def create_passthrough(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Send the request now and answer what the provider answered."""
    account = await authenticate_account(request)
    deps = write_deps(request)
    given = await _body(request)
    answer = await relay(deps.providers, account, given)
    return _json(answer.body, answer.status)


@post("/async-passthrough", name="async-passthrough", status_code=200, include_in_schema=False)
async def create_async_passthrough(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Queue the request; a worker sends it and keeps the answer under the receipt."""
    account = await authenticate_account(request)
    write_deps(request)  # a context that serves reads only has no passthrough
    given = await _body(request)
    async with context_of(request).database.write() as session:
        receipt_id = await queue_passthrough(session, linked_account_id=account.id, request=msgspec.json.encode(given))
    return _json(msgspec.json.encode(AsyncPassthroughReciept(async_passthrough_receipt_id=str(receipt_id))))


@get("/async-passthrough/{receipt_id:str}", name="async-passthrough-receipt", include_in_schema=False)
async def retrieve_async_passthrough(request: Request[Any, Any, Any], receipt_id: str) -> Response[bytes]:
    """The answer under a receipt of this linked account (another account's receipt is not found)."""
    account = await authenticate_account(request)
    wanted = parse_uuid(receipt_id)
    if wanted is None:
        raise NotFound()
    async with context_of(request).database.read() as session:
        receipt = await find_receipt(session, receipt_id=wanted, linked_account_id=account.id)
    if receipt is None:
        raise NotFound()
    if receipt.status != "DONE" or receipt.response is None:
        pending = f"The passthrough request is {receipt.status.replace('_', ' ').lower()}; ask again shortly."
        return _json(msgspec.json.encode(pending))
    return _json(receipt.response, receipt.status_code or 200)


PASSTHROUGH_HANDLERS = [create_passthrough, create_async_passthrough, retrieve_async_passthrough]
