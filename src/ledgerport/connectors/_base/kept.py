"""Objects a provider has no API for, kept by ledgerport itself so that writes succeed and read back.

Merge's bank feeds are pushed by the developer (``POST /bank-feed-accounts``, ``POST /bank-feed-transactions``).
Where the provider offers no way to take them, a connector can still accept them: its write table names a target
whose ``protocol`` is :data:`KEPT`. Nothing is sent; the validated request becomes the record (its id derived from
the write's operation, so a retried request with the same idempotency key keeps one record), stored through the
target's read table exactly as a provider's answer would be. ``remote_data`` then holds what was kept, under a
``ledgerport/`` path that names no provider URL.

```
kept_write(model, struct, note=..., refs={field: model}, fixed={field: value})
 └─ WriteSpec(model) ─ Target(entity=model, protocol=KEPT, fields: Put/PutRef per request field, read: kept_map)
```
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from ledgerport.connectors._base.errors import NotFound
from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.mapping import Const, F, ModelMap, Ref
from ledgerport.connectors._base.paging import StartPosition
from ledgerport.connectors._base.streams import Stream, StreamContext
from ledgerport.connectors._base.writes import Put, PutRef, Target, WriteField, WriteProtocol, WriteSpec

__all__ = ["KEPT", "KEY", "kept_map", "kept_write"]

KEY = "id"
"""Where a kept object holds its own id (the write operation's key)."""

_SERVER_SET = frozenset(
    {"id", "remote_id", "created_at", "modified_at", "remote_was_deleted", "field_mappings", "remote_fields"}
)


def _never(context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
    raise NotFound("kept objects are never read from the provider")


def _path(model: str) -> Any:
    return lambda context, record: f"ledgerport/{model}/{record.get(KEY)}"


def _stream(model: str) -> Stream:
    """A stream no sync walks (kept objects exist only where writes put them); its path names the kept copy."""
    return Stream(
        name=f"ledgerport:{model}",
        request=_never,
        records="items",
        key=KEY,
        paging=StartPosition(size=1),
        remote_path=_path(model),
    )


async def _create(client: Any, target: Target, payload: dict[str, Any], key: str) -> Any:
    return {**payload, KEY: key}


async def _update(client: Any, target: Target, remote_id: str, payload: dict[str, Any], key: str) -> Any:
    raise NotFound(f"{target.entity} records kept by ledgerport are not changed once written")


async def _fetch(client: Any, target: Target, remote_id: str) -> Any:
    raise NotFound(f"{target.entity} records kept by ledgerport are read from ledgerport, not from the provider")


KEPT = WriteProtocol(create=_create, update=_update, fetch=_fetch)
"""Writes nothing anywhere: the record is the validated request itself (see the module docstring)."""


def _fields(struct: type[msgspec.Struct]) -> list[str]:
    return [name for name in struct.__struct_fields__ if name not in _SERVER_SET]


def kept_map(
    model: str, struct: type[msgspec.Struct], *, refs: Mapping[str, str] = {}, fixed: Mapping[str, Any] = {}
) -> ModelMap:
    """The read table of a kept object: each field as the request stated it (``refs``: fields holding another
    record's id, kept as that record's remote id), and ``fixed`` values no request sets."""
    fields: dict[str, Any] = {"remote_id": F(KEY)}
    for name in _fields(struct):
        if name in fixed:
            fields[name] = Const(fixed[name])
        elif name in refs:
            fields[name] = Ref(name, refs[name])
        else:
            fields[name] = F(name)
    return ModelMap(model=model, struct=struct, stream=_stream(model), fields=fields)


def kept_write(
    model: str,
    struct: type[msgspec.Struct],
    *,
    note: str,
    refs: Mapping[str, str] = {},
    fixed: Mapping[str, Any] = {},
    required: frozenset[str] = frozenset(),
) -> WriteSpec:
    """A create of ``model`` that ledgerport keeps (``note`` says so in the meta schema); ``required`` fields must
    be given, ``fixed`` ones cannot be."""
    fields: dict[str, WriteField] = {}
    for name in _fields(struct):
        if name in fixed:
            continue
        if name in refs:
            fields[name] = PutRef(name, refs[name], required=name in required)
        else:
            fields[name] = Put(name, required=name in required)
    target = Target(
        entity=model,
        read=kept_map(model, struct, refs=refs, fixed=fixed),
        fields=fields,
        protocol=KEPT,
    )
    return WriteSpec(model=model, targets=[target], note=note)
