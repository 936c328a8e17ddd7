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
from functools import cached_property
from typing import Any

import msgspec

from ledgerport.connectors._base.streams import Stream, getter

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
    "getter",
    "supported_fields",
]


class MappingContext(msgspec.Struct, frozen=True):
    """Turns a provider id of a related record into that record's id in our store."""

    ref: Callable[[str, str], str]
    """``ref(model_name, remote_id) -> record id``."""
    child: Callable[[str, str], str] | None = None
    """Like ``ref``, for the ids of nested objects, each asked for once (``ref`` may remember what it answers)."""
    parent: str = ""
    """Inside ``Each``: the remote id of the record the nested objects belong to."""
    index: int = 0
    """Inside ``Each``: the nested object's position in its list."""


Build = Callable[[Any, MappingContext], Any]
"""A compiled table: provider record and context in, common-model value out."""


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


class NestedMap(msgspec.Struct, frozen=True, dict=True):
    """A nested Struct (a line item) from a provider object."""

    struct: type[msgspec.Struct]
    fields: Mapping[str, Field]
    when: Callable[[Any], bool] | None = None
    """Elements for which this is false are skipped (QBO subtotal lines)."""

    @cached_property
    def build(self) -> Build:
        """The table as one function, compiled on first use."""
        return _compile_struct(self.struct, self.fields)


class Each(msgspec.Struct, frozen=True):
    """A list of nested Structs from the list at ``path``."""

    path: str
    nested: NestedMap


Field = F | Ref | RefList | ChildId | Const | Computed | Each


class ModelMap(msgspec.Struct, frozen=True, kw_only=True, dict=True):
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
        return str(self.stream.key_of(record))

    @cached_property
    def build(self) -> Build:
        """The table as one function, compiled on first use: the tables stay data, and a sync does not walk
        them again for every record."""
        return _compile_struct(self.struct, self.fields)


def _compile(field: Field) -> Build:  # noqa: C901 - one small closure per kind of field
    if isinstance(field, F):
        get, convert = getter(field.path), field.convert
        if convert is None:
            return lambda record, context: get(record)
        return lambda record, context: convert(get(record))
    if isinstance(field, Ref):
        get, model = getter(field.path), field.model

        def ref(record: Any, context: MappingContext) -> Any:
            raw = get(record)
            return None if raw is None or raw == "" else context.ref(model, str(raw))

        return ref
    if isinstance(field, RefList):
        get, model = getter(field.path), field.model
        item = getter(field.item) if field.item else None

        def refs(record: Any, context: MappingContext) -> list[str]:
            raw_ids = [item(element) if item else element for element in get(record) or []]
            return [context.ref(model, str(raw)) for raw in raw_ids if raw is not None and raw != ""]

        return refs
    if isinstance(field, ChildId):
        own, model = (getter(field.path) if field.path else None), field.model

        def child_id(record: Any, context: MappingContext) -> str:
            value = own(record) if own is not None else None
            position = value if value is not None and value != "" else context.index
            return (context.child or context.ref)(model, f"{context.parent}/{position}")

        return child_id
    if isinstance(field, Const):
        value = field.value
        return lambda record, context: value
    if isinstance(field, Computed):
        return field.function
    return _compile_each(field)


def _compile_each(field: Each) -> Build:
    get, keep, build = getter(field.path), field.nested.when, field.nested.build
    replace = msgspec.structs.replace

    def each(record: Any, context: MappingContext) -> list[Any]:
        items = [item for item in get(record) or [] if keep is None or keep(item)]
        return [build(item, replace(context, index=index)) for index, item in enumerate(items)]

    return each


def _compile_struct(struct: type[msgspec.Struct], fields: Mapping[str, Field]) -> Build:
    parts = tuple((name, _compile(field)) for name, field in fields.items())

    def build(record: Any, context: MappingContext) -> Any:
        return struct(**{name: part(record, context) for name, part in parts})

    return build


def apply(mapping: ModelMap, record: Any, context: MappingContext) -> msgspec.Struct:
    """The common-model Struct for one provider record (``id`` and timestamps are left to the store)."""
    own = msgspec.structs.replace(context, parent=mapping.remote_id_of(record), index=0)
    return mapping.build(record, own)  # type: ignore[no-any-return]


def supported_fields(mapping: ModelMap) -> list[str]:
    """The common fields this mapping fills, in the model's field order."""
    filled = set(mapping.fields) | {"remote_id", "remote_was_deleted"}
    return [name for name in mapping.struct.__struct_fields__ if name in filled]
