"""Create, update (full and sparse), delete and void, with the rules QBO enforces on the way in.

Per entity, ``RULES`` says what is required, how totals are derived, which name must be unique and which business
rules apply (``rules``); the steps are the same for everyone::

    clean body -> (update: find, check SyncToken -> 5010, merge if sparse) -> defaults -> closed period -> 6210
      -> required -> 2020 -> resolve *Ref (unknown -> 2500, inactive -> 610; names filled in)
      -> totals / balances -> unique name -> 6240 -> entity rules (6000, 6140, 6430, 2170...)
      -> store (SyncToken + 1, LastUpdatedTime = now)
      -> side effects (payments move invoice/bill balances; bills link purchase orders, see ``links``)

Server-computed fields (TotalAmt, Balance, HomeTotalAmt, the SubTotal line) are recomputed, never taken from the
request, as QBO does; the sandbox ignores the empty strings and zeros python-quickbooks sends for unset fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ledgerport.sandboxes.quickbooks import errors, rules
from ledgerport.sandboxes.quickbooks.clock import format_date
from ledgerport.sandboxes.quickbooks.credits import check_credits, credits_used, move_credits
from ledgerport.sandboxes.quickbooks.customfields import written as custom_fields_written
from ledgerport.sandboxes.quickbooks.links import bill_links, relink_purchase_orders
from ledgerport.sandboxes.quickbooks.plan import money
from ledgerport.sandboxes.quickbooks.store import ENTITIES, Company, Record

__all__ = ["RULES", "Rule", "delete", "save", "void"]

_SERVER_FIELDS = frozenset(
    {
        "Id",
        "SyncToken",
        "MetaData",
        "domain",
        "sparse",
        "status",
        "TotalAmt",
        "HomeTotalAmt",
        "Balance",
        "HomeBalance",
        "RemainingCredit",
        "UnappliedAmt",
        "FullyQualifiedName",
    }
)
_NUMERIC = frozenset(
    {
        "Amount",
        "UnitPrice",
        "Qty",
        "TotalAmt",
        "ExchangeRate",
        "TotalTax",
        "TaxPercent",
        "NetAmountTaxable",
        "RateValue",
        "PurchaseCost",
        "QtyOnHand",
        "TaxAmount",
        "DiscountRate",
        "DiscountAmt",
        "CreditLimit",
        "Balance",
    }
)
_REF_TARGETS: dict[str, str] = {
    "CustomerRef": "Customer",
    "VendorRef": "Vendor",
    "ItemRef": "Item",
    "AccountRef": "Account",
    "ClassRef": "Class",
    "DepartmentRef": "Department",
    "SalesTermRef": "Term",
    "TermRef": "Term",
    "APAccountRef": "Account",
    "ARAccountRef": "Account",
    "DepositToAccountRef": "Account",
    "IncomeAccountRef": "Account",
    "ExpenseAccountRef": "Account",
    "AssetAccountRef": "Account",
    "FromAccountRef": "Account",
    "ToAccountRef": "Account",
    "BankAccountRef": "Account",
    "CCAccountRef": "Account",
    "TaxRateRef": "TaxRate",
    "TxnTaxCodeRef": "TaxCode",
    "TaxCodeRef": "TaxCode",
    "EmployeeRef": "Employee",
}
_PSEUDO_TAX_CODES = {"TAX", "NON"}
_CLASSIFICATION = {
    "Bank": "Asset",
    "Accounts Receivable": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Other Current Liability": "Liability",
    "Long Term Liability": "Liability",
    "Equity": "Equity",
    "Income": "Revenue",
    "Other Income": "Revenue",
    "Cost of Goods Sold": "Expense",
    "Expense": "Expense",
    "Other Expense": "Expense",
}
_SALES_DETAILS = ("SalesItemLineDetail", "GroupLineDetail", "DescriptionOnly")
_HOME_TOTAL = frozenset({"Invoice", "SalesReceipt", "Estimate", "CreditMemo", "Deposit", "JournalEntry"})
"""Entities whose XSD type has ``HomeTotalAmt`` (Bill, Purchase, Payment... do not)."""


def _clean(value: Any, key: str = "") -> Any:
    """Drop unset fields ("" / None / empty lists), coerce numeric strings, stringify SyncToken-like ids."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v, k) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v is not None and v != "" and (v != [] or k == "Line")}
    if isinstance(value, list):
        return [_clean(item, key) for item in value]
    if key in _NUMERIC and isinstance(value, str) and value.strip():
        try:
            return Decimal(value)
        except InvalidOperation:
            raise errors.invalid_request(f"{key} is not a number: {value!r}") from None
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def _amount(value: Any) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


