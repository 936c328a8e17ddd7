"""Nested tables shared by Business Central's mappings: document lines, addresses, phone numbers, GUID references.

Every v2.0 document line (``salesInvoiceLines``, ``purchaseOrderLines``…) has its own ``id``, so lines are keyed
by it (``ChildId``), and points at an item *or* a G/L account (``itemId`` XOR ``accountId``, the other being the
empty GUID; FACTS.md §6.2). Sales lines price with ``unitPrice``, purchase invoice lines with ``unitCost`` and
purchase order lines with ``directUnitCost``. Line totals are before tax (``amountExcludingTax``), as Merge's line
``total_amount`` is.
"""

from __future__ import annotations

from typing import Any

from ledgerport.connectors._base.convert import decimal_string, to_decimal, to_str
from ledgerport.connectors._base.mapping import ChildId, Computed, F, MappingContext, NestedMap
from ledgerport.connectors.business_central.convert import bc_datetime, guid
from ledgerport.connectors.business_central.streams import LAST_MODIFIED
from ledgerport.models.contact import AccountingPhoneNumber, Address, AddressType
from ledgerport.models.country import Country
from ledgerport.models.credit_note import CreditNoteLineItem
from ledgerport.models.invoice import InvoiceLineItem
from ledgerport.models.item_fulfillment import ItemFulfillmentLine
from ledgerport.models.purchase_order import PurchaseOrderLineItem
from ledgerport.models.sales_order import SalesOrderLine

__all__ = [
    "CREDIT_MEMO_LINE",
    "PURCHASE_INVOICE_LINE",
    "PURCHASE_ORDER_LINE",
    "SALES_INVOICE_LINE",
    "SALES_ORDER_LINE",
    "SHIPMENT_LINE",
    "address_of",
    "guid_ref",
    "phones_of",
    "updated",
]


def guid_ref(path: str, model: str) -> Computed:
    """The ``model`` record BC references by the GUID at ``path``; none for the empty GUID."""

    def ref(record: Any, context: MappingContext) -> str | None:
        found = guid(record.get(path) if isinstance(record, dict) else None)
        return None if found is None else context.ref(model, found)

    return Computed(ref)


def updated() -> F:
    """``lastModifiedDateTime``, the record's change time."""
    return F(LAST_MODIFIED, bc_datetime)


def _country(value: Any) -> Country | None:
    code = str(value or "").strip().upper()
    try:
        return Country(code) if code else None
    except ValueError:
        return None


def address_of(prefix: str = "", kind: AddressType | None = None) -> Computed:
    """One address from BC's flat fields (``addressLine1``…, or ``shipToAddressLine1``… with a prefix)."""

    def field(name: str) -> str:
        return f"{prefix}{name[0].upper()}{name[1:]}" if prefix else name

    def build(record: Any, context: MappingContext) -> list[Address]:
        city, state = to_str(record.get(field("city"))), to_str(record.get(field("state")))
        postal = to_str(record.get(field("postalCode")))
        country = record.get(field("country")) or record.get(field("countryRegionCode"))
        if not any((city, state, postal, country, record.get(field("addressLine1")))):
            return []
        return [
            Address(
                type=kind,
                street_1=to_str(record.get(field("addressLine1"))),
                street_2=to_str(record.get(field("addressLine2"))),
                city=city,
                state=state,
                zip_code=postal,
                country=_country(country),
            )
        ]

    return Computed(build)


def phones_of(*fields: tuple[str, str]) -> Computed:
    """Phone numbers from flat fields: ``(field, Merge's type)`` pairs, the blank ones left out."""

    def build(record: Any, context: MappingContext) -> list[AccountingPhoneNumber]:
        return [AccountingPhoneNumber(number=str(record[name]), type=kind) for name, kind in fields if record.get(name)]

    return Computed(build)


def _invoice_line(price: str) -> NestedMap:
    return NestedMap(
        InvoiceLineItem,
        {
            "id": ChildId("InvoiceLineItem", "id"),
            "remote_id": F("id", to_str),
            "description": F("description", to_str),
            "unit_price": F(price, to_decimal),
            "quantity": F("quantity", to_decimal),
            "total_amount": F("amountExcludingTax", to_decimal),
            "item": guid_ref("itemId", "Item"),
            "account": guid_ref("accountId", "Account"),
        },
    )


SALES_INVOICE_LINE = _invoice_line("unitPrice")
PURCHASE_INVOICE_LINE = _invoice_line("unitCost")

CREDIT_MEMO_LINE = NestedMap(
    CreditNoteLineItem,
    {
        "id": ChildId("CreditNoteLineItem", "id"),
        "remote_id": F("id", to_str),
        "item": guid_ref("itemId", "Item"),
        "name": F("lineObjectNumber", to_str),
        "description": F("description", to_str),
        "quantity": F("quantity", decimal_string),
        "unit_price": F("unitPrice", decimal_string),
        "total_line_amount": F("amountExcludingTax", decimal_string),
        "account": guid_ref("accountId", "Account"),
    },
)

PURCHASE_ORDER_LINE = NestedMap(
    PurchaseOrderLineItem,
    {
        "id": ChildId("PurchaseOrderLineItem", "id"),
        "remote_id": F("id", to_str),
        "description": F("description", to_str),
        "unit_price": F("directUnitCost", to_decimal),
        "quantity": F("quantity", to_decimal),
        "item": guid_ref("itemId", "Item"),
        "account": guid_ref("accountId", "Account"),
        "tax_amount": F("totalTaxAmount", decimal_string),
        "total_line_amount": F("amountExcludingTax", decimal_string),
    },
)

SALES_ORDER_LINE = NestedMap(
    SalesOrderLine,
    {
        "id": ChildId("SalesOrderLine", "id"),
        "remote_id": F("id", to_str),
        "description": F("description", to_str),
        "unit_price": F("unitPrice", decimal_string),
        "quantity": F("quantity", decimal_string),
        "item": guid_ref("itemId", "Item"),
    },
)

SHIPMENT_LINE = NestedMap(
    ItemFulfillmentLine,
    {
        "id": ChildId("ItemFulfillmentLine", "id"),
        "remote_id": F("id", to_str),
        # A shipment line names its item by number only (``lineObjectNumber``), never by id: no ``item``.
        "quantity": F("quantity", decimal_string),
    },
)
