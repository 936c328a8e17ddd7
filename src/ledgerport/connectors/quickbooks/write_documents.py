"""Journal entries, credit notes, vendor credits and purchase orders → QBO ``JournalEntry``, ``CreditMemo``,
``VendorCredit`` and ``PurchaseOrder`` (see ``writes`` for how the tables work).

* **JournalEntry.** A line's signed ``net_amount`` is QBO's positive ``Amount`` and its ``PostingType`` (debit +,
  credit −, as the read mapping signs them). QBO wants at least one debit and one credit, debits equal to credits,
  and a customer on an A/R line or a vendor on an A/P line (``Entity``); the first two are refused here before QBO
  is called, the third is QBO's to judge (it knows the account types). A line names one customer, vendor or
  employee. QBO has no unposted journal entries: ``posting_status`` may only say POSTED. The document's class and
  department go on every line that names none (QBO's journal lines carry them; the read mapping collects them back
  into ``tracking_categories``).
* **CreditNote** is a ``CreditMemo``: a customer and item lines, like an invoice; QBO computes the total and the
  remaining credit.
* **VendorCredit** lines are expense lines against an account. Merge's ``VendorCreditRequest`` has no ``lines``;
  ledgerport's model does, and QBO needs them, so they are taken.
* **PurchaseOrder**: a vendor and item or account lines; ``status`` SUBMITTED is QBO's Open, BILLED its Closed (the
  read mapping's table, inverted). ``purchase_order_number`` (a field of the model, not of Merge's request) is the
  ``DocNumber``; QBO numbers the order when it is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.writes import (
    Check,
    Derive,
    Expect,
    Lines,
    Put,
    PutLines,
    PutRef,
    Resolved,
    Target,
    WriteSpec,
    put,
)
from ledgerport.connectors.quickbooks.applications import CREDIT_NOTE_APPLICATION, VENDOR_CREDIT_APPLICATION
from ledgerport.connectors.quickbooks.documents import CREDIT_NOTE, JOURNAL_ENTRY, PURCHASE_ORDER, VENDOR_CREDIT
from ledgerport.connectors.quickbooks.ids import qbo_id
from ledgerport.connectors.quickbooks.write_kit import (
    DOCUMENT_TRACKING,
    TAX_CODE,
    ZERO,
    bare,
    classes_and_departments,
    every_line_has_an_account_or_item,
    expense_lines,
    field_of,
    is_,
    line_class,
    qbo_date,
    sales_lines,
    total_check,
)

__all__ = ["DOCUMENT_WRITES"]

_DETAIL = "JournalEntryLineDetail"
_VENDOR = {"encode": qbo_id, "accept": is_("Vendor-"), "accept_note": "a vendor"}
_TOTAL = Expect("QuickBooks computes it from the lines; a different value is refused.")


# --- journal entries -------------------------------------------------------------------------------------------


def _signed(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    amount = Decimal(value)
    payload["Amount"] = abs(amount)
    put(payload, f"{_DETAIL}.PostingType", "Credit" if amount < 0 else "Debit")


def _contact(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    remote_id = resolved(value) or ""
    kind = "Vendor" if remote_id.startswith("Vendor-") else "Customer"
    put(payload, f"{_DETAIL}.Entity", {"Type": kind, "EntityRef": {"value": qbo_id(remote_id)}})


def _employee(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    put(payload, f"{_DETAIL}.Entity", {"Type": "Employee", "EntityRef": {"value": resolved(value) or ""}})


def _line_tracking(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    classes, departments = classes_and_departments(value, resolved)
    if classes:
        put(payload, f"{_DETAIL}.ClassRef.value", classes[0])
    if departments:
        put(payload, f"{_DETAIL}.DepartmentRef.value", departments[0])


def _journal_tracking(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """The document's class and department on every line that names none (the table writes ``lines`` first)."""
    classes, departments = classes_and_departments(value, resolved)
    for line in payload.get("Line", []):
        detail = line.setdefault(_DETAIL, {})
        if classes:
            detail.setdefault("ClassRef", {"value": classes[0]})
        if departments:
            detail.setdefault("DepartmentRef", {"value": departments[0]})