_ENTITY_TYPES = ("Customer", "Vendor", "Employee")


def _resolve_refs(company: Company, value: Any, key: str = "", typed_parent: bool = False) -> None:
    """Validate every *Ref against its table and fill in ``name``.

    A payee's ``EntityRef`` keeps its ``type`` (QBO's Purchase answers show it); one inside an object that states
    its ``Type`` itself (a journal line's ``Entity``) is answered without it, as QBO's journal examples are."""
    if isinstance(value, list):
        for item in value:
            _resolve_refs(company, item)
        return
    if not isinstance(value, dict):
        return
    if key == "Entity" and isinstance(value.get("EntityRef"), dict):
        # A journal line's name: ``{"Type": "Customer", "EntityRef": {"value": "3"}}``, the ref read by its Type.
        kind = str(value.get("Type", ""))
        if kind not in _ENTITY_TYPES:
            raise errors.invalid_enumeration("Entity.Type", kind)
        value["EntityRef"]["type"] = kind
    target = _REF_TARGETS.get(key)
    if key == "CurrencyRef":
        code = str(value.get("value", ""))
        if code not in company.currencies:
            raise errors.invalid_reference(key, code)
        value["name"] = company.currencies[code]
        return
    if key == "EntityRef" and value.get("type") in _ENTITY_TYPES:
        target = value["type"]
    if target is not None and "value" in value:
        reference = str(value["value"])
        if key != "EntityRef" or typed_parent:
            value.pop("type", None)
        if key.endswith("TaxCodeRef") and reference in _PSEUDO_TAX_CODES:
            value["value"] = reference
            return
        found = company.table(target).get(int(reference)) if reference.isdigit() else None
        if found is None:
            raise errors.invalid_reference(key, reference)
        if found.get("Active") is False:
            raise errors.object_not_found(target, reference)
        value["value"] = reference
        value["name"] = found.get("FullyQualifiedName") or found.get("DisplayName") or found.get("Name", "")
        return
    for child_key, child in value.items():
        _resolve_refs(company, child, child_key, "Type" in value)


def _foreign(body: Record, company: Company) -> bool:
    return bool(body.get("CurrencyRef", {}).get("value", company.home_currency) != company.home_currency)


def _set_total(body: Record, company: Company, total: Decimal) -> None:
    body["TotalAmt"] = money(total)
    if _foreign(body, company):
        body["HomeTotalAmt"] = money(total * Decimal(body.get("ExchangeRate", 1)))


def _number_lines(lines: list[Record]) -> list[Record]:
    for number, line in enumerate(lines, start=1):
        line.setdefault("Id", str(number))
        if "Amount" in line:
            line["Amount"] = money(_amount(line["Amount"]))
        if line.get("DetailType") != "JournalEntryLineDetail":
            line["LineNum"] = number
    return lines


