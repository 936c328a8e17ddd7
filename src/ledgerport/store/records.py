"""Common-model records: written by syncs and the seeder, read by the API as stored bytes.

A record's ``document`` is the exact JSON the API returns for it, minus ``remote_data`` (kept beside it, sent only
on request). :func:`upsert_many` moves ``modified_at`` only when the common document really changed (its digest
differs), as Merge defines ``modified_at``. :func:`page` is one range scan of the keyset index.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Literal

import msgspec
from sqlalchemy import (
    ColumnElement,
    String,
    Uuid,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    null,
    select,
    tuple_,
    update,
)

from ledgerport.kit import clock
from ledgerport.kit.timestamps import canonical
from ledgerport.models import MODELS
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.keyset import beyond
from ledgerport.store.tables import nested_objects, records

__all__ = [
    "Change",
    "KeyTest",
    "NestedObject",
    "NewRecord",
    "RecordQuery",
    "Referenced",
    "StoredRecord",
    "count_records",
    "documents_by_id",
    "encode_document",
    "find_nested",
    "find_record",
    "key_value",
    "live_remote_data",
    "live_remote_ids",
    "mark_deleted",
    "page",
    "record_id",
    "record_ids",
    "referenced",
    "stored_state",
    "upsert_many",
    "with_remote_data",
]

_encoder = msgspec.json.Encoder(decimal_format="number")


def encode_document(value: Any) -> bytes:
    """The wire JSON of a common model: amounts as exact JSON numbers, datetimes in RFC 3339."""
    return _encoder.encode(value)


def key_value(value: Any) -> str | None:
    """How a filtered field is kept in ``filter_values``: text whose equality and order match the API's semantics."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return canonical(value)
    return str(value)


class NewRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One record to write: a common-model Struct whose ``id``/``created_at``/``modified_at`` the store assigns."""

    remote_id: str
    model: msgspec.Struct
    remote_data: Any = None
    remote_was_deleted: bool = False


_NULL_REMOTE_DATA = b',"remote_data":null}'


def with_remote_data(document: bytes, remote_data: bytes | None) -> bytes:
    """A stored document as the API serves it: ``remote_data`` spliced in before its closing brace."""
    if remote_data is None:
        return document[:-1] + _NULL_REMOTE_DATA
    return b"".join((document[:-1], b',"remote_data":', remote_data, b"}"))


class Change(msgspec.Struct, frozen=True):
    """A record that a write to the store added, changed or removed: what webhooks report as
    ``{Model}.added``/``.changed``/``.removed``, with ``document`` as ``GET`` serves it (``remote_data`` null)."""

    kind: Literal["added", "changed", "removed"]
    document: bytes


class StoredRecord(msgspec.Struct, frozen=True):
    """A record as read back for the API."""

    id: uuid.UUID
    created_at: int
    document: bytes
    remote_data: bytes | None


class KeyTest(msgspec.Struct, frozen=True):
    """One filter on a value kept in ``filter_values``."""

    field: str
    op: Literal["eq", "gt", "lt", "icontains"]
    value: str


class RecordQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a list request asks of the store, already validated."""

    linked_account_id: uuid.UUID
    model: str
    created_after: int | None = None
    created_before: int | None = None
    modified_after: int | None = None
    modified_before: int | None = None
    remote_id: str | None = None
    include_deleted: bool = False
    tests: Sequence[KeyTest] = ()


class _Shape(msgspec.Struct, frozen=True):
    """What a page query looks like, without its values: one compiled statement serves every query of a shape."""

    include_deleted: bool
    bounds: tuple[bool, bool, bool, bool]
    remote_id: bool
    tests: tuple[tuple[str, str], ...]
    after: bool
    reverse: bool
    inclusive: bool
    with_remote_data: bool


def _test(name: str, field: str, op: str) -> ColumnElement[bool]:
    kept = records.c.filter_values[field].as_string()
    value = bindparam(name, type_=String())
    if op == "eq":
        return kept == value
    if op == "gt":
        return kept > value
    if op == "lt":
        return kept < value
    return func.lower(kept).contains(func.lower(value), escape="/")


