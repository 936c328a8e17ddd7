"""Business rules the record layer enforces, each a 400 USER_ERROR (the codes and wording NetSuite uses for
these are not documented; FACTS §3.5 and §8 mark them VERIFY).

- Periods: a posting transaction cannot be written into, or edited or deleted while in, a closed or all-locked
  period; A/R documents (invoices, credit memos, payments, cash sales) also not in an A/R-locked one, A/P
  documents (bills, vendor credits, bill payments, expense reports) not in an A/P-locked one.
- Journal entries balance: the debits equal the credits, and every line has one of the two.
- Applying: a payment or credit applies only to open documents of its own entity and currency, never more than
  what is due; a customer payment is at least what it applies.
- Deleting: a transaction others were applied to, or an entity with transactions, cannot be deleted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import RECORD_TYPES, RecordType
from ledgerport.sandboxes.netsuite.documents import line_items, money
from ledgerport.sandboxes.netsuite.errors import invalid_content, user_error
from ledgerport.sandboxes.netsuite.store import Account, posts

__all__ = ["check_apply", "check_deletable", "check_journal", "check_period"]

_AR = frozenset({"CustInvc", "CustCred", "CustPymt", "CashSale"})
_AP = frozenset({"VendBill", "VendCred", "VendPymt", "ExpRept", "Check", "CardChrg"})
_APPLIES_TO = {"CustPymt": {"CustInvc"}, "CustCred": {"CustInvc"}, "VendPymt": {"VendBill"}, "VendCred": {"VendBill"}}


def check_period(account: Account, rt: RecordType, doc: dict[str, Any]) -> None:
    """Refuse a posting transaction in a closed or locked period."""
    if not posts(rt, doc) and rt.code in {"SalesOrd", "PurchOrd", "ItemShip"}:
        return
    period_id = int((doc.get("postingPeriod") or {}).get("id") or 0)
    period = account.get(RECORD_TYPES["accountingPeriod"], period_id)
    if period is None:
        raise invalid_content("Invalid value for the resource or sub-resource field 'postingPeriod'.", "postingPeriod")
    if not period.get("isPosting"):
        raise user_error(f"The period {period['periodName']} is not a posting period.", "postingPeriod")
    name = period.get("periodName")
    if period.get("closed") or period.get("allLocked"):
        raise user_error(
            f"The accounting period {name} is closed. You cannot post to a closed period.", "postingPeriod"
        )
    if rt.code in _AR and period.get("arLocked"):
        raise user_error(f"The accounting period {name} is locked for Accounts Receivable.", "postingPeriod")
    if rt.code in _AP and period.get("apLocked"):
        raise user_error(f"The accounting period {name} is locked for Accounts Payable.", "postingPeriod")


def check_journal(doc: dict[str, Any]) -> None:
    """A journal entry balances, line by line and in total."""
    lines = line_items(doc, "line")
    if len(lines) < 2:
        raise user_error("A journal entry needs at least two lines.", "line")
    debit = credit = Decimal(0)
    for line in lines:
        has_debit, has_credit = line.get("debit") is not None, line.get("credit") is not None
        if has_debit == has_credit:
            raise user_error("Each journal line needs either a debit or a credit amount.", "line")
        debit += money(line.get("debit"))
        credit += money(line.get("credit"))
    if debit != credit:
        raise user_error(
            f"The transaction is out of balance: debits {debit} and credits {credit} must be equal.", "line"
        )


def check_apply(account: Account, rt: RecordType, doc: dict[str, Any], *, own_applied: dict[int, Decimal]) -> None:
    """Apply lines name open documents of the same entity and currency, within what is due.

    ``own_applied`` is what this record applied to each document before this write (so re-saving a payment does
    not count its own application twice).
    """
    allowed = _APPLIES_TO.get(rt.code)
    applied_total = Decimal(0)
    credit = money(doc.get("total")) if rt.code in {"CustCred", "VendCred"} else None
    for index, line in enumerate(line_items(doc, "apply")):
        target_id = int((line.get("doc") or {}).get("id") or 0)
        target_rt = account.type_of("transaction", target_id)
        target = account.get(target_rt, target_id) if target_rt else None
        path = f"apply.items[{index}].doc"
        if target is None or target_rt is None or allowed is None or target_rt.code not in allowed:
            raise invalid_content("Invalid value for the resource or sub-resource field 'doc'.", path)
        line["_docType"] = target_rt.code
        line.setdefault("type", target_rt.label)
        line["total"] = money(target.get("total"))
        line["refNum"] = target.get("tranId")
        due = money(target.get("_remaining")) + own_applied.get(target_id, Decimal(0))
        line["due"] = due
        line.setdefault("applyDate", doc.get("tranDate"))
        if not line.get("apply", True):
            continue
        line["apply"] = True
        if line.get("amount") is None:
            left = due if credit is None else min(due, credit - applied_total)
            line["amount"] = left
        amount = money(line["amount"])
        line["amount"] = amount
        if (target.get("entity") or {}).get("id") != (doc.get("entity") or {}).get("id"):
            raise user_error(f"You cannot apply to {target.get('tranId')}: it belongs to another entity.", path)
        if (target.get("currency") or {}).get("id") != (doc.get("currency") or {}).get("id"):
            raise user_error(f"You cannot apply to {target.get('tranId')}: it is in another currency.", path)
        if amount <= 0 or amount > due:
            raise user_error(f"The amount applied to {target.get('tranId')} ({amount}) exceeds its due ({due}).", path)
        applied_total += amount
    if rt.code == "CustPymt" and doc.get("payment") is not None and money(doc["payment"]) < applied_total:
        raise user_error("The total applied exceeds the payment amount.", "payment")
    if credit is not None and applied_total > credit:
        raise user_error("The total applied exceeds the amount of the credit.", "apply")


def check_deletable(account: Account, rt: RecordType, record_id: int) -> None:
    """Refuse deleting a record others depend on."""
    db = account.db
    if rt.family == "transaction":
        found = db.execute(
            "SELECT 1 FROM previoustransactionlinelink WHERE previousdoc = ? LIMIT 1", (record_id,)
        ).fetchone()
        if found:
            raise user_error("This record cannot be deleted because it has dependent records.")
    elif rt.family == "entity":
        found = db.execute('SELECT 1 FROM "transaction" WHERE entity = ? LIMIT 1', (record_id,)).fetchone()
        if found:
            raise user_error("This record cannot be deleted because it has dependent records.")
