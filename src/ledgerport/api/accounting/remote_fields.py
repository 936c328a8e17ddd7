"""``GET /<path>/remote-field-classes`` (and ``/<path>/<lines>/remote-field-classes``) for every model whose
``ModelSpec`` has ``remote_fields``, and ``include_remote_fields`` on its list and retrieve.

What the classes are is the linked account's connector's table (:mod:`ledgerport.remote.fields`); this module
only pages and filters them. Classes are ordered by id, which is also the cursor's position.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Sequence
from decimal import Decimal
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get
from litestar.handlers import HTTPRouteHandler

from ledgerport.api.auth import authenticate_account
from ledgerport.api.context import context_of
from ledgerport.api.errors import ApiProblem
from ledgerport.api.pages import list_body, window
from ledgerport.api.params import list_scope, parse_bool, parse_page
from ledgerport.connectors import connector_for_slug
from ledgerport.connectors._base import ConnectorError
from ledgerport.models import MODELS, ModelSpec
from ledgerport.remote.fields import class_document, field_classes, record_remote_fields
from ledgerport.store.records import StoredRecord, encode_document

__all__ = ["remote_field_class_handlers", "with_remote_fields"]

Handler = Callable[..., Coroutine[Any, Any, Response[bytes]]]
_decoder = msgspec.json.Decoder(float_hook=Decimal)


class ProviderUnavailable(ApiProblem):
    """503: the company's own field definitions must be asked of the provider, which has not answered yet."""

    status = 503


def _position(document: dict[str, Any]) -> tuple[int, str]:
    return 0, str(document["id"])


def _classes_handler(model: str, listing: str) -> Handler:
    async def list_classes(request: Request[Any, Any, Any]) -> Response[bytes]:
        account = await authenticate_account(request)
        params = request.query_params
        scope = list_scope(listing, account.id)
        page = parse_page(params, scope)
        for flag in ("include_deleted_data", "include_remote_data", "include_shell_data"):
            parse_bool(params, flag)  # accepted as Merge accepts them; classes are never deleted or shells
        custom, common = parse_bool(params, "is_custom"), parse_bool(params, "is_common_model_field")
        writes = context_of(request).writes
        try:
            found = await field_classes(
                None if writes is None else writes.providers, account.id, connector_for_slug(account.integration), model
            )
        except ConnectorError as exc:
            raise ProviderUnavailable(
                f"The custom field definitions could not be read from {account.integration_name} yet; "
                "retry in a moment."
            ) from exc
        documents = sorted(
            (
                class_document(account.id, model, field)
                for field in found
                if (custom is None or field.is_custom == custom)
                and (common is None or field.is_common_model_field == common)
            ),
            key=lambda document: str(document["id"]),
        )
        cursor, size = page.cursor, page.page_size
        if cursor is None:
            fetched = documents[: size + 1]
        elif cursor.reverse:
            before = [d for d in documents if d["id"] < cursor.id or (cursor.inclusive and d["id"] == cursor.id)]
            fetched = list(reversed(before))[: size + 1]
        else:
            fetched = [d for d in documents if d["id"] > cursor.id or (cursor.inclusive and d["id"] == cursor.id)]
            fetched = fetched[: size + 1]
        shown = window(cursor, fetched, size, _position)
        body = list_body(
            [encode_document(document) for document in shown.rows],
            next_cursor=shown.next,
            previous_cursor=shown.previous,
            scope=scope,
        )
        return Response(content=body, media_type=MediaType.JSON)

    list_classes.__name__ = f"list_{listing.replace('-', '_').replace('/', '_')}"
    return list_classes


def remote_field_class_handlers() -> list[HTTPRouteHandler]:
    """The classes endpoints of every model with remote fields, and of its lines."""
    handlers: list[HTTPRouteHandler] = []
    for spec in MODELS.values():
        if not spec.remote_fields:
            continue
        subjects = [(spec.path, spec.name)]
        if spec.remote_field_lines is not None:
            segment, line_model = spec.remote_field_lines
            subjects.append((f"{spec.path}/{segment}", line_model))
        for path, model in subjects:
            listing = f"{path}/remote-field-classes"
            handlers.append(
                get(f"/{listing}", name=f"list-{listing.replace('/', '-')}", include_in_schema=False)(
                    _classes_handler(model, listing)
                )
            )
    return handlers


def with_remote_fields(
    account_id: uuid.UUID, integration: str, spec: ModelSpec, rows: Sequence[StoredRecord], bodies: Sequence[bytes]
) -> list[bytes]:
    """Each rendered record with its ``remote_fields`` filled from the row's stored ``remote_data``."""
    connector = connector_for_slug(integration)
    filled = []
    for row, body in zip(rows, bodies, strict=True):
        remote_data = None if row.remote_data is None else msgspec.json.decode(row.remote_data)
        values = record_remote_fields(account_id, connector, spec.name, remote_data)
        if not values:
            filled.append(body)
            continue
        document = _decoder.decode(body)
        document["remote_fields"] = values
        filled.append(encode_document(document))
    return filled
