"""Common models → NetSuite records for writes: ``WRITES``, one :class:`WriteSpec` per writable model.

Each target names the REST record type (``invoice``, ``vendorBill``…) and the read mapping whose SuiteQL stream
reads the made record back (:mod:`.readback`), so a written record is stored exactly as a sync would store it.

| model           | record type(s)                                    | bulk | notes                              |
|-----------------|---------------------------------------------------|------|------------------------------------|
| Invoice         | invoice (AR), vendorBill (AP)                     | yes  | bill lines: item or expense lines  |
| SalesOrder      | salesOrder                                        | yes  |                                    |
| ItemFulfillment | itemFulfillment                                   | yes  | only by the sales order's transform |
| CreditNote      | creditMemo                                        |      |                                    |
| VendorCredit    | vendorCredit                                      |      | expense lines                      |
| PurchaseOrder   | purchaseOrder                                     |      |                                    |
| JournalEntry    | journalEntry                                      |      | ``net_amount`` > 0 debit, < 0 credit |
| Payment         | customerPayment (AR), vendorPayment (AP)          |      | ``applied_to_lines`` → ``apply``   |
| Expense         | check                                             |      | the account paid from              |
| Contact         | customer, vendor (``is_supplier``)                |      |                                    |
| Item            | inventoryItem, nonInventoryResaleItem, serviceResaleItem | |  by ``type``                     |
| Account         | account                                           |      | ``account_type`` → ``acctType``    |

Totals and balances are NetSuite's to compute and are never sent. Every transaction target checks the posting
period of its date at NetSuite before sending (:func:`~.write_kit.ready`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.writes import (
    Choose,
    Derive,
    Expect,
    Lines,
    Put,
    PutLines,
    Resolved,
    Target,
    WriteField,
    WriteSpec,
)
from ledgerport.connectors.netsuite.documents import (
    CREDIT_NOTE,
    EXPENSE,
    INVOICE,
    ITEM_FULFILLMENT,
    JOURNAL_ENTRY,
    PAYMENT,
    PURCHASE_ORDER,
    SALES_ORDER,
    VENDOR_CREDIT,
)
from ledgerport.connectors.netsuite.mapping import ACCOUNT, CUSTOMER, ITEM, VENDOR
from ledgerport.connectors.netsuite.write_kit import (
    COMPANY,
    CURRENCY_CODE,
    TRACKING,
    balanced,
    money,
    ns_date,
    ready,
    ref,
    ref_to,
)
from ledgerport.connectors.netsuite.writer import TRANSFORM_FROM

__all__ = ["WRITES"]


def _code(value: Any) -> dict[str, str]:
    return {CURRENCY_CODE: str(value)}


def _header(date_field: str, *, period: bool = True) -> dict[str, WriteField]:
    """What every transaction takes: date, subsidiary, currency, rate, period (where Merge has one), tracking."""
    fields: dict[str, WriteField] = {
        date_field: Put("tranDate", ns_date, required=True),
        "company": COMPANY,
        "currency": Put("currency", _code, note="An ISO code; the account's currency record of that symbol."),
        "exchange_rate": Put("exchangeRate", money),
        **TRACKING,
    }
    if period:
        fields["accounting_period"] = ref_to("postingPeriod", "AccountingPeriod")
    return fields


def _sales_line(total: str | None) -> Lines:
    fields: dict[str, WriteField] = {
        "item": ref_to("item", "Item", required=True, note="NetSuite's sales lines are item lines."),
        "quantity": Put("quantity", money),
        "unit_price": Put("rate", money),
        "description": Put("description"),
        **TRACKING,
    }
    if total is not None:
        fields[total] = Put("amount", money)
    return Lines(fields=fields)


def _expense_line(amount: str) -> Lines:
    return Lines(
        fields={
            "account": ref_to("account", "Account", required=True),
            amount: Put("amount", money, required=True),
            "description": Put("memo"),
            **TRACKING,
        }
    )


def _bill_lines(payload: dict[str, Any]) -> dict[str, Any]:
    """A bill's lines: those naming an item go to the ``item`` sublist, the others to ``expense``."""
    lines = (payload.pop("item", None) or {}).get("items") or []
    items = [line for line in lines if "item" in line]
    expenses = [
        {("memo" if k == "description" else k): v for k, v in line.items() if k not in ("quantity", "rate")}
        for line in lines
        if "item" not in line
    ]
    if items:
        payload["item"] = {"items": items}
    if expenses:
        payload["expense"] = {"items": expenses}
    return payload


