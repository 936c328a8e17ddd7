"""QBO ``Line[]`` entries → nested common-model lines.

A QBO line carries its fields in one detail object named by ``DetailType`` (``SalesItemLineDetail``,
``ItemBasedExpenseLineDetail``, ``AccountBasedExpenseLineDetail``, ``DepositLineDetail``,
``JournalEntryLineDetail``...); :func:`detail` reads a key from whichever it is, so one table serves invoices and
bills alike. ``SubTotalLineDetail`` lines (QBO adds one to every sales document it returns) repeat the sum of the
others and are never lines of ours; discount lines become the invoice's ``total_discount`` instead.

Line ids are ``ChildId``s: stable across syncs, derived from the document's remote id and the line's ``Id``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ledgerport.connectors._base.convert import decimal_string, to_decimal, to_str
from ledgerport.connectors._base.mapping import ChildId, Computed, F, MappingContext, NestedMap, Ref, getter
from ledgerport.connectors._base.streams import dig
from ledgerport.connectors.quickbooks.convert import expense_amount, signed_amount
from ledgerport.connectors.quickbooks.ids import entity_remote_id
from ledgerport.models.credit_note import CreditNoteLineItem
from ledgerport.models.expense import ExpenseLine
from ledgerport.models.invoice import InvoiceLineItem
from ledgerport.models.journal_entry import JournalLine
from ledgerport.models.purchase_order import PurchaseOrderLineItem
from ledgerport.models.transaction import TransactionLineItem
from ledgerport.models.vendor_credit import VendorCreditLine

__all__ = [
    "CREDIT_NOTE_LINE",
    "EXPENSE_LINE",
    "INVOICE_LINE",
    "ITEM_LINE_TYPES",
    "JOURNAL_LINE",
    "PURCHASE_ORDER_LINE",
    "TRANSACTION_LINE",
    "VENDOR_CREDIT_LINE",
    "detail",
    "line_tracking",
    "tax_code_ref",
]

ITEM_LINE_TYPES = frozenset({"SalesItemLineDetail", "ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail"})
"""The line kinds that are invoice/bill lines; SubTotal, Discount, Group and DescriptionOnly lines are not."""

_PSEUDO_TAX_CODES = frozenset({"TAX", "NON"})
"""US companies mark lines taxable or not with these; they are flags, not TaxCode records."""


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)  # the exact test first: the ABC's costs more


_EMPTY: Mapping[str, Any] = {}


def _detail_object(line: Any) -> Mapping[str, Any]:
    if not _is_mapping(line):
        return _EMPTY
    found = line.get(str(line.get("DetailType") or ""))
    return found if _is_mapping(found) else _EMPTY


def detail(key: str, convert: Callable[[Any], Any] | None = None) -> Computed:
    """``key`` inside the line's detail object, whatever its ``DetailType``."""
    get = getter(key)

    def read(line: Any, context: MappingContext) -> Any:
        raw = get(_detail_object(line))
        return raw if convert is None else convert(raw)

    return Computed(read)


def _detail_ref(key: str, model: str, entity: str) -> Computed:
    get = getter(f"{key}.value")

    def read(line: Any, context: MappingContext) -> str | None:
        remote_id = entity_remote_id(entity, get(_detail_object(line)))
        return None if remote_id is None else context.ref(model, remote_id)

    return Computed(read)


def tax_code_ref(raw: Any, context: MappingContext) -> str | None:
    """A ``TaxCodeRef`` value as the TaxRate record made from that TaxCode (US ``TAX``/``NON`` flags are none)."""
    value = raw.get("value") if _is_mapping(raw) else None
    if value in (None, "") or str(value) in _PSEUDO_TAX_CODES:
        return None
    return context.ref("TaxRate", entity_remote_id("TaxCode", value) or "")


def _line_tax_rate(line: Any, context: MappingContext) -> str | None:
    return tax_code_ref(_detail_object(line).get("TaxCodeRef"), context)


_TRACKING = tuple(
    (getter(f"{key}.value"), entity) for key, entity in (("ClassRef", "Class"), ("DepartmentRef", "Department"))
)


def line_tracking(line: Any, context: MappingContext) -> list[str]:
    """The line's class and department as TrackingCategory ids (Department ids are prefixed, see ``ids``)."""
    found = _detail_object(line)
    tracking = []
    for get, entity in _TRACKING:
        remote_id = entity_remote_id(entity, get(found))
        if remote_id:
            tracking.append(context.ref("TrackingCategory", remote_id))
    return tracking


def _billable(line: Any, context: MappingContext) -> bool | None:
    status = _detail_object(line).get("BillableStatus")
    return None if status is None else status in ("Billable", "HasBeenBilled")


def _is_item_line(line: Any) -> bool:
    return _is_mapping(line) and line.get("DetailType") in ITEM_LINE_TYPES


def _not_subtotal(line: Any) -> bool:
    return _is_mapping(line) and line.get("DetailType") != "SubTotalLineDetail"


_CLASS = _detail_ref("ClassRef", "TrackingCategory", "Class")
_ITEM = _detail_ref("ItemRef", "Item", "Item")
_ACCOUNT = _detail_ref("AccountRef", "Account", "Account")
_CUSTOMER = _detail_ref("CustomerRef", "Contact", "Customer")

