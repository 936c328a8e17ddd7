"""The nested pieces of NetSuite documents: lines, applications, tracking, company and addresses.

A document's lines are its ``transactionline`` rows (main line excluded) as :class:`~.streams.Assemble` attached
them under ``lines``; tax lines (``taxline = 'T'``) are not items and are left out. Merge names the same amount
differently per line model (``total_amount``, ``total_line_amount``, ``net_amount``), so each table is spelled out.

**Tracking.** Department, class and location are three lists of their own in NetSuite (with their own id
sequences), so a TrackingCategory's remote id is ``department/3``, ``class/3``, ``location/3``; a line or header
points at the ones it carries. **Company** is the subsidiary (OneWorld), on every record and line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledgerport.connectors._base.convert import currency, decimal_string, iso_date, to_str
from ledgerport.connectors._base.mapping import ChildId, Computed, F, MappingContext, NestedMap, Ref
from ledgerport.connectors.netsuite.convert import (
    RELATED_TYPE,
    country,
    first_id,
    instant,
    line_amount,
    ns_bool,
    quantity,
)
from ledgerport.models.contact import AccountingPhoneNumber, Address, AddressType
from ledgerport.models.credit_note import CreditNoteApplyLineForCreditNote, CreditNoteLineItem
from ledgerport.models.expense import ExpenseLine
from ledgerport.models.invoice import CreditNoteApplyLineForInvoice, InvoiceLineItem, VendorCreditApplyLineForInvoice
from ledgerport.models.item_fulfillment import ItemFulfillmentLine
from ledgerport.models.journal_entry import JournalLine
from ledgerport.models.payment import PaymentLineItem
from ledgerport.models.purchase_order import PurchaseOrderLineItem
from ledgerport.models.sales_order import SalesOrderLine
from ledgerport.models.transaction import TransactionLineItem
from ledgerport.models.vendor_credit import VendorCreditApplyLineForVendorCredit, VendorCreditLine

__all__ = [
    "APPLIED_CREDIT_NOTE",
    "APPLIED_VENDOR_CREDIT",
    "COMPANY",
    "CREDIT_NOTE_APPLICATION",
    "CREDIT_NOTE_LINE",
    "EXPENSE_LINE",
    "FULFILLMENT_LINE",
    "INVOICE_LINE",
    "JOURNAL_LINE",
    "PAYMENT_APPLICATION",
    "PURCHASE_ORDER_LINE",
    "SALES_ORDER_LINE",
    "SEGMENT_PREFIX",
    "TRACKING",
    "TRANSACTION_LINE",
    "VENDOR_CREDIT_APPLICATION",
    "VENDOR_CREDIT_LINE",
    "addresses",
    "company_of",
    "phone_numbers",
    "segment_id",
    "tracking",
]

SEGMENT_PREFIX = {"department": "department", "class": "class", "location": "location"}
"""Column on a record → the prefix of the TrackingCategory remote id it refers to."""


def segment_id(kind: str, value: Any) -> str:
    """The TrackingCategory remote id of a department, class or location id."""
    return f"{kind}/{value}"


def tracking(record: Any, context: MappingContext) -> list[str]:
    """The departments, classes and locations a record or line carries."""
    return [
        context.ref("TrackingCategory", segment_id(prefix, record[column]))
        for column, prefix in SEGMENT_PREFIX.items()
        if record.get(column) not in (None, "")
    ]


TRACKING = Computed(tracking)
COMPANY = Ref("subsidiary", "CompanyInfo")
"""The record's subsidiary (a single-select on transactions, entities and lines)."""


def company_of(record: Any, context: MappingContext) -> str | None:
    """The subsidiary of a multi-select (accounts, items, lists) it belongs to first (:func:`.convert.first_id`)."""
    found = first_id(record.get("subsidiary"))
    return None if found is None else context.ref("CompanyInfo", found)


