"""Common models → QBO entities for writes: ``WRITES``, one :class:`WriteSpec` per writable model.

Each target names the QBO entity and the read mapping that turns QBO's answer into the stored record, so a written
object is stored exactly as a sync would store it (same remote id, same fields) and the next sync updates that row.
The tables live beside what they write: invoices and bills here, the other documents in ``write_documents``,
payments in ``write_payments``, contacts, items and accounts in ``write_names``; ``write_kit`` holds what they share.

* **Invoice** is an ``Invoice`` (``ACCOUNTS_RECEIVABLE``: a customer, item lines) or a ``Bill``
  (``ACCOUNTS_PAYABLE``: a vendor, expense lines against an account or an item).
* QBO computes totals, balances and the line subtotal; a request may state ``total_amount`` (or line totals),
  and a value that contradicts its lines is refused before QBO is called.
* A bill's ``purchase_orders`` link it to those purchase orders the way QBO links them, line by line: each bill
  line names the purchase-order line it bills (``Line[].LinkedTxn`` with a ``TxnLineId``), matched by item or
  account when the bill is created (``completion.link_purchase_orders``). Intuit's Bill page also lets a bill's own
  ``LinkedTxn`` name a purchase order, but QBO fills that list from the lines' links; integrators report that a
  link without a purchase-order line is silently dropped, so the table never relies on it. QBO adds links only to
  new lines, so ``purchase_orders`` is taken on create, not by a PATCH.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.writes import (
    Choose,
    Derive,
    Expect,
    Put,
    PutLines,
    PutRef,
    Resolved,
    Target,
    WriteSpec,
)
from ledgerport.connectors.quickbooks.attachments import ATTACHMENT_WRITES
from ledgerport.connectors.quickbooks.completion import BILL_PURCHASE_ORDERS, link_purchase_orders
from ledgerport.connectors.quickbooks.documents import BILL, INVOICE
from ledgerport.connectors.quickbooks.ids import qbo_id
from ledgerport.connectors.quickbooks.remote_fields import write_custom_fields
from ledgerport.connectors.quickbooks.write_documents import DOCUMENT_WRITES
from ledgerport.connectors.quickbooks.write_expenses import EXPENSE_WRITES
from ledgerport.connectors.quickbooks.write_feeds import FEED_WRITES
from ledgerport.connectors.quickbooks.write_kit import (
    DOCUMENT_TRACKING,
    bare,
    every_line_has_an_account_or_item,
    expense_lines,
    is_,
    qbo_date,
    sales_lines,
    total_check,
)
from ledgerport.connectors.quickbooks.write_names import NAME_WRITES
from ledgerport.connectors.quickbooks.write_payments import PAYMENT_WRITES

__all__ = ["WRITES"]


def _purchase_orders(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """The purchase orders to link, for ``completion.link_purchase_orders`` to turn into line links."""
    found = [qbo_id(resolved(one) or "") for one in value or []]
    if found:
        payload[BILL_PURCHASE_ORDERS] = found


_DOCUMENT = {
    "type": Choose(required=True),
    "number": Put("DocNumber"),
    "issue_date": Put("TxnDate", qbo_date),
    "due_date": Put("DueDate", qbo_date),
    "memo": Put("PrivateNote"),
    "currency": Put("CurrencyRef.value", str),
    "exchange_rate": Put("ExchangeRate", Decimal),
    "payment_term": PutRef("SalesTermRef.value", "PaymentTerm"),
    "tracking_categories": DOCUMENT_TRACKING,
    "total_amount": Expect("QuickBooks computes it from the lines; a different value is refused."),
    "total_tax_amount": Expect(),
    "total_discount": Expect(),
}

_UPDATABLE = frozenset(_DOCUMENT) - {"type"} | {"contact", "line_items"}

INVOICE_WRITES = WriteSpec(
    model="Invoice",
    create=True,
    update=True,
    bulk=True,
    targets=(
        Target(
            entity="Invoice",
            read=INVOICE,
            when={"type": "ACCOUNTS_RECEIVABLE"},
            fields={
                **_DOCUMENT,
                "contact": PutRef("CustomerRef.value", "Contact", required=True, accept=bare, accept_note="a customer"),
                "line_items": PutLines("Line", sales_lines(), required=True),
            },
            checks=(total_check(),),
            updatable=_UPDATABLE,
            remote_fields=write_custom_fields,
        ),
        Target(
            entity="Bill",
            read=BILL,
            when={"type": "ACCOUNTS_PAYABLE"},
            fields={
                **_DOCUMENT,
                "contact": PutRef(
                    "VendorRef.value",
                    "Contact",
                    encode=qbo_id,
                    required=True,
                    accept=is_("Vendor-"),
                    accept_note="a vendor",
                ),
                "line_items": PutLines("Line", expense_lines(), required=True),
                "purchase_orders": Derive(
                    _purchase_orders,
                    model="PurchaseOrder",
                    many=True,
                    note="Each purchase order is linked through the bill lines that bill its lines (same item or "
                    "account); QuickBooks links a bill to a purchase order line by line.",
                ),
            },
            checks=(total_check(), every_line_has_an_account_or_item()),
            updatable=_UPDATABLE,
            complete=link_purchase_orders,
        ),
    ),
)

WRITES: Mapping[str, WriteSpec] = {
    spec.model: spec
    for spec in (
        INVOICE_WRITES,
        EXPENSE_WRITES,
        *DOCUMENT_WRITES,
        *PAYMENT_WRITES,
        *NAME_WRITES,
        ATTACHMENT_WRITES,
        *FEED_WRITES,
    )
}
