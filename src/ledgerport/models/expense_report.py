"""Expense reports: expenses an employee submits together for review and reimbursement, with their lines.

Of the integrations ledgerport connects, none keeps expense reports in its current API: QuickBooks Online has no
expense report entity (its ``Purchase`` is a single direct expense, served as ``Expense``), and Xero's
``ExpenseClaims`` belong to the classic expense claims feature Xero deprecated in 2018 and no longer offers to new
organisations (its replacement, Xero Expenses, has no public API). Merge's 2026 spec lists neither integration
among those that fill ``/expense-reports``. The model is served for every linked account all the same, so code
written against Merge reads an empty list instead of a 404, and a write is refused as unsupported.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteField
from ledgerport.models.currency import Currency

__all__ = ["ExpenseReport", "ExpenseReportLine", "ExpenseReportStatus"]


class ExpenseReportStatus(enum.StrEnum):
    """Merge's ``ExpenseReportStatusEnum``."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ExpenseReport(CommonModel, kw_only=True):
    """Merge: "a collection of expenses submitted for review and reimbursement"."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    report_date: datetime | None = None
    report_identifier: str | None = None
    employee: Ref | None = None
    status: ExpenseReportStatus | None = None
    total_amount: Decimal | None = None
    lines: list[ExpenseReportLine] = msgspec.field(default_factory=list)
    currency: Currency | None = None
    description: str | None = None
    accounting_period: Ref | None = None
    company: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class ExpenseReportLine(CommonModel, kw_only=True):
    """One expense of a report; ``quantity``, ``unit_price`` and ``tax_amount`` are numbers in Merge's spec."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    account: Ref | None = None
    description: str | None = None
    expense_date: datetime | None = None
    amount: Decimal | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    is_billable: bool | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    employee: Ref | None = None
    project: Ref | None = None
    company: Ref | None = None
    contact: Ref | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    non_reimbursable: bool | None = None
    tax_amount: Decimal | None = None
    inclusive_of_tax: bool | None = None
    tax_rate: Ref | None = None
    remote_was_deleted: bool | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)
