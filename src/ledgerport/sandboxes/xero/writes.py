"""PUT and POST bodies turned into stored records, one writer per collection, chosen from ``WRITERS``.

A writer receives the tenant, the element as sent and the existing record (``None`` on create), and returns the
record to store or raises ``Invalid``. Side effects on other records (a payment changing its invoice, an invoice
flagging its contact as a customer) happen only after the element has passed every check.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.amounts import RATE, ZERO, document_totals, money
from ledgerport.sandboxes.xero.catalog import Spec
from ledgerport.sandboxes.xero.data import ACCOUNT_CLASS
from ledgerport.sandboxes.xero.dates import ms_date, start_of_day
from ledgerport.sandboxes.xero.store import Tenant
from ledgerport.sandboxes.xero.validate import (
    Invalid,
    find_account,
    find_record,
    lock_problem,
    normalize_lines,
    number,
    set_date,
    tax_rate,
    tracking,
)

__all__ = ["DOCUMENTS", "DocumentKind", "WRITERS", "apply_write"]

Record = dict[str, Any]
Writer = Callable[[Tenant, Record, Record | None, int], Record]

_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")


@dataclass(frozen=True)
class DocumentKind:
    """How one line-item document family differs: its types, which are sales, its number and date fields."""

    label: str
    types: tuple[str, ...]
    sales_types: tuple[str, ...]
    number_field: str | None = None
    number_prefix: str | None = None
    numbered_types: tuple[str, ...] = ()
    dates: tuple[str, ...] = ("Date",)
    copied: tuple[str, ...] = ("Reference",)
    ledger: bool = True
    """Whether the document posts to the ledger, so the organisation's lock dates apply (a purchase order does
    not)."""


DOCUMENTS = {
    "Invoices": DocumentKind(
        "Invoice",
        ("ACCREC", "ACCPAY"),
        ("ACCREC",),
        "InvoiceNumber",
        "INV",
        ("ACCREC",),
        ("Date", "DueDate"),
        ("Reference", "SentToContact", "Url", "BrandingThemeID"),
    ),
    "CreditNotes": DocumentKind(
        "Credit note",
        ("ACCRECCREDIT", "ACCPAYCREDIT"),
        ("ACCRECCREDIT",),
        "CreditNoteNumber",
        "CN",
        ("ACCRECCREDIT",),  # an ACCPAYCREDIT's number is the supplier's: not assigned, not unique (XOAS)
    ),
    "PurchaseOrders": DocumentKind(
        "Purchase order",
        (),
        (),
        "PurchaseOrderNumber",
        "PO",
        ("PURCHASEORDER",),
        ("Date", "DeliveryDate"),
        ("Reference", "DeliveryAddress", "AttentionTo", "Telephone", "DeliveryInstructions"),
        ledger=False,
    ),
    "BankTransactions": DocumentKind(
        "Bank transaction", ("SPEND", "RECEIVE"), ("RECEIVE",), copied=("Reference", "IsReconciled", "Url")
    ),
}


def _status(spec: Spec, item: Record, existing: Record | None, errors: list[str], label: str) -> str:
    lifecycle = spec.lifecycle
    assert lifecycle is not None
    wanted = item.get(lifecycle.field)
    if existing is None:
        status = str(wanted or lifecycle.initial)
        if status not in lifecycle.creatable:
            errors.append(f"{label} not of valid status for creation")
        return status
    old = existing[lifecycle.field]
    status = str(wanted or old)
    if not lifecycle.may_move(old, status):
        errors.append(f"{label} not of valid status for modification")
    return status


def _posted_dates(record: Record, status: str, existing: Record | None, posted: frozenset[str]) -> list[object]:
    """The dates a lock date guards: the document's once it posts, and the one it had if it was posted already.

    Drafts and documents awaiting approval may be dated in a locked period; approving them may not (Xero refuses
    the approval with the lock-date message, as ApprovalMax and EzzyBills document).
    """
    dates: list[object] = [record.get("Date")] if status in posted else []
    if existing is not None and existing.get("Status") in posted:
        dates.append(existing.get("Date"))
    return dates


def _contact(tenant: Tenant, ref: object, errors: list[str]) -> tuple[int | None, Record | None, str | None]:
    """``(slot, record, name_to_create)`` for a Contact reference; a new name creates a contact, as Xero does."""
    if not isinstance(ref, dict) or not (ref.get("ContactID") or ref.get("Name") or ref.get("ContactNumber")):
        errors.append("A Contact must be specified for this type of transaction")
        return None, None, None
    key = ref.get("ContactID") or ref.get("ContactNumber")
    found = find_record(tenant, "Contacts", key or ref.get("Name"))
    if found is not None:
        return found[0], found[1], None
    if key:
        errors.append(f"Contact '{key}' could not be found")
        return None, None, None
    return None, None, str(ref["Name"])


def _commit_contact(
    tenant: Tenant, found: tuple[int | None, Record | None, str | None], sales: bool, now_ms: int
) -> Record:
    slot, record, new_name = found
    flag = "IsCustomer" if sales else "IsSupplier"
    contacts = tenant.collections["Contacts"]
    if record is None:
        record = _new_contact(tenant, {"Name": new_name}, now_ms)
        record[flag] = True
        contacts.put(record, now_ms)
    elif not record.get(flag):
        record = {**record, flag: True}
        contacts.put(record, now_ms, slot)
    return {"ContactID": record["ContactID"], "Name": record["Name"]}


def _document(spec: Spec, tenant: Tenant, item: Record, existing: Record | None, now_ms: int) -> Record:
    kind = DOCUMENTS[spec.name]
    errors: list[str] = []
    record: Record = copy.deepcopy(existing) if existing is not None else {spec.key: str(uuid.uuid4())}
    status = _status(spec, item, existing, errors, kind.label)
    doc_type = str(item.get("Type") or (existing or {}).get("Type") or ("PURCHASEORDER" if not kind.types else ""))
    if kind.types and doc_type not in kind.types:
        errors.append(f"{kind.label} Type must be one of {', '.join(kind.types)}")
    if existing is not None and doc_type != existing.get("Type", doc_type):
        errors.append(f"The Type of an existing {kind.label.lower()} cannot be changed")
    sales = doc_type in kind.sales_types
    paid = (existing or {}).get("AmountPaid", ZERO)
    if status == "VOIDED" and paid:
        errors.append("This document cannot be voided as it has payments allocated to it")
    contact = _contact(tenant, item.get("Contact") or (existing or {}).get("Contact"), errors)
    for field in kind.dates:
        if field in item:
            set_date(record, field, item[field], errors)
    if "Date" not in record:
        set_date(record, "Date", ms_date(start_of_day(now_ms)), errors)
    locked = kind.ledger and lock_problem(
        tenant, *_posted_dates(record, status, existing, frozenset({"AUTHORISED", "PAID", "VOIDED"}))
    )
    if locked:
        errors.append(locked)
    if spec.name == "BankTransactions":
        bank = find_account(tenant, item.get("BankAccount") or record.get("BankAccount"))
        if bank is None or bank["Type"] != "BANK":
            errors.append("A valid BankAccount must be specified")
        else:
            record["BankAccount"] = {"AccountID": bank["AccountID"], "Code": bank["Code"], "Name": bank["Name"]}
    amounts = str(item.get("LineAmountTypes") or record.get("LineAmountTypes") or "Exclusive")
    if amounts not in _AMOUNT_TYPES:
        errors.append(f"LineAmountTypes must be one of {', '.join(_AMOUNT_TYPES)}")
    currency = str(item.get("CurrencyCode") or record.get("CurrencyCode") or tenant.organisation["BaseCurrency"])
    rates = {tenant.organisation["BaseCurrency"]: Decimal(1).quantize(RATE), **tenant.rates.get("currency", {})}
    if currency not in rates:
        errors.append(f"The currency {currency} is not enabled for this organisation")
    rate = (
        number(item.get("CurrencyRate"), "CurrencyRate", errors)
        or record.get("CurrencyRate")
        or rates.get(currency, Decimal(1))
    )
    if "LineItems" in item or existing is None or "LineAmountTypes" in item:
        if existing is not None and paid and "LineItems" in item:
            errors.append("This document cannot be edited as it has a payment or credit note allocated to it.")
        raw_lines = item.get("LineItems", (existing or {}).get("LineItems", []))
        lines = normalize_lines(
            tenant,
            raw_lines,
            sales=sales,
            amounts=amounts,
            needs_account=status in ("AUTHORISED", "SUBMITTED") and spec.name != "PurchaseOrders",
            errors=errors,
        )
        if status == "AUTHORISED" and not lines:
            errors.append(f"At least one line item is required to approve a {kind.label.lower()}")
        sub_total, total_tax, total = document_totals(lines, amounts)
        record |= {
            "LineAmountTypes": amounts,
            "LineItems": lines,
            "SubTotal": sub_total,
            "TotalTax": total_tax,
            "Total": total,
        }
    if kind.number_field:
        given = item.get(kind.number_field) or record.get(kind.number_field)
        if given:
            other = tenant.collections[spec.name].find(str(given))
            if (
                other is not None
                and doc_type in kind.numbered_types
                and tenant.collections[spec.name].ids[other] != record[spec.key]
            ):
                errors.append(f"{kind.label} # must be unique.")
    if errors:
        raise Invalid(errors)
    if (
        kind.number_field
        and not item.get(kind.number_field)
        and not record.get(kind.number_field)
        and doc_type in kind.numbered_types
        and kind.number_prefix
    ):
        record[kind.number_field] = f"{kind.number_prefix}-{tenant.next_number(kind.number_prefix):04d}"
    elif kind.number_field and item.get(kind.number_field):
        record[kind.number_field] = str(item[kind.number_field])
    for field in kind.copied:
        if field in item:
            record[field] = item[field]
    record |= {
        "Type": doc_type,
        "Status": status,
        "CurrencyCode": currency,
        "CurrencyRate": rate,
        "Contact": _commit_contact(tenant, contact, sales, now_ms),
    }
    if spec.name == "PurchaseOrders":
        record["Type"] = "PURCHASEORDER"
    _settle(spec, record, existing)
    return record


def _settle(spec: Spec, record: Record, existing: Record | None) -> None:
    """AmountDue/AmountPaid (invoices) and RemainingCredit (credit notes) after a write."""
    total = record.get("Total", ZERO)
    closed = record["Status"] in ("VOIDED", "DELETED")
    if spec.name == "Invoices":
        paid = (existing or {}).get("AmountPaid", ZERO)
        credited = (existing or {}).get("AmountCredited", ZERO)
        record.setdefault("Payments", [])
        record.setdefault("CreditNotes", [])
        record.setdefault("Prepayments", [])
        record.setdefault("Overpayments", [])
        record |= {
            "AmountPaid": paid,
            "AmountCredited": credited,
            "AmountDue": ZERO if closed else total - paid - credited,
            "HasErrors": False,
            "IsDiscounted": any("DiscountRate" in line for line in record.get("LineItems", [])),
        }
    elif spec.name == "CreditNotes":
        record |= {
            "RemainingCredit": ZERO if closed else total,
            "Allocations": record.get("Allocations", []),
            "HasErrors": False,
        }


def _manual_journal(spec: Spec, tenant: Tenant, item: Record, existing: Record | None, now_ms: int) -> Record:
    errors: list[str] = []
    record: Record = copy.deepcopy(existing) if existing is not None else {spec.key: str(uuid.uuid4())}
    status = _status(spec, item, existing, errors, "Manual journal")
    narration = item.get("Narration", record.get("Narration"))
    if not narration or not str(narration).strip():
        errors.append("Narration must be specified")
    if "Date" in item:
        set_date(record, "Date", item["Date"], errors)
    elif "Date" not in record:
        set_date(record, "Date", ms_date(start_of_day(now_ms)), errors)
    locked = lock_problem(tenant, *_posted_dates(record, status, existing, frozenset({"POSTED", "VOIDED"})))
    if locked:
        errors.append(locked)
    if "JournalLines" in item or existing is None:
        raw = item.get("JournalLines") or []
        lines = [_journal_line(tenant, line, errors) for line in raw if isinstance(line, dict)]
        if len(lines) < 2:
            errors.append("A manual journal must have at least two journal lines")
        debits = sum((line["LineAmount"] for line in lines if line["LineAmount"] > 0), ZERO)
        credits = sum((line["LineAmount"] for line in lines if line["LineAmount"] < 0), ZERO)
        if debits + credits != 0:
            errors.append(f"The total debits ({debits:.2f}) must equal total credits ({credits:.2f})")
        record["JournalLines"] = lines
    if errors:
        raise Invalid(errors)
    record |= {
        "Narration": str(narration),
        "Status": status,
        "LineAmountTypes": item.get("LineAmountTypes", record.get("LineAmountTypes", "NoTax")),
        "ShowOnCashBasisReports": item.get("ShowOnCashBasisReports", record.get("ShowOnCashBasisReports", True)),
        "HasAttachments": record.get("HasAttachments", False),
    }
    return record


def _journal_line(tenant: Tenant, raw: Record, errors: list[str]) -> Record:
    amount = number(raw.get("LineAmount"), "LineAmount", errors)
    if amount is None:
        errors.append("LineAmount must be specified on every journal line")
        amount = ZERO
    account = find_account(tenant, raw.get("AccountID") or raw.get("AccountCode"))
    if account is None:
        errors.append(f"Account code '{raw.get('AccountCode') or raw.get('AccountID')}' is not a valid code")
        account = {"Code": raw.get("AccountCode"), "AccountID": raw.get("AccountID")}
    tax_type = str(raw.get("TaxType") or "NONE")
    if tax_rate(tenant, tax_type) is None:
        errors.append(f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction.")
    return {
        "Description": raw.get("Description", ""),
        "TaxType": tax_type,
        "TaxAmount": money(number(raw.get("TaxAmount"), "TaxAmount", errors, ZERO) or ZERO),
        "LineAmount": money(amount),
        "AccountCode": account["Code"],
        "AccountID": account["AccountID"],
        "Tracking": tracking(tenant, raw.get("Tracking"), errors),
        "IsBlank": False,
    }


_CONTACT_READ_ONLY = {
    "ContactID",
    "IsCustomer",
    "IsSupplier",
    "UpdatedDateUTC",
    "HasValidationErrors",
    "ValidationErrors",
    "Balances",
    "StatusAttributeString",
    "HasAttachments",
}


_SLOTS = {
    "Addresses": ("AddressType", ("STREET", "POBOX")),
    "Phones": ("PhoneType", ("DEFAULT", "DDI", "MOBILE", "FAX")),
}
"""Xero keeps one address and one phone number of each type, and lists every slot, filled or not."""


def _slotted(field: str, existing: object, given: object) -> list[Record]:
    """A contact's addresses or phones after a write: each one sent replaces the one of its type, the rest stay."""
    key, types = _SLOTS[field]
    slots: dict[str, Record] = {kind: {key: kind} for kind in types}
    for entry in [*(existing if isinstance(existing, list) else []), *(given if isinstance(given, list) else [])]:
        if isinstance(entry, dict) and entry.get(key):
            slots[str(entry[key])] = dict(entry)
    return list(slots.values())


