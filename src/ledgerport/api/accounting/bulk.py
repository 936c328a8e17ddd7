"""Bulk creates for every common model Merge bulk-writes (``"bulk" in ModelSpec.writes``).

```
POST /<path>/bulk               {"batch_items": [{"item_id", "payload"}]}  → 202 {"batch_id"}   (400 {warnings, errors})
GET  /<path>/bulk/{batch_id}    → {batch_id, status, total_count, objects: [{item_id, status, response}]}
```

The handlers authenticate and hand the raw body over to :mod:`ledgerport.writes.bulk`, which checks the envelope
and each payload and queues the batch's job; whether the integration can bulk-create the model is its connector's
answer (``WriteSpec.bulk``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from ledgerport.api.accounting.writes import idempotency_key, write_deps
from ledgerport.api.auth import authenticate_account
from ledgerport.api.errors import NotFound
from ledgerport.api.params import parse_uuid
from ledgerport.models import MODELS, ModelSpec
from ledgerport.writes import request_digest
from ledgerport.writes.bulk import BulkCall, bulk_status, submit_bulk

__all__ = ["BulkBody", "BulkItem", "bulk_handlers"]

Handler = Callable[..., Coroutine[Any, Any, Response[bytes]]]


class BulkItem(msgspec.Struct, kw_only=True):
    """One object to create: ``payload`` is what ``POST /<model>`` takes as ``model``."""

    item_id: str
    payload: dict[str, Any]


class BulkBody(msgspec.Struct, kw_only=True):
    """Merge's bulk request: at most 100 items and 5 MB, ``item_id`` unique (the handler checks the raw body, so
    it can name what is wrong with it; this type documents it)."""

    batch_items: list[BulkItem]


def _create_handler(spec: ModelSpec) -> Handler:
    async def bulk_create(request: Request[Any, Any, Any]) -> Response[bytes]:
        account = await authenticate_account(request)
        deps = write_deps(request)
        key = idempotency_key(request)
        raw = await request.body()
        call = BulkCall(account=account, model=spec.name, body=raw, idempotency_key=key)
        outcome = await submit_bulk(deps, call, request_digest("bulk", spec.name, raw.decode("utf-8", "replace")))
        return Response(
            content=outcome.body, status_code=outcome.status, media_type=MediaType.JSON, headers=dict(outcome.headers)
        )

    bulk_create.__name__ = f"bulk_create_{spec.path.replace('-', '_')}"
    return bulk_create


def _retrieve_handler(spec: ModelSpec) -> Handler:
    async def bulk_retrieve(request: Request[Any, Any, Any], batch_id: str) -> Response[bytes]:
        account = await authenticate_account(request)
        wanted = parse_uuid(batch_id)
        if wanted is None:
            raise NotFound()
        body = await bulk_status(write_deps(request), account, spec.name, wanted)
        if body is None:
            raise NotFound()
        return Response(content=body, media_type=MediaType.JSON)

    bulk_retrieve.__name__ = f"bulk_retrieve_{spec.path.replace('-', '_')}"
    return bulk_retrieve


def bulk_handlers() -> list[HTTPRouteHandler]:
    """The bulk endpoints of every model with ``"bulk"`` in its writes, made fresh per app."""
    handlers: list[HTTPRouteHandler] = []
    for spec in MODELS.values():
        if "bulk" in spec.writes:
            handlers.append(post(f"/{spec.path}/bulk", status_code=202, include_in_schema=False)(_create_handler(spec)))
            handlers.append(
                get(f"/{spec.path}/bulk/{{batch_id:str}}", include_in_schema=False)(_retrieve_handler(spec))
            )
    return handlers
