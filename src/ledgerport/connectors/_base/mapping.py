"""Provider JSON → common model, one declarative table per model.

```
Field ── F(path, convert)          a value at a dotted path, through a named converter
      ├─ Ref(path, model)          a provider id → the related record's id (derived, so order of sync is free)
      ├─ RefList(path, item, model) a list of provider objects → the list of related record ids
      ├─ Each(path, NestedMap)     a list of nested objects (line items) → a list of nested Structs
      ├─ ChildId(model, path)      a nested object's id, derived from its parent's remote id and its own
      ├─ OwnerRef(model)           in an exploded mapping: the record the element was listed inside
      ├─ Company()                 the linked account's company (its CompanyInfo record)
      ├─ Const(value)              the same value for every record
      └─ Computed(function)        a typed function of the whole record, where data cannot express the rule
```

A mapping usually makes one common record of each stream record. With ``explode`` it makes one of each element of
a list inside it instead: Xero lists tracking options only inside their category, and Merge wants each option as a
TrackingCategory of its own, whose ``parent_category`` is the category (``OwnerRef``).

A field missing from a table is a field the provider does not fill: :func:`supported_fields` reads the tables to
answer "which fields does this integration support", so that answer is never kept by hand. The input record is
never mutated: ``remote_data`` is the provider JSON as received.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

import msgspec

from ledgerport.connectors._base.streams import Getter, Stream, getter

__all__ = [
    "ChildId",
    "Company",
    "Computed",
    "Const",
    "Each",
    "Explode",
    "F",
    "Field",
    "MappingContext",
    "ModelMap",
    "NestedMap",
    "OwnerRef",
    "Ref",
    "RefList",
    "apply",
    "getter",
    "one_company",
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
    document: Any = None
    """Inside ``Each``: the provider record the nested objects are listed in, for a rule of a line that depends on
    its document (an expense line's sign follows whether its expense is a purchase or a refund)."""
    owner: str = ""
    """In an exploded mapping: the remote id of the stream record the element was listed inside."""
    company: str | None = None
    """The id of the linked account's CompanyInfo record, once the sync has stored it."""
    facts: Mapping[str, str] = {}
    """The linked account's facts, its connector's session facts included (Business Central: the company's local
    currency, which its documents in that currency leave blank)."""


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


class OwnerRef(msgspec.Struct, frozen=True):
    """In an exploded mapping: the id of the stream record the element was listed inside, as a ``model`` record."""

    model: str


class Company(msgspec.Struct, frozen=True):
    """The linked account's company: for providers where one linked account is one company."""


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


Field = F | Ref | RefList | ChildId | OwnerRef | Company | Const | Computed | Each


class Explode(msgspec.Struct, frozen=True, dict=True):
    """Each element of the list at ``path`` in a stream record is one record, whose provider id is at ``key``.

    An element is deleted when the record it is listed in is deleted, or when ``deleted`` says so of it alone.
    """

    path: str
    key: str
    deleted: Callable[[Any], bool] | None = None

    @cached_property
    def elements(self) -> Getter:
        """The list of elements in a stream record, read through a compiled path."""
        return getter(self.path)

    @cached_property
    def key_of(self) -> Getter:
        """An element's provider id, read through a compiled path."""
        return getter(self.key)


_Table = TypeVar("_Table", "ModelMap", NestedMap)

Row = tuple[str, Any, str]
"""``(remote id, provider object, owner's remote id)``: one record a mapping makes from a page."""


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
    explode: Explode | None = None
    """Set when this model's records are elements of a list inside each stream record."""

    def remote_id_of(self, record: Any) -> str:
        """The provider id of one of this model's records (an element, for an exploded mapping)."""
        if self.explode is not None:
            return str(self.explode.key_of(record))
        return self._stream_id(record)

    def _stream_id(self, record: Any) -> str:
        if self.remote_id is not None:
            return self.remote_id(record)
        return str(self.stream.key_of(record))

    def rows(self, records: list[Any]) -> list[Row]:
        """This model's live records among a page's live stream records."""
        selected = records if self.when is None else [r for r in records if self.when(r)]
        explode = self.explode
        if explode is None:
            return [(self._stream_id(r), r, "") for r in selected]
        elements, key_of, dead = explode.elements, explode.key_of, explode.deleted
        return [
            (str(key_of(element)), element, owner)
            for record in selected
            for owner in (self._stream_id(record),)
            for element in elements(record) or []
            if dead is None or not dead(element)
        ]

    def gone(self, records: list[Any], deleted: list[Any]) -> list[str]:
        """Remote ids of this model's records a page reports deleted: its deleted stream records or, for an
        exploded mapping, every element of those and the elements deleted on their own in the live ones."""
        keep = self.when
        dead_records = [r for r in deleted if keep is None or keep(r)]
        explode = self.explode
        if explode is None:
            return [self._stream_id(r) for r in dead_records]
        elements, key_of, dead = explode.elements, explode.key_of, explode.deleted
        ids = [str(key_of(element)) for record in dead_records for element in elements(record) or []]
        if dead is not None:
            live = records if keep is None else [r for r in records if keep(r)]
            ids += [str(key_of(e)) for record in live for e in elements(record) or [] if dead(e)]
        return ids

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
    if isinstance(field, OwnerRef):
        owner_model = field.model
        return lambda record, context: context.ref(owner_model, context.owner) if context.owner else None
    if isinstance(field, Company):
        return lambda record, context: context.company
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
        return [build(item, replace(context, index=index, document=record)) for index, item in enumerate(items)]

    return each


def _compile_struct(struct: type[msgspec.Struct], fields: Mapping[str, Field]) -> Build:
    parts = tuple((name, _compile(field)) for name, field in fields.items())

    def build(record: Any, context: MappingContext) -> Any:
        return struct(**{name: part(record, context) for name, part in parts})

    return build


def apply(
    mapping: ModelMap, record: Any, context: MappingContext, *, remote_id: str | None = None, owner: str = ""
) -> msgspec.Struct:
    """The common-model Struct for one provider record (``id`` and timestamps are left to the store).

    ``remote_id`` saves reading the id again when the caller has it (a :meth:`ModelMap.rows` row); ``owner`` is the
    row's owner for an exploded mapping."""
    parent = remote_id if remote_id is not None else mapping.remote_id_of(record)
    own = msgspec.structs.replace(context, parent=parent, owner=owner, index=0)
    return mapping.build(record, own)  # type: ignore[no-any-return]


def one_company(mappings: Sequence[ModelMap]) -> tuple[ModelMap, ...]:
    """``mappings`` with ``company`` filled on every record and line that has the field.

    For providers whose linked account is exactly one company (a QuickBooks realm, a Xero organisation): every
    record is that company's, so Merge's ``company`` (and the ``company_id`` filter) can be answered without a
    line in each table.
    """
    return tuple(_with_company(mapping) for mapping in mappings)


def _with_company(table: _Table) -> _Table:
    fields = {
        name: msgspec.structs.replace(field, nested=_with_company(field.nested)) if isinstance(field, Each) else field
        for name, field in table.fields.items()
    }
    if "company" in table.struct.__struct_fields__:
        fields.setdefault("company", Company())
    return msgspec.structs.replace(table, fields=fields)


def supported_fields(mapping: ModelMap) -> list[str]:
    """The common fields this mapping fills, in the model's field order."""
    filled = set(mapping.fields) | {"remote_id", "remote_was_deleted"}
    return [name for name in mapping.struct.__struct_fields__ if name in filled]
