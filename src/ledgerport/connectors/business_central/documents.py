"""Business Central's documents, journals and ledger as common models.

* **Invoices**: ``salesInvoices`` are ACCOUNTS_RECEIVABLE and ``purchaseInvoices`` ACCOUNTS_PAYABLE; drafts and
  posted invoices share one set, ``status`` tells them apart (FACTS.md §8). Purchase invoices have no
  ``remainingAmount`` (§6.1), so an AP invoice's ``balance`` is unsupported there.
* **Credit notes**: ``salesCreditMemos``.
* **Journal entries**: a journal batch (``journals``) with its unposted ``journalLines``; ``amount`` is signed
  (+ debit, − credit), which is Merge's ``net_amount`` convention. Journals post into the general ledger and their
  lines disappear (§3), so every journal entry is UNPOSTED.
* **Transactions**: the posted general ledger, one ``generalLedgerEntries`` row each; its amount is
  ``debitAmount − creditAmount``. BC does not group G/L entries into entries by id (§8).
* **Payments**: ``customerPayments`` and ``vendorPayments`` are lines of payment journals, read inside their
  journal (``$expand``) and each exploded into a Payment. Their ``amount`` is signed by BC's journal convention
  (a customer payment negative; VERIFY §9), so the payment's total is its magnitude.
* **Orders and shipments**: ``purchaseOrders``, ``salesOrders``, and posted ``salesShipments`` as item
  fulfillments (a shipment names its order and items by number only, so neither is referenced).
"""

from __future__ import annotations

from typing import Any

from ledgerport.connectors._base.convert import to_decimal, to_str
from ledgerport.connectors._base.mapping import ChildId, Computed, Const, Each, Explode, F, MappingContext, ModelMap
from ledgerport.connectors._base.mapping import NestedMap as Nested
from ledgerport.connectors.business_central.convert import (
    CREDIT_MEMO_STATUS,
    ORDER_STATUS,
    PURCHASE_ORDER_STATUS,
    bc_date,
    enum_text,
    guid,
    invoice_status,
    magnitude,
)
from ledgerport.connectors.business_central.lines import (
    CREDIT_MEMO_LINE,
    PURCHASE_INVOICE_LINE,
    PURCHASE_ORDER_LINE,
    SALES_INVOICE_LINE,
    SALES_ORDER_LINE,
    SHIPMENT_LINE,
    guid_ref,
    updated,
)
from ledgerport.connectors.business_central.session import local_currency
from ledgerport.connectors.business_central.streams import (
    CUSTOMER_PAYMENT_JOURNALS,
    GENERAL_LEDGER_ENTRIES,
    JOURNALS,
    PURCHASE_INVOICES,
    PURCHASE_ORDERS,
    SALES_CREDIT_MEMOS,
    SALES_INVOICES,
    SALES_ORDERS,
    SALES_SHIPMENTS,
    VENDOR_PAYMENT_JOURNALS,
)
from ledgerport.models.credit_note import CreditNote
from ledgerport.models.invoice import Invoice, InvoiceType
from ledgerport.models.item_fulfillment import ItemFulfillment, ItemFulfillmentStatus
from ledgerport.models.journal_entry import JournalEntry, JournalLine, PostingStatus
from ledgerport.models.payment import Payment, PaymentLineItem, PaymentType
from ledgerport.models.purchase_order import PurchaseOrder
from ledgerport.models.sales_order import SalesOrder, SalesOrderStatus
from ledgerport.models.transaction import Transaction, TransactionLineItem

__all__ = [
    "CREDIT_NOTE",
    "CUSTOMER_PAYMENT",
    "ITEM_FULFILLMENT",
    "JOURNAL_ENTRY",
    "PURCHASE_INVOICE",
    "PURCHASE_ORDER",
    "SALES_INVOICE",
    "SALES_ORDER",
    "TRANSACTION",
    "VENDOR_PAYMENT",
]