@lru_cache(maxsize=512)
def _page_statement(shape: _Shape) -> Any:
    """The statement for a shape, built once: every value is a bound parameter, so SQLAlchemy's compiled cache
    and the driver's prepared statements are reused across requests."""
    c = records.c
    conditions: list[ColumnElement[bool]] = [c.linked_account_id == bindparam("account"), c.model == bindparam("model")]
    if not shape.include_deleted:
        conditions.append(c.remote_was_deleted == false())
    columns = (c.created_at, c.created_at, c.modified_at, c.modified_at)
    for index, (present, column) in enumerate(zip(shape.bounds, columns, strict=True)):
        if present:
            mark = bindparam(f"bound{index}")
            conditions.append(column > mark if index % 2 == 0 else column < mark)
    if shape.remote_id:
        conditions.append(c.remote_id == bindparam("remote_id"))
    conditions += [_test(f"test{index}", field, op) for index, (field, op) in enumerate(shape.tests)]
    if shape.after:
        mark = tuple_(bindparam("after_created"), bindparam("after_id", type_=Uuid()))
        conditions.append(beyond(tuple_(c.created_at, c.id), mark, reverse=shape.reverse, inclusive=shape.inclusive))
    order = (c.created_at.desc(), c.id.desc()) if shape.reverse else (c.created_at.asc(), c.id.asc())
    return (
        select(c.id, c.created_at, c.document, c.remote_data if shape.with_remote_data else null())
        .where(and_(*conditions))
        .order_by(*order)
        .limit(bindparam("limit"))
    )


async def page(
    session: ReadSession,
    query: RecordQuery,
    *,
    after: tuple[int, uuid.UUID] | None,
    reverse: bool,
    limit: int,
    with_remote_data: bool,
    inclusive: bool = False,
) -> list[StoredRecord]:
    """Up to ``limit`` records past ``after`` in keyset order (``created_at``, ``id``), or before it when ``reverse``.

    Reverse pages come back newest first; the caller flips them.
    """
    bounds = (query.created_after, query.created_before, query.modified_after, query.modified_before)
    shape = _Shape(
        include_deleted=query.include_deleted,
        bounds=tuple(bound is not None for bound in bounds),  # type: ignore[arg-type]
        remote_id=query.remote_id is not None,
        tests=tuple((test.field, "icontains" if test.op == "icontains" else test.op) for test in query.tests),
        after=after is not None,
        reverse=reverse,
        inclusive=inclusive,
        with_remote_data=with_remote_data,
    )
    values: dict[str, Any] = {"account": query.linked_account_id, "model": query.model, "limit": limit}
    values |= {f"bound{index}": bound for index, bound in enumerate(bounds) if bound is not None}
    if query.remote_id is not None:
        values["remote_id"] = query.remote_id
    for index, test in enumerate(query.tests):
        values[f"test{index}"] = _escape_like(test.value) if test.op == "icontains" else test.value
    if after is not None:
        values["after_created"], values["after_id"] = after
    result = await session.execute(_page_statement(shape), values)
    return [StoredRecord(row[0], row[1], row[2], row[3]) for row in result.all()]


def _escape_like(text: str) -> str:
    """``contains`` without autoescape treats ``%`` and ``_`` as wildcards; a literal search must not."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


async def find_record(
    session: ReadSession, *, linked_account_id: uuid.UUID, model: str, record_id: uuid.UUID, with_remote_data: bool
) -> StoredRecord | None:
    """One record of this linked account and model, deleted or not."""
    c = records.c
    row = (
        await session.execute(
            select(c.id, c.created_at, c.document, c.remote_data if with_remote_data else null()).where(
                c.id == record_id, c.linked_account_id == linked_account_id, c.model == model
            )
        )
    ).first()
    return None if row is None else StoredRecord(row[0], row[1], row[2], row[3])


async def documents_by_id(
    session: ReadSession, *, linked_account_id: uuid.UUID, model: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, bytes]:
    """Documents of one model by id, for ``expand``; ids of other accounts or models are simply absent."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    c = records.c
    rows = await session.execute(
        select(c.id, c.document).where(c.linked_account_id == linked_account_id, c.model == model, c.id.in_(wanted))
    )
    return {row[0]: row[1] for row in rows}


class Referenced(msgspec.Struct, frozen=True):
    """What a write needs to know of a record it refers to."""

    remote_id: str
    deleted: bool
    document: bytes