def _document(name: str, convert: Callable[[Any], Any] | None = None) -> Computed:
    """A value of the line's document (its currency, exchange rate, date), for fields Merge repeats per line."""

    def read(record: Any, context: MappingContext) -> Any:
        value = context.document.get(name) if isinstance(context.document, dict) else None
        return convert(value) if convert else value

    return Computed(read)


def _amount(convert: Callable[[Any], Any] | None = None) -> Computed:
    def read(record: Any, context: MappingContext) -> Any:
        amount = line_amount(record, context.document)
        return convert(amount) if convert else amount

    return Computed(read)


def _not_tax(line: Any) -> bool:
    return not ns_bool(line.get("taxline"))


_CURRENCY = _document("currencysymbol", currency)
_RATE = _document("exchangerate", decimal_string)
_ACCOUNT = Ref("expenseaccount", "Account")
_ITEM = Ref("item", "Item")
_CONTACT = Ref("entity", "Contact")
_UPDATED = F("linelastmodifieddate", instant)

INVOICE_LINE = NestedMap(
    InvoiceLineItem,
    {
        "id": ChildId("InvoiceLineItem", "id"),
        "remote_id": F("id", to_str),
        "description": F("memo", to_str),
        "unit_price": F("rate", quantity),
        "quantity": F("quantity", quantity),
        "total_amount": _amount(),
        "contact": _CONTACT,
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "item": _ITEM,
        "account": _ACCOUNT,
        "tracking_categories": TRACKING,
        "company": COMPANY,
    },
    when=_not_tax,
)

CREDIT_NOTE_LINE = NestedMap(
    CreditNoteLineItem,
    {
        "id": ChildId("CreditNoteLineItem", "id"),
        "remote_id": F("id", to_str),
        "item": _ITEM,
        "description": F("memo", to_str),
        "quantity": F("quantity", lambda v: decimal_string(quantity(v))),
        "memo": F("memo", to_str),
        "unit_price": F("rate", decimal_string),
        "total_line_amount": _amount(decimal_string),
        "tracking_categories": TRACKING,
        "account": _ACCOUNT,
        "company": COMPANY,
        "contact": _CONTACT,
    },
    when=_not_tax,
)

VENDOR_CREDIT_LINE = NestedMap(
    VendorCreditLine,
    {
        "id": ChildId("VendorCreditLine", "id"),
        "remote_id": F("id", to_str),
        "net_amount": _amount(),
        "tracking_categories": TRACKING,
        "description": F("memo", to_str),
        "account": _ACCOUNT,
        "company": COMPANY,
        "contact": _CONTACT,
        "exchange_rate": _RATE,
    },
    when=_not_tax,
)


def _journal_account(record: Any, context: MappingContext) -> str | None:
    """The GL row's account, else the line's own (both are the line's account on a journal)."""
    found = record.get("account") or record.get("expenseaccount")
    return None if found in (None, "") else context.ref("Account", str(found))


def _journal_net(record: Any, context: MappingContext) -> Any:
    """Debit positive, credit negative, in the journal's currency (the GL's debit/credit when the line has none)."""
    amount = line_amount(record, context.document)
    if amount is not None:
        return amount
    debit, credit = quantity(record.get("debit")), quantity(record.get("credit"))
    if debit is None and credit is None:
        return None
    return (debit or 0) - (credit or 0)


JOURNAL_LINE = NestedMap(
    JournalLine,
    {
        "id": ChildId("JournalLine", "id"),
        "remote_id": F("id", to_str),
        "account": Computed(_journal_account),
        "net_amount": Computed(_journal_net),
        "tracking_categories": TRACKING,
        "currency": _CURRENCY,
        "company": COMPANY,
        "contact": _CONTACT,
        "description": F("memo", to_str),
        "exchange_rate": _RATE,
    },
    when=_not_tax,
)