JOURNAL_LINE = Lines(
    {
        "account": PutRef(f"{_DETAIL}.AccountRef.value", "Account", required=True),
        "net_amount": Derive(_signed, required=True, note="Debits are positive, credits negative."),
        "description": Put("Description"),
        "contact": Derive(_contact, model="Contact", note="A customer on an A/R line, a vendor on an A/P line."),
        "employee": Derive(_employee, model="Employee"),
        "tracking_category": PutRef(
            f"{_DETAIL}.ClassRef.value", "TrackingCategory", accept=bare, accept_note="a class"
        ),
        "tracking_categories": Derive(
            _line_tracking, model="TrackingCategory", many=True, note="One class and one department per line."
        ),
    },
    finish=lambda built, line: {**built, "DetailType": _DETAIL},
)


def _amounts(model: Mapping[str, Any]) -> list[Decimal]:
    amounts = (field_of(line, "net_amount") for line in model.get("lines") or [])
    return [Decimal(amount) for amount in amounts if amount is not None]


def _balances(model: Mapping[str, Any]) -> str | None:
    amounts = _amounts(model)
    total = sum(amounts, ZERO)
    if total != ZERO:
        return f"the lines add up to {total}: debits (positive) must equal credits (negative)."
    return None


def _both_sides(model: Mapping[str, Any]) -> str | None:
    amounts = _amounts(model)
    if not (any(a > ZERO for a in amounts) and any(a < ZERO for a in amounts)):
        return "QuickBooks needs at least one debit line (positive) and one credit line (negative)."
    return None


def _one_name(model: Mapping[str, Any]) -> str | None:
    for index, line in enumerate(model.get("lines") or []):
        if field_of(line, "contact") is not None and field_of(line, "employee") is not None:
            return f"line {index} names a contact and an employee; a QuickBooks journal line names one."
    return None


def _posted(model: Mapping[str, Any]) -> str | None:
    if model.get("posting_status") not in (None, "POSTED"):
        return "QuickBooks has no unposted journal entries: every one it saves is posted."
    return None


JOURNAL_ENTRY_WRITES = WriteSpec(
    model="JournalEntry",
    create=True,
    update=False,
    targets=(
        Target(
            entity="JournalEntry",
            read=JOURNAL_ENTRY,
            fields={
                "transaction_date": Put("TxnDate", qbo_date),
                "memo": Put("PrivateNote"),
                "currency": Put("CurrencyRef.value", str),
                "exchange_rate": Put("ExchangeRate", Decimal),
                "journal_number": Put("DocNumber"),
                "lines": PutLines("Line", JOURNAL_LINE, required=True),
                "tracking_categories": Derive(
                    _journal_tracking,
                    model="TrackingCategory",
                    many=True,
                    note="A class or department here goes on every line that names none.",
                ),
                "posting_status": Expect("QuickBooks posts every journal entry; only POSTED is taken."),
            },
            checks=(
                Check("/model/lines", "Journal Entry Does Not Balance", _balances),
                Check("/model/lines", "Journal Entry Needs Both Sides", _both_sides),
                Check("/model/lines", "One Name Per Line", _one_name),
                Check("/model/posting_status", "Always Posted", _posted),
            ),
        ),
    ),
)


# --- credit notes and vendor credits ------------------------------------------------------------------------------

CREDIT_NOTE_WRITES = WriteSpec(
    model="CreditNote",
    create=True,
    update=True,
    apply=CREDIT_NOTE_APPLICATION,
    targets=(
        Target(
            entity="CreditMemo",
            read=CREDIT_NOTE,
            fields={
                "transaction_date": Put("TxnDate", qbo_date),
                "number": Put("DocNumber"),
                "contact": PutRef("CustomerRef.value", "Contact", required=True, accept=bare, accept_note="a customer"),
                "currency": Put("CurrencyRef.value", str),
                "exchange_rate": Put("ExchangeRate", Decimal),
                "tracking_categories": DOCUMENT_TRACKING,
                "line_items": PutLines("Line", sales_lines("total_line_amount"), required=True),
                "total_amount": _TOTAL,
            },
            checks=(total_check("line_items", "total_line_amount"),),
        ),
    ),
)


