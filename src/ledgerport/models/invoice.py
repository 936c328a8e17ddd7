"""Invoices and bills (``type`` tells them apart), with their line items and the credits applied to them."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteField
from ledgerport.models.currency import Currency

__all__ = [
    "CreditNoteApplyLineForInvoice",
    "Invoice",
    "InvoiceLineItem",
    "InvoiceStatus",
    "InvoiceType",
    "VendorCreditApplyLineForInvoice",
]


class InvoiceType(enum.StrEnum):
    """Merge's ``InvoiceTypeEnum``: ``ACCOUNTS_PAYABLE`` makes the invoice a bill."""

    ACCOUNTS_RECEIVABLE = "ACCOUNTS_RECEIVABLE"
    ACCOUNTS_PAYABLE = "ACCOUNTS_PAYABLE"


class InvoiceStatus(enum.StrEnum):
    """Merge's ``InvoiceStatusEnum``."""

    PAID = "PAID"
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    OPEN = "OPEN"
    VOID = "VOID"


class Invoice(CommonModel, kw_only=True):
    """Merge: an itemized record of goods and/or services sold to a customer or bought from a vendor."""

    id: str | None = None
    invoice_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    type: InvoiceType | None = None
    contact: Ref | None = None
    number: str | None = None
    issue_date: datetime | None = None
    due_date: datetime | None = None
    paid_on_date: datetime | None = None
    memo: str | None = None
    company: Ref | None = None
    employee: Ref | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    payment_term: Ref | None = None
    total_discount: Decimal | None = None
    sub_total: Decimal | None = None
    status: InvoiceStatus | None = None
    total_tax_amount: Decimal | None = None
    total_amount: Decimal | None = None
    balance: Decimal | None = None
    remote_updated_at: datetime | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    accounting_period: Ref | None = None
    purchase_orders: list[Ref] = msgspec.field(default_factory=list)
    sales_orders: list[Ref] = msgspec.field(default_factory=list)
    payments: list[Ref] = msgspec.field(default_factory=list)
    applied_payments: list[Ref] = msgspec.field(default_factory=list)
    line_items: list[InvoiceLineItem] = msgspec.field(default_factory=list)
    applied_credit_notes: list[CreditNoteApplyLineForInvoice] = msgspec.field(default_factory=list)
    applied_vendor_credits: list[VendorCreditApplyLineForInvoice] = msgspec.field(default_factory=list)
    inclusive_of_tax: bool | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class InvoiceLineItem(CommonModel, kw_only=True):
    """One line of an invoice; nested in the invoice document, never stored on its own."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    description: str | None = None
    unit_price: Decimal | None = None
    quantity: Decimal | None = None
    total_amount: Decimal | None = None
    employee: Ref | None = None
    project: Ref | None = None
    contact: Ref | None = None
    currency: Currency | None = None
    exchange_rate: DecimalString | None = None
    item: Ref | None = None
    account: Ref | None = None
    tax_rate: Ref | None = None
    tracking_category: Ref | None = None
    tracking_categories: list[Ref] = msgspec.field(default_factory=list)
    company: Ref | None = None
    remote_was_deleted: bool | None = None
    is_billable: bool | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class CreditNoteApplyLineForInvoice(CommonModel, kw_only=True):
    """A credit note applied to this invoice, as seen from the invoice."""

    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    credit_note: Ref | None = None
    applied_date: datetime | None = None
    applied_amount: DecimalString | None = None
    remote_was_deleted: bool | None = None


class VendorCreditApplyLineForInvoice(CommonModel, kw_only=True):
    """A vendor credit applied to this bill, as seen from the bill."""

    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    vendor_credit: Ref | None = None
    applied_date: datetime | None = None
    applied_amount: DecimalString | None = None
    remote_was_deleted: bool | None = None
