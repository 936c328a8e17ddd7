"""Enums that several common models share; an enum used by one model lives in that model's module.

Merge names these two after a hash of their values (``Status7d1Enum``, ``Status895Enum``); the Python names say
what the values are instead.
"""

from __future__ import annotations

import enum

__all__ = ["ActiveOrArchived", "ActiveOrInactive"]


class ActiveOrArchived(enum.StrEnum):
    """Merge's ``Status7d1Enum``: the ``status`` of a Contact, Item, TaxRate or TrackingCategory."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class ActiveOrInactive(enum.StrEnum):
    """Merge's ``Status895Enum``: the ``status`` of an Employee or AccountingPeriod."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