def _new_contact(tenant: Tenant, item: Record, now_ms: int) -> Record:
    return {
        "ContactID": str(uuid.uuid4()),
        "ContactStatus": "ACTIVE",
        "Name": str(item.get("Name")),
        "Addresses": _slotted("Addresses", [], []),
        "Phones": _slotted("Phones", [], []),
        "ContactGroups": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "DefaultCurrency": tenant.organisation["BaseCurrency"],
        "ContactPersons": [],
        "HasAttachments": False,
        "HasValidationErrors": False,
        "UpdatedDateUTC": ms_date(now_ms),
    }


def _contact_write(spec: Spec, tenant: Tenant, item: Record, existing: Record | None, now_ms: int) -> Record:
    errors: list[str] = []
    status = _status(spec, item, existing, errors, "Contact")
    name = item.get("Name", (existing or {}).get("Name"))
    if not name or not str(name).strip():
        errors.append("The contact name must be specified")
    else:
        other = find_record(tenant, "Contacts", str(name))
        if (
            other is not None
            and other[1]["ContactID"] != (existing or {}).get("ContactID")
            and other[1]["ContactStatus"] == "ACTIVE"
        ):
            errors.append(
                f"The contact name {name} is already assigned to another contact. "
                "The contact name must be unique across all active contacts."
            )
    if errors:
        raise Invalid(errors)
    record = copy.deepcopy(existing) if existing is not None else _new_contact(tenant, item, now_ms)
    record |= {key: value for key, value in item.items() if key not in _CONTACT_READ_ONLY and key not in _SLOTS}
    for field in _SLOTS:
        if field in item:
            record[field] = _slotted(field, record.get(field), item[field])
    record["ContactStatus"] = status
    return record


