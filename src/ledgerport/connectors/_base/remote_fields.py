"""Provider fields a common model does not cover (Merge's remote fields), declared per connector as data.

```
RemoteFields                        per common model (Invoice) or line model (InvoiceLineItem)
 ├─ fixed: FixedField(FieldClass, path)      a provider field every record may carry, read at a dotted path
 └─ custom: CustomFields                     fields the company defines at the provider
     ├─ definitions(client)   → the FieldClasses defined now (a provider call; the caller caches it)
     └─ values(remote record) → (FieldClass, value) of one record, from its own JSON (no call)
```

A field's identity is its ``key`` (Merge's ``remote_key_name``); the API derives the class's stable id from the
linked account, the model and that key, so the id is the same whether the class was read from the definitions or
from a record, and survives a rename at the provider. Writing values is the write tables' business
(``Target.remote_fields``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import msgspec

if TYPE_CHECKING:
    from ledgerport.connectors._base.client import ProviderClient

__all__ = ["CustomFields", "FieldClass", "FixedField", "RemoteFields", "fixed_values"]

FieldType = Literal["string", "number", "date", "datetime", "bool", "list"]
"""Merge's ``FieldTypeEnum``."""


class FieldClass(msgspec.Struct, frozen=True, kw_only=True):
    """What Merge's ``RemoteFieldClass`` says of one field, less its id."""

    key: str
    display_name: str
    description: str = ""
    is_custom: bool = False
    is_common_model_field: bool = False
    is_required: bool = False
    field_type: FieldType = "string"
    field_format: str | None = None
    field_choices: tuple[str, ...] | None = None


class FixedField(msgspec.Struct, frozen=True):
    """A provider field of every record of the model, at ``path`` (dots) in the record's JSON."""

    field: FieldClass
    path: str


class CustomFields(msgspec.Struct, frozen=True, kw_only=True):
    """Fields the company defines: their definitions ask the provider, their values are in each record."""

    definitions: Callable[[ProviderClient], Awaitable[Sequence[FieldClass]]]
    values: Callable[[Mapping[str, Any]], Sequence[tuple[FieldClass, Any]]]


class RemoteFields(msgspec.Struct, frozen=True, kw_only=True):
    """The remote fields of one model at one connector."""

    fixed: Sequence[FixedField] = ()
    custom: CustomFields | None = None


def _at(record: Mapping[str, Any], path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def fixed_values(table: RemoteFields, record: Mapping[str, Any]) -> list[tuple[FieldClass, Any]]:
    """Every fixed field of ``table`` with its value in ``record`` (``None`` where the record has none)."""
    return [(fixed.field, _at(record, fixed.path)) for fixed in table.fixed]