def _invoice(stream: Any, kind: InvoiceType, party: str, lines: str, line: Nested) -> ModelMap:
    fields: dict[str, Any] = {
        "remote_id": F("id", to_str),
        "type": Const(kind),
        "contact": guid_ref(party, "Contact"),
        "number": F("number", to_str),
        "issue_date": F("invoiceDate", bc_date),
        "due_date": F("dueDate", bc_date),
        "currency": local_currency("currencyCode"),
        "total_discount": F("discountAmount", to_decimal),
        "sub_total": F("totalAmountExcludingTax", to_decimal),
        "status": Computed(lambda r, c: invoice_status(r)),
        "total_tax_amount": F("totalTaxAmount", to_decimal),
        "total_amount": F("totalAmountIncludingTax", to_decimal),
        "remote_updated_at": updated(),
        "line_items": Each(lines, line),
        "inclusive_of_tax": F("pricesIncludeTax"),
    }
    if kind is InvoiceType.ACCOUNTS_RECEIVABLE:
        fields["payment_term"] = guid_ref("paymentTermsId", "PaymentTerm")
        fields["balance"] = F("remainingAmount", to_decimal)
        fields["memo"] = F("customerPurchaseOrderReference", to_str)
    return ModelMap(model="Invoice", struct=Invoice, stream=stream, fields=fields)


SALES_INVOICE = _invoice(
    SALES_INVOICES, InvoiceType.ACCOUNTS_RECEIVABLE, "customerId", "salesInvoiceLines", SALES_INVOICE_LINE
)
PURCHASE_INVOICE = _invoice(
    PURCHASE_INVOICES, InvoiceType.ACCOUNTS_PAYABLE, "vendorId", "purchaseInvoiceLines", PURCHASE_INVOICE_LINE
)

CREDIT_NOTE = ModelMap(
    model="CreditNote",
    struct=CreditNote,
    stream=SALES_CREDIT_MEMOS,
    fields={
        "remote_id": F("id", to_str),
        "transaction_date": F("creditMemoDate", bc_date),
        "status": F("status", CREDIT_MEMO_STATUS),
        "number": F("number", to_str),
        "contact": guid_ref("customerId", "Contact"),
        "total_amount": F("totalAmountIncludingTax", to_decimal),
        "remaining_credit": F("remainingAmount", to_decimal),
        "inclusive_of_tax": F("pricesIncludeTax"),
        "line_items": Each("salesCreditMemoLines", CREDIT_MEMO_LINE),
        "currency": local_currency("currencyCode"),
        "remote_updated_at": updated(),
    },
)


def _journal_account(record: Any, context: MappingContext) -> str | None:
    """The G/L account a journal line posts to; a bank account line names a bank account, not an Account."""
    if enum_text(record.get("accountType")) not in (None, "", "G/L Account"):
        return None
    found = guid(record.get("accountId"))
    return None if found is None else context.ref("Account", found)


def _first_posting_date(record: Any, context: MappingContext) -> Any:
    dates = sorted(str(line.get("postingDate")) for line in record.get("journalLines") or [] if line.get("postingDate"))
    return bc_date(dates[0]) if dates else None


JOURNAL_ENTRY = ModelMap(
    model="JournalEntry",
    struct=JournalEntry,
    stream=JOURNALS,
    fields={
        "remote_id": F("id", to_str),
        "transaction_date": Computed(_first_posting_date),
        "memo": F("displayName", to_str),
        "lines": Each(
            "journalLines",
            Nested(
                JournalLine,
                {
                    "id": ChildId("JournalLine", "id"),
                    "remote_id": F("id", to_str),
                    "account": Computed(_journal_account),
                    "net_amount": F("amount", to_decimal),
                    "description": F("description", to_str),
                },
            ),
        ),
        "journal_number": F("code", to_str),
        "posting_status": Const(PostingStatus.UNPOSTED),
        "remote_updated_at": updated(),
    },
)


def _ledger_amount(record: Any) -> Any:
    debit, credit = to_decimal(record.get("debitAmount")) or 0, to_decimal(record.get("creditAmount")) or 0
    return str(debit - credit)


TRANSACTION = ModelMap(
    model="Transaction",
    struct=Transaction,
    stream=GENERAL_LEDGER_ENTRIES,
    fields={
        "remote_id": F("id", to_str),
        "transaction_type": Computed(lambda r, c: enum_text(r.get("documentType")) or None),
        "number": F("documentNumber", to_str),
        "transaction_date": F("postingDate", bc_date),
        "account": guid_ref("accountId", "Account"),
        "total_amount": Computed(lambda r, c: _ledger_amount(r)),
        "line_items": Computed(
            lambda r, c: [
                TransactionLineItem(
                    id=(c.child or c.ref)("TransactionLineItem", f"{c.parent}/0"),
                    remote_id=str(r.get("id")),
                    memo=to_str(r.get("description")),
                    account=None if guid(r.get("accountId")) is None else c.ref("Account", str(r["accountId"])),
                    total_line_amount=_ledger_amount(r),
                    company=c.company,
                )
            ]
        ),
    },
)