def _item_write(spec: Spec, tenant: Tenant, item: Record, existing: Record | None, now_ms: int) -> Record:
    errors: list[str] = []
    code = item.get("Code", (existing or {}).get("Code"))
    if not code:
        errors.append("Item code must be specified")
    else:
        other = find_record(tenant, "Items", str(code))
        if other is not None and other[1]["ItemID"] != (existing or {}).get("ItemID"):
            errors.append(f"Item code '{code}' already exists")
    record = copy.deepcopy(existing) if existing is not None else {"ItemID": str(uuid.uuid4())}
    for side in ("SalesDetails", "PurchaseDetails"):
        details = item.get(side)
        if isinstance(details, dict):
            price = number(details.get("UnitPrice"), "UnitPrice", errors)
            account = details.get("AccountCode")
            if account and find_account(tenant, account) is None:
                errors.append(f"Account code '{account}' is not a valid code")
            if details.get("TaxType") and tax_rate(tenant, str(details["TaxType"])) is None:
                errors.append(f"The TaxType code '{details['TaxType']}' does not exist")
            record[side] = {**details, **({"UnitPrice": price} if price is not None else {})}
    if errors:
        raise Invalid(errors)
    for key in ("Code", "Name", "Description", "PurchaseDescription", "IsTrackedAsInventory"):
        if key in item:
            record[key] = item[key]
    record |= {"IsSold": bool(record.get("SalesDetails")), "IsPurchased": bool(record.get("PurchaseDetails"))}
    record.setdefault("Name", str(code))
    return record