async def referenced(
    session: ReadSession, *, linked_account_id: uuid.UUID, model: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Referenced]:
    """The records of this linked account and model among ``ids``; another account's ids are simply absent."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    c = records.c
    found: dict[uuid.UUID, Referenced] = {}
    for start in range(0, len(wanted), 500):
        rows = await session.execute(
            select(c.id, c.remote_id, c.remote_was_deleted, c.document).where(
                c.linked_account_id == linked_account_id, c.model == model, c.id.in_(wanted[start : start + 500])
            )
        )
        found.update({row[0]: Referenced(row[1], bool(row[2]), bytes(row[3])) for row in rows})
    return found


async def live_remote_ids(session: ReadSession, *, linked_account_id: uuid.UUID, model: str) -> list[str]:
    """The remote ids of an account's records of a model that are not marked deleted."""
    c = records.c
    rows = await session.execute(
        select(c.remote_id).where(
            c.linked_account_id == linked_account_id, c.model == model, c.remote_was_deleted == false()
        )
    )
    return [row[0] for row in rows]


_provider_json = msgspec.json.Decoder(float_hook=Decimal)
"""Provider JSON as the connectors read it: amounts exact."""


async def live_remote_data(session: ReadSession, *, linked_account_id: uuid.UUID, model: str) -> list[Any]:
    """The provider records an account's live records of a model were read from (each ``remote_data`` entry's
    ``data``), for a stream derived from them (``Stream.derived``)."""
    c = records.c
    rows = await session.execute(
        select(c.remote_data).where(
            c.linked_account_id == linked_account_id,
            c.model == model,
            c.remote_was_deleted == false(),
            c.remote_data.is_not(None),
        )
    )
    found: list[Any] = []
    for (raw,) in rows:
        for entry in _provider_json.decode(bytes(raw)):
            if isinstance(entry, dict) and "data" in entry:
                found.append(entry["data"])
    return found


async def stored_state(session: ReadSession, *, linked_account_id: uuid.UUID, model: str) -> str:
    """A value that changes whenever an account's records of a model do (one added, changed, or marked deleted:
    each moves ``modified_at``), so that what is derived from them is rebuilt only then."""
    c = records.c
    statement = select(func.count(), func.max(c.modified_at), func.sum(case((c.remote_was_deleted, 1), else_=0))).where(
        c.linked_account_id == linked_account_id, c.model == model
    )
    count, newest, removed = (await session.execute(statement)).one()
    return f"{count}:{newest or 0}:{removed or 0}"


async def count_records(session: ReadSession, *, linked_account_id: uuid.UUID, model: str) -> int:
    """How many records (deleted included) an account holds of a model."""
    c = records.c
    statement = select(func.count()).where(c.linked_account_id == linked_account_id, c.model == model)
    return int((await session.execute(statement)).scalar_one())


_RECORD_IDS = uuid.UUID("6f1c3b9e-51a4-4f57-9d1e-2f0b8e8c1a77")


def record_id(linked_account_id: uuid.UUID, model_name: str, remote_id: str) -> uuid.UUID:
    """The id a record has for life, derived from what identifies it.

    Deriving it (UUIDv5) rather than drawing it means a mapping can refer to a related record by its provider id
    before that record is synced, and a re-created store gives every record the id clients already hold.
    """
    return uuid.uuid5(_RECORD_IDS, f"{linked_account_id}/{model_name}/{remote_id}")


_VARIANT = {digit: "89ab"[int(digit, 16) & 0b11] for digit in "0123456789abcdef"}


def record_ids(linked_account_id: uuid.UUID) -> Callable[[str, str], str]:
    """``str(record_id(linked_account_id, model, remote_id))`` as a function of ``(model, remote_id)``.

    A sync derives an id for every line of every document; building and printing a ``UUID`` object for each
    cost more than the hash itself, so this formats the same UUIDv5 bytes directly."""
    prefix = _RECORD_IDS.bytes + f"{linked_account_id}/".encode()
    sha1 = hashlib.sha1

    def text(model_name: str, remote_id: str) -> str:
        h = sha1(prefix + f"{model_name}/{remote_id}".encode(), usedforsecurity=False).hexdigest()
        # the version nibble becomes 5 and the variant's top bits 10, as uuid.UUID(bytes=..., version=5) sets them
        return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"

    return text


def _with(model: msgspec.Struct, **values: Any) -> msgspec.Struct:
    """``model`` with those of ``values`` that it has as fields replaced (not every model has every field)."""
    fields = model.__struct_fields__
    return msgspec.structs.replace(model, **{k: v for k, v in values.items() if k in fields})


_STORE_ASSIGNED = ("id", "created_at", "modified_at")