_BILL_LINE = Lines(
    fields={
        "item": ref_to("item", "Item", note="With an item the line is an item line; without, an expense line."),
        "account": ref_to("account", "Account", note="An expense line's account."),
        "quantity": Put("quantity", money),
        "unit_price": Put("rate", money),
        "total_amount": Put("amount", money),
        "description": Put("description"),
        **TRACKING,
    }
)

_TOTALS = {
    "total_amount": Expect("NetSuite computes it from the lines."),
    "total_tax_amount": Expect(),
    "balance": Expect(),
}
_INVOICE_HEADER: dict[str, WriteField] = {
    "type": Choose(required=True),
    **_header("issue_date"),
    "number": Put("tranId"),
    "due_date": Put("dueDate", ns_date),
    "memo": Put("memo"),
    "payment_term": ref_to("terms", "PaymentTerm"),
    **_TOTALS,
}
_INVOICE_UPDATABLE = frozenset(_INVOICE_HEADER) - {"type", "company"} | {"line_items"}

INVOICE_WRITES = WriteSpec(
    model="Invoice",
    update=True,
    bulk=True,
    targets=(
        Target(
            entity="invoice",
            read=INVOICE,
            when={"type": "ACCOUNTS_RECEIVABLE"},
            fields={
                **_INVOICE_HEADER,
                "contact": ref_to("entity", "Contact", required=True, note="A customer."),
                "line_items": PutLines("item.items", _sales_line("total_amount"), required=True),
            },
            updatable=_INVOICE_UPDATABLE | {"contact"},
            complete=ready("issue_date", "AR"),
        ),
        Target(
            entity="vendorBill",
            read=INVOICE,
            when={"type": "ACCOUNTS_PAYABLE"},
            fields={
                **_INVOICE_HEADER,
                "contact": ref_to("entity", "Contact", required=True, note="A vendor."),
                "line_items": PutLines("item.items", _BILL_LINE, required=True),
            },
            updatable=_INVOICE_UPDATABLE | {"contact"},
            finish=_bill_lines,
            complete=ready("issue_date", "AP"),
        ),
    ),
)

SALES_ORDER_WRITES = WriteSpec(
    model="SalesOrder",
    bulk=True,
    targets=(
        Target(
            entity="salesOrder",
            read=SALES_ORDER,
            fields={
                **_header("issue_date", period=False),
                "customer": ref_to("entity", "Contact", required=True, note="A customer."),
                "transaction_number": Put("tranId"),
                "memo": Put("memo"),
                "payment_term": ref_to("terms", "PaymentTerm"),
                "lines": PutLines("item.items", _sales_line(None), required=True),
                "total": Expect("NetSuite computes it from the lines."),
            },
            complete=ready("issue_date", "AR"),
        ),
    ),
)