def _account_write(spec: Spec, tenant: Tenant, item: Record, existing: Record | None, now_ms: int) -> Record:
    errors: list[str] = []
    status = _status(spec, item, existing, errors, "Account")
    record = copy.deepcopy(existing) if existing is not None else {"AccountID": str(uuid.uuid4())}
    record |= {
        key: item[key]
        for key in (
            "Code",
            "Name",
            "Type",
            "Description",
            "TaxType",
            "BankAccountNumber",
            "CurrencyCode",
            "EnablePaymentsToAccount",
            "ShowInExpenseClaims",
        )
        if key in item
    }
    for field, message in (("Code", "Please enter a unique Code."), ("Name", "Please enter a unique Name.")):
        value = record.get(field)
        clash = value and next(
            (
                a
                for a in tenant.collections["Accounts"].all_records()
                if str(a.get(field, "")).lower() == str(value).lower()
                and a["AccountID"] != record["AccountID"]
                and a["Status"] != "DELETED"
            ),
            None,
        )
        if not value or clash:
            errors.append(message)
    if record.get("Type") not in ACCOUNT_CLASS:
        errors.append("Please select a valid account Type.")
    if record.get("Type") == "BANK" and not record.get("BankAccountNumber"):
        errors.append("Bank account number is required for a bank account")
    if errors:
        raise Invalid(errors)
    record |= {
        "Class": ACCOUNT_CLASS[record["Type"]],
        "Status": status,
        "TaxType": record.get("TaxType") or "NONE",
        "HasAttachments": False,
    }
    if record["Type"] == "BANK":
        record.setdefault("CurrencyCode", tenant.organisation["BaseCurrency"])
        record.setdefault("BankAccountType", "BANK")
    return record


