"""Objects that live inside a record but that Merge also serves on their own.

```
GET /<path>/{id}/<lines>     the lines of one record, paged (an expense report's lines): ModelSpec.lines
GET /addresses/{id}          one address of a contact or company of this linked account
GET /phone-numbers/{id}      one phone number, likewise
```

Lines are read from their record's document (one record, one decode), and paged by their position in it, which is
also the cursor's position. Addresses and phone numbers are found through the store's index of nested objects
(:func:`ledgerport.store.records.find_nested`): an id another linked account holds, or no account, is a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get
from litestar.handlers import HTTPRouteHandler

from ledgerport.api.auth import authenticate_account
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest, NotFound
from ledgerport.api.pages import list_body, window
from ledgerport.api.params import list_scope, parse_bool, parse_page, parse_retrieve, parse_uuid
from ledgerport.models import MODELS, ModelSpec
from ledgerport.store.records import documents_by_id, encode_document, find_nested, find_record

__all__ = ["NESTED_PATHS", "nested_handlers"]

Handler = Callable[..., Coroutine[Any, Any, Response[bytes]]]
_decoder = msgspec.json.Decoder(float_hook=Decimal)
_NO_ID = str(uuid.UUID(int=0))

NESTED_PATHS: dict[str, str] = {"Address": "addresses", "AccountingPhoneNumber": "phone-numbers"}
"""Nested model → the path Merge serves one of its objects at (``GET /<path>/{id}``)."""


def _position(entry: tuple[int, dict[str, Any]]) -> tuple[int, str]:
    index, line = entry
    line_id = line.get("id")
    return index, line_id if isinstance(line_id, str) and parse_uuid(line_id) is not None else _NO_ID


async def _expand_lines(
    read: Any, account_id: uuid.UUID, spec: ModelSpec, lines: list[dict[str, Any]], expand: tuple[str, ...]
) -> None:
    """Replace each expanded relation's id by the related document, in place (as a record's ``expand`` does)."""
    for name in expand:
        relation = spec.expand[name]
        if relation.model is None:
            continue
        wanted: set[uuid.UUID] = set()
        for line in lines:
            value = line.get(relation.field)
            for ref in value if isinstance(value, list) else [value]:
                parsed = parse_uuid(ref) if isinstance(ref, str) else None
                if parsed is not None:
                    wanted.add(parsed)
        found = await documents_by_id(read, linked_account_id=account_id, model=relation.model, ids=wanted)
        related = {str(key): {**_decoder.decode(value), "remote_data": None} for key, value in found.items()}
        for line in lines:
            value = line.get(relation.field)
            if isinstance(value, list):
                line[relation.field] = [related.get(ref, ref) if isinstance(ref, str) else ref for ref in value]
            elif isinstance(value, str):
                line[relation.field] = related.get(value, value)


def _lines_handler(spec: ModelSpec, lines: ModelSpec) -> Handler:
    async def list_lines(request: Request[Any, Any, Any], record_id: str) -> Response[bytes]:
        account = await authenticate_account(request)
        params = request.query_params
        listing = f"{spec.path}/{lines.path}"
        scope = list_scope(f"{listing}/{record_id}", account.id)
        page = parse_page(params, scope)
        expand = parse_retrieve(params, lines).expand
        for flag in ("include_deleted_data", "include_remote_data", "include_remote_fields", "include_shell_data"):
            parse_bool(params, flag)  # accepted as Merge accepts them; a line carries no remote data of its own
        wanted = parse_uuid(record_id)
        if wanted is None:
            raise NotFound()
        async with context_of(request).database.read() as read:
            row = await find_record(
                read, linked_account_id=account.id, model=spec.name, record_id=wanted, with_remote_data=False
            )
            if row is None:
                raise NotFound()
            found = _decoder.decode(row.document).get(lines.path) or []
            entries = [(index, line) for index, line in enumerate(found) if isinstance(line, dict)]
            cursor, size = page.cursor, page.page_size
            if cursor is None:
                fetched = entries[: size + 1]
            elif cursor.reverse:
                before = [e for e in entries if e[0] < cursor.created or (cursor.inclusive and e[0] == cursor.created)]
                fetched = list(reversed(before))[: size + 1]
            else:
                after = [e for e in entries if e[0] > cursor.created or (cursor.inclusive and e[0] == cursor.created)]
                fetched = after[: size + 1]
            shown = window(cursor, fetched, size, _position)
            documents = [line for _, line in shown.rows]
            await _expand_lines(read, account.id, lines, documents, expand)
        body = list_body(
            [encode_document(document) for document in documents],
            next_cursor=shown.next,
            previous_cursor=shown.previous,
            scope=scope,
        )
        return Response(content=body, media_type=MediaType.JSON)

    list_lines.__name__ = f"list_{spec.path.replace('-', '_')}_{lines.path}"
    return list_lines


def _nested_handler(model: str, path: str) -> Handler:
    async def retrieve_nested(request: Request[Any, Any, Any], object_id: str) -> Response[bytes]:
        account = await authenticate_account(request)
        params = request.query_params
        remote_data = bool(parse_bool(params, "include_remote_data"))
        parse_bool(params, "include_shell_data")  # accepted as Merge accepts it; nothing here is a shell
        for name in ("remote_fields", "show_enum_origins"):
            # Merge's one value: the provider's own ``type``. The stored object keeps only the normalized one (a
            # provider's type is already a free string on a phone number), so it is answered as is.
            value = params.get(name)
            if value is not None and value not in ("", "type"):
                raise BadRequest(f"Query parameter '{name}' takes only 'type', not {value!r}.")
        wanted = parse_uuid(object_id)
        if wanted is None:
            raise NotFound()
        async with context_of(request).database.read() as read:
            found = await find_nested(
                read, linked_account_id=account.id, model=model, object_id=wanted, with_remote_data=remote_data
            )
        if found is None:
            raise NotFound()
        document = dict(found.document)
        if remote_data:
            document["remote_data"] = None if found.remote_data is None else msgspec.Raw(found.remote_data)
        return Response(content=encode_document(document), media_type=MediaType.JSON)

    retrieve_nested.__name__ = f"retrieve_{path.replace('-', '_')}"
    return retrieve_nested


def nested_handlers() -> list[HTTPRouteHandler]:
    """The lines endpoints of every model with ``lines``, and ``GET /addresses/{id}``, ``GET /phone-numbers/{id}``."""
    handlers: list[HTTPRouteHandler] = []
    for spec in MODELS.values():
        if spec.lines is not None:
            route = f"/{spec.path}/{{record_id:str}}/{spec.lines.path}"
            handlers.append(
                get(route, name=f"list-{spec.path}-{spec.lines.path}", include_in_schema=False)(
                    _lines_handler(spec, spec.lines)
                )
            )
    for model, path in NESTED_PATHS.items():
        handlers.append(
            get(f"/{path}/{{object_id:str}}", name=f"retrieve-{path}", include_in_schema=False)(
                _nested_handler(model, path)
            )
        )
    return handlers
