"""Response bodies built from stored bytes.

A plain list page never decodes a document: the stored JSON of each record is joined into the page, and
``remote_data`` is spliced in before its closing brace. Only ``expand`` decodes, and only the page at hand;
numbers are decoded as ``Decimal`` so amounts come back out exactly as they went in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar

import msgspec

from ledgerport.api.params import parse_uuid
from ledgerport.kit.cursor import Cursor, encode_cursor
from ledgerport.models import MODELS, ModelSpec
from ledgerport.store import ReadSession
from ledgerport.store.records import StoredRecord, documents_by_id, encode_document, with_remote_data

__all__ = ["Window", "list_body", "render_records", "window"]

_decoder = msgspec.json.Decoder(float_hook=Decimal)


async def _expanded(
    session: ReadSession, account_id: uuid.UUID, spec: ModelSpec, rows: Sequence[StoredRecord], expand: Sequence[str]
) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = [_decoder.decode(row.document) for row in rows]
    for name in expand:
        relation = spec.expand[name]
        if relation.model is None:
            continue  # already nested objects, or rows that are not stored on their own
        target = MODELS[relation.model]
        wanted: set[uuid.UUID] = set()
        for document in documents:
            value = document.get(relation.field)
            refs = value if isinstance(value, list) else [value]
            wanted.update(ref for ref in (parse_uuid(r) for r in refs if isinstance(r, str)) if ref is not None)
        found = await documents_by_id(session, linked_account_id=account_id, model=target.name, ids=wanted)
        related = {str(key): {**_decoder.decode(value), "remote_data": None} for key, value in found.items()}
        for document in documents:
            value = document.get(relation.field)
            if isinstance(value, list):
                document[relation.field] = [related.get(ref, ref) if isinstance(ref, str) else ref for ref in value]
            elif isinstance(value, str):
                document[relation.field] = related.get(value, value)
    return documents


async def render_records(
    session: ReadSession,
    account_id: uuid.UUID,
    spec: ModelSpec,
    rows: Sequence[StoredRecord],
    *,
    expand: Sequence[str],
) -> list[bytes]:
    """Each record's response JSON, with ``remote_data`` (null unless it was read) and expansions."""
    if not expand:
        return [with_remote_data(row.document, row.remote_data) for row in rows]
    documents = await _expanded(session, account_id, spec, rows, expand)
    return [
        with_remote_data(encode_document(document), row.remote_data)
        for document, row in zip(documents, rows, strict=True)
    ]


def _cursor_text(cursor: Cursor | None, scope: str) -> bytes:
    return b"null" if cursor is None else b'"' + encode_cursor(cursor, scope=scope).encode() + b'"'


def list_body(
    results: Sequence[bytes], *, next_cursor: Cursor | None, previous_cursor: Cursor | None, scope: str
) -> bytes:
    """``{"next": ..., "previous": ..., "results": [...]}`` from already-encoded results; the cursors are bound to
    ``scope`` (:func:`~ledgerport.api.params.list_scope`)."""
    return b"".join(
        (
            b'{"next":',
            _cursor_text(next_cursor, scope),
            b',"previous":',
            _cursor_text(previous_cursor, scope),
            b',"results":[',
            b",".join(results),
            b"]}",
        )
    )


T = TypeVar("T")


class Window(msgspec.Struct, Generic[T]):
    """One page of rows in API order, with the cursors that lead away from it."""

    rows: list[T]
    next: Cursor | None
    previous: Cursor | None


def window(cursor: Cursor | None, fetched: list[T], size: int, position: Callable[[T], tuple[int, str]]) -> Window[T]:
    """Turn ``size + 1`` rows fetched past ``cursor`` (newest first if it is a reverse cursor) into a page.

    The extra row only says whether more rows lie in the direction of travel. Going forward, ``previous`` exists
    whenever a cursor was given; going back, ``next`` always does: the rows the caller came from lie there.
    """
    more = len(fetched) > size
    rows = fetched[:size]
    reverse = cursor is not None and cursor.reverse
    if reverse:
        rows.reverse()
    first = position(rows[0]) if rows else None
    last = position(rows[-1]) if rows else None
    # An empty page turns back at the cursor's own position, taking in the row the cursor left out (and the
    # other way round), so rows deleted meanwhile never make the walk back skip a live one.
    if reverse:
        assert cursor is not None
        next_cursor = Cursor(*last) if last else Cursor(cursor.created, cursor.id, inclusive=not cursor.inclusive)
        previous_cursor = Cursor(*first, reverse=True) if more and first else None
    else:
        next_cursor = Cursor(*last) if more and last else None
        if cursor is None:
            previous_cursor = None
        elif first is not None:
            previous_cursor = Cursor(*first, reverse=True)
        else:
            previous_cursor = Cursor(cursor.created, cursor.id, reverse=True, inclusive=not cursor.inclusive)
    return Window(rows=rows, next=next_cursor, previous=previous_cursor)
