"""Payments → QBO ``Payment`` (money a customer pays) or ``BillPayment`` (money paid to a vendor), chosen by Merge's
``type`` (see ``writes`` for how the tables work).

* **ACCOUNTS_RECEIVABLE** is a ``Payment``: ``CustomerRef``, the ``TotalAmt`` received, the account it is deposited
  to (QBO's default is Undeposited Funds), and one line per invoice it settles (``Line[].Amount`` and
  ``LinkedTxn: [{TxnId, TxnType: "Invoice"}]``). An amount left unapplied stays on the payment as a credit
  (``UnappliedAmt``), as QBO keeps it.
* **ACCOUNTS_PAYABLE** is a ``BillPayment``: ``VendorRef``, ``TotalAmt``, the bills it settles (``TxnType:
  "Bill"``), and the account the money leaves: a bank account makes it a check, a credit card account a card
  payment (``completion.pay_from`` reads the account's type when the payment is sent).
* QBO refuses applying more than a payment's total, and more than a document's open balance; the first is
  checked here, the second is QBO's to judge. Lines settle documents of the same kind as the payment (invoices for
  a customer payment, bills for a bill payment); QBO's payments can also take credit memos and journal entries,
  which these tables do not write.
* QBO tracks a payment's department, not its classes: ``tracking_categories`` takes departments only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.writes import (
    Check,
    Choose,
    Derive,
    Expect,
    Lines,
    Put,
    PutLines,
    PutRef,
    Resolved,
    Target,
    WriteSpec,
)
from ledgerport.connectors.quickbooks.completion import pay_from
from ledgerport.connectors.quickbooks.documents import BILL_PAYMENT, PAYMENT
from ledgerport.connectors.quickbooks.ids import qbo_id
from ledgerport.connectors.quickbooks.write_kit import ZERO, bare, field_of, is_, qbo_date

__all__ = ["PAYMENT_WRITES"]


def _link(kind: str) -> Callable[[Any, dict[str, Any], Resolved], None]:
    def write(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
        payload["LinkedTxn"] = [{"TxnId": qbo_id(resolved(value) or ""), "TxnType": kind}]

    return write


def _applied(kind: str, accept: Callable[[str], bool], what: str) -> Lines:
    return Lines(
        {
            "applied_amount": Put("Amount", Decimal, required=True),
            "related_object_id": Derive(_link(kind), model="Invoice", required=True, accept=accept, accept_note=what),
            "related_object_type": Expect(f"INVOICE: each line settles {what}."),
        }
    )


def _department(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    remote = [resolved(one) or "" for one in value or []]
    if remote:
        payload["DepartmentRef"] = {"value": qbo_id(remote[0])}


_TRACKING = Derive(
    _department,
    model="TrackingCategory",
    many=True,
    accept=is_("Department-"),
    accept_note="a department (QuickBooks payments carry no class)",
)


def _applied_within_total(model: Mapping[str, Any]) -> str | None:
    total = model.get("total_amount")
    amounts = [field_of(line, "applied_amount") for line in model.get("applied_to_lines") or []]
    applied = sum((Decimal(a) for a in amounts if a is not None), ZERO)
    if total is not None and applied > Decimal(total):
        return f"the lines apply {applied}, more than the payment's total_amount {total}."
    return None


def _invoices_only(model: Mapping[str, Any]) -> str | None:
    for index, line in enumerate(model.get("applied_to_lines") or []):
        kind = field_of(line, "related_object_type")
        if kind not in (None, "INVOICE"):
            return f"line {index} settles a {kind}; these payments settle invoices (related_object_type INVOICE)."
    return None


_CHECKS = (
    Check("/model/applied_to_lines", "Applied More Than The Total", _applied_within_total),
    Check("/model/applied_to_lines", "Invalid Field Choice", _invoices_only),
)

_COMMON = {
    "type": Choose(required=True, note="ACCOUNTS_RECEIVABLE from a customer; ACCOUNTS_PAYABLE to a vendor."),
    "transaction_date": Put("TxnDate", qbo_date),
    "currency": Put("CurrencyRef.value", str),
    "exchange_rate": Put("ExchangeRate", Decimal),
    "total_amount": Put("TotalAmt", Decimal, required=True),
    "tracking_categories": _TRACKING,
}

PAYMENT_WRITES = (
    WriteSpec(
        model="Payment",
        create=True,
        update=True,
        targets=(
            Target(
                entity="Payment",
                read=PAYMENT,
                when={"type": "ACCOUNTS_RECEIVABLE"},
                fields={
                    **_COMMON,
                    "contact": PutRef(
                        "CustomerRef.value", "Contact", required=True, accept=bare, accept_note="a customer"
                    ),
                    "account": PutRef(
                        "DepositToAccountRef.value",
                        "Account",
                        note="Where the money goes; QuickBooks uses Undeposited Funds when none is named.",
                    ),
                    "applied_to_lines": PutLines(
                        "Line", _applied("Invoice", bare, "an accounts-receivable invoice of the customer")
                    ),
                },
                checks=_CHECKS,
                updatable=frozenset(_COMMON) - {"type"} | {"contact", "account", "applied_to_lines"},
            ),
            Target(
                entity="BillPayment",
                read=BILL_PAYMENT,
                when={"type": "ACCOUNTS_PAYABLE"},
                fields={
                    **_COMMON,
                    "contact": PutRef(
                        "VendorRef.value",
                        "Contact",
                        encode=qbo_id,
                        required=True,
                        accept=is_("Vendor-"),
                        accept_note="a vendor",
                    ),
                    "account": PutRef(
                        "CheckPayment.BankAccountRef.value",
                        "Account",
                        required=True,
                        note="A bank account pays by check, a credit card account by card.",
                    ),
                    "applied_to_lines": PutLines(
                        "Line", _applied("Bill", is_("Bill-"), "a bill of the vendor"), required=True
                    ),
                },
                checks=_CHECKS,
                updatable=frozenset(_COMMON) - {"type"} | {"contact", "account", "applied_to_lines"},
                complete=pay_from,
            ),
        ),
    ),
)