def _digest(model: msgspec.Struct) -> str:
    """The hash of what a record says, without what the store assigns (models from mappings carry none of it)."""
    if any(getattr(model, name, None) is not None for name in _STORE_ASSIGNED):
        model = _with(model, id=None, created_at=None, modified_at=None)
    return hashlib.sha256(encode_document(model)).hexdigest()


def _place_nested(
    model: msgspec.Struct, nested: Mapping[str, str], derive: Callable[[str, str], str], owner: str
) -> tuple[msgspec.Struct, list[tuple[str, str, str, int]]]:
    """``model`` with an id on each nested object ``nested`` names, and ``(id, model, field, position)`` of each.

    An object's id is derived from its record (``owner``: model and remote id), its field and its position, so it
    is the same at every sync and in every process; an object a mapping already gave an id keeps it."""
    placed: list[tuple[str, str, str, int]] = []
    values: dict[str, Any] = {}
    for field, kind in nested.items():
        objects = getattr(model, field, None)
        if not objects:
            continue
        named = []
        for position, one in enumerate(objects):
            own = getattr(one, "id", None) or derive(kind, f"{owner}/{field}/{position}")
            named.append(one if getattr(one, "id", None) else msgspec.structs.replace(one, id=own))
            placed.append((own, kind, field, position))
        values[field] = named
    return (msgspec.structs.replace(model, **values) if values else model), placed


async def upsert_many(
    session: WriteSession,
    *,
    linked_account_id: uuid.UUID,
    model_name: str,
    key_fields: Iterable[str],
    items: Sequence[NewRecord],
    now: int | None = None,
    changes: list[Change] | None = None,
) -> list[uuid.UUID]:
    """Insert or update records by ``remote_id``; returns their ids in the order given.

    ``key_fields`` names the document fields that filters test (``ModelSpec.key_fields``). A record keeps its id
    and ``created_at`` for life; ``modified_at`` moves only when the document's digest or its deletion flag changes.
    Every record that really changed is appended to ``changes`` when it is given.
    """
    if not items:
        return []
    moment = clock.now_micros() if now is None else now
    stamp = clock.from_micros(moment)
    fields = tuple(key_fields)
    c = records.c
    # Every record's id is derived from what identifies it, so existing rows are found by primary key: that
    # lookup stays an index probe whatever the planner knows of the table (PostgreSQL without fresh statistics
    # planned a remote-id lookup as a scan of the account's rows, making a first sync quadratic).
    ids = [record_id(linked_account_id, model_name, item.remote_id) for item in items]
    existing: dict[uuid.UUID, Mapping[str, Any]] = {}
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(c.id, c.created_at, c.digest, c.remote_was_deleted).where(c.id.in_(ids[start : start + 500]))
        )
        existing.update({row.id: row._mapping for row in rows})
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    spec = MODELS.get(model_name)
    nested = {} if spec is None else spec.nested
    derive = record_ids(linked_account_id) if nested else None
    placements: dict[uuid.UUID, list[tuple[str, str, str, int]]] = {}
    for item, new_id in zip(items, ids, strict=True):
        model = item.model
        if derive is not None:
            model, placed = _place_nested(model, nested, derive, f"{model_name}/{item.remote_id}")
            item = msgspec.structs.replace(item, model=model)
        digest = _digest(item.model)
        before = existing.get(new_id)
        if (
            before is not None
            and before["digest"] == digest
            and before["remote_was_deleted"] == item.remote_was_deleted
        ):
            continue
        created = moment if before is None else before["created_at"]
        document = _with(
            item.model,
            id=str(new_id),
            remote_id=item.remote_id,
            created_at=stamp if before is None else clock.from_micros(created),
            modified_at=stamp,
            remote_was_deleted=item.remote_was_deleted,
        )
        encoded = encode_document(document)
        if derive is not None:
            placements[new_id] = placed
        if changes is not None:
            kind = _change_kind(before, item.remote_was_deleted)
            if kind is not None:
                changes.append(Change(kind, with_remote_data(encoded, None)))
        row = {
            "modified_at": moment,
            "remote_was_deleted": item.remote_was_deleted,
            "digest": digest,
            "filter_values": {field: key_value(getattr(document, field, None)) for field in fields},
            "document": encoded,
            "remote_data": None if item.remote_data is None else encode_document(item.remote_data),
        }
        if before is None:
            inserts.append(
                {
                    "id": new_id,
                    "linked_account_id": linked_account_id,
                    "model": model_name,
                    "remote_id": item.remote_id,
                    "created_at": created,
                    **row,
                }
            )
        else:
            updates.append({"target_id": new_id, **row})
    if inserts:
        await session.execute(records.insert(), inserts)
    if updates:
        await session.execute(
            update(records).where(c.id == bindparam("target_id")).execution_options(synchronize_session=False),
            updates,
        )
    if placements:
        await _index_nested(session, linked_account_id, placements)
    return ids