def _payment_write(spec: Spec, tenant: Tenant, item: Record, existing: Record | None, now_ms: int) -> Record:
    if existing is not None:
        return _delete_payment(tenant, item, existing, now_ms)
    errors: list[str] = []
    ref = item.get("Invoice") or {}
    found = (
        find_record(tenant, "Invoices", ref.get("InvoiceID") or ref.get("InvoiceNumber"))
        if isinstance(ref, dict)
        else None
    )
    if found is None:
        errors.append("Payments in the sandbox must reference an existing Invoice (InvoiceID or InvoiceNumber)")
    account = find_account(tenant, item.get("Account"))
    if account is None or not (account["Type"] == "BANK" or account.get("EnablePaymentsToAccount")):
        errors.append("The payment Account must be a bank account or have payments enabled")
    amount = number(item.get("Amount"), "Amount", errors)
    record: Record = {"PaymentID": str(uuid.uuid4())}
    set_date(record, "Date", item.get("Date") or ms_date(start_of_day(now_ms)), errors, with_string=False)
    locked = lock_problem(tenant, record.get("Date"))
    if locked:
        errors.append(locked)
    if found is not None:
        invoice = found[1]
        if invoice["Status"] != "AUTHORISED":
            errors.append("Payments can only be made against Authorised documents")
        if amount is None or amount <= 0:
            errors.append("Payment amount must be greater than zero")
        elif amount > invoice["AmountDue"]:
            errors.append("Payment amount exceeds the amount outstanding on this document")
    if errors:
        raise Invalid(errors)
    assert found is not None
    assert account is not None
    assert amount is not None
    slot, invoice = found
    rate = invoice.get("CurrencyRate") or Decimal(1).quantize(RATE)
    record |= {
        "BankAmount": money(amount / rate),
        "Amount": money(amount),
        "Reference": item.get("Reference", ""),
        "CurrencyRate": rate,
        "PaymentType": "ACCRECPAYMENT" if invoice["Type"] == "ACCREC" else "ACCPAYPAYMENT",
        "Status": "AUTHORISED",
        "HasAccount": True,
        "IsReconciled": bool(item.get("IsReconciled", False)),
        "Account": {"AccountID": account["AccountID"], "Code": account["Code"]},
        "Invoice": {
            "Type": invoice["Type"],
            "InvoiceID": invoice["InvoiceID"],
            "InvoiceNumber": invoice.get("InvoiceNumber", ""),
            "Contact": invoice["Contact"],
            "CurrencyCode": invoice["CurrencyCode"],
        },
        "HasValidationErrors": False,
    }
    updated = copy.deepcopy(invoice)
    updated["Payments"].append(
        {
            "PaymentID": record["PaymentID"],
            "Date": record["Date"],
            "Amount": record["Amount"],
            "Reference": record["Reference"],
            "CurrencyRate": rate,
            "HasAccount": False,
            "HasValidationErrors": False,
        }
    )
    updated["AmountPaid"] += record["Amount"]
    updated["AmountDue"] -= record["Amount"]
    if updated["AmountDue"] == 0:
        updated |= {"Status": "PAID", "FullyPaidOnDate": record["Date"]}
    tenant.collections["Invoices"].put(updated, now_ms, slot)
    return record


