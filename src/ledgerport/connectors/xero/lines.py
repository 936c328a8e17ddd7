"""The nested pieces Xero documents share: line items, tracking, addresses, phones, applications of credit.

Xero uses one ``LineItem`` shape on invoices, bills, credit notes, purchase orders and bank transactions, and one
``Tracking`` shape on every line. The fields Merge names differently per model (``total_amount`` on an invoice line,
``total_line_amount`` on a transaction line, ``net_amount`` on a vendor credit line) are spelled out per table, so
each table still reads top to bottom as "Merge field <- Xero field".

**Tracking.** Xero has at most two tracking categories per organisation, each with options, and a line is tagged
with an option of a category (``{TrackingCategoryID, TrackingOptionID, Name, Option}``). Options are
TrackingCategory records whose ``parent_category`` is their category (see ``mapping``), so a line's
``tracking_categories`` point at the options it is tagged with: the most specific fact, from which the category
follows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ledgerport.connectors._base.convert import decimal_string, enum_map, to_decimal, to_str
from ledgerport.connectors._base.mapping import ChildId, Computed, F, Field, MappingContext, NestedMap, Ref, RefList
from ledgerport.connectors._base.streams import dig, getter
from ledgerport.connectors.xero.convert import country, expense_amount, unique, xero_day
from ledgerport.models.contact import AccountingPhoneNumber, Address, AddressType
from ledgerport.models.credit_note import CreditNoteApplyLineForCreditNote, CreditNoteLineItem
from ledgerport.models.expense import ExpenseLine
from ledgerport.models.invoice import InvoiceLineItem
from ledgerport.models.journal_entry import JournalLine
from ledgerport.models.purchase_order import PurchaseOrderLineItem
from ledgerport.models.transaction import TransactionLineItem
from ledgerport.models.vendor_credit import VendorCreditApplyLineForVendorCredit, VendorCreditLine

__all__ = [
    "ADDRESS",
    "ALLOCATION_FOR_CREDIT_NOTE",
    "ALLOCATION_FOR_VENDOR_CREDIT",
    "CREDIT_NOTE_LINE",
    "EXPENSE_LINE",
    "INVOICE_LINE",
    "JOURNAL_LINE",
    "PHONE",
    "PURCHASE_ORDER_LINE",
    "TRACKING",
    "TRANSACTION_LINE",
    "VENDOR_CREDIT_LINE",
    "document_tracking",
    "first_ref",
]

TRACKING = RefList("Tracking", "TrackingCategory", "TrackingOptionID")
"""A line's tracking options, each a TrackingCategory record (see the module docstring)."""

_ACCOUNT = Ref("AccountID", "Account")
"""Xero answers every line with ``AccountID`` beside ``AccountCode``, so lines reference accounts by their GUID."""
_ITEM = Ref("Item.ItemID", "Item")
"""``LineItem.Item{ItemID, Code, Name}``; a line that only carries ``ItemCode`` has no resolvable item."""
_TAX_RATE = Ref("TaxType", "TaxRate")
"""Xero's tax rates have no GUID: ``TaxType`` is their key, so it is the TaxRate remote id too."""


def document_tracking(lines: str) -> Computed:
    """A document's tracking options: the union of its lines', in first-seen order."""

    def gather(record: Any, context: MappingContext) -> list[str]:
        ids = (
            str(tag["TrackingOptionID"])
            for line in dig(record, lines) or []
            for tag in (line.get("Tracking") or [])
            if tag.get("TrackingOptionID")
        )
        return [context.ref("TrackingCategory", remote_id) for remote_id in unique(ids)]

    return Computed(gather)


def first_ref(model: str, *paths: str) -> Computed:
    """The related record at the first of ``paths`` that holds an id (a payment names an invoice or a credit note)."""

    def pick(record: Any, context: MappingContext) -> str | None:
        for path in paths:
            found = dig(record, path)
            if found not in (None, ""):
                return context.ref(model, str(found))
        return None

    return Computed(pick)


def _line(struct: type, fields: Mapping[str, Field]) -> NestedMap:
    return NestedMap(struct, fields)


INVOICE_LINE = _line(
    InvoiceLineItem,
    {
        "id": ChildId("InvoiceLineItem", "LineItemID"),
        "remote_id": F("LineItemID"),
        "description": F("Description", to_str),
        "unit_price": F("UnitAmount", to_decimal),
        "quantity": F("Quantity", to_decimal),
        "total_amount": F("LineAmount", to_decimal),
        "item": _ITEM,
        "account": _ACCOUNT,
        "tax_rate": _TAX_RATE,
        "tracking_categories": TRACKING,
    },
)

TRANSACTION_LINE = _line(
    TransactionLineItem,
    {
        "id": ChildId("TransactionLineItem", "LineItemID"),
        "remote_id": F("LineItemID"),
        "memo": F("Description", to_str),
        "unit_price": F("UnitAmount", decimal_string),
        "quantity": F("Quantity", decimal_string),
        "item": _ITEM,
        "account": _ACCOUNT,
        "tracking_categories": TRACKING,
        "total_line_amount": F("LineAmount", decimal_string),
        "tax_rate": _TAX_RATE,
    },
)


def _spent(path: str, convert: Callable[[Any], Any] | None = None) -> Computed:
    """A bank transaction line's amount at ``path``, signed by its transaction's ``Type``, then converted."""
    get = getter(path)

    def amount(line: Any, context: MappingContext) -> Any:
        signed = expense_amount(get(line), context.document)
        return signed if convert is None else convert(signed)

    return Computed(amount)


