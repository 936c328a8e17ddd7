"""Which selective-sync conditions an integration offers: data per connector, like its mappings and write tables.

Merge lets a linked account sync only the records that meet conditions (invoices issued after a date, active
contacts). Each :class:`SyncCondition` names a common-model field, the provider's own name for it and the operators
it accepts; ``GET /selective-sync/meta`` lists them and ``PUT /selective-sync/configurations`` sets values. The
sync applies a configured condition to the mapped common model before storing (so a condition means the same for
every provider); a record that does not meet it is neither stored nor listed.
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = [
    "CONDITION_TYPES",
    "ConditionType",
    "OPERATORS",
    "SyncCondition",
    "date_condition",
    "status_condition",
]

ConditionType = Literal["BOOLEAN", "DATE", "DATE_TIME", "INTEGER", "FLOAT", "STRING", "LIST_OF_STRINGS"]
CONDITION_TYPES: tuple[ConditionType, ...] = (
    "BOOLEAN",
    "DATE",
    "DATE_TIME",
    "INTEGER",
    "FLOAT",
    "STRING",
    "LIST_OF_STRINGS",
)
"""Merge's ``ConditionTypeEnum``."""

OPERATORS = (
    "CONTAINS",
    "EQUALS",
    "GREATER_THAN",
    "GREATER_THAN_OR_EQUAL_TO",
    "IS_ONE_OF",
    "LESS_THAN",
    "LESS_THAN_OR_EQUAL_TO",
    "NOT_EQUALS",
)
"""The operators of Merge's ``OperatorEnum`` that ledgerport evaluates (``HAS_ALL_OF``, ``HAS_NONE_OF`` and
``WITHIN`` are offered by no condition here)."""


class SyncCondition(msgspec.Struct, frozen=True, kw_only=True):
    """One condition an integration offers on one common-model field."""

    common_model: str
    field_name: str
    """The common-model field the condition tests (``issue_date``)."""
    native_name: str
    """The provider's name for the field (``TxnDate``), shown as Merge shows it."""
    condition_type: ConditionType
    operators: tuple[str, ...]
    is_unique: bool = True
    """Whether a linked account may set only one condition on this field."""


_DATE_OPERATORS = ("GREATER_THAN", "GREATER_THAN_OR_EQUAL_TO", "LESS_THAN", "LESS_THAN_OR_EQUAL_TO")


def date_condition(common_model: str, field_name: str, native_name: str) -> SyncCondition:
    """A date field compared with a date (records on or after, before, …)."""
    return SyncCondition(
        common_model=common_model,
        field_name=field_name,
        native_name=native_name,
        condition_type="DATE",
        operators=_DATE_OPERATORS,
        is_unique=False,  # an after and a before bound make a window
    )


def status_condition(common_model: str, field_name: str, native_name: str) -> SyncCondition:
    """An enum field compared with one value or several."""
    return SyncCondition(
        common_model=common_model,
        field_name=field_name,
        native_name=native_name,
        condition_type="STRING",
        operators=("EQUALS", "NOT_EQUALS", "IS_ONE_OF"),
    )