def _delete_payment(tenant: Tenant, item: Record, existing: Record, now_ms: int) -> Record:
    if item.get("Status") != "DELETED" or existing["Status"] != "AUTHORISED":
        raise Invalid(["A payment can only be changed by setting its Status to DELETED"])
    locked = lock_problem(tenant, existing.get("Date"))
    if locked:
        raise Invalid([locked])
    found = find_record(tenant, "Invoices", existing["Invoice"]["InvoiceID"])
    if found is not None:
        slot, invoice = found
        updated = copy.deepcopy(invoice)
        updated["Payments"] = [p for p in updated["Payments"] if p["PaymentID"] != existing["PaymentID"]]
        updated["AmountPaid"] -= existing["Amount"]
        updated["AmountDue"] += existing["Amount"]
        if updated["Status"] == "PAID":
            updated["Status"] = "AUTHORISED"
            updated.pop("FullyPaidOnDate", None)
        tenant.collections["Invoices"].put(updated, now_ms, slot)
    return {**existing, "Status": "DELETED"}


WRITERS: dict[str, Callable[[Spec, Tenant, Record, Record | None, int], Record]] = {
    "Accounts": _account_write,
    "BankTransactions": _document,
    "Contacts": _contact_write,
    "CreditNotes": _document,
    "Invoices": _document,
    "Items": _item_write,
    "ManualJournals": _manual_journal,
    "Payments": _payment_write,
    "PurchaseOrders": _document,
}


def apply_write(
    spec: Spec, tenant: Tenant, item: Record, *, slot: int | None, create_only: bool, now_ms: int
) -> Record:
    """Validate and store one element; ``slot`` is the record it updates (None: create or match by id/number)."""
    collection = tenant.collections[spec.name]
    if slot is None:
        key = item.get(spec.key) or (item.get(spec.number) if spec.number and spec.name != "Contacts" else None)
        found = collection.find(str(key)) if key else None
        if found is not None and create_only and item.get(spec.key):
            raise Invalid(
                [f"A {spec.name[:-1]} with {spec.key} {key} already exists; PUT only creates, use POST to update"]
            )
        if item.get(spec.key) and found is None:
            raise Invalid([f"{spec.key} {item[spec.key]} could not be found"])
        slot = None if create_only else found
    existing = collection.get(slot) if slot is not None else None
    record = WRITERS[spec.name](spec, tenant, item, existing, now_ms)
    collection.put(record, now_ms, slot)
    return record