def _vendor_credit_line(built: dict[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
    built["DetailType"] = "AccountBasedExpenseLineDetail"
    built.setdefault("AccountBasedExpenseLineDetail", {})
    return built


VENDOR_CREDIT_LINE = Lines(
    {
        "net_amount": Put("Amount", Decimal, required=True),
        "description": Put("Description"),
        "account": PutRef("AccountBasedExpenseLineDetail.AccountRef.value", "Account", required=True),
        "tracking_category": PutRef(
            "AccountBasedExpenseLineDetail.ClassRef.value", "TrackingCategory", accept=bare, accept_note="a class"
        ),
        "tracking_categories": line_class("AccountBasedExpenseLineDetail"),
        "contact": PutRef(
            "AccountBasedExpenseLineDetail.CustomerRef.value",
            "Contact",
            accept=bare,
            accept_note="a customer (the one the expense is for)",
        ),
        "tax_rate": PutRef("AccountBasedExpenseLineDetail.TaxCodeRef.value", "TaxRate", **TAX_CODE),
    },
    finish=_vendor_credit_line,
)

VENDOR_CREDIT_WRITES = WriteSpec(
    model="VendorCredit",
    create=True,
    update=True,
    apply=VENDOR_CREDIT_APPLICATION,
    targets=(
        Target(
            entity="VendorCredit",
            read=VENDOR_CREDIT,
            fields={
                "number": Put("DocNumber"),
                "transaction_date": Put("TxnDate", qbo_date),
                "vendor": PutRef("VendorRef.value", "Contact", required=True, **_VENDOR),
                "currency": Put("CurrencyRef.value", str),
                "exchange_rate": Put("ExchangeRate", Decimal),
                "tracking_categories": DOCUMENT_TRACKING,
                "lines": PutLines("Line", VENDOR_CREDIT_LINE, required=True),
                "total_amount": _TOTAL,
            },
            checks=(total_check("lines", "net_amount"),),
        ),
    ),
)


# --- purchase orders -----------------------------------------------------------------------------------------------

_PO_STATUS = {"SUBMITTED": "Open", "BILLED": "Closed"}

PURCHASE_ORDER_WRITES = WriteSpec(
    model="PurchaseOrder",
    create=True,
    update=False,
    targets=(
        Target(
            entity="PurchaseOrder",
            read=PURCHASE_ORDER,
            fields={
                "vendor": PutRef("VendorRef.value", "Contact", required=True, **_VENDOR),
                "issue_date": Put("TxnDate", qbo_date),
                "purchase_order_number": Put("DocNumber"),
                "memo": Put("PrivateNote"),
                "status": Put(
                    "POStatus",
                    _PO_STATUS.__getitem__,
                    choices=tuple(_PO_STATUS),
                    note="SUBMITTED is QuickBooks' Open, BILLED its Closed.",
                ),
                "payment_term": PutRef("SalesTermRef.value", "PaymentTerm"),
                "currency": Put("CurrencyRef.value", str),
                "exchange_rate": Put("ExchangeRate", Decimal),
                "tracking_categories": DOCUMENT_TRACKING,
                "line_items": PutLines("Line", expense_lines("total_line_amount", billable=False), required=True),
                "total_amount": _TOTAL,
            },
            checks=(
                total_check("line_items", "total_line_amount"),
                every_line_has_an_account_or_item(),
            ),
        ),
    ),
)

DOCUMENT_WRITES = (JOURNAL_ENTRY_WRITES, CREDIT_NOTE_WRITES, VENDOR_CREDIT_WRITES, PURCHASE_ORDER_WRITES)