EXPENSE_LINE = _line(
    ExpenseLine,
    {
        "id": ChildId("ExpenseLine", "LineItemID"),
        "remote_id": F("LineItemID"),
        "item": _ITEM,
        # Xero's own line amount, net of any discount, tax included when the transaction's amounts are Inclusive
        "net_amount": _spent("LineAmount"),
        "tracking_categories": TRACKING,
        "account": _ACCOUNT,
        "description": F("Description", to_str),
        "tax_rate": _TAX_RATE,
        "quantity": F("Quantity", decimal_string),
        "unit_price": _spent("UnitAmount", decimal_string),
    },
)
"""A Spend or Receive Money line; amounts signed like its transaction (see ``convert.expense_amount``)."""

CREDIT_NOTE_LINE = _line(
    CreditNoteLineItem,
    {
        "id": ChildId("CreditNoteLineItem", "LineItemID"),
        "remote_id": F("LineItemID"),
        "item": _ITEM,
        "description": F("Description", to_str),
        "quantity": F("Quantity", decimal_string),
        "unit_price": F("UnitAmount", decimal_string),
        "tax_rate": _TAX_RATE,
        "total_line_amount": F("LineAmount", decimal_string),
        "tracking_categories": TRACKING,
        "account": _ACCOUNT,
    },
)

VENDOR_CREDIT_LINE = _line(
    VendorCreditLine,
    {
        "id": ChildId("VendorCreditLine", "LineItemID"),
        "remote_id": F("LineItemID"),
        "net_amount": F("LineAmount", to_decimal),
        "tracking_categories": TRACKING,
        "description": F("Description", to_str),
        "account": _ACCOUNT,
        "tax_rate": _TAX_RATE,
    },
)

PURCHASE_ORDER_LINE = _line(
    PurchaseOrderLineItem,
    {
        "id": ChildId("PurchaseOrderLineItem", "LineItemID"),
        "remote_id": F("LineItemID"),
        "description": F("Description", to_str),
        "unit_price": F("UnitAmount", to_decimal),
        "quantity": F("Quantity", to_decimal),
        "item": _ITEM,
        "account": _ACCOUNT,
        "tracking_categories": TRACKING,
        "tax_amount": F("TaxAmount", decimal_string),
        "total_line_amount": F("LineAmount", decimal_string),
        "tax_rate": _TAX_RATE,
    },
)

JOURNAL_LINE = _line(
    JournalLine,
    {
        # Manual journal lines have no id in Xero: the line's position is its identity within the journal.
        "id": ChildId("JournalLine"),
        "account": _ACCOUNT,
        # Xero signs LineAmount as Merge signs net_amount: debits positive, credits negative.
        "net_amount": F("LineAmount", to_decimal),
        "tracking_categories": TRACKING,
        "tax_rate": _TAX_RATE,
        "description": F("Description", to_str),
    },
)


ALLOCATION_FOR_CREDIT_NOTE = _line(
    CreditNoteApplyLineForCreditNote,
    {
        "remote_id": F("AllocationID"),
        "invoice": Ref("Invoice.InvoiceID", "Invoice"),
        "applied_date": F("Date", xero_day),
        "applied_amount": F("Amount", decimal_string),
    },
)

ALLOCATION_FOR_VENDOR_CREDIT = _line(
    VendorCreditApplyLineForVendorCredit,
    {
        "remote_id": F("AllocationID"),
        "invoice": Ref("Invoice.InvoiceID", "Invoice"),
        "applied_date": F("Date", xero_day),
        "applied_amount": F("Amount", decimal_string),
    },
)

# --- contacts and the organisation ----------------------------------------------------------------------------------

_ADDRESS_TYPE = enum_map({"POBOX": AddressType.BILLING, "STREET": AddressType.SHIPPING})
"""Xero's postal (POBOX) address is where invoices go; its street address is where goods go."""


def _street_2(record: Any, context: MappingContext) -> str | None:
    parts = [str(record[key]) for key in ("AddressLine2", "AddressLine3", "AddressLine4") if record.get(key)]
    return ", ".join(parts) or None


def _has_address(record: Any) -> bool:
    """Xero always lists both address slots; an unused one carries only its type."""
    return any(record.get(key) for key in ("AddressLine1", "AddressLine2", "City", "Region", "PostalCode", "Country"))


ADDRESS = NestedMap(
    Address,
    {
        "type": F("AddressType", _ADDRESS_TYPE),
        "street_1": F("AddressLine1", to_str),
        "street_2": Computed(_street_2),
        "city": F("City", to_str),
        "state": F("Region", to_str),
        "country": F("Country", country),
        "zip_code": F("PostalCode", to_str),
    },
    when=_has_address,
)


def _phone_number(record: Any, context: MappingContext) -> str | None:
    parts = [str(record[key]) for key in ("PhoneCountryCode", "PhoneAreaCode", "PhoneNumber") if record.get(key)]
    return " ".join(parts) or None


PHONE = NestedMap(
    AccountingPhoneNumber,
    {"number": Computed(_phone_number), "type": F("PhoneType", to_str)},
    when=lambda record: bool(record.get("PhoneNumber")),
)
"""Xero always lists DEFAULT, DDI, MOBILE and FAX slots; only the filled ones are phone numbers."""