def _expense_report_entity(record: Any, context: MappingContext, model: str) -> str | None:
    """A line's entity: the employee on an expense report's lines, a contact (payee, customer) elsewhere."""
    entity = record.get("entity")
    report = isinstance(context.document, dict) and context.document.get("type") == "ExpRept"
    if entity in (None, "") or report != (model == "Employee"):
        return None
    return context.ref(model, str(entity))


EXPENSE_LINE = NestedMap(
    ExpenseLine,
    {
        "id": ChildId("ExpenseLine", "id"),
        "remote_id": F("id", to_str),
        "item": _ITEM,
        "net_amount": _amount(),
        "tracking_categories": TRACKING,
        "company": COMPANY,
        "currency": _CURRENCY,
        "employee": Computed(lambda r, c: _expense_report_entity(r, c, "Employee")),
        "account": _ACCOUNT,
        "contact": Computed(lambda r, c: _expense_report_entity(r, c, "Contact")),
        "description": F("memo", to_str),
        "exchange_rate": _RATE,
        "quantity": F("quantity", lambda v: decimal_string(quantity(v))),
        "unit_price": F("rate", decimal_string),
    },
    when=_not_tax,
)

TRANSACTION_LINE = NestedMap(
    TransactionLineItem,
    {
        "id": ChildId("TransactionLineItem", "id"),
        "remote_id": F("id", to_str),
        "memo": F("memo", to_str),
        "unit_price": F("rate", decimal_string),
        "quantity": F("quantity", lambda v: decimal_string(quantity(v))),
        "item": _ITEM,
        "account": _ACCOUNT,
        "tracking_categories": TRACKING,
        "total_line_amount": _amount(decimal_string),
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "company": COMPANY,
    },
    when=_not_tax,
)

PURCHASE_ORDER_LINE = NestedMap(
    PurchaseOrderLineItem,
    {
        "id": ChildId("PurchaseOrderLineItem", "id"),
        "remote_id": F("id", to_str),
        "description": F("memo", to_str),
        "unit_price": F("rate", quantity),
        "quantity": F("quantity", quantity),
        "item": _ITEM,
        "account": _ACCOUNT,
        "tracking_categories": TRACKING,
        "total_line_amount": _amount(decimal_string),
        "currency": _CURRENCY,
        "exchange_rate": _RATE,
        "company": COMPANY,
    },
    when=_not_tax,
)

SALES_ORDER_LINE = NestedMap(
    SalesOrderLine,
    {
        "id": ChildId("SalesOrderLine", "id"),
        "remote_id": F("id", to_str),
        "description": F("memo", to_str),
        "unit_price": F("rate", decimal_string),
        "quantity": F("quantity", lambda v: decimal_string(quantity(v))),
        "item": _ITEM,
        "tracking_categories": TRACKING,
        "company": COMPANY,
        "remote_updated_at": _UPDATED,
    },
    when=_not_tax,
)


def _order_line(record: Any, context: MappingContext) -> str | None:
    """The sales order line this shipment line fulfils, through the document's links (same id as its line)."""
    applied = context.document.get("applied") if isinstance(context.document, dict) else None
    for link in applied or []:
        if str(link.get("nextline")) == str(record.get("id")) and link.get("previousline") is not None:
            return (context.child or context.ref)("SalesOrderLine", f"{link['previousdoc']}/{link['previousline']}")
    return None


FULFILLMENT_LINE = NestedMap(
    ItemFulfillmentLine,
    {
        "id": ChildId("ItemFulfillmentLine", "id"),
        "remote_id": F("id", to_str),
        "item": _ITEM,
        "sales_order_line": Computed(_order_line),
        "quantity": F("quantity", lambda v: decimal_string(quantity(v))),
        "tracking_categories": TRACKING,
        "remote_updated_at": _UPDATED,
    },
)


# --- applications (previoustransactionlinelink rows) ----------------------------------------------------------


def _related(record: Any, context: MappingContext) -> str | None:
    model = RELATED_TYPE.get(str(record.get("previoustype")))
    return None if model is None else context.ref(model[0], str(record["previousdoc"]))


