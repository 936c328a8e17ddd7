"""List and retrieve endpoints for every common model in the registry.

One pair of handlers is made per ``ModelSpec``; adding a model to ``MODELS`` adds its endpoints, filters and
expansions with no code here.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get
from litestar.handlers import HTTPRouteHandler

from ledgerport.api.accounting.attachments import with_links
from ledgerport.api.accounting.remote_fields import with_remote_fields
from ledgerport.api.accounting.scopes import require_readable
from ledgerport.api.auth import authenticate_account
from ledgerport.api.context import context_of
from ledgerport.api.errors import NotFound
from ledgerport.api.pages import list_body, render_records, window
from ledgerport.api.params import list_scope, parse_bool, parse_list, parse_retrieve, parse_uuid
from ledgerport.models import MODELS, ModelSpec
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.records import StoredRecord, find_record, page

__all__ = ["common_model_handlers"]

Handler = Callable[..., Coroutine[Any, Any, Response[bytes]]]


def _position(row: StoredRecord) -> tuple[int, str]:
    return row.created_at, str(row.id)


def _remote_fields_wanted(request: Request[Any, Any, Any], spec: ModelSpec) -> bool:
    """``include_remote_fields``, for the models Merge offers it on (elsewhere it is no parameter and ignored)."""
    return spec.remote_fields and bool(parse_bool(request.query_params, "include_remote_fields"))


async def _render(
    read: Any,
    account: LinkedAccount,
    spec: ModelSpec,
    rows: list[StoredRecord],
    *,
    expand: tuple[str, ...],
    remote_data: bool,
    remote_fields: bool,
) -> list[bytes]:
    """The records' JSON; with ``remote_fields``, the rows were read with their remote data to fill them from."""
    if not remote_fields:
        return await render_records(read, account.id, spec, rows, expand=expand)
    shown = rows if remote_data else [msgspec.structs.replace(row, remote_data=None) for row in rows]
    bodies = await render_records(read, account.id, spec, shown, expand=expand)
    return with_remote_fields(account.id, account.integration, spec, rows, bodies)


def _list_handler(spec: ModelSpec) -> Handler:
    async def list_records(request: Request[Any, Any, Any]) -> Response[bytes]:
        account = await authenticate_account(request)
        params = parse_list(request.query_params, spec, account.id)
        remote_fields = _remote_fields_wanted(request, spec)
        cursor, size = params.page.cursor, params.page.page_size
        after = None if cursor is None else (cursor.created, parse_uuid(cursor.id))
        reverse = cursor is not None and cursor.reverse
        async with context_of(request).database.read() as read:
            rows = await page(
                read,
                params.query,
                after=after,  # type: ignore[arg-type]
                reverse=reverse,
                limit=size + 1,
                with_remote_data=params.include_remote_data or remote_fields,
                inclusive=cursor is not None and cursor.inclusive,
            )
            if not rows:  # a model whose READ is disabled holds no records (see store/scopes.py): ask only then
                await require_readable(read, account.id, spec.name)
            page_rows = window(cursor, rows, size, _position)
            results = await _render(
                read,
                account,
                spec,
                page_rows.rows,
                expand=params.expand,
                remote_data=params.include_remote_data,
                remote_fields=remote_fields,
            )
        results = with_links(request, spec, results)
        body = list_body(
            results,
            next_cursor=page_rows.next,
            previous_cursor=page_rows.previous,
            scope=list_scope(spec.name, account.id),
        )
        return Response(content=body, media_type=MediaType.JSON)

    list_records.__name__ = f"list_{spec.path.replace('-', '_')}"
    return list_records


def _retrieve_handler(spec: ModelSpec) -> Handler:
    async def retrieve_record(request: Request[Any, Any, Any], record_id: str) -> Response[bytes]:
        account = await authenticate_account(request)
        params = parse_retrieve(request.query_params, spec)
        remote_fields = _remote_fields_wanted(request, spec)
        wanted = parse_uuid(record_id)
        if wanted is None:
            raise NotFound()
        async with context_of(request).database.read() as read:
            row = await find_record(
                read,
                linked_account_id=account.id,
                model=spec.name,
                record_id=wanted,
                with_remote_data=params.include_remote_data or remote_fields,
            )
            if row is None:
                await require_readable(read, account.id, spec.name)
                raise NotFound()
            (body,) = await _render(
                read,
                account,
                spec,
                [row],
                expand=params.expand,
                remote_data=params.include_remote_data,
                remote_fields=remote_fields,
            )
        (body,) = with_links(request, spec, [body])
        return Response(content=body, media_type=MediaType.JSON)

    retrieve_record.__name__ = f"retrieve_{spec.path.replace('-', '_')}"
    return retrieve_record


def common_model_handlers() -> list[HTTPRouteHandler]:
    """``GET /<path>`` and ``GET /<path>/{id}`` for every registered model."""
    handlers: list[HTTPRouteHandler] = []
    for spec in MODELS.values():
        handlers.append(get(f"/{spec.path}", name=f"list-{spec.path}", include_in_schema=False)(_list_handler(spec)))
        handlers.append(
            get(f"/{spec.path}/{{record_id:str}}", name=f"retrieve-{spec.path}", include_in_schema=False)(
                _retrieve_handler(spec)
            )
        )
    return handlers
