"""Provider JSON → common model, one declarative table per model.

```
Field ── F(path, convert)          a value at a dotted path, through a named converter
      ├─ Ref(path, model)          a provider id → the related record's id (derived, so order of sync is free)
      ├─ RefList(path, item, model) a list of provider objects → the list of related record ids
      ├─ Each(path, NestedMap)     a list of nested objects (line items) → a list of nested Structs
      ├─ ChildId(model, path)      a nested object's id, derived from its parent's remote id and its own
      ├─ Const(value)              the same value for every record
      └─ Computed(function)        a typed function of the whole record, where data cannot express the rule
```

A field missing from a table is a field the provider does not fill: :func:`supported_fields` reads the tables to
answer "which fields does this integration support", so that answer is never kept by hand. The input record is
never mutated: ``remote_data`` is the provider JSON as received.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from ledgerport.connectors._base.streams import Stream, dig

__all__ = [
    "ChildId",
    "Computed",
    "Const",
    "Each",
    "F",
    "Field",
    "MappingContext",
    "ModelMap",
    "NestedMap",
    "Ref",
    "RefList",
    "apply",
    "supported_fields",
]


class MappingContext(msgspec.Struct, frozen=True):
    """Turns a provider id of a related record into that record's id in our store."""

    ref: Callable[[str, str], str]
    """``ref(model_name, remote_id) -> record id``."""
    parent: str = ""
    """Inside ``Each``: the remote id of the record the nested objects belong to."""
    index: int = 0
    """Inside ``Each``: the nested object's position in its list."""


class F(msgspec.Struct, frozen=True):
    """The value at ``path``, converted."""

    path: str
    convert: Callable[[Any], Any] | None = None


class Ref(msgspec.Struct, frozen=True):
    """The id of the related ``model`` record whose provider id is at ``path``."""

    path: str
    model: str


class RefList(msgspec.Struct, frozen=True):
    """Ids of related records: ``path`` holds a list, ``item`` is the id's path inside each element."""

    path: str
    model: str
    item: str = ""


class ChildId(msgspec.Struct, frozen=True):
    """A nested object's id: stable across syncs, derived from its parent and its own provider id (or position)."""

    model: str
    path: str = ""


class Const(msgspec.Struct, frozen=True):
    """A fixed value."""

    value: Any


class Computed(msgspec.Struct, frozen=True):
    """``function(record, context)``; for rules a table cannot state."""

    function: Callable[[Any, MappingContext], Any]


class NestedMap(msgspec.Struct, frozen=True):
    """A nested Struct (a line item) from a provider object."""

    struct: type[msgspec.Struct]
    fields: Mapping[str, Field]
    when: Callable[[Any], bool] | None = None
    """Elements for which this is false are skipped (QBO subtotal lines)."""


class Each(msgspec.Struct, frozen=True):
    """A list of nested Structs from the list at ``path``."""

    path: str
    nested: NestedMap


Field = F | Ref | RefList | ChildId | Const | Computed | Each


class ModelMap(msgspec.Struct, frozen=True, kw_only=True):
    """How one stream's records become one common model."""

    model: str
    """Merge's model name (``"Invoice"``)."""
    struct: type[msgspec.Struct]
    stream: Stream
    fields: Mapping[str, Field]
    remote_id: Callable[[Any], str] | None = None
    """The record's remote id when it is not ``stream.key`` (e.g. a prefix where two streams share a model)."""
    when: Callable[[Any], bool] | None = None
    """Records for which this is false belong to another mapping of the same stream."""

    def remote_id_of(self, record: Any) -> str:
        """The record's provider id as stored in ``remote_id``."""
        if self.remote_id is not None:
            return self.remote_id(record)
        return str(dig(record, self.stream.key))


def _value(field: Field, record: Any, context: MappingContext) -> Any:
    if isinstance(field, F):
        raw = dig(record, field.path)
        return raw if field.convert is None else field.convert(raw)
    if isinstance(field, Ref):
        raw = dig(record, field.path)
        return None if raw in (None, "") else context.ref(field.model, str(raw))
    if isinstance(field, RefList):
        items = dig(record, field.path) or []
        raw_ids = [dig(item, field.item) if field.item else item for item in items]
        return [context.ref(field.model, str(raw)) for raw in raw_ids if raw not in (None, "")]
    if isinstance(field, ChildId):
        own = dig(record, field.path) if field.path else None
        return context.ref(field.model, f"{context.parent}/{own if own not in (None, '') else context.index}")
    if isinstance(field, Const):
        return field.value
    if isinstance(field, Computed):
        return field.function(record, context)
    items = [item for item in dig(record, field.path) or [] if field.nested.when is None or field.nested.when(item)]
    return [
        _build(field.nested.struct, field.nested.fields, item, msgspec.structs.replace(context, index=index))
        for index, item in enumerate(items)
    ]


def _build(struct: type[msgspec.Struct], fields: Mapping[str, Field], record: Any, context: MappingContext) -> Any:
    values = {name: _value(field, record, context) for name, field in fields.items()}
    return struct(**values)


def apply(mapping: ModelMap, record: Any, context: MappingContext) -> msgspec.Struct:
    """The common-model Struct for one provider record (``id`` and timestamps are left to the store)."""
    own = msgspec.structs.replace(context, parent=mapping.remote_id_of(record), index=0)
    return _build(mapping.struct, mapping.fields, record, own)  # type: ignore[no-any-return]


def supported_fields(mapping: ModelMap) -> list[str]:
    """The common fields this mapping fills, in the model's field order."""
    filled = set(mapping.fields) | {"remote_id", "remote_was_deleted"}
    return [name for name in mapping.struct.__struct_fields__ if name in filled]