def _application_id(model: str) -> Computed:
    """A stable id per (document, applied-to document)."""
    return Computed(
        lambda r, c: (c.child or c.ref)(model, f"{c.parent}/{r.get('previousdoc')}/{r.get('previousline')}")
    )


def _applied_on(record: Any, context: MappingContext) -> Any:
    return iso_date(context.document.get("trandate")) if isinstance(context.document, dict) else None


PAYMENT_APPLICATION = NestedMap(
    PaymentLineItem,
    {
        "id": _application_id("PaymentLineItem"),
        "remote_id": Computed(lambda r, c: f"{r.get('previousdoc')}/{r.get('previousline')}"),
        "applied_amount": F("foreignamount", decimal_string),
        "applied_date": Computed(_applied_on),
        "related_object_id": Computed(_related),
        "related_object_type": Computed(lambda r, c: (RELATED_TYPE.get(str(r.get("previoustype"))) or (None, None))[1]),
    },
)

CREDIT_NOTE_APPLICATION = NestedMap(
    CreditNoteApplyLineForCreditNote,
    {
        "remote_id": Computed(lambda r, c: f"{r.get('previousdoc')}/{r.get('previousline')}"),
        "invoice": Ref("previousdoc", "Invoice"),
        "applied_date": Computed(_applied_on),
        "applied_amount": F("foreignamount", decimal_string),
    },
)

VENDOR_CREDIT_APPLICATION = NestedMap(
    VendorCreditApplyLineForVendorCredit,
    {
        "remote_id": Computed(lambda r, c: f"{r.get('previousdoc')}/{r.get('previousline')}"),
        "invoice": Ref("previousdoc", "Invoice"),
        "applied_date": Computed(_applied_on),
        "applied_amount": F("foreignamount", decimal_string),
    },
)


def _by(kind: str) -> Callable[[Any], bool]:
    return lambda link: link.get("nexttype") == kind


APPLIED_CREDIT_NOTE = NestedMap(
    CreditNoteApplyLineForInvoice,
    {
        "remote_id": Computed(lambda r, c: str(r.get("nextdoc"))),
        "credit_note": Ref("nextdoc", "CreditNote"),
        "applied_amount": F("foreignamount", decimal_string),
    },
    when=_by("CustCred"),
)

APPLIED_VENDOR_CREDIT = NestedMap(
    VendorCreditApplyLineForInvoice,
    {
        "remote_id": Computed(lambda r, c: str(r.get("nextdoc"))),
        "vendor_credit": Ref("nextdoc", "VendorCredit"),
        "applied_amount": F("foreignamount", decimal_string),
    },
    when=_by("VendCred"),
)


# --- entities -------------------------------------------------------------------------------------------------


def addresses(record: Any, context: MappingContext) -> list[Address]:
    """The default billing and shipping addresses (``bill_*`` / ``ship_*`` columns of the joined rows)."""
    found = []
    for prefix, kind in (("bill_", AddressType.BILLING), ("ship_", AddressType.SHIPPING)):
        if not any(record.get(prefix + name) for name in ("addr1", "city", "zip", "country")):
            continue
        found.append(
            Address(
                type=kind,
                street_1=to_str(record.get(prefix + "addr1")),
                street_2=to_str(record.get(prefix + "addr2")),
                city=to_str(record.get(prefix + "city")),
                state=to_str(record.get(prefix + "state")),
                country_subdivision=to_str(record.get(prefix + "state")),
                country=country(record.get(prefix + "country")),
                zip_code=to_str(record.get(prefix + "zip")),
            )
        )
    return found


def phone_numbers(record: Any, context: MappingContext) -> list[AccountingPhoneNumber]:
    """Phone, alternate phone and fax, each where present."""
    kinds = (("phone", "PHONE"), ("altphone", "ALTERNATE_PHONE"), ("fax", "FAX"))
    return [AccountingPhoneNumber(number=str(record[k]), type=t) for k, t in kinds if record.get(k) not in (None, "")]