def _sales_totals(body: Record, company: Company) -> None:
    lines = _number_lines([line for line in body["Line"] if line.get("DetailType") != "SubTotalLineDetail"])
    subtotal = Decimal(0)
    for line in lines:
        detail = line.get("SalesItemLineDetail") or {}
        if _amount(line.get("Amount")) == 0 and "Qty" in detail and "UnitPrice" in detail:
            line["Amount"] = money(_amount(detail["Qty"]) * _amount(detail["UnitPrice"]))
        sign = -1 if line.get("DetailType") == "DiscountLineDetail" else 1
        if line.get("DetailType") in (*_SALES_DETAILS, "DiscountLineDetail"):
            subtotal += sign * _amount(line.get("Amount"))
    body["Line"] = [*lines, {"Amount": money(subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}]
    tax = body.setdefault("TxnTaxDetail", {})
    tax["TotalTax"] = money(_amount(tax.get("TotalTax")))
    _set_total(body, company, subtotal + tax["TotalTax"])


def _line_totals(body: Record, company: Company) -> None:
    lines = _number_lines(body["Line"])
    tax = _amount((body.get("TxnTaxDetail") or {}).get("TotalTax"))
    _set_total(body, company, sum((_amount(line.get("Amount")) for line in lines), Decimal(0)) + tax)


def _journal_totals(body: Record, company: Company) -> None:
    """Debits equal credits, or 6000: Intuit documents the rule ("The total of the debit column equals the total of
    the credit column") and the code family, not the words, so the detail is the sandbox's."""
    sides = {"Debit": Decimal(0), "Credit": Decimal(0)}
    for line in _number_lines(body["Line"]):
        detail = line.get("JournalEntryLineDetail")
        if not detail or detail.get("PostingType") not in sides or "AccountRef" not in detail:
            raise errors.required_param_missing("JournalEntryLineDetail.PostingType/AccountRef")
        sides[detail["PostingType"]] += _amount(line.get("Amount"))
    if sides["Debit"] != sides["Credit"]:
        raise errors.business_validation(
            f"You can't save this transaction because it's not balanced: debits "
            f"{sides['Debit']} must equal credits {sides['Credit']}."
        )
    _set_total(body, company, sides["Debit"])


def _applied(body: Record) -> dict[str, Decimal]:
    """Amounts a payment applies, by linked document id."""
    applied: dict[str, Decimal] = {}
    for line in body.get("Line", []):
        for link in line.get("LinkedTxn", []):
            if link.get("TxnType") in ("Invoice", "Bill"):
                applied[str(link["TxnId"])] = applied.get(str(link["TxnId"]), Decimal(0)) + _amount(line.get("Amount"))
    return applied


def _payment_totals(body: Record, company: Company) -> None:
    total = money(_amount(body.get("TotalAmt")))
    applied = sum(_applied(body).values(), Decimal(0))
    entity = "Payment" if "CustomerRef" in body else "BillPayment"
    check_credits(entity, applied, total, body, company)  # credits add to what a payment can apply
    _set_total(body, company, total)
    if "CustomerRef" in body:
        body["UnappliedAmt"] = money(total - applied + sum(credits_used(entity, body).values(), Decimal(0)))


def _derive_display_name(body: Record, company: Company) -> None:
    if "DisplayName" not in body:
        name = body.get("CompanyName") or " ".join(
            part for part in (body.get("GivenName"), body.get("FamilyName")) if part
        )
        if name:
            body["DisplayName"] = name
    if "DisplayName" in body:
        body["FullyQualifiedName"] = body["DisplayName"]
    body.setdefault("Active", True)


def _named(body: Record, company: Company) -> None:
    if "Name" in body:
        body["FullyQualifiedName"] = body["Name"]
    body.setdefault("Active", True)
    if "AccountType" in body:
        body["Classification"] = _CLASSIFICATION.get(body["AccountType"], body.get("Classification", "Asset"))


Effect = Callable[[Company, str, Record | None, Record | None, int], None]


@dataclass(frozen=True)
class Rule:
    """How one entity is written: required elements, a derivation step, the unique name, balance tracking, the
    business rules checked once references resolve, and what a change does to other objects (``after``; an entity
    with one keeps its own ``LinkedTxn``)."""

    required: tuple[str, ...] = ()
    derive: Callable[[Record, Company], None] | None = None
    unique: str | None = None
    balance: bool = False
    pays: str | None = None
    writable: bool = True
    checks: tuple[rules.Check, ...] = ()
    after: Effect | None = None


RULES: dict[str, Rule] = {
    "Account": Rule(("Name", "AccountType"), _named, unique="Name", checks=(rules.account_defaults,)),
    "Attachable": Rule(writable=False),  # files come through /upload (attachables.py)
    "Bill": Rule(("VendorRef", "Line"), _line_totals, balance=True, checks=(bill_links,), after=relink_purchase_orders),
    "BillPayment": Rule(
        ("VendorRef", "PayType", "TotalAmt", "Line"),
        _payment_totals,
        pays="Bill",
        checks=(
            rules.bill_payment_account,
            rules.own_documents("BillPayment"),
            rules.unique_doc_number("BillPayment"),
        ),
    ),
    "Class": Rule(("Name",), _named, unique="Name"),
    "CompanyInfo": Rule(),
    "CreditMemo": Rule(("CustomerRef", "Line"), _sales_totals, balance=True),
    "Customer": Rule(("DisplayName",), _derive_display_name, unique="DisplayName"),
    "Department": Rule(("Name",), _named, unique="Name"),
    "Deposit": Rule(("DepositToAccountRef", "Line"), _line_totals),
    "Employee": Rule(("DisplayName",), _derive_display_name, unique="DisplayName"),
    "Estimate": Rule(("CustomerRef", "Line"), _sales_totals),
    "Invoice": Rule(("CustomerRef", "Line"), _sales_totals, balance=True),
    "Item": Rule(("Name", "Type"), _named, unique="Name", checks=(rules.item_accounts,)),
    "JournalEntry": Rule(("Line",), _journal_totals, checks=(rules.journal_sides, rules.journal_names)),
    "Payment": Rule(
        ("CustomerRef", "TotalAmt"),
        _payment_totals,
        pays="Invoice",
        checks=(rules.payment_deposit_account, rules.own_documents("Payment")),
    ),
    "Preferences": Rule(),
    "Purchase": Rule(("AccountRef", "PaymentType", "Line"), _line_totals),
    "PurchaseOrder": Rule(("VendorRef", "Line"), _line_totals, checks=(rules.unique_doc_number("PurchaseOrder"),)),
    "SalesReceipt": Rule(("Line",), _sales_totals),
    "TaxCode": Rule(writable=False),
    "TaxRate": Rule(writable=False),
    "Term": Rule(("Name",), _named, unique="Name"),
    "Transfer": Rule(("FromAccountRef", "ToAccountRef", "Amount")),
    "Vendor": Rule(("DisplayName",), _derive_display_name, unique="DisplayName"),
    "VendorCredit": Rule(("VendorRef", "Line"), _line_totals, balance=True),
    # RefundReceipt: "DepositToAccountRef ... required" (Intuit's RefundReceipt page); CreditCardPayment: the card
    # account, the bank account and the amount (Finance.xsd CreditCardPaymentTxn, every element required).
    "RefundReceipt": Rule(("Line", "DepositToAccountRef"), _sales_totals),
    "CreditCardPayment": Rule(("CreditCardAccountRef", "BankAccountRef", "Amount")),
}


_NUMBERED = frozenset({"Invoice", "SalesReceipt", "Estimate", "CreditMemo", "PurchaseOrder"})
"""Entities QBO numbers when a create sends no DocNumber: sales forms, and purchase orders while the company's
``VendorAndPurchasesPrefs.UseCustomTxnNumbers`` is off (Intuit's PurchaseOrder page); bill payments, journal
entries, bills and vendor credits keep no number unless one is sent."""


def _defaults(entity: str, body: Record, company: Company, now: int, next_id: int) -> None:
    if ENTITIES[entity].kind != "txn":
        return
    body.setdefault("TxnDate", format_date(now))
    body.setdefault("CurrencyRef", {"value": company.home_currency})
    if not _foreign(body, company):
        body["ExchangeRate"] = Decimal(1)
    body.setdefault("ExchangeRate", Decimal(1))
    if entity in _NUMBERED:
        body.setdefault("DocNumber", str(1000 + next_id))
    if entity == "PurchaseOrder":
        body.setdefault("POStatus", "Open")


_NAMES = ("Customer", "Vendor", "Employee")
_LIST_WORDS = {
    "Account": "account",
    "Item": "product or service",
    "Class": "class",
    "Department": "location",
    "Term": "term",
}
"""How QBO's 6240 names the list (customers, vendors and employees share one list of names)."""


def _check_unique(company: Company, entity: str, field: str, body: Record, own_id: int | None) -> None:
    """Names are unique within a list; customers, vendors and employees share one ("Must be unique across all
    Customer, Vendor, and Employee objects", Intuit's Customer page)."""
    wanted = str(body.get(field, "")).lower()
    for listed in _NAMES if entity in _NAMES else (entity,):
        table = company.table(listed)
        for record in table.records(table.window((None, None))):
            mine = listed == entity and int(record["Id"]) == own_id
            if str(record.get(field, "")).lower() == wanted and not mine:
                raise errors.duplicate_name(str(body[field]), _LIST_WORDS.get(entity, "customer, vendor or employee"))


def _current(company: Company, entity: str, body: Record) -> Record:
    raw_id = str(body.get("Id", ""))
    found = company.table(entity).get(int(raw_id)) if raw_id.isdigit() else None
    if found is None:
        raise errors.object_not_found(entity, raw_id)
    if "SyncToken" not in body or body["SyncToken"] in ("", None):
        raise errors.required_param_missing("SyncToken")
    if str(body["SyncToken"]) != found["SyncToken"]:
        raise errors.stale_object()
    return found


def _strip(record: Record) -> Record:
    return {
        key: value
        for key, value in record.items()
        if key not in ("Id", "SyncToken", "MetaData", "domain", "sparse", "status")
    }


def _move_balances(company: Company, entity: str, old: Record | None, new: Record | None, now: int) -> None:
    """A payment changed: move the balances (and links) of the documents it pays."""
    target = RULES[entity].pays
    if target is None:
        return
    before, after = _applied(old or {}), _applied(new or {})
    payment_id = (new or old or {}).get("Id")
    move_credits(company, entity, old, new, now, check_only=True)
    for document_id in sorted(set(before) | set(after)):
        delta = after.get(document_id, Decimal(0)) - before.get(document_id, Decimal(0))
        document = company.table(target).get(int(document_id)) if document_id.isdigit() else None
        if document is None:
            raise errors.invalid_reference("LinkedTxn.TxnId", document_id)
        if delta == 0:
            continue
        if delta > document["Balance"]:
            raise errors.business_validation(
                f"The payment of {delta} exceeds the open balance {document['Balance']} of {target} {document_id}."
            )
        body = _strip(document)
        body["Balance"] = money(document["Balance"] - delta)
        if "HomeBalance" in body:
            body["HomeBalance"] = money(body["Balance"] * Decimal(body.get("ExchangeRate", 1)))
        kind = "Payment" if entity == "Payment" else "BillPaymentCheck"
        links = [link for link in body.get("LinkedTxn", []) if link.get("TxnId") != payment_id]
        if after.get(document_id):
            links.append({"TxnId": payment_id, "TxnType": kind})
        body["LinkedTxn"] = links
        company.table(target).replace(int(document_id), body, now)
    move_credits(company, entity, old, new, now)


def save(company: Company, entity: str, raw: Record, now: int) -> Record:
    """Create (no Id) or update (Id + SyncToken; ``sparse: true`` merges) one entity; returns the stored record."""
    rule = RULES[entity]
    if not rule.writable:
        raise errors.unsupported_operation(f"Create/Update {entity}")
    sparse = raw.get("sparse") is True or str(raw.get("sparse")).lower() == "true"
    body = _clean(raw)
    updating = bool(str(raw.get("Id", "")).strip()) and str(raw.get("Id")) != "0"
    old = _current(company, entity, body) if updating else None
    if old is not None and sparse:
        body = {**_strip(old), **{k: v for k, v in body.items() if k not in _SERVER_FIELDS or k == "TotalAmt"}}
    else:
        body = {k: v for k, v in body.items() if k not in _SERVER_FIELDS or k == "TotalAmt"}
    table = company.table(entity)
    if old is None and ENTITIES[entity].kind == "company":
        raise errors.unsupported_operation(f"Create {entity}")
    _defaults(entity, body, company, now, table.next_id)
    rules.closed_period(entity, body, old, company)
    if rule.derive is not None and rule.derive in (_derive_display_name, _named):
        rule.derive(body, company)
    for element in rule.required:
        if element not in body or body[element] in ([], {}):
            raise errors.required_param_missing(element)
    _resolve_refs(company, body)
    if ENTITIES[entity].kind == "txn":
        custom_fields_written(company.table("Preferences").get(1), entity, body, old)
    if rule.derive is not None and rule.derive not in (_derive_display_name, _named):
        rule.derive(body, company)
    if entity not in _HOME_TOTAL:
        body.pop("HomeTotalAmt", None)
    if rule.unique is not None:
        _check_unique(company, entity, rule.unique, body, int(old["Id"]) if old else None)
    for check in rule.checks:
        check(company, body, old)
    if rule.balance:
        paid = (old["TotalAmt"] - old["Balance"]) if old is not None else Decimal(0)
        if body["TotalAmt"] < paid:
            raise errors.business_validation(f"The new total {body['TotalAmt']} is less than the {paid} already paid.")
        body["Balance"] = money(body["TotalAmt"] - paid)
        if entity == "CreditMemo":
            body["RemainingCredit"] = body["Balance"]
        if _foreign(body, company):
            body["HomeBalance"] = money(body["Balance"] * Decimal(body.get("ExchangeRate", 1)))
    if old is None and "Balance" not in body and entity in ("Customer", "Vendor"):
        body["Balance"] = Decimal("0.00")
    elif old is not None and "Balance" in old and not rule.balance:
        body["Balance"] = old["Balance"]
    if old is not None and rule.pays is None and rule.after is None and "LinkedTxn" in old and "LinkedTxn" not in body:
        body["LinkedTxn"] = old["LinkedTxn"]  # links are maintained by the server (payments)
    if rule.pays is not None:
        _move_balances(company, entity, old, {**body, "Id": old["Id"] if old else str(table.next_id)}, now)
    record = table.replace(int(old["Id"]), body, now) if old is not None else table.insert(body, now)
    if rule.after is not None:
        rule.after(company, record["Id"], old, record, now)
    return record


def delete(company: Company, entity: str, raw: Record, now: int) -> Record:
    """``operation=delete`` for transactions and attachables (the Attachable page documents its delete, answered
    like a transaction's: the ``status: Deleted`` stub); name lists cannot be deleted (set ``Active`` false)."""
    if entity == "Attachable":
        old = _current(company, entity, _clean(raw))
        company.files.pop(str(old["Id"]), None)
        return company.table(entity).remove(int(old["Id"]), now)
    if ENTITIES[entity].kind != "txn":
        raise errors.unsupported_operation(f"Delete {entity}")
    old = _current(company, entity, _clean(raw))
    rules.closed_period(entity, old, None, company)
    _move_balances(company, entity, old, None, now)
    gone = company.table(entity).remove(int(old["Id"]), now)
    after = RULES[entity].after
    if after is not None:
        after(company, old["Id"], old, None, now)
    return gone


def void(company: Company, entity: str, raw: Record, now: int) -> Record:
    """``operation=void`` (or ``include=void``): amounts to zero, "Voided" note, links released."""
    if not ENTITIES[entity].voidable:
        raise errors.unsupported_operation(f"Void {entity}")
    old = _current(company, entity, _clean(raw))
    rules.closed_period(entity, old, None, company)
    body = _strip(old)
    body["Line"] = [{**line, "Amount": Decimal("0.00")} for line in body.get("Line", [])]
    if "TxnTaxDetail" in body:
        body["TxnTaxDetail"] = {
            **body["TxnTaxDetail"],
            "TotalTax": Decimal("0.00"),
            "TaxLine": [
                {**tax_line, "Amount": Decimal("0.00")} for tax_line in body["TxnTaxDetail"].get("TaxLine", [])
            ],
        }
    zero = Decimal("0.00")
    body.update({"TotalAmt": zero, "PrivateNote": "Voided"})
    for field in ("Balance", "HomeBalance", "HomeTotalAmt", "UnappliedAmt"):
        if field in body:
            body[field] = zero
    _move_balances(company, entity, old, {**body, "Id": old["Id"]}, now)
    return company.table(entity).replace(int(old["Id"]), body, now)