def _payment(stream: Any, kind: PaymentType, party: str, lines: str) -> ModelMap:
    return ModelMap(
        model="Payment",
        struct=Payment,
        stream=stream,
        explode=Explode(lines, "id"),
        fields={
            "remote_id": F("id", to_str),
            "transaction_date": F("postingDate", bc_date),
            "contact": guid_ref(party, "Contact"),
            "total_amount": F("amount", magnitude),
            "type": Const(kind),
            "applied_to_lines": Computed(_applied),
            "remote_updated_at": updated(),
        },
    )


def _applied(record: Any, context: MappingContext) -> list[PaymentLineItem]:
    """The invoice a payment is applied to (``appliesToInvoiceId``: customer payments only)."""
    invoice = guid(record.get("appliesToInvoiceId"))
    if invoice is None:
        return []
    return [
        PaymentLineItem(
            id=(context.child or context.ref)("PaymentLineItem", f"{context.parent}/{invoice}"),
            remote_id=invoice,
            applied_amount=str(magnitude(record.get("amount")) or 0),
            applied_date=bc_date(record.get("postingDate")),
            related_object_id=context.ref("Invoice", invoice),
            related_object_type="INVOICE",
        )
    ]


CUSTOMER_PAYMENT = _payment(
    CUSTOMER_PAYMENT_JOURNALS, PaymentType.ACCOUNTS_RECEIVABLE, "customerId", "customerPayments"
)
VENDOR_PAYMENT = _payment(VENDOR_PAYMENT_JOURNALS, PaymentType.ACCOUNTS_PAYABLE, "vendorId", "vendorPayments")

PURCHASE_ORDER = ModelMap(
    model="PurchaseOrder",
    struct=PurchaseOrder,
    stream=PURCHASE_ORDERS,
    fields={
        "remote_id": F("id", to_str),
        "status": F("status", PURCHASE_ORDER_STATUS),
        "issue_date": F("orderDate", bc_date),
        "purchase_order_number": F("number", to_str),
        "delivery_date": F("requestedReceiptDate", bc_date),
        "vendor": guid_ref("vendorId", "Contact"),
        "total_amount": F("totalAmountIncludingTax", to_decimal),
        "currency": local_currency("currencyCode"),
        "payment_term": guid_ref("paymentTermsId", "PaymentTerm"),
        "line_items": Each("purchaseOrderLines", PURCHASE_ORDER_LINE),
        "inclusive_of_tax": F("pricesIncludeTax"),
        "remote_updated_at": updated(),
    },
)


def _order_status(record: Any, context: MappingContext) -> SalesOrderStatus | None:
    """A fully shipped order is completed; otherwise its document status."""
    if record.get("fullyShipped") is True:
        return SalesOrderStatus.COMPLETED
    return ORDER_STATUS(record.get("status"))


SALES_ORDER = ModelMap(
    model="SalesOrder",
    struct=SalesOrder,
    stream=SALES_ORDERS,
    fields={
        "remote_id": F("id", to_str),
        "customer": guid_ref("customerId", "Contact"),
        "currency": local_currency("currencyCode"),
        "status": Computed(_order_status),
        "payment_term": guid_ref("paymentTermsId", "PaymentTerm"),
        "memo": F("externalDocumentNumber", to_str),
        "issue_date": F("orderDate", bc_date),
        "transaction_number": F("number", to_str),
        "total": F("totalAmountIncludingTax", to_decimal),
        "lines": Each("salesOrderLines", SALES_ORDER_LINE),
        "remote_updated_at": updated(),
    },
)

ITEM_FULFILLMENT = ModelMap(
    model="ItemFulfillment",
    struct=ItemFulfillment,
    stream=SALES_SHIPMENTS,
    fields={
        "remote_id": F("id", to_str),
        "fulfillment_date": F("postingDate", bc_date),
        "customer": guid_ref("customerId", "Contact"),
        "status": Const(ItemFulfillmentStatus.SHIPPED),  # salesShipments holds posted shipments only
        "memo": F("externalDocumentNumber", to_str),
        "lines": Each("salesShipmentLines", SHIPMENT_LINE),
        "remote_updated_at": updated(),
    },
)
