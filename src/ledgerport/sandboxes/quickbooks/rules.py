"""The business rules QBO applies to one entity's write once its references resolve: ``rule(company, body, old)``.

Each rule either fixes up what QBO fills in itself (an account's default sub-type, a payment's deposit account) or
raises the fault QBO answers. Where Intuit documents the rule the wording follows its reference pages
(developer.intuit.com, "all entities"); where only the code is known, or the rule is inferred from how QBO's own forms
behave, the function says so.

    JournalEntry  both sides present; an A/R line names a customer, an A/P line a vendor       -> 6000
    BillPayment   PayType Check|CreditCard (2170); the bank or card account it needs (2020), of that type (6430)
    Payment       DepositToAccountRef defaults to Undeposited Funds
    Payment/Bill  payments settle documents of their own customer or vendor                   -> 6000 (code guessed)
    Item          Type Inventory|Service|NonInventory (2170); the accounts each type needs (2020); no A/R or A/P
                  account on an item (6430)
    Account       AccountType from the enumeration (2170); AccountSubType defaults to the type's default
    PO, BillPayment  a DocNumber used by another transaction of the type                       -> 6140
    every txn     a TxnDate on or before Preferences.AccountingInfoPrefs.BookCloseDate          -> 6210
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledgerport.sandboxes.quickbooks import errors
from ledgerport.sandboxes.quickbooks.store import ENTITIES, Company, Record

__all__ = [
    "ACCOUNT_SUB_TYPES",
    "Check",
    "account_defaults",
    "bill_payment_account",
    "closed_period",
    "item_accounts",
    "journal_names",
    "journal_sides",
    "own_documents",
    "payment_deposit_account",
    "unique_doc_number",
]

Check = Callable[[Company, Record, Record | None], None]

ACCOUNT_SUB_TYPES: dict[str, str] = {
    "Bank": "CashOnHand",
    "Other Current Asset": "EmployeeCashAdvances",
    "Fixed Asset": "FurnitureAndFixtures",
    "Other Asset": "Licenses",
    "Accounts Receivable": "AccountsReceivable",
    "Equity": "OpeningBalanceEquity",
    "Expense": "Travel",
    "Other Expense": "Depreciation",
    "Cost of Goods Sold": "CostOfLaborCos",
    "Accounts Payable": "AccountsPayable",
    "Credit Card": "CreditCard",
    "Long Term Liability": "NotesPayable",
    "Other Current Liability": "OtherCurrentLiabilities",
    "Income": "OtherPrimaryIncome",
    "Other Income": "OtherInvestmentIncome",
}
"""Every AccountType and the sub-type QBO gives it when none is sent (Intuit's Account page marks one "default")."""

_ITEM_TYPES = ("Inventory", "Service", "NonInventory")
_INVENTORY_NEEDS = ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef", "QtyOnHand", "InvStartDate")
_NOT_FOR_ITEMS = frozenset({"Accounts Receivable", "Accounts Payable"})
_PAY_FROM = {
    "Check": ("CheckPayment", "BankAccountRef", "Bank"),
    "CreditCard": ("CreditCardPayment", "CCAccountRef", "Credit Card"),
}


def _account(company: Company, ref: Any) -> Record | None:
    value = str((ref or {}).get("value", ""))
    return company.table("Account").get(int(value)) if value.isdigit() else None


def _account_type(company: Company, ref: Any) -> str | None:
    found = _account(company, ref)
    return None if found is None else str(found.get("AccountType"))


# --- journal entries ----------------------------------------------------------------------------------------------


def journal_sides(company: Company, body: Record, old: Record | None) -> None:
    """ "There are at least one pair of lines, a debit and a credit" (Intuit's JournalEntry page)."""
    sides = {(line.get("JournalEntryLineDetail") or {}).get("PostingType") for line in body.get("Line", [])}
    if not {"Debit", "Credit"} <= sides:
        raise errors.business_validation(
            "A journal entry needs at least one debit line and one credit line (a pair of distribution lines)."
        )


_NAME_FOR = {"Accounts Receivable": ("Customer", "customer"), "Accounts Payable": ("Vendor", "supplier/vendor")}


def journal_names(company: Company, body: Record, old: Record | None) -> None:
    """ "When you use Accounts Receivable, you must choose a customer in the Name field. When you use Accounts
    Payable, you must choose a supplier/vendor" (Intuit's JournalEntryLineDetail.Entity); the code is 6000."""
    for line in body.get("Line", []):
        detail = line.get("JournalEntryLineDetail") or {}
        needed = _NAME_FOR.get(_account_type(company, detail.get("AccountRef")) or "")
        if needed is not None and (detail.get("Entity") or {}).get("Type") != needed[0]:
            kind = _account_type(company, detail.get("AccountRef"))
            raise errors.business_validation(f"When you use {kind}, you must choose a {needed[1]} in the Name field.")


# --- payments -----------------------------------------------------------------------------------------------------


def bill_payment_account(company: Company, body: Record, old: Record | None) -> None:
    """A check is paid from a bank account (``CheckPayment.BankAccountRef``), a card payment from a credit card
    account (``CreditCardPayment.CCAccountRef``); Intuit's page says the account "must have AccountType set to" Bank
    or Credit Card. The 6430 wording is the sandbox's (the code is QBO's "Invalid account type")."""
    pay_type = str(body.get("PayType"))
    if pay_type not in _PAY_FROM:
        raise errors.invalid_enumeration("PayType", pay_type)
    holder, element, wanted = _PAY_FROM[pay_type]
    ref = (body.get(holder) or {}).get(element)
    if not ref:
        raise errors.required_param_missing(f"{holder}.{element}")
    if _account_type(company, ref) != wanted:
        raise errors.invalid_account_type(f"A {pay_type} bill payment is paid from a {wanted} account.")


def payment_deposit_account(company: Company, body: Record, old: Record | None) -> None:
    """ "If you do not specify this account, payment is applied to the Undeposited Funds account" (Payment page)."""
    if "DepositToAccountRef" in body:
        return
    table = company.table("Account")
    for record in table.records(table.window((None, None))):
        if record.get("AccountSubType") == "UndepositedFunds":
            body["DepositToAccountRef"] = {"value": record["Id"], "name": record.get("FullyQualifiedName", "")}
            return


_PARTY = {"Payment": ("Invoice", "CustomerRef", "customer"), "BillPayment": ("Bill", "VendorRef", "vendor")}


def own_documents(entity: str) -> Check:
    """A payment settles documents of its own customer (a bill payment, of its own vendor). QBO refuses another
    party's document; its code and words for it are not documented, so this 6000 is the sandbox's guess."""
    document, party, word = _PARTY[entity]

    def check(company: Company, body: Record, old: Record | None) -> None:
        mine = str((body.get(party) or {}).get("value"))
        for line in body.get("Line", []):
            for link in line.get("LinkedTxn", []):
                target = str(link.get("TxnId", ""))
                if link.get("TxnType") != document or not target.isdigit():
                    continue
                found = company.table(document).get(int(target))
                if found is not None and str((found.get(party) or {}).get("value")) != mine:
                    raise errors.business_validation(
                        f"{document} {target} belongs to another {word}; a payment settles its own {word}'s "
                        f"{document.lower()}s."
                    )

    return check


# --- name lists ---------------------------------------------------------------------------------------------------


def item_accounts(company: Company, body: Record, old: Record | None) -> None:
    """``Type`` is Inventory, Service or NonInventory (Group and Category items cannot be made through the API).

    Intuit's Item page: an Inventory item needs its income, expense and asset accounts, ``QtyOnHand`` and
    ``InvStartDate``. It also lists the income account as required for Service and the expense account for every
    type, yet QBO's own form makes items that are only sold or only bought; the sandbox asks a Service or
    NonInventory item for one of the two (a guess; the 2020 code for a missing account is a guess too). An item
    never posts to A/R or A/P: 6430 with the text QBO answers (quoted by integrators).
    """
    kind = str(body.get("Type"))
    if kind not in _ITEM_TYPES:
        raise errors.invalid_enumeration("Type", kind)
    needs = _INVENTORY_NEEDS if kind == "Inventory" else ()
    for element in needs:
        if body.get(element) in (None, "", {}):
            raise errors.required_param_missing(element)
    if kind != "Inventory" and not (body.get("IncomeAccountRef") or body.get("ExpenseAccountRef")):
        raise errors.required_param_missing("IncomeAccountRef")
    for element in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
        if element in body and _account_type(company, body[element]) in _NOT_FOR_ITEMS:
            raise errors.invalid_account_type(
                "You can't associate a product or service with accounts of certain types (such as Accounts "
                "Receivable and Accounts Payable). If the product or service is something you sell, use an income "
                "account. If it's something you buy, use an expense account."
            )


def account_defaults(company: Company, body: Record, old: Record | None) -> None:
    """An unknown ``AccountType`` is 2170; ``AccountSubType`` defaults to the type's default; a sub-account's
    fully qualified name is its parent's and its own, colon-separated, and it says ``SubAccount: true``."""
    kind = str(body.get("AccountType"))
    if kind not in ACCOUNT_SUB_TYPES:
        raise errors.invalid_enumeration("AccountType", kind)
    body.setdefault("AccountSubType", ACCOUNT_SUB_TYPES[kind])
    parent = _account(company, body.get("ParentRef"))
    body["SubAccount"] = parent is not None
    if parent is not None:
        body["FullyQualifiedName"] = f"{parent.get('FullyQualifiedName') or parent.get('Name')}:{body['Name']}"
        body["ParentRef"]["name"] = body["FullyQualifiedName"].rpartition(":")[0]


# --- every transaction ---------------------------------------------------------------------------------------------


def unique_doc_number(entity: str) -> Check:
    """Intuit's PurchaseOrder and BillPayment pages: "Throws an error when duplicate DocNumber is sent in the
    request" (unless ``include=allowduplicatedocnum``, which the sandbox does not take)."""

    def check(company: Company, body: Record, old: Record | None) -> None:
        number = body.get("DocNumber")
        if number in (None, ""):
            return
        own = None if old is None else old["Id"]
        table = company.table(entity)
        for record in table.records(table.window((None, None))):
            if record.get("DocNumber") == number and record["Id"] != own:
                raise errors.duplicate_doc_number(str(number), entity, record["Id"])

    return check


def closed_period(entity: str, body: Record, old: Record | None, company: Company) -> None:
    """A transaction dated on or before the books' closing date cannot be written, nor one moved out of the closed
    period: 6210 (Intuit's error list; the sandbox has no closing password, as the API has none)."""
    if ENTITIES[entity].kind != "txn":
        return
    preferences = company.table("Preferences").get(1) or {}
    closed = str((preferences.get("AccountingInfoPrefs") or {}).get("BookCloseDate") or "")
    if not closed:
        return
    dates = [str(record.get("TxnDate", "")) for record in (body, old) if record]
    if any(day and day <= closed for day in dates):
        raise errors.account_period_closed()