async def _index_nested(
    session: WriteSession, account_id: uuid.UUID, placements: Mapping[uuid.UUID, list[tuple[str, str, str, int]]]
) -> None:
    """Replace the index rows of the records just written by where their nested objects now are."""
    written = list(placements)
    for start in range(0, len(written), 500):
        await session.execute(
            delete(nested_objects).where(nested_objects.c.record_id.in_(written[start : start + 500]))
        )
    rows = [
        {
            "id": uuid.UUID(object_id),
            "linked_account_id": account_id,
            "record_id": owner,
            "model": kind,
            "field": field,
            "position": position,
        }
        for owner, placed in placements.items()
        for object_id, kind, field, position in placed
    ]
    if rows:
        # One id per object: a record listing the same object twice (never seen) keeps the first place.
        unique = list({row["id"]: row for row in reversed(rows)}.values())
        await session.execute(nested_objects.insert(), unique)


class NestedObject(msgspec.Struct, frozen=True):
    """A nested object found by its id: the JSON object, and its record's remote data."""

    document: Any
    remote_data: bytes | None


async def find_nested(
    session: ReadSession, *, linked_account_id: uuid.UUID, model: str, object_id: uuid.UUID, with_remote_data: bool
) -> NestedObject | None:
    """One nested object of this linked account (``Address``, ``AccountingPhoneNumber``) by its id: an index probe
    and a read of the one record holding it. Another account's id, or a stale index row, is not found."""
    n, c = nested_objects.c, records.c
    row = (
        await session.execute(
            select(n.field, n.position, c.document, c.remote_data if with_remote_data else null())
            .join(records, c.id == n.record_id)
            .where(n.id == object_id, n.linked_account_id == linked_account_id, n.model == model)
        )
    ).first()
    if row is None:
        return None
    objects = _decoder.decode(row[2]).get(row[0])
    if not isinstance(objects, list) or row[1] >= len(objects):
        return None
    found = objects[row[1]]
    if not isinstance(found, dict) or found.get("id") != str(object_id):
        return None
    return NestedObject(found, row[3])


def _change_kind(before: Mapping[str, Any] | None, deleted: bool) -> Literal["added", "changed", "removed"] | None:
    if before is None:
        return None if deleted else "added"  # a record first seen already deleted was never reported
    if deleted:
        return None if before["remote_was_deleted"] else "removed"
    return "changed"


_decoder = msgspec.json.Decoder(float_hook=Decimal)


async def mark_deleted(
    session: WriteSession,
    *,
    linked_account_id: uuid.UUID,
    model_name: str,
    remote_ids: Sequence[str],
    now: int | None = None,
    changes: list[Change] | None = None,
) -> int:
    """Flag records the provider deleted, keeping their last known content; returns how many changed (and appends
    them to ``changes`` when it is given).

    Providers report a deletion with little more than an id (QBO's CDC), so the stored document is kept and only
    its ``remote_was_deleted`` (and ``modified_at``) change. Ids never stored are ignored.
    """
    if not remote_ids:
        return 0
    moment = clock.now_micros() if now is None else now
    c = records.c
    rows = (
        await session.execute(
            select(c.id, c.document).where(
                c.id.in_([record_id(linked_account_id, model_name, remote_id) for remote_id in remote_ids]),
                c.remote_was_deleted == false(),
            )
        )
    ).all()
    updates = []
    for row_id, document in rows:
        content = _decoder.decode(document)
        content["remote_was_deleted"] = True
        content["modified_at"] = clock.from_micros(moment)
        updates.append({"target_id": row_id, "document": encode_document(content), "modified_at": moment})
    if updates:
        await session.execute(
            update(records)
            .where(c.id == bindparam("target_id"))
            .values(remote_was_deleted=True)
            .execution_options(synchronize_session=False),
            updates,
        )
    if changes is not None:
        changes.extend(Change("removed", with_remote_data(update_["document"], None)) for update_ in updates)
    return len(updates)
