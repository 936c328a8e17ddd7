"""Empty rows and shared values: what BC puts in a field nobody set.

BC has no nulls on API pages: a blank date is ``0001-01-01``, a blank GUID is all zeros, a blank enum is the escaped
blank member ``_x0020_`` (or the enum's first member), numbers are 0 and texts "" (FACTS §1). ``money`` caches one
Decimal per amount so a large seeded company shares the objects instead of holding a million copies.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.business_central.catalog import EMPTY_GUID, EntitySet, field_type
from ledgerport.sandboxes.business_central.enums import escape

__all__ = ["BLANK_DATE", "ZERO", "blank", "money", "template"]

BLANK_DATE = "0001-01-01"
ZERO = Decimal(0)
_BLANKS: dict[str, Any] = {
    "decimal": ZERO,
    "int": 0,
    "bool": False,
    "date": BLANK_DATE,
    "datetime": "0001-01-01T00:00:00Z",
    "guid": EMPTY_GUID,
    "string": "",
}


def blank(name: str, entity_set: EntitySet) -> Any:
    """The value of an unset field."""
    kind = field_type(name, entity_set)
    if kind == "enum":
        members = entity_set.enums[name]
        return escape(" " if " " in members else members[0])
    return _BLANKS[kind]


_TEMPLATES: dict[str, tuple[Any, ...]] = {}


def template(entity_set: EntitySet) -> tuple[Any, ...]:
    """An empty row of the set, version slot included."""
    found = _TEMPLATES.get(entity_set.name)
    if found is None:
        found = _TEMPLATES[entity_set.name] = (*(blank(name, entity_set) for name in entity_set.fields), 0)
    return found


_MONEY: dict[int, Decimal] = {}


def money(cents: int) -> Decimal:
    """An amount in hundredths as a shared Decimal without trailing zeros (BC writes ``12.5``, not ``12.50``)."""
    found = _MONEY.get(cents)
    if found is None:
        if cents % 100 == 0:
            found = Decimal(cents // 100)
        elif cents % 10 == 0:
            found = Decimal(cents // 10).scaleb(-1)
        else:
            found = Decimal(cents).scaleb(-2)
        if len(_MONEY) < 2_000_000:
            _MONEY[cents] = found
    return found