INVOICE_LINE = NestedMap(
    InvoiceLineItem,
    {
        "id": ChildId("InvoiceLineItem", "Id"),
        "remote_id": F("Id", to_str),
        "description": F("Description", to_str),
        "unit_price": detail("UnitPrice", to_decimal),
        "quantity": detail("Qty", to_decimal),
        "total_amount": F("Amount", to_decimal),
        "contact": _CUSTOMER,
        "item": _ITEM,
        "account": _ACCOUNT,
        "tax_rate": Computed(_line_tax_rate),
        "tracking_category": _CLASS,
        "tracking_categories": Computed(line_tracking),
        "is_billable": Computed(_billable),
    },
    when=_is_item_line,
)


def _journal_contact(line: Any, context: MappingContext) -> str | None:
    """``Entity{Type, EntityRef}``: a customer or vendor on the line (employees are not contacts)."""
    entity = _detail_object(line).get("Entity") or {}
    kind = str(entity.get("Type") or "")
    if kind not in ("Customer", "Vendor"):
        return None
    remote_id = entity_remote_id(kind, dig(entity, "EntityRef.value"))
    return None if remote_id is None else context.ref("Contact", remote_id)


def _journal_employee(line: Any, context: MappingContext) -> str | None:
    entity = _detail_object(line).get("Entity") or {}
    value = dig(entity, "EntityRef.value")
    return context.ref("Employee", str(value)) if entity.get("Type") == "Employee" and value else None


JOURNAL_LINE = NestedMap(
    JournalLine,
    {
        "id": ChildId("JournalLine", "Id"),
        "remote_id": F("Id", to_str),
        "account": Ref("JournalEntryLineDetail.AccountRef.value", "Account"),
        "net_amount": Computed(lambda line, context: signed_amount(line)),
        "tracking_category": _CLASS,
        "tracking_categories": Computed(line_tracking),
        "employee": Computed(_journal_employee),
        "contact": Computed(_journal_contact),
        "tax_rate": Computed(_line_tax_rate),
        "description": F("Description", to_str),
    },
    when=lambda line: _is_mapping(line) and line.get("DetailType") == "JournalEntryLineDetail",
)

TRANSACTION_LINE = NestedMap(
    TransactionLineItem,
    {
        "id": ChildId("TransactionLineItem", "Id"),
        "remote_id": F("Id", to_str),
        "memo": F("Description", to_str),
        "unit_price": detail("UnitPrice", decimal_string),
        "quantity": detail("Qty", decimal_string),
        "item": _ITEM,
        "account": _ACCOUNT,
        "tracking_category": _CLASS,
        "tracking_categories": Computed(line_tracking),
        "total_line_amount": F("Amount", decimal_string),
        "tax_rate": Computed(_line_tax_rate),
    },
    when=_not_subtotal,
)


def _spent(read: Callable[[Any], Any], convert: Callable[[Any], Any] | None = None) -> Computed:
    """A Purchase line's amount, signed by its Purchase (see ``convert.expense_amount``), then converted."""

    def amount(line: Any, context: MappingContext) -> Any:
        signed = expense_amount(read(line), context.document)
        return signed if convert is None else convert(signed)

    return Computed(amount)


EXPENSE_LINE = NestedMap(
    ExpenseLine,
    {
        "id": ChildId("ExpenseLine", "Id"),
        "remote_id": F("Id", to_str),
        "item": _ITEM,
        "net_amount": _spent(getter("Amount")),
        "tracking_category": _CLASS,
        "tracking_categories": Computed(line_tracking),
        "account": _ACCOUNT,
        "contact": _CUSTOMER,  # the customer an expense line is billable to
        "description": F("Description", to_str),
        "tax_rate": Computed(_line_tax_rate),
        "quantity": detail("Qty", decimal_string),
        "unit_price": _spent(lambda line: _detail_object(line).get("UnitPrice"), decimal_string),
    },
    when=_is_item_line,
)
"""A Purchase's expense lines (account- or item-based); amounts signed like the Purchase's."""

CREDIT_NOTE_LINE = NestedMap(
    CreditNoteLineItem,
    {
        "id": ChildId("CreditNoteLineItem", "Id"),
        "remote_id": F("Id", to_str),
        "item": _ITEM,
        "name": detail("ItemRef.name", to_str),
        "description": F("Description", to_str),
        "quantity": detail("Qty", decimal_string),
        "unit_price": detail("UnitPrice", decimal_string),
        "tax_rate": Computed(_line_tax_rate),
        "total_line_amount": F("Amount", decimal_string),
        "tracking_category": _CLASS,
        "tracking_categories": Computed(line_tracking),
        "account": _ACCOUNT,
    },
    when=_is_item_line,
)

VENDOR_CREDIT_LINE = NestedMap(
    VendorCreditLine,
    {
        "id": ChildId("VendorCreditLine", "Id"),
        "remote_id": F("Id", to_str),
        "net_amount": F("Amount", to_decimal),
        "tracking_category": _CLASS,
        "tracking_categories": Computed(line_tracking),
        "description": F("Description", to_str),
        "account": _ACCOUNT,
        "contact": _CUSTOMER,
        "tax_rate": Computed(_line_tax_rate),
    },
    when=_is_item_line,
)

PURCHASE_ORDER_LINE = NestedMap(
    PurchaseOrderLineItem,
    {
        "id": ChildId("PurchaseOrderLineItem", "Id"),
        "remote_id": F("Id", to_str),
        "description": F("Description", to_str),
        "unit_price": detail("UnitPrice", to_decimal),
        "quantity": detail("Qty", to_decimal),
        "item": _ITEM,
        "account": _ACCOUNT,
        "tracking_category": _CLASS,
        "tracking_categories": Computed(line_tracking),
        "total_line_amount": F("Amount", decimal_string),
        "tax_rate": Computed(_line_tax_rate),
    },
    when=_is_item_line,
)