def _from_order(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """The sales order the fulfillment transforms (the writer's path, never a body field)."""
    remote = resolved(value)
    if remote:
        payload[TRANSFORM_FROM] = ["salesOrder", remote]


_FULFILLMENT_LINE = Lines(
    fields={
        "item": ref_to("item", "Item", required=True),
        "quantity": Put("quantity", money, required=True),
        **TRACKING,
    },
    # The transform pre-fills the order's open lines; the ones named here are shipped. Matching them to the
    # order's lines by item is the sandbox's reading of NetSuite (VERIFY how a real account matches a line given
    # without ``orderLine``).
    finish=lambda built, line: {**built, "itemReceive": True},
)


ITEM_FULFILLMENT_WRITES = WriteSpec(
    model="ItemFulfillment",
    bulk=True,
    note="Made from its sales order (POST /salesOrder/{id}/!transform/itemFulfillment).",
    targets=(
        Target(
            entity="itemFulfillment",
            read=ITEM_FULFILLMENT,
            fields={
                "sales_order": Derive(_from_order, model="SalesOrder", required=True, note="The sales order it ships."),
                "fulfillment_date": Put("tranDate", ns_date),
                "memo": Put("memo"),
                "lines": PutLines("item.items", _FULFILLMENT_LINE),
                "customer": Expect("The sales order's customer."),
                "company": Expect("The sales order's subsidiary."),
            },
            complete=ready("fulfillment_date"),
        ),
    ),
)

CREDIT_NOTE_WRITES = WriteSpec(
    model="CreditNote",
    targets=(
        Target(
            entity="creditMemo",
            read=CREDIT_NOTE,
            fields={
                **_header("transaction_date"),
                "contact": ref_to("entity", "Contact", required=True, note="A customer."),
                "number": Put("tranId"),
                "line_items": PutLines("item.items", _sales_line("total_line_amount"), required=True),
                "total_amount": Expect("NetSuite computes it from the lines."),
            },
            complete=ready("transaction_date", "AR"),
        ),
    ),
)

VENDOR_CREDIT_WRITES = WriteSpec(
    model="VendorCredit",
    targets=(
        Target(
            entity="vendorCredit",
            read=VENDOR_CREDIT,
            fields={
                **_header("transaction_date"),
                "vendor": ref_to("entity", "Contact", required=True, note="A vendor."),
                "number": Put("tranId"),
                "lines": PutLines("expense.items", _expense_line("net_amount"), required=True),
                "total_amount": Expect("NetSuite computes it from the lines."),
            },
            complete=ready("transaction_date", "AP"),
        ),
    ),
)

PURCHASE_ORDER_WRITES = WriteSpec(
    model="PurchaseOrder",
    targets=(
        Target(
            entity="purchaseOrder",
            read=PURCHASE_ORDER,
            fields={
                **_header("issue_date"),
                "vendor": ref_to("entity", "Contact", required=True, note="A vendor."),
                "purchase_order_number": Put("tranId"),
                "delivery_date": Put("dueDate", ns_date),
                "memo": Put("memo"),
                "payment_term": ref_to("terms", "PaymentTerm"),
                "line_items": PutLines("item.items", _sales_line("total_line_amount"), required=True),
                "total_amount": Expect("NetSuite computes it from the lines."),
            },
            # A purchase order does not post: no period check.
            complete=ready(None),
        ),
    ),
)


_JOURNAL_LINE = Lines(
    fields={
        "account": ref_to("account", "Account", required=True),
        "net_amount": Put("amount", money, required=True, note="> 0 debits the account, < 0 credits it."),
        "description": Put("memo"),
        "contact": ref_to("entity", "Contact"),
        **TRACKING,
    }
)


def _journal_finish(payload: dict[str, Any]) -> dict[str, Any]:
    """The table's lines (validated as fields) rewritten as NetSuite's debit/credit lines."""
    lines = (payload.get("line") or {}).get("items") or []
    rewritten = []
    for line in lines:
        amount = Decimal(str(line.pop("amount", 0) or 0))
        line["debit" if amount >= 0 else "credit"] = abs(amount)
        rewritten.append(line)
    payload["line"] = {"items": rewritten}
    return payload


JOURNAL_ENTRY_WRITES = WriteSpec(
    model="JournalEntry",
    targets=(
        Target(
            entity="journalEntry",
            read=JOURNAL_ENTRY,
            fields={
                **_header("transaction_date"),
                "memo": Put("memo"),
                "journal_number": Put("tranId"),
                "lines": PutLines("line.items", _JOURNAL_LINE, required=True),
            },
            checks=(balanced(),),
            finish=_journal_finish,
            complete=ready("transaction_date"),
        ),
    ),
)

_APPLY_LINE = Lines(
    fields={
        "related_object_id": ref_to(
            "doc", "Invoice", required=True, note="The invoice (or bill) the amount is applied to."
        ),
        "applied_amount": Put("amount", money, required=True),
    },
    finish=lambda built, line: {**built, "apply": True},
)


def _payment(entity: str, ledger: str, party: str) -> Target:
    return Target(
        entity=entity,
        read=PAYMENT,
        when={"type": f"ACCOUNTS_{ledger}"},
        fields={
            "type": Choose(required=True),
            **_header("transaction_date"),
            "contact": ref_to("customer" if ledger == "RECEIVABLE" else "entity", "Contact", required=True, note=party),
            "account": ref_to("account", "Account", note="The bank account paid into or from."),
            "total_amount": Put("payment", money, required=True) if ledger == "RECEIVABLE" else Expect(),
            "applied_to_lines": PutLines("apply.items", _APPLY_LINE),
        },
        complete=ready("transaction_date", "AR" if ledger == "RECEIVABLE" else "AP"),
    )


PAYMENT_WRITES = WriteSpec(
    model="Payment",
    targets=(
        _payment("customerPayment", "RECEIVABLE", "A customer."),
        _payment("vendorPayment", "PAYABLE", "A vendor."),
    ),
)

EXPENSE_WRITES = WriteSpec(
    model="Expense",
    targets=(
        Target(
            entity="check",
            read=EXPENSE,
            fields={
                **_header("transaction_date"),
                "account": ref_to("account", "Account", required=True, note="The bank account paid from."),
                "contact": ref_to("entity", "Contact", note="The payee."),
                "memo": Put("memo"),
                "lines": PutLines("expense.items", _expense_line("net_amount"), required=True),
                "total_amount": Expect("NetSuite computes it from the lines."),
            },
            complete=ready("transaction_date", "AP"),
        ),
    ),
)

_ENTITY: dict[str, WriteField] = {
    "is_supplier": Choose(),
    "is_customer": Expect(),
    "name": Put("companyName", required=True),
    "email_address": Put("email"),
    "status": Put("isInactive", lambda status: status == "ARCHIVED"),
    "company": COMPANY,
    "currency": Put("currency", _code),
}

CONTACT_WRITES = WriteSpec(
    model="Contact",
    update=True,
    targets=(
        Target(entity="vendor", read=VENDOR, when={"is_supplier": True}, fields=_ENTITY, complete=ready(None)),
        Target(entity="customer", read=CUSTOMER, fields=_ENTITY, complete=ready(None)),
    ),
)


def _subsidiaries(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """Items and accounts take a list of subsidiaries (a multi-select); Merge names one."""
    remote = None if value is None else resolved(value)
    if remote:
        payload["subsidiary"] = {"items": [ref(remote)]}


def _item_target(entity: str, kind: str, purchase_path: str) -> Target:
    return Target(
        entity=entity,
        read=ITEM,
        when={"type": kind},
        fields={
            "type": Choose(required=True),
            "name": Put("itemId", required=True),
            "status": Put("isInactive", lambda status: status == "ARCHIVED"),
            "purchase_price": Put("cost", money),
            "sales_account": ref_to("incomeAccount", "Account"),
            "purchase_account": ref_to(purchase_path, "Account"),
            "company": Derive(_subsidiaries, model="CompanyInfo", required=True, note="The subsidiary it belongs to."),
        },
    )


ITEM_WRITES = WriteSpec(
    model="Item",
    update=True,
    targets=(
        _item_target("inventoryItem", "INVENTORY", "cogsAccount"),
        _item_target("nonInventoryResaleItem", "NON_INVENTORY", "expenseAccount"),
        _item_target("serviceResaleItem", "SERVICE", "expenseAccount"),
    ),
)

_ACCOUNT_TYPES = {
    "BANK": "Bank",
    "ACCOUNTS_RECEIVABLE": "AcctRec",
    "OTHER_CURRENT_ASSET": "OthCurrAsset",
    "FIXED_ASSET": "FixedAsset",
    "OTHER_ASSET": "OthAsset",
    "ACCOUNTS_PAYABLE": "AcctPay",
    "CREDIT_CARD": "CredCard",
    "OTHER_CURRENT_LIABILITY": "OthCurrLiab",
    "LONG_TERM_LIABILITY": "LongTermLiab",
    "EQUITY": "Equity",
    "OTHER_INCOME": "Income",
    "COST_OF_GOODS_SOLD": "COGS",
    "OTHER_EXPENSE": "Expense",
    "NON_POSTING": "NonPosting",
}

ACCOUNT_WRITES = WriteSpec(
    model="Account",
    targets=(
        Target(
            entity="account",
            read=ACCOUNT,
            fields={
                "name": Put("acctName", required=True),
                "account_number": Put("acctNumber"),
                "description": Put("description"),
                "account_type": Put(
                    "acctType",
                    lambda value: ref(_ACCOUNT_TYPES[str(value)]),
                    required=True,
                    choices=tuple(_ACCOUNT_TYPES),
                ),
                "status": Put("isInactive", lambda status: status == "INACTIVE"),
                "currency": Put("currency", _code),
                "parent_account": ref_to("parent", "Account"),
                "company": Derive(
                    _subsidiaries, model="CompanyInfo", required=True, note="The subsidiary it belongs to."
                ),
            },
            complete=ready(None),
        ),
    ),
)

WRITES: Mapping[str, WriteSpec] = {
    spec.model: spec
    for spec in (
        INVOICE_WRITES,
        SALES_ORDER_WRITES,
        ITEM_FULFILLMENT_WRITES,
        CREDIT_NOTE_WRITES,
        VENDOR_CREDIT_WRITES,
        PURCHASE_ORDER_WRITES,
        JOURNAL_ENTRY_WRITES,
        PAYMENT_WRITES,
        EXPENSE_WRITES,
        CONTACT_WRITES,
        ITEM_WRITES,
        ACCOUNT_WRITES,
    )
}
