"""Named, pure converters from provider values to common-model values.

Every converter accepts ``None`` and returns ``None`` for it, so mapping tables never guard against missing
fields. :func:`to_decimal` refuses binary floats: provider bodies are decoded with ``float_hook=Decimal``, so a
float reaching it is a bug that would otherwise lose cents silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from ledgerport.models.currency import Currency

__all__ = [
    "currency",
    "decimal_string",
    "enum_map",
    "iso_date",
    "iso_datetime",
    "negate",
    "to_bool",
    "to_decimal",
    "to_str",
]

E = TypeVar("E", bound=Enum)


def to_decimal(value: Any) -> Decimal | None:
    """An exact amount from an int, a ``Decimal`` or numeric text."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise TypeError("amounts must never pass through float; decode bodies with float_hook=Decimal")
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def decimal_string(value: Any) -> str | None:
    """An exact amount as text (Merge's ``format: decimal`` fields)."""
    amount = to_decimal(value)
    return None if amount is None else str(amount)


def negate(value: Any) -> Decimal | None:
    """The amount with its sign flipped (a credit as a negative net amount)."""
    amount = to_decimal(value)
    return None if amount is None else -amount


def iso_datetime(value: Any) -> datetime | None:
    """A tz-aware datetime from ISO 8601 text (a date alone is midnight UTC; no offset means UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value)
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso_date(value: Any) -> datetime | None:
    """Merge carries dates as date-times at midnight UTC."""
    moment = iso_datetime(value)
    return None if moment is None else datetime.combine(moment.date(), datetime.min.time(), UTC)


def to_str(value: Any) -> str | None:
    """Text, or ``None`` for empty values."""
    return None if value is None or value == "" else str(value)


def to_bool(value: Any) -> bool | None:
    """A boolean from a JSON boolean or ``"true"``/``"false"`` text."""
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes"}


def enum_map(table: Mapping[str, E], default: E | None = None) -> Callable[[Any], E | None]:
    """A converter through a provider-value → enum table; values outside it become ``default``."""

    def convert(value: Any) -> E | None:
        if value is None:
            return None
        return table.get(str(value), default)

    convert.__name__ = f"enum_map_{next(iter(table.values())).__class__.__name__}" if table else "enum_map"
    return convert


def currency(value: Any) -> Currency | None:
    """An ISO 4217 code as Merge's ``Currency``; a code Merge does not list becomes ``None``, not an error."""
    if value in (None, ""):
        return None
    try:
        return Currency(str(value).upper())
    except ValueError:
        return None
