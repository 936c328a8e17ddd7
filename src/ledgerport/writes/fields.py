"""What the common models say about their own fields: which a request may set, their types, and their JSON Schema.

The Structs in :mod:`ledgerport.models` are the one description of every field's type; validation converts each
value a request sends through its field's annotation, and the meta endpoints describe the same annotation, so
what is validated and what is documented cannot drift apart.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import msgspec

from ledgerport.models import DecimalString

__all__ = [
    "Converted",
    "READ_ONLY",
    "REQUEST_ONLY",
    "convert",
    "enum_of",
    "json_schema",
    "line_struct",
    "request_fields",
]

READ_ONLY = frozenset(
    {
        "id",
        "remote_id",
        "created_at",
        "modified_at",
        "remote_created_at",
        "remote_updated_at",
        "remote_was_deleted",
        "field_mappings",
        "remote_data",
        "remote_fields",
    }
)
"""Fields the store or the provider fills: a request that sends them is told they are ignored."""

REQUEST_ONLY = frozenset({"integration_params", "linked_account_params"})
"""Keys of Merge's request bodies that are not fields of the model: accepted, and unused unless a write table takes
them (a file's ``integration_params`` naming the object it belongs to)."""

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LISTED_CHOICES = 20
"""An enum with more values than this (currencies, countries) is not spelled out in a problem's detail."""


@cache
def request_fields(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """Field name → annotation, for the fields of ``struct`` a request may set."""
    hints = typing.get_type_hints(struct, include_extras=True)
    fields = {name: hints[name] for name in struct.__struct_fields__ if name not in READ_ONLY}
    # Merge's request-only objects, for the tables that take them (a file's link to a provider object).
    return {**fields, **{name: dict[str, Any] | None for name in sorted(REQUEST_ONLY)}}


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types a (possibly optional, possibly annotated) annotation admits."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return tuple(member for arg in typing.get_args(annotation) for member in _members(arg))
    return (annotation,)


def enum_of(annotation: Any) -> type[enum.Enum] | None:
    """The enum an annotation's value must be a member of, if any."""
    return next((m for m in _members(annotation) if isinstance(m, type) and issubclass(m, enum.Enum)), None)


def line_struct(annotation: Any) -> type[msgspec.Struct] | None:
    """For ``list[SomeLine]``: the line Struct."""
    for member in _members(annotation):
        if typing.get_origin(member) is list:
            (item,) = typing.get_args(member)
            if isinstance(item, type) and issubclass(item, msgspec.Struct):
                return item
    return None


class Converted(msgspec.Struct, frozen=True):
    """A request value as its field's type, or why it could not be (``error``), or how it was bent (``warning``)."""

    value: Any = None
    error: str | None = None
    warning: str | None = None
    bad_choice: bool = False


def convert(value: Any, annotation: Any) -> Converted:
    """``value`` (decoded JSON, numbers as ``Decimal``) as the field's type.

    A date without a time (``2024-03-31``) is read as midnight UTC, with a warning: Merge's fields are date-times,
    and a developer sending a date means that day. A date-time without an offset is read as UTC. A number sent for
    one of Merge's decimal strings (``exchange_rate``, ``applied_amount``) is read as that decimal, with a warning,
    as text sent for a number is.
    """
    if value is None:
        return Converted(None)
    if isinstance(value, Decimal | int) and not isinstance(value, bool) and _is_decimal_string(annotation):
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        converted = convert(text, annotation)
        warning = f"{value} is a number; it was read as the decimal string {text!r}"
        return msgspec.structs.replace(converted, warning=warning) if converted.error is None else converted
    choices = enum_of(annotation)
    if choices is not None:
        allowed = {str(member.value) for member in choices}
        if not isinstance(value, str) or value not in allowed:
            if len(allowed) > _LISTED_CHOICES:
                why = f"{value!r} is not one of the {len(allowed)} values the meta endpoint's request_schema lists"
            else:
                why = f"{value!r} is not one of {sorted(allowed)}"
            return Converted(error=why, bad_choice=True)
        return Converted(value)
    warning = None
    members = _members(annotation)
    if datetime in members and isinstance(value, str) and _DATE_ONLY.match(value):
        warning = f"{value!r} is a date; it was read as {value}T00:00:00Z"
        value = f"{value}T00:00:00Z"
    try:
        converted = msgspec.convert(value, annotation, strict=False)
    except msgspec.ValidationError as exc:
        return Converted(error=str(exc))
    if isinstance(converted, datetime) and converted.tzinfo is None:
        converted = converted.replace(tzinfo=UTC)
    if isinstance(converted, bool) and not isinstance(value, bool):
        warning = f"{value!r} was read as {converted}"
    if isinstance(converted, Decimal) and isinstance(value, str):
        warning = f"{value!r} is text; it was read as the number {converted}"
    return Converted(converted, warning=warning)


def json_schema(annotation: Any, choices: tuple[str, ...] | None = None, *, required: bool = False) -> dict[str, Any]:
    """The JSON Schema of a field's value, as the meta endpoints describe it (``choices`` narrows an enum).

    A ``required`` field is never ``null`` in a request that validation lets through, so its schema says so.
    """
    members = [m for m in _members(annotation) if m is not type(None)]
    nullable = len(members) < len(_members(annotation)) and not required
    schema = _schema_of(_annotated(annotation) or (members[0] if members else Any), annotation, choices)
    if nullable and "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema = {**schema, "type": [*kinds, "null"]}
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def _schema_of(member: Any, annotation: Any, choices: tuple[str, ...] | None) -> dict[str, Any]:
    found = enum_of(annotation)
    if found is not None:
        values = [str(m.value) for m in found]
        return {"type": "string", "enum": [v for v in values if choices is None or v in choices]}
    if member is bool:
        return {"type": "boolean"}
    if member is int:
        return {"type": "integer"}
    if member is Decimal:
        return {"type": "number"}
    if member is datetime:
        return {"type": "string", "format": "date-time"}
    if typing.get_origin(member) is dict:
        return {"type": "object"}
    if typing.get_origin(member) is list:
        (item,) = typing.get_args(member)
        return {"type": "array", "items": _schema_of(item, item, None)}
    if typing.get_origin(member) is typing.Annotated and typing.get_args(member)[0] is not str:
        return _schema_of(typing.get_args(member)[0], annotation, choices)
    if member is str or typing.get_origin(member) is typing.Annotated:
        meta = _meta(member)
        if meta is not None and meta.description and "id of the related" in meta.description:
            return {"type": "string", "format": "uuid"}
        return {"type": "string"}
    return {}


def _is_decimal_string(annotation: Any) -> bool:
    """Whether the field is one of Merge's ``format: decimal`` strings (:data:`ledgerport.models.DecimalString`)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_decimal_string(arg) for arg in typing.get_args(annotation))
    return bool(annotation == DecimalString)


def _annotated(annotation: Any) -> Any:
    """The ``Annotated`` member of an optional annotation (``Ref | None`` → ``Ref``), whose metadata says more."""
    if typing.get_origin(annotation) is typing.Annotated:
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next((arg for arg in typing.get_args(annotation) if typing.get_origin(arg) is typing.Annotated), None)
    return None


def _meta(annotation: Any) -> msgspec.Meta | None:
    if typing.get_origin(annotation) is typing.Annotated:
        return next((a for a in typing.get_args(annotation)[1:] if isinstance(a, msgspec.Meta)), None)
    return None
